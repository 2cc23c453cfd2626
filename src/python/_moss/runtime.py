"""A compiled MOSS file with its injected `moss`: what lifecycle hooks and injections receive."""
from __future__ import annotations

import types
from contextlib import nullcontext

from _moss import exact, tracebacks, values
from _moss.container import Container
from ghostos_moss.abcd import Execution, Injection, Moss, MossRuntime
from ghostos_moss.pycontext import PyContext

CONTAINER_SLOT = "_moss_container"
"""Where `moss` keeps the container that `Moss.fetch` asks (underscore names are never stored)."""


class Runtime(MossRuntime):
    def __init__(self, module: types.ModuleType, source: str, container: Container, moss: Moss,
                 ignored_modules: list[str]) -> None:
        self._module = module
        self._source = source
        self._container = container
        self._moss = moss
        self.ignored_modules = ignored_modules
        self.code_file: str | None = None
        self.injections: dict[str, object] = {}
        self.placed_defaults: dict[str, object] = {}
        self.unrestored: list[str] = []
        """Properties whose stored JSON the context file keeps: not restored, or refused at save."""
        self.constants: set[str] = set()
        """ClassVar names of the `Moss` class: never properties."""
        self.warnings: list[str] = []
        self._destroyed = False

    def container(self) -> Container:
        return self._container

    def module(self) -> types.ModuleType:
        return self._module

    def locals(self) -> dict:
        return self._module.__dict__

    def moss(self) -> Moss:
        return self._moss

    def moss_injections(self) -> dict:
        return dict(self.injections)

    def prompter(self) -> object:
        """The prompter of this module (what `__moss_module_prompt__` receives)."""
        from _moss.prompt import Prompter

        return Prompter(self, self._source)

    def execute(self, *, target: str, code: str | None = None, local_args: list | None = None,
                local_kwargs: dict | None = None, args: list | None = None, kwargs: dict | None = None) -> Execution:
        """Execute `code` in the module, then call or return `target`."""
        from _moss.execute import run_default

        self.update_executing_code(code)
        return run_default(self, code, target, local_args, local_kwargs, args, kwargs)

    def lint_exec_code(self, code: str) -> str | None:
        """Why `code` would not compile, or None."""
        try:
            compile(code, self.code_file or "<code>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            return f"{type(e).__name__}: {e}"
        return None

    def update_executing_code(self, code: str | None = None) -> None:
        self._moss.executing_code = code

    def redirect_stdout(self) -> nullcontext:
        """Output is captured by the host process for the whole run; nothing to redirect."""
        return nullcontext()

    def dump_std_output(self) -> str:
        return ""

    def dump_pycontext(self) -> PyContext:
        return PyContext(module=self._module.__name__, properties=self.properties()[0],
                         execute_code=self._moss.executing_code)

    def properties(self) -> tuple[dict, list[str]]:
        """The encoded properties of `moss`, and a warning for each value that cannot be stored
        exactly; such a property keeps what the context file had for it."""
        stored: dict[str, object] = {}
        warnings: list[str] = []
        for name, value in vars(self._moss).items():
            if name.startswith("_") or name in self.injections or name == "executing_code":
                continue
            if name in self.constants:
                warnings.append(f"moss.{name} is a ClassVar of the Moss class: the value the code assigned is not saved")
                continue
            if name in self.unrestored and self.placed_defaults.get(name, self) is value:
                continue
            try:
                stored[name] = exact.encode_exactly(value, f"moss.{name}")
            except values.Unstorable as e:
                warnings.append(f"{e}; moss.{name} was not saved (the context file keeps what it had for it)")
                if name not in self.unrestored:
                    self.unrestored.append(name)
        return stored, warnings

    def destroy(self) -> list[str]:
        """Call `on_destroy()` on every injection, once; failures become warnings."""
        if self._destroyed:
            return []
        self._destroyed = True
        warnings = []
        for name, value in self.injections.items():
            if isinstance(value, Injection):
                try:
                    value.on_destroy()
                except Exception as e:
                    warnings.append(f"moss.{name}.on_destroy() raised {type(e).__name__}: {tracebacks.safe_str(e)}")
        return warnings

    close = destroy
