"""Serves the modules shipped inside the moss binary to `import`.

The binary runs this file itself (it cannot be imported before the finder exists) and calls
`install`. Modules in FALLBACK are served only when no installed package of that name exists.

It imports nothing that the interpreter's start has not loaded already: every run pays for
what this file imports. A module's bytecode and source stay in the binary until it is imported
(bytecode) or a traceback or reflection asks for its lines (source).

The embedded bytecode is for the Python moss was built with. Under another version each module
is compiled from its source once and kept in a cache (`$XDG_CACHE_HOME/moss/bytecode/<tag>/`,
else `~/.cache/...`), keyed by the source's hash; without a writable cache, or with
PYTHONDONTWRITEBYTECODE set, it is compiled each run. A cached file that holds no code object is
compiled again and replaced.
"""
from __future__ import annotations

import marshal
import os
import sys
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import PathFinder

FALLBACK = {"ghostos_container", "ghostos"}

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: `collections.abc` and `types` are not loaded at start
    from collections.abc import Callable
    from types import CodeType, ModuleType


class ShippedModules:
    """A meta-path finder and loader over the shipped modules.

    `table` maps a module's name to (is_package, file); `bytecode_of(name)` and `source_of(name)`
    read the binary's copy of its code and text.
    """

    def __init__(self, table: dict[str, tuple[bool, str]], bytecode_of: Callable[[str], object] | None,
                 source_of: Callable[[str], str]) -> None:
        self._table = table
        self._bytecode_of = bytecode_of
        self._source_of = source_of

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        entry = self._table.get(name)
        if entry is None:
            return None
        top = name.partition(".")[0]
        if top in FALLBACK and PathFinder.find_spec(top) is not None:
            return None
        is_package, file = entry
        spec = ModuleSpec(name, self, origin=file, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = []
        return spec

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        if self._bytecode_of is not None:
            code = marshal.loads(self._bytecode_of(name))  # type: ignore[arg-type]
        else:
            code = compiled(name, self._table[name][1], self._source_of(name))
        exec(code, module.__dict__)

    def get_source(self, name: str) -> str:
        return self._source_of(name)

    def is_package(self, name: str) -> bool:
        return self._table[name][0]


def cache_folder() -> str:
    """The folder of this Python version's compiled modules."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "moss", "bytecode", sys.implementation.cache_tag)


def compiled(name: str, file: str, source: str) -> CodeType:
    """The module's code: from the cache if it holds this very source, else compiled and cached."""
    from importlib.util import source_hash  # only a Python other than the build's needs it

    data = source.encode("utf-8")
    path = os.path.join(cache_folder(), f"{name}.{source_hash(data).hex()}.bin")
    try:
        with open(path, "rb") as cached:
            code = marshal.loads(cached.read())
        if isinstance(code, type(compiled.__code__)):
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(data, file, "exec", dont_inherit=True)
    if not sys.dont_write_bytecode:
        store(path, code)
    return code


def store(path: str, code: CodeType) -> None:
    """Writes `code` to the cache at `path`, whole or not at all; a cache that cannot be written is skipped."""
    partial = f"{path}.{os.getpid()}.partial"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(partial, "wb") as out:
            out.write(marshal.dumps(code))
        # Readers see the whole file or none: a run that is cut short leaves only its partial file.
        os.replace(partial, path)
    except OSError:
        try:
            os.unlink(partial)
        except OSError:
            pass


def install(table: dict[str, tuple[bool, str]], bytecode_of: Callable[[str], object] | None,
            source_of: Callable[[str], str]) -> None:
    """Puts the shipped modules first on `sys.meta_path`; `bytecode_of` is None when the embedded
    bytecode is not this Python's."""
    sys.meta_path.insert(0, ShippedModules(table, bytecode_of, source_of))
