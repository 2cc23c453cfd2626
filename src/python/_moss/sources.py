"""Sources of code compiled from text (the generated code, a PyContext's code), for tracebacks.

Tracebacks and `inspect` read a file's lines from `linecache`. Importing `linecache` imports
`tokenize`, which costs a successful run more than its own code, so the sources wait here and
join `linecache.cache` when something imports it: an error being described, or the code itself.
"""
from __future__ import annotations

import sys
from _frozen_importlib_external import PathFinder  # `importlib.machinery` would import `importlib`, `warnings`

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

_waiting: dict[str, str] = {}


def remember(filename: str, source: str) -> None:
    """Make `source` what tracebacks and `inspect` show for the lines of `filename`."""
    linecache = sys.modules.get("linecache")
    if linecache is not None:
        _cache(linecache, filename, source)
        return
    _waiting[filename] = source
    if _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)


def _cache(linecache: object, filename: str, source: str) -> None:
    linecache.cache[filename] = (len(source), None, _numbered_lines(source), filename)  # type: ignore[attr-defined]


def _numbered_lines(source: str) -> list[str]:
    """The lines of `source` as CPython numbers them, each ending in `\\n` as `linecache` keeps
    them: a line ends at `\\r\\n`, `\\r` or `\\n` only, not at the other breaks `str.splitlines`
    knows (a form feed, U+2028, ...), which may sit in a string or a comment."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line + "\n" for line in lines]


class _WhenLinecacheLoads:
    """A meta-path finder that finds nothing itself: it wraps the loader of `linecache` so that
    the waiting sources join its cache as soon as the module has run."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name != "linecache":
            return None
        spec = PathFinder.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Filling(spec.loader)
        return spec


class _Filling:
    """Loads `linecache` with its own loader, then fills its cache with the waiting sources."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)  # get_source, get_filename, ... as the real loader answers

    def create_module(self, spec: ModuleSpec) -> object:
        return self._inner.create_module(spec)  # type: ignore[attr-defined]

    def exec_module(self, module: object) -> None:
        self._inner.exec_module(module)  # type: ignore[attr-defined]
        if _HOOK in sys.meta_path:
            sys.meta_path.remove(_HOOK)
        for filename, source in _waiting.items():
            _cache(module, filename, source)
        _waiting.clear()


_HOOK = _WhenLinecacheLoads()
