"""Which names a MOSS file imports are shown in the prompt, and how each is shown.

Source text is cut out by the binary (`_moss_native.reflect`), which parses files once and caches
the outline; CPython's own view (`inspect`) is the fallback when that parser cannot read a file.
"""
from __future__ import annotations

import os
import sys
import types

import _moss_native as native
from _moss import visibility
from _moss.hints import hinted_types

IGNORED_MODULES = frozenset({
    "__future__", "_moss", "abc", "builtins", "collections", "dataclasses", "enum", "functools",
    "ghostos_container", "ghostos_moss", "inspect", "pydantic", "pydantic_core", "types", "typing",
    "typing_extensions",
})
"""Modules the model knows or that are the tool's machinery: their names are never reflected."""

MOSS_BASE_PROMPT = '''class Moss:
    """Base of `Moss` above; `main(moss)` receives its instance. Typed attributes are injected;
    plain data assigned to `moss.<name>` persists between runs."""'''

KEPT_DECORATORS = frozenset({
    "abstractmethod", "abstractproperty", "asynccontextmanager", "cached_property", "classmethod",
    "contextmanager", "dataclass", "deleter", "getter", "overload", "property", "setter", "staticmethod",
})


class Reflection:
    """One `<attr>` section: the name the code uses, where it comes from, and its text."""

    def __init__(self, name: str, origin: str, kind: str, prompt: str, alias_of: str | None = None) -> None:
        self.name = name
        self.origin = origin
        self.kind = kind
        self.prompt = prompt
        self.alias_of = alias_of


def reflect_module(module: types.ModuleType, source: str, warnings: list[str],
                   ignored: set[str] = frozenset()) -> list[Reflection]:
    """Reflections of the module's imported names in import order, then of the `Moss` type hints
    and `Moss.__watching__` entries the module does not import by name.

    Only what the visible source binds is explained: names a visible import bound and still
    holds, hinted classes those imports reach, and values the visible code assigns that write
    their own prompt (magic prompters, `__prompt__`). Names bound only in hidden regions, and
    the file's own definitions (already in the source), get no section.

    An imported module's interface leaves out what has a section of its own; a second name for
    a value already shown gets a one-line section. Names from the `ignored` modules are skipped.
    """
    own = module.__name__
    bound = visibility.bindings(source)
    imported = visibility.explained(module, bound)
    assigned = bound.defined - bound.hidden
    asked = [v for v in _asked_for(module)
             if not _defined_in(v, own) and not isinstance(v, str) and _reached_by(v, imported)]
    asked_ids = {id(v) for v in asked}
    candidates = [(n, v) for n, v in module.__dict__.items()
                  if (n in imported or (n in assigned and _writes_own_prompt(v)))
                  and not n.startswith("_") and n not in ("moss", "Moss") and not _defined_in(v, own)
                  and not _from_ignored(v, ignored)]
    imported_ids = {id(v) for _, v in candidates}
    candidates += [(getattr(v, "__name__", None) or type(v).__name__, v) for v in asked if id(v) not in imported_ids]
    module = visibility.visible_view(module, bound)

    found: list[Reflection | tuple[str, types.ModuleType]] = []
    shown: dict[int, str] = {}
    for name, value in candidates:
        if isinstance(value, types.ModuleType):
            found.append((name, value))
            continue
        if id(value) in shown:
            first = shown[id(value)]
            found.append(Reflection(name, "", "alias", f"{name} = {first}  # the same as {first}"))
            continue
        reflection = _guarded(name, value, module, warnings, asked=id(value) in asked_ids)
        if reflection is not None:
            found.append(reflection)
            shown[id(value)] = name
    result = []
    for item in found:
        if isinstance(item, tuple):
            name, value = item
            item = _guarded(name, value, module, warnings, asked=id(value) in asked_ids, skip=shown)
            if item is None:
                continue
        result.append(item)
    return result


def _guarded(name: str, value: object, module: types.ModuleType, warnings: list[str], **how: object) -> Reflection | None:
    """One name's reflection; a failure leaves the name out with a warning, never fails the prompt."""
    try:
        return reflect_value(name, value, module, warnings, **how)
    except Exception as e:
        warnings.append(f"{name} was left out of the prompt: reflecting it raised {type(e).__name__}: {e}")
        return None


