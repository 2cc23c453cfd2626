"""Helpers that turn Python objects and source text into prompt text: callable signatures,
class headers, docstrings, indentation. Public home: `ghostos_moss.utils`."""
from __future__ import annotations

import inspect
import sys
import re
from typing import Any, Callable, Iterable, Optional, get_args, get_origin

__all__ = [
    "unwrap_str", "get_modulename", "is_typing", "is_builtin", "is_classmethod", "is_subclass",
    "is_model_class", "parse_comments", "parse_doc_string", "escape_string_quotes", "strip_source_indent",
    "add_source_indent", "make_class_prompt", "is_callable", "is_public_callable", "get_callable_definition",
    "get_typehint_string", "get_import_comment", "get_extends_comment", "get_class_def_from_source",
    "count_source_indent", "replace_class_def_name", "get_calling_modulename", "is_code_same_as_print",
    "is_name_public", "add_comment_mark",
]


def unwrap_str(value: Any) -> Optional[str]:
    """`value()` when it is callable, else `str(value)`."""
    try:
        return value() if callable(value) else str(value)
    except AttributeError:
        return None


def get_modulename(value: Any) -> Optional[str]:
    """The name of the module that defines `value`, or None."""
    name: Optional[str] = getattr(value, "__module__", None)
    if name:
        return name
    module = inspect.getmodule(value)
    return module.__name__ if module is not None else None


def is_typing(value: Any) -> bool:
    """True for typing constructs and parameterized generics (`List`, `dict[str, int]`)."""
    try:
        return get_origin(value) is not None or bool(get_args(value))
    except Exception:
        return False


def is_builtin(value: Any) -> bool:
    """True for built-in functions and classes defined in `builtins`."""
    return inspect.isbuiltin(value) or (inspect.isclass(value) and value.__module__ == "builtins")


def is_classmethod(func: Any) -> bool:
    """True for a method bound to a class."""
    return inspect.ismethod(func) and isinstance(func.__self__, type)


def is_subclass(value: Any, parent: type) -> bool:
    """`issubclass`, False instead of an error when `value` is not a class."""
    try:
        return issubclass(value, parent)
    except TypeError:
        return False


def is_model_class(typ: Any) -> bool:
    """True for a concrete pydantic model class or a TypedDict class."""
    if not isinstance(typ, type) or inspect.isabstract(typ):
        return False
    from typing import is_typeddict

    # Only a loaded pydantic can have made a model: asking never imports it.
    base_model = getattr(sys.modules.get("pydantic"), "BaseModel", None)
    return (base_model is not None and issubclass(typ, base_model)) or is_typeddict(typ)


def is_callable(value: Any) -> bool:
    return callable(value)


def is_name_public(name: str) -> bool:
    return not name.startswith("_")


def is_public_callable(value: Any) -> bool:
    """A callable that is not a class and whose name is public."""
    return callable(value) and not inspect.isclass(value) and is_name_public(getattr(value, "__name__", "_"))


def is_code_same_as_print(value: Any) -> bool:
    """True for values whose repr is also their code (bool and numbers)."""
    return isinstance(value, (bool, int, float, complex))


def get_calling_modulename(skip: int = 0) -> Optional[str]:
    """The module name of the frame `skip` levels above the caller."""
    frame = inspect.currentframe()
    for _ in range(skip + 1):
        frame = frame.f_back if frame is not None else None
    return frame.f_globals.get("__name__") if frame is not None else None


def count_source_indent(source: str) -> int:
    """The number of leading spaces of the first non-blank line."""
    for line in source.splitlines():
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return 0


def strip_source_indent(source: str, indent: Optional[int] = None) -> str:
    """`source` with the first line's indentation removed from every line that has it."""
    indent = count_source_indent(source) if indent is None else indent
    if indent <= 0:
        return source
    prefix = " " * indent
    return "\n".join(line[indent:] if line.startswith(prefix) else line for line in source.splitlines())


def add_source_indent(source: str, indent: int = 4) -> str:
    """Every non-blank line of `source` indented by `indent` spaces."""
    prefix = " " * indent
    return "\n".join(prefix + line if line.strip() else line for line in source.rstrip().splitlines())


def add_comment_mark(text: str, comment: str = "# ") -> str:
    """Every line of `text` as a comment."""
    return "\n".join(line if line.startswith(comment) else comment + line for line in text.splitlines())


def parse_comments(comment: str) -> str:
    """Each stripped line prefixed with `# ` unless it already has a `#`."""
    lines = (line.strip() for line in comment.splitlines())
    return "\n".join(line if "#" in line else "# " + line for line in lines)


