"""Which of a MOSS file's names the model may be told about.

The model reads the source without its `# <moss-hide>` regions, so the prompt may only explain
names that visible code binds. What a name holds is read from the compiled module, but which
statement bound it is read from the source by the binary (`_moss_native.source_bindings`), line
by line against the hidden regions.
"""
from __future__ import annotations

import sys
import types

import _moss_native as native


class Import:
    """One name a visible import statement binds."""

    def __init__(self, bound: str, name: str, asname: str | None, module: str | None, level: int,
                 is_from: bool) -> None:
        self.bound = bound
        """The name it binds in the module; `*` for a star import."""
        self.name = name
        """The imported name as written (`a.b` in `import a.b`)."""
        self.asname = asname
        """The `as` name, if any."""
        self.module = module
        """The module a `from` import reads (None for `from . import x`)."""
        self.level = level
        """How many dots start a relative `from` import."""
        self.is_from = is_from
        """Whether it is a `from ... import`."""


class Bindings:
    """The top-level bindings of a source, by where they are written. (A plain class: a
    dataclass would import `dataclasses`, and `inspect` with it, into every prompt.)"""

    def __init__(self, imports: list[Import], defined: set[str], hidden: set[str]) -> None:
        self.imports = imports
        """Visible import aliases, in source order."""
        self.defined = defined
        """Names visible statements other than imports bind (assignments, defs, classes, ...)."""
        self.hidden = hidden
        """Names any hidden line binds."""


def bindings(source: str) -> Bindings:
    """Where the source binds its module-level names. A source that the binary's parser cannot
    read binds nothing visibly, so nothing of it is explained."""
    imports, defined, hidden = native.source_bindings(source)
    return Bindings([Import(*entry) for entry in imports], set(defined), set(hidden))


def explained(module: types.ModuleType, found: Bindings) -> dict[str, object]:
    """The names a visible import bound that still hold what it bound and that no hidden line
    binds again, with their values. (A hidden re-import may bind another object under the same
    name, or the same one: either way what the name holds is the hidden code's doing.)"""
    names: dict[str, object] = {}
    for entry in found.imports:
        if entry.bound == "*":
            source = _imported_module(module, entry)
            public = [] if source is None else getattr(source, "__all__", None) or [
                n for n in vars(source) if not n.startswith("_")]
            candidates = [(n, getattr(source, n, _MISSING)) for n in public]
        else:
            candidates = [(entry.bound, _what_import_binds(module, entry))]
        for bound, expected in candidates:
            still_bound = expected is not _MISSING and module.__dict__.get(bound, _MISSING) is expected
            if still_bound and bound not in found.hidden:
                names[bound] = expected
    return names


def visible_view(module: types.ModuleType, found: Bindings) -> types.ModuleType:
    """A copy of the module with only the names visible code binds, for prompts computed from
    the module's contents (magic prompters)."""
    view = types.ModuleType(module.__name__, module.__doc__)
    shown = set(explained(module, found)) | (found.defined - found.hidden)
    view.__dict__.update((n, v) for n, v in module.__dict__.items() if n in shown)
    return view


_MISSING = object()


def _what_import_binds(module: types.ModuleType, entry: Import) -> object:
    if not entry.is_from:
        target = entry.name if entry.asname else entry.name.partition(".")[0]
        return sys.modules.get(target, _MISSING)
    source = _imported_module(module, entry)
    if source is None:
        return _MISSING
    found = getattr(source, entry.name, _MISSING)
    return found if found is not _MISSING else sys.modules.get(f"{source.__name__}.{entry.name}", _MISSING)


def _imported_module(module: types.ModuleType, entry: Import) -> types.ModuleType | None:
    name = entry.module or ""
    if entry.level:
        from importlib.util import resolve_name  # it imports `contextlib`: only relative imports need it

        try:
            name = resolve_name("." * entry.level + name, module.__package__)
        except (ImportError, ValueError):
            return None
    return sys.modules.get(name)