def reflect_value(name: str, value: object, module: types.ModuleType, warnings: list[str],
                  asked: bool, skip: dict[int, str] | None = None) -> Reflection | None:
    """How one value is shown, or None when the prompt should not mention it.

    `asked`: the value is a `Moss` type hint or in `__watching__`, so a plain class is shown too.
    `skip`: values (by id, with their section's name) that a module's interface only mentions.
    """
    from _moss.contracts import Moss
    from _moss.magics import MagicPrompter

    origin = _origin_module(value)
    if value is Moss:
        return Reflection(name, "ghostos_moss", "moss", MOSS_BASE_PROMPT,
                          None if name == "Moss" else "ghostos_moss.Moss")
    if isinstance(value, MagicPrompter):
        return Reflection(name, module.__name__, "magic", value.__moss_magic_prompt__(module).strip())
    if isinstance(value, type):
        class_prompt = getattr(value, "__class_prompt__", None)
        if callable(class_prompt):
            return _named(name, value, "class", class_prompt())
    elif callable(getattr(value, "__prompt__", None)) and not isinstance(value, types.ModuleType):
        return _named(name, value, "prompt", value.__prompt__())
    if _is_typing_alias(value):
        return Reflection(name, "", "alias", f"{name} = {value}")
    if origin is not None and origin.partition(".")[0] in IGNORED_MODULES:
        return None

    if isinstance(value, types.ModuleType):
        if value.__name__.partition(".")[0] in sys.stdlib_module_names and not asked:
            return None
        interface = module_interface(value, warnings, skip or {})
        return Reflection(name, value.__name__, "module", interface, _alias(name, value))
    if isinstance(value, type):
        if _shown_as_source(value):
            return _named(name, value, "class", source_text(value, "source", name, warnings))
        if asked:
            return _named(name, value, "class", source_text(value, "interface", name, warnings))
        return None
    if callable(value) and hasattr(value, "__name__"):
        return _named(name, value, "function", source_text(value, "signature", name, warnings))
    return None


def module_interface(module: types.ModuleType, warnings: list[str], skip: dict[int, str]) -> str:
    """A module as its docstring and public definitions, bodies elided; definitions in `skip`
    are only named."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__]
    parts = []
    if module.__doc__:
        parts.append(_docstring(module.__doc__))
    elsewhere = []
    for name in names:
        value = getattr(module, name, None)
        if id(value) in skip:
            shown_as = skip[id(value)]
            elsewhere.append(name if shown_as == name else f"{name} (as {shown_as})")
        elif isinstance(value, type):
            mode = "source" if _shown_as_source(value) else "interface"
            parts.append(source_text(value, mode, name, warnings))
        elif callable(value) and hasattr(value, "__code__"):
            parts.append(source_text(value, "signature", name, warnings))
    if elsewhere:
        parts.append(f"# also {', '.join(elsewhere)}: see their own sections")
    return "\n\n".join(p for p in parts if p)


def source_text(value: object, mode: str, name: str, warnings: list[str]) -> str:
    """The definition of a class or function as written, in one of three modes: `source` (all
    of it), `signature` (decorators that matter, the def line, docstring, `pass`) or `interface`
    (a class with its fields and method signatures)."""
    target = getattr(value, "__func__", value)
    qualname = getattr(target, "__qualname__", "")
    filename = _source_file(target)
    available = False
    if filename is not None:
        source = None
        if not os.path.exists(filename):
            import linecache

            module = sys.modules.get(getattr(target, "__module__", ""), None)
            lines = linecache.getlines(filename, module.__dict__ if module else None)
            source = "".join(lines) if lines else None
        available = os.path.exists(filename) or source is not None
        if available and "<locals>" not in qualname:
            text = native.reflect(filename, qualname, mode, name, source, sorted(KEPT_DECORATORS))
            if text is not None:
                return text
    if not available and (hasattr(target, "__code__") or isinstance(value, type)):
        warnings.append(f"{name}: its source was not found, so the prompt shows its signature only")
    return _cpython_view(value, mode, name, has_source=available)


def _cpython_view(value: object, mode: str, name: str, has_source: bool) -> str:
    """What `inspect` says, for files the binary's parser cannot read and for C functions."""
    import inspect

    if has_source and mode == "source":
        try:
            return _dedent(inspect.getsource(value))
        except (OSError, TypeError):
            pass
    if isinstance(value, type):
        lines = [f"class {name}:"]
        if value.__doc__:
            lines.append(indent(_docstring(value.__doc__)))
        for attr, member in vars(value).items():
            if not attr.startswith("_") and callable(member):
                lines.append(indent(_signature_stub(attr, member)))
        if len(lines) == 1:
            lines.append("    pass")
        return "\n".join(lines)
    return _signature_stub(name, value)