def escape_string_quotes(target: str, quote: str = '"""') -> str:
    """`target` made safe to sit inside `quote`s: each inner `quote` is backslash-escaped once."""
    if target.startswith(quote) and target.endswith(quote):
        return target
    escaped = "\\" + quote
    body = target.strip(quote).replace(escaped, quote).replace(quote, escaped)
    return body.strip()


def parse_doc_string(doc: str, inline: bool = True, quote: str = '"""') -> str:
    """`doc` as a docstring literal, on one line when `inline`, else with the quotes on their own lines."""
    if not doc:
        return ""
    gap = "" if inline else "\n"
    return f"{quote}{gap}{escape_string_quotes(strip_source_indent(doc), quote)}{gap}{quote}"


def _header_lines(source: str, start: Callable[[str], bool] = lambda line: True) -> list[str]:
    """The lines of `source` up to the first (after a `start` line) whose code ends with `:`."""
    lines: list[str] = []
    started = False
    for line in source.splitlines():
        lines.append(line)
        started = started or start(line.strip())
        if started and line.split("#", 1)[0].rstrip().endswith(":"):
            break
    return lines


def get_callable_definition(caller: Callable[..., Any], alias: Optional[str] = None, doc: Optional[str] = None) -> str:
    """The signature of a function or method (decorators and comments kept, `@abstractmethod`
    dropped) followed by its docstring and `pass`. Without readable source (a frozen or compiled
    module) the signature is rebuilt from `inspect.signature`; "" when even that is unknown.

    A callable instance is shown as its class's `__call__`, named after the class."""
    if not (inspect.isfunction(caller) or inspect.ismethod(caller)):
        if callable(caller) and not inspect.isclass(caller):
            alias = alias or type(caller).__name__
            doc = inspect.getdoc(caller) if doc is None else doc
            # getattr: mypy takes a Callable's `__call__` for something that cannot be called.
            caller = getattr(caller, "__call__")
        else:
            raise TypeError(f"{caller!r} is neither a function, a method nor a callable instance")
    try:
        source = inspect.getsource(caller)
    except (OSError, TypeError):
        try:
            source = f"def {caller.__name__}{inspect.signature(caller)}:"
        except (TypeError, ValueError):
            return ""
    lines = [line for line in _header_lines(strip_source_indent(source)) if line.strip() != "@abstractmethod"]
    definition = "\n".join(lines)
    if alias:
        definition = re.sub(r"def\s+\w+\(", f"def {alias}(", definition, count=1)
    doc = caller.__doc__ if doc is None else doc
    if doc:
        definition += "\n" + add_source_indent(parse_doc_string(inspect.cleandoc(doc), inline=False))
    return (definition + "\n    pass").strip()


def get_class_def_from_source(source: str) -> str:
    """The `class X(...):` header of a class's source (with a trailing comment, if any)."""
    return "\n".join(_header_lines(strip_source_indent(source.strip("\n")).strip(),
                                   lambda line: line.startswith("class "))).strip()


def replace_class_def_name(class_def: str, new_name: str) -> str:
    """`class_def` with its first class renamed `new_name`."""
    found = re.search(r"class\s+\w+[(:]", class_def)
    if found is None:
        raise ValueError(f"no class definition in {class_def!r}")
    return class_def[:found.start()] + f"class {new_name}" + found.group()[-1] + class_def[found.end():]


def make_class_prompt(*, source: str, name: Optional[str] = None, doc: Optional[str] = None,
                      attrs: Optional[Iterable[str]] = None) -> str:
    """A class shown by its header, docstring and the given attribute blocks (`pass` when none)."""
    header = get_class_def_from_source(source)
    if name:
        header = replace_class_def_name(header, name)
    blocks = [parse_doc_string(doc, inline=False)] if doc else []
    blocks += [attr.strip() for attr in attrs or () if attr and attr.strip()]
    body = "\n\n".join(add_source_indent(block) for block in blocks) if blocks else "    pass"
    return f"{header}\n{body}"


def get_typehint_string(typehint: Any) -> str:
    """The `: hint` part of an annotation ("" for none)."""
    if not typehint:
        return ""
    if isinstance(typehint, str):
        return f": {typehint}"
    if is_typing(typehint):
        return f": {typehint}"
    return f': "{typehint}"'


def get_import_comment(module: Optional[str], spec: Optional[str], alias: Optional[str]) -> Optional[str]:
    """`# from m import s as a` / `# import m as a`, or None without a module."""
    if not module:
        return None
    suffix = f" as {alias}" if alias else ""
    return f"# from {module} import {spec}{suffix}" if spec else f"# import {module}{suffix}"


def get_extends_comment(extends: Optional[list[Any]]) -> Optional[str]:
    """`# extends A, "B"` for the given bases (strings quoted), or None."""
    if not extends:
        return None
    return "# extends " + ", ".join(f'"{e}"' if isinstance(e, str) else getattr(e, "__name__", str(e))
                                    for e in extends)
