"""`SelfUpdaterImpl`: edits of a MOSS file's own source, kept in the runtime's PyContext until
`save()` writes them to the file. Public home: `ghostos_moss.self_updater`."""
from __future__ import annotations

import sys
from types import ModuleType
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from typing import Dict, Optional

from ghostos_container import Container, Provider
from _moss.contracts import SelfUpdater
from _moss.modules import DefaultModules, Modules
from _moss.pycontext import PyContext

__all__ = ["SelfUpdaterImpl", "SelfUpdaterProvider"]


def top_level_sources(code: str) -> Dict[str, str]:
    """The exact source text of each top-level function and class of `code` (decorators included), by name."""
    import ast  # only an edit of the source needs it, not every run that registers the updater

    found: Dict[str, str] = {}
    lines = code.splitlines(keepends=True)
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            # ast.parse always sets where a node ends; only nodes built by hand lack it.
            assert node.end_lineno is not None and node.end_col_offset is not None
            last, end_column = node.end_lineno, node.end_col_offset
            text = "".join(lines[first - 1:last])
            found[node.name] = text[:len(text) - len(lines[last - 1]) + end_column]
    return found


class SelfUpdaterImpl(SelfUpdater):
    """Edits `pycontext.code` (the source the runtime was compiled from); `save()` writes it to
    the module's file."""

    __module__ = "ghostos_moss.self_updater"

    def __init__(self, pycontext: PyContext, modules: Modules, file: Optional[str] = None) -> None:
        self.pycontext = pycontext
        self.modules = modules
        self.file = file

    def getsource(self) -> str:
        if self.pycontext.code is not None:
            return self.pycontext.code
        if self.pycontext.module:
            return self.modules.getsource(self.pycontext.module)
        return ""

    def rewrite(self, code: str) -> None:
        self.pycontext.code = code

    def append(self, code: str) -> None:
        self.rewrite(self.getsource().rstrip() + "\n\n" + code.rstrip() + "\n")

    def replace_attr(self, attr_name: str, code: str) -> None:
        source = self.getsource()
        origin = top_level_sources(source).get(attr_name)
        if origin is None:
            raise LookupError(f"the source defines no top-level function or class {attr_name!r} to replace; "
                              "use append() to add it")
        self.rewrite(source.replace(origin, code.strip("\n"), 1))

    def save(self, reload: bool = True) -> None:
        """Write the edited source to the MOSS file in one step (a temporary file renamed over
        it). With `reload`, an imported module of that name is reloaded; otherwise the next
        compile reads the new file. PermissionError when the file's folder is not writable
        (under --sandbox: pass --allow-write with it)."""
        from _moss.files import write_atomically

        if self.pycontext.code is None:
            return
        imported = sys.modules.get(self.pycontext.module or "")
        file = self.file or getattr(imported, "__file__", None)
        if not file:
            raise ValueError(f"module {self.pycontext.module!r} has no file to save the edited source to")
        write_atomically(file, self.pycontext.code)
        if reload and imported is not None and getattr(imported, "__spec__", None) is not None:
            self.modules.reload(imported)


class SelfUpdaterProvider(Provider[SelfUpdater]):
    """Provides a `SelfUpdater` for the compiled `module` (its PyContext comes from the container)."""

    __module__ = "ghostos_moss.self_updater"

    def __init__(self, module: Optional[ModuleType] = None) -> None:
        self._file = getattr(module, "__file__", None)

    def singleton(self) -> bool:
        return True

    def contract(self) -> type:
        return SelfUpdater

    def factory(self, con: Container) -> SelfUpdater:
        return SelfUpdaterImpl(con.force_fetch(PyContext), con.fetch(Modules) or DefaultModules(), self._file)
