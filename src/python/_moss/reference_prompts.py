"""How values become prompt text as the reference package reflects them: classes and objects
that write their own prompt, and the reflection of the names a module imports. The engine's
Python-API prompter uses it; `ghostos_moss.prompts` is its public home."""
from __future__ import annotations

import ast
import inspect
import linecache
import sys
from abc import ABC, abstractmethod
from dataclasses import is_dataclass
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple, is_typeddict

from _moss.prompt_utils import get_callable_definition, get_modulename, is_typing, make_class_prompt

__all__ = [
    "reflect_code_prompt", "reflect_locals_imported", "reflect_class_with_methods", "join_prompt_lines",
    "compile_attr_prompts", "AttrPrompts", "PromptAbleClass", "PromptAbleObj",
]

AttrPrompts = Iterable[Tuple[str, str]]
"""The type of `__moss_attr_prompts__()`: (name, prompt) pairs, an empty prompt hiding the name."""

PUBLIC_MODULE = "ghostos_moss.prompts"

ignore_modules = {"pydantic"}
"""Modules whose names `reflect_imported_attr` never reflects."""


class PromptAbleClass(ABC):
    """A class shown in the prompt as what `__class_prompt__()` returns."""

    __module__ = PUBLIC_MODULE

    @classmethod
    @abstractmethod
    def __class_prompt__(cls) -> str:
        """The text the prompt shows for this class."""


class PromptAbleObj(ABC):
    """An object shown in the prompt as what `__prompt__()` returns."""

    __module__ = PUBLIC_MODULE

    @abstractmethod
    def __prompt__(self) -> str:
        """The text the prompt shows for this object."""


def _text_of(found: Any) -> Optional[str]:
    return found if isinstance(found, str) or found is None else found()


def get_defined_prompt(value: Any, container: Any = None) -> Optional[str]:
    """What `value` says about itself: `__class_prompt__` of a class, `__prompt__` of an object or
    a module, `get_prompt(container)` of a prompt object model; None when it says nothing."""
    if value is None:
        return None
    if isinstance(value, PromptAbleObj):
        return value.__prompt__()
    if container is not None and callable(getattr(value, "get_prompt", None)) and not isinstance(value, type):
        prompt: Optional[str] = value.get_prompt(container)
        return prompt
    if inspect.isclass(value):
        found = getattr(value, "__class_prompt__", None)
        return _text_of(found) if found is not None else None
    if inspect.ismodule(value):
        found = value.__dict__.get("__prompt__")
        return _text_of(found) if found is not None else None
    found = getattr(value, "__prompt__", None)
    if found is None:
        return None
    if inspect.isfunction(value) or inspect.ismethod(value) or isinstance(found, str):
        return _text_of(found)
    return found() if getattr(found, "__self__", None) is value else None


def _shows_source(value: type) -> bool:
    if inspect.isabstract(value) or is_dataclass(value) or is_typeddict(value):
        return True
    # Only a loaded pydantic can have made a model: asking never imports it.
    base_model = getattr(sys.modules.get("pydantic"), "BaseModel", None)
    return base_model is not None and issubclass(value, base_model)


def class_source(cls: type) -> str:
    """`inspect.getsource(cls)`, also for a class whose `__module__` names the module that
    publishes it rather than the one defining it (moss's own public classes, defined in `_moss`):
    its source is then found in the loaded module whose file holds its methods' code and whose
    namespace holds the class, whether or not the public module was ever imported."""
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):  # TypeError: inspect takes a class whose module is not loaded for a built-in
        files = _method_files(cls)
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if file in files and vars(module).get(cls.__name__) is cls:
                return _top_level_class_source(cls.__name__, linecache.getlines(file, vars(module)))
        raise


def _method_files(cls: type) -> Set[str]:
    """The files holding the code of the functions, class and static methods and properties `cls` defines."""
    files: Set[str] = set()
    for member in vars(cls).values():
        if isinstance(member, (classmethod, staticmethod)):
            member = member.__func__
        elif isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member):
            files.add(member.__code__.co_filename)
    return files


def _top_level_class_source(name: str, lines: List[str]) -> str:
    """The source of the top-level class `name` (decorators included) among a module's `lines`."""
    for node in ast.parse("".join(lines)).body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return "".join(lines[first - 1:node.end_lineno])
    raise OSError(f"could not find the definition of class {name}")


def reflect_code_prompt(value: Any, throw: bool = False) -> Optional[str]:
    """How the prompt shows `value`: a typing construct as written (`dict[int, str]`), what a
    value says about itself, the source of an abstract class / model / dataclass / TypedDict, the
    definition of a function; None otherwise (and on errors, unless `throw`)."""
    try:
        if inspect.isbuiltin(value):
            return None
        if is_typing(value):
            return str(value)
        defined = get_defined_prompt(value)
        if defined is not None:
            return defined
        if inspect.isclass(value) and _shows_source(value):
            return class_source(value)
        if inspect.isfunction(value) or inspect.ismethod(value):
            return get_callable_definition(value)
    except Exception:
        if throw:
            raise
    return None


def reflect_imported_attr(name: str, value: Any, current_module: Optional[str] = None) -> Optional[str]:
    """The prompt of a name a module holds, or None when it is private, built in, defined by the
    module itself or from an ignored module."""
    if name.startswith("_") or inspect.isbuiltin(value):
        return None
    modulename = get_modulename(value)
    if modulename is None or modulename == current_module:
        return None
    if any(modulename == m or modulename.startswith(m + ".") for m in ignore_modules):
        return None
    return reflect_code_prompt(value)


def reflect_locals_imported(modulename: str, local_values: Dict[str, Any]) -> AttrPrompts:
    """(name, prompt) for each name in `local_values` that comes from another module and has a prompt."""
    for name, value in list(local_values.items()):
        try:
            prompt = reflect_imported_attr(name, value, modulename)
        except Exception as e:
            raise RuntimeError(f"failed to reflect local value {name!r}: {e}") from e
        if prompt is not None:
            yield name, prompt


def reflect_class_with_methods(cls: type) -> str:
    """A class's header and docstring with the definitions of its public methods."""
    methods = [get_callable_definition(member) for name, member in inspect.getmembers(cls)
               if not name.startswith("_") and (inspect.isfunction(member) or inspect.ismethod(member))]
    return make_class_prompt(source=class_source(cls), doc=inspect.getdoc(cls), attrs=methods)


def join_prompt_lines(*prompts: Optional[str]) -> str:
    """The non-blank prompts joined by blank lines."""
    return "\n\n".join(p.rstrip() for p in prompts if p and p.rstrip())


def compile_attr_prompts(attr_prompts: AttrPrompts) -> str:
    """Each non-blank prompt wrapped in `# <attr name=...>` / `# </attr>` lines."""
    blocks: List[str] = []
    for name, prompt in attr_prompts:
        if prompt and prompt.strip():
            blocks.append(f"# <attr name=`{name}`>\n{prompt.strip()}\n# </attr>")
    return "\n\n".join(blocks)
