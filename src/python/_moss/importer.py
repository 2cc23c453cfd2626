"""Serves the modules shipped inside the moss binary to `import`.

The binary runs this file itself (it cannot be imported before the finder exists) and calls
`install`. Modules in FALLBACK are served only when no installed package of that name exists.
"""
from __future__ import annotations

import marshal
import sys
from importlib.machinery import ModuleSpec, PathFinder

FALLBACK = {"ghostos_container", "ghostos"}


class ShippedModules:
    """A meta-path finder and loader over {name: (is_package, file, bytecode, source)}."""

    def __init__(self, table: dict, bytecode_usable: bool) -> None:
        self._table = table
        self._bytecode_usable = bytecode_usable

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        entry = self._table.get(name)
        if entry is None:
            return None
        top = name.partition(".")[0]
        if top in FALLBACK and PathFinder.find_spec(top) is not None:
            return None
        is_package, file = entry[0], entry[1]
        spec = ModuleSpec(name, self, origin=file, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = []
        return spec

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: object) -> None:
        _, file, bytecode, source = self._table[module.__name__]
        code = marshal.loads(bytecode) if self._bytecode_usable else compile(source, file, "exec")
        exec(code, module.__dict__)

    def get_source(self, name: str) -> str:
        return self._table[name][3]

    def is_package(self, name: str) -> bool:
        return self._table[name][0]


def install(table: dict, cache_tag: str) -> None:
    sys.meta_path.insert(0, ShippedModules(table, cache_tag == sys.implementation.cache_tag))
