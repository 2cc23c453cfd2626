"""The type hints of a MOSS file's `Moss` class: what injection fills, which names are ClassVars,
and which classes the hints name (the prompt explains those)."""
from __future__ import annotations

import sys
import types

from _moss.contracts import Moss


def own_classes(moss_type: type) -> list[type]:
    """The classes of a `Moss` subclass's MRO that the MOSS file (or its imports) defined."""
    return [c for c in moss_type.__mro__ if c not in Moss.__mro__]


def type_hints(classes: list[type], module: types.ModuleType) -> dict[str, object]:
    """Annotations of the `Moss` subclasses, resolved in the module; ClassVars left out."""
    return {name: hint for name, hint in _annotations(classes, module).items() if not _is_classvar(hint)}


def classvar_names(classes: list[type], module: types.ModuleType) -> set[str]:
    """The names the `Moss` subclasses annotate as ClassVars: constants, never properties."""
    return {name for name, hint in _annotations(classes, module).items() if _is_classvar(hint)}


def _annotations(classes: list[type], module: types.ModuleType) -> dict[str, object]:
    """Annotations of the `Moss` subclasses, resolved in the module where they can be."""
    hints: dict[str, object] = {}
    for cls in reversed(classes):
        for name, hint in cls.__dict__.get("__annotations__", {}).items():
            if isinstance(hint, str) and not hint.startswith(("ClassVar", "typing.ClassVar")):
                try:
                    hint = eval(hint, module.__dict__)
                except Exception:
                    pass
            hints[name] = hint
    return hints


def _is_classvar(hint: object) -> bool:
    if isinstance(hint, str):
        return hint.startswith(("ClassVar", "typing.ClassVar"))
    typing = sys.modules.get("typing")
    return typing is not None and (hint is typing.ClassVar or getattr(hint, "__origin__", None) is typing.ClassVar)


def hinted_types(moss_type: type, module: types.ModuleType) -> list[type]:
    """The classes a `Moss` class's type hints name, also inside `Optional[...]`, `list[...]`."""
    found: list[type] = []
    for hint in type_hints(own_classes(moss_type), module).values():
        for cls in _classes_in(hint):
            if cls not in found:
                found.append(cls)
    return found


def _classes_in(hint: object) -> list[type]:
    if isinstance(hint, type) and not isinstance(hint, types.GenericAlias):
        return [hint]
    return [cls for arg in getattr(hint, "__args__", None) or () for cls in _classes_in(arg)]
