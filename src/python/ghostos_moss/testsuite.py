"""`MossTestSuite`: run a module's functions in fresh runtimes compiled as `__test__`, so code
under `if __name__ == "__test__":` exists for them."""
from __future__ import annotations

import threading
from typing import Callable, Dict, List, Optional

from _moss.contracts import Execution, MossCompiler, MossRuntime
from _moss.pycontext import PyContext
from ghostos_container import Container

MAGIC_TEST_CASES_ATTR_NAME = "__moss_test_cases__"

__all__ = ["MossTestSuite", "MAGIC_TEST_CASES_ATTR_NAME"]


class MossTestSuite:
    """Compiles a module under a test name and runs its functions."""

    def __init__(self, container: Container) -> None:
        self._container = container

    def container(self) -> Container:
        return self._container

    def _compile(self, modulename: str, test_modulename: str) -> MossRuntime:
        compiler = self._container.force_fetch(MossCompiler)
        compiler.join_context(PyContext(module=modulename))
        runtime: MossRuntime = compiler.compile(test_modulename)
        return runtime

    def dump_prompt(self, *, modulename: str, test_modulename: str = "__test__") -> str:
        """The module's prompt when compiled as `test_modulename`."""
        with self._compile(modulename, test_modulename) as runtime:
            return runtime.prompter().dump_module_prompt()

    def run(self, *, modulename: str, test_module_name: str = "__test__", target: str = "test_main",
            args: Optional[List[str]] = None, kwargs: Optional[Dict[str, str]] = None) -> Execution:
        """Compile the module as `test_module_name` and call `target` with the module values
        named by `args`/`kwargs` (`["moss"]` passes the moss instance)."""
        with self._compile(modulename, test_module_name) as runtime:
            return runtime.execute(target=target, local_args=args, local_kwargs=kwargs)

    def run_module_tests(self, *, modulename: str, callback: Callable[[str, Execution], None],
                         test_modulename: str = "__test__", targets: Optional[List[str]] = None) -> None:
        """Run each function named in the module's `__moss_test_cases__` (or `targets`), each in
        its own runtime and thread, calling `callback(name, execution)` as each passes. The
        first failure is raised once all have finished."""
        if targets is None:
            with self._compile(modulename, test_modulename) as runtime:
                targets = runtime.locals().get(MAGIC_TEST_CASES_ATTR_NAME)
            if not isinstance(targets, list):
                raise AttributeError(f"module {modulename} has no {MAGIC_TEST_CASES_ATTR_NAME} list")
            if not targets:
                raise AttributeError(f"{MAGIC_TEST_CASES_ATTR_NAME} of module {modulename} is empty")
        self.parallel_run_moss_func(modulename=modulename, funcs=targets, callback=callback,
                                    test_module_name=test_modulename)

    def parallel_run_moss_func(self, *, modulename: str, funcs: List[str], callback: Callable[[str, Execution], None],
                               test_module_name: str = "__test__") -> None:
        """Run `func(moss)` for each of `funcs` in parallel threads, each in a fresh runtime;
        `callback(name, execution)` is called for each that returns, in the order they finish.
        A failure does not stop the others; the first one is raised at the end."""
        failures: List[BaseException] = []
        lock = threading.Lock()

        def run_one(name: str) -> None:
            try:
                execution = self.run(modulename=modulename, test_module_name=test_module_name, target=name,
                                     args=["moss"])
            except BaseException as e:
                failures.append(e)
                return
            with lock:
                callback(name, execution)

        threads = [threading.Thread(target=run_one, args=(name,), name=f"moss-test-{name}") for name in funcs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
