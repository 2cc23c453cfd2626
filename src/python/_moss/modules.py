"""`Modules`: how compiled code imports, reads and rewrites modules, so a host can replace it.

Public home: `ghostos_moss.modules`, as each class's `__module__` says."""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import ModuleType
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from typing import Any, Iterable, List, Optional, Tuple, Union

from ghostos_container import Container, Provider

__all__ = ["Modules", "ImportWrapper", "DefaultModules", "DefaultModulesProvider"]


class Modules(ABC):
    """Imports modules and reads or writes their source."""

    __module__ = "ghostos_moss.modules"

    @abstractmethod
    def import_module(self, modulename: str) -> ModuleType:
        """The module named `modulename`; ModuleNotFoundError when there is none."""

    @abstractmethod
    def getsource(self, modulename: str) -> str:
        """The source of the module named `modulename`."""

    @abstractmethod
    def save_source(self, modulename: str, source: str, reload: bool = False) -> None:
        """Write `source` as the module's file, then reload the module if asked."""

    @abstractmethod
    def iter_modules(self, module: Union[str, ModuleType]) -> Iterable[Tuple[str, bool]]:
        """(full name, is a package) of each module of a package; nothing for a plain module."""

    @abstractmethod
    def reload(self, module: ModuleType) -> ModuleType:
        """Run the module's file again in the same module object."""


class ImportWrapper:
    """`__import__` that imports through a `Modules`; placed in modules compiled by the API."""

    __module__ = "ghostos_moss.modules"

    def __init__(self, modules: Modules) -> None:
        self.modules = modules

    def __call__(self, modulename: str, globals_: Optional[dict[str, Any]] = None,
                 locals_: Optional[dict[str, Any]] = None,
                 from_list: Optional[Tuple[str, ...]] = None, level: int = 0) -> Any:
        module = self.modules.import_module(modulename)
        if not from_list:
            return module
        values: List[Any] = []
        for name in from_list:
            if not hasattr(module, name):
                raise ModuleNotFoundError(f"{name!r} is not found in module {modulename!r}")
            values.append(getattr(module, name))
        return values


class DefaultModules(Modules):
    """Modules as Python imports them (`importlib`)."""

    __module__ = "ghostos_moss.modules"

    def import_module(self, modulename: str) -> ModuleType:
        import importlib  # imported here: every run builds a DefaultModules, few import through it

        return importlib.import_module(modulename)

    def getsource(self, modulename: str) -> str:
        import inspect  # imported here: every run builds a DefaultModules, few read a source

        return inspect.getsource(self.import_module(modulename))

    def save_source(self, modulename: str, source: str, reload: bool = False) -> None:
        from _moss.files import write_atomically

        module = self.import_module(modulename)
        file = getattr(module, "__file__", None)
        if not file:
            raise ValueError(f"module {modulename!r} has no file to save its source to")
        write_atomically(file, source)
        if reload:
            self.reload(module)

    def iter_modules(self, module: Union[str, ModuleType]) -> Iterable[Tuple[str, bool]]:
        found = self.import_module(module) if isinstance(module, str) else module
        path = getattr(found, "__path__", None)
        if path is None:
            return
        import pkgutil

        for info in pkgutil.iter_modules(path, prefix=found.__name__ + "."):
            yield info.name, info.ispkg

    def reload(self, module: ModuleType) -> ModuleType:
        import importlib

        return importlib.reload(module)


class DefaultModulesProvider(Provider[Modules]):
    """Provides `DefaultModules`."""

    __module__ = "ghostos_moss.modules"

    def singleton(self) -> bool:
        return True

    def contract(self) -> type:
        return Modules

    def factory(self, con: Container) -> Modules:
        return DefaultModules()