def _signature_stub(name: str, fn: object) -> str:
    import inspect

    try:
        signature = str(inspect.signature(fn))
    except (TypeError, ValueError):
        signature = "(*args, **kwargs)"
    prefix = "async def" if inspect.iscoroutinefunction(fn) else "def"
    lines = [f"{prefix} {name}{signature}:"]
    doc = inspect.getdoc(fn)
    if doc:
        lines.append(indent(_docstring(doc)))
    lines.append("    pass")
    return "\n".join(lines)


def _docstring(doc: str) -> str:
    import inspect

    text = inspect.cleandoc(doc)
    return f'"""{text}"""' if "\n" not in text else f'"""\n{text}\n"""'


def indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.splitlines())


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).rstrip()


def _named(name: str, value: object, kind: str, prompt: str) -> Reflection:
    return Reflection(name, _origin_module(value) or "", kind, prompt, _alias(name, value))


def _alias(name: str, value: object) -> str | None:
    real = getattr(value, "__name__", None)
    if real is None or real == name:
        return None
    owner = value.__name__ if isinstance(value, types.ModuleType) else _origin_module(value)
    return owner if isinstance(value, types.ModuleType) else f"{owner}.{getattr(value, '__qualname__', real)}"


def _origin_module(value: object) -> str | None:
    if isinstance(value, types.ModuleType):
        return value.__name__
    module = getattr(value, "__module__", None)
    return module if isinstance(module, str) else None


def _from_ignored(value: object, ignored: set[str]) -> bool:
    origin = _origin_module(value)
    return origin is not None and any(origin == m or origin.startswith(m + ".") for m in ignored)


def _reached_by(value: object, imported: dict[str, object]) -> bool:
    """Whether a visibly imported name is the value, or a module it comes from."""
    origin = _origin_module(value) or ""
    modules = [v.__name__ for v in imported.values() if isinstance(v, types.ModuleType)]
    return any(v is value for v in imported.values()) or any(
        origin == m or origin.startswith(m + ".") for m in modules)


def _writes_own_prompt(value: object) -> bool:
    from _moss.magics import MagicPrompter

    if isinstance(value, MagicPrompter):
        return True
    hook = "__class_prompt__" if isinstance(value, type) else "__prompt__"
    return not isinstance(value, types.ModuleType) and callable(getattr(value, hook, None))


def _defined_in(value: object, module_name: str) -> bool:
    return not isinstance(value, types.ModuleType) and getattr(value, "__module__", None) == module_name


def _source_file(value: object) -> str | None:
    code = getattr(value, "__code__", None)
    # A function of a frozen standard-library module (`os`, `posixpath` from 3.11 on) names
    # `<frozen posixpath>` as its file; its module's `__file__` is the source it was frozen from.
    if code is not None and not code.co_filename.startswith("<frozen "):
        return code.co_filename
    module = sys.modules.get(getattr(value, "__module__", "") or "")
    if isinstance(value, types.ModuleType):
        module = value
    return getattr(module, "__file__", None)


def _shown_as_source(cls: type) -> bool:
    """Abstract classes, pydantic models, dataclasses, TypedDicts and enums are shown whole."""
    import inspect

    if inspect.isabstract(cls) or hasattr(cls, "__dataclass_fields__"):
        return True
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and issubclass(cls, pydantic.BaseModel):
        return True
    if issubclass(cls, dict) and hasattr(cls, "__total__"):
        return True
    enum = sys.modules.get("enum")
    return enum is not None and issubclass(cls, enum.Enum)


def _is_typing_alias(value: object) -> bool:
    """`list[int]`, `int | None`, `Optional[Ball]`, `Literal["a", "b"]` and the like."""
    if isinstance(value, (types.GenericAlias, types.UnionType)):
        return True
    cls = type(value)
    return cls.__module__ in ("typing", "typing_extensions") and cls.__name__.endswith("Alias")


def _asked_for(module: types.ModuleType) -> list[object]:
    """Types named in the `Moss` class's hints, then `Moss.__watching__`, in a stable order."""
    moss_type = module.__dict__.get("Moss")
    if not isinstance(moss_type, type):
        return []
    return hinted_types(moss_type, module) + list(getattr(moss_type, "__watching__", []) or [])
