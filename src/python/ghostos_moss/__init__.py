"""MOSS: drive a Python API with model-written code.

This package is provided by the `moss` tool inside every run; MOSS files import it as they
would import the reference `ghostos_moss` package. Host code can also compile and run modules
in-process: `with moss_runtime_ctx("pkg.module") as runtime: runtime.execute(target="main")`.
Its classes are defined in moss's engine (`_moss`), which builds on them, and exported here
under their public names.
"""
from __future__ import annotations

from _moss.contracts import (
    MOSS_HIDDEN_MARK,
    MOSS_HIDDEN_UNMARK,
    MOSS_TYPE_NAME,
    MOSS_VALUE_NAME,
    Execution,
    Injection,
    Moss,
    MossCompiler,
    MossPrompter,
    MossRuntime,
    SelfUpdater,
)
from _moss.magics import MagicPrompter, __is_instance__, __is_subclass__
from _moss.modules import DefaultModules, DefaultModulesProvider, ImportWrapper, Modules
from _moss.pycontext import PyContext
from ghostos_container import Container, Provider
from ghostos_moss.exports import Exporter

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from contextlib import AbstractContextManager
    from typing import Any, Iterator, List, Optional

    from ghostos_moss.testsuite import MossTestSuite

__all__ = [
    "Moss", "MossCompiler", "MossRuntime", "MossPrompter", "Execution", "Injection", "SelfUpdater",
    "MOSS_VALUE_NAME", "MOSS_TYPE_NAME", "MOSS_HIDDEN_MARK", "MOSS_HIDDEN_UNMARK", "AttrPrompts", "PyContext",
    "DefaultMOSSProvider", "MossTestSuite", "Modules", "DefaultModules", "DefaultModulesProvider", "Exporter",
    "moss_container", "moss_test_suite", "__is_subclass__", "__is_instance__", "MagicPrompter",
    "PromptAbleClass", "PromptAbleObj", "get_moss_compiler", "moss_runtime_ctx",
]


_IMPORTED_ON_FIRST_USE = {
    "AttrPrompts": "_moss.reference_prompts",
    "PromptAbleClass": "_moss.reference_prompts",
    "PromptAbleObj": "_moss.reference_prompts",
    "MossTestSuite": "ghostos_moss.testsuite",
}
"""Names whose modules a run seldom needs (they import `inspect`, `threading` or `typing`),
imported when first asked for, so that `from ghostos_moss import Moss` stays cheap."""


def __getattr__(name: str) -> object:
    """A name of `_IMPORTED_ON_FIRST_USE`, or a submodule (`ghostos_moss.abcd`), imported when first
    asked for: the reference's `import ghostos_moss` loads every submodule, which a run need not pay for."""
    module = _IMPORTED_ON_FIRST_USE.get(name)
    if module is not None:
        import importlib

        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):
        submodule = f"{__name__}.{name}"
        try:
            __import__(submodule)  # not `importlib.import_module`: a plain lookup must not load importlib
        except ModuleNotFoundError as error:
            if error.name != submodule:
                raise
        else:
            return globals()[name]  # the import system set it, as on any package
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class DefaultMOSSProvider(Provider[MossCompiler]):
    """Provides a new `MossCompiler` on each fetch (a compiler compiles once)."""

    def singleton(self) -> bool:
        return False

    def contract(self) -> type:
        return MossCompiler

    def factory(self, con: Container) -> MossCompiler:
        from _moss.compile import Compiler

        return Compiler(con)


def moss_container() -> Container:
    """A new container that provides `MossCompiler`."""
    container = Container()
    container.register(DefaultMOSSProvider())
    return container


def get_moss_compiler(container: Optional[Container] = None) -> MossCompiler:
    """A new compiler, from `container` (a new `moss_container()` when None)."""
    compiler: MossCompiler = (container or moss_container()).force_fetch(MossCompiler)
    return compiler


def moss_runtime_ctx(modulename: str, *, container: Optional[Container] = None,
                     providers: Optional[List[Provider[Any]]] = None,
                     pycontext: Optional[PyContext] = None) -> AbstractContextManager[MossRuntime]:
    """Compile the module named `modulename` and yield its runtime, closed on the way out.

    `providers` are registered in the compiler's container; `pycontext` is joined first."""
    from contextlib import contextmanager

    return contextmanager(_runtime_in)(modulename, container, providers, pycontext)


def _runtime_in(modulename: str, container: Optional[Container], providers: Optional[List[Provider[Any]]],
                pycontext: Optional[PyContext]) -> Iterator[MossRuntime]:
    compiler = get_moss_compiler(container)
    if pycontext is not None:
        compiler.join_context(pycontext)
    for provider in providers or []:
        compiler.register(provider)
    with compiler:
        runtime = compiler.compile(modulename)
        with runtime:
            yield runtime


def moss_test_suite() -> MossTestSuite:
    """A test suite using a new `moss_container()`."""
    from ghostos_moss.testsuite import MossTestSuite

    return MossTestSuite(moss_container())
