"""A compiled MOSS file with its injected `moss`: what lifecycle hooks and injections receive."""
from __future__ import annotations

import types

from _moss import capture, exact, tracebacks, values
from _moss.container import Container
from ghostos_moss import lifecycle
from ghostos_moss.abcd import Execution, Injection, Moss, MossPrompter, MossRuntime
from ghostos_moss.pycontext import PyContext

CONTAINER_SLOT = "_moss_container"
"""Where `moss` keeps the container that `Moss.fetch` asks (underscore names are never stored)."""


class Runtime(MossRuntime):
    """A compiled module with its `moss`, as the `moss` tool and the Python API build it."""

    def __init__(self, module: types.ModuleType, source: str, container: Container, moss: Moss,
                 ignored_modules: list[str], pycontext: PyContext | None = None, api: bool = False) -> None:
        MossRuntime.instance_count += 1
        self._module = module
        self._source = source
        self._container = container
        self._moss = moss
        self._pycontext = pycontext if pycontext is not None else PyContext(module=module.__name__)
        self._api = api
        self.ignored_modules = ignored_modules
        self.code_file: str | None = None
        self.injections: dict[str, object] = {}
        self.placed_defaults: dict[str, object] = {}
        self.unrestored: list[str] = []
        """Properties whose stored JSON the context file keeps: not restored, or refused at save."""
        self.constants: set[str] = set()
        """ClassVar names of the `Moss` class: never properties."""
        self.warnings: list[str] = []
        self._output = capture.Recording()
        self._executing = False
        self._destroyed = False

    @staticmethod
    def _parse_pycontext_code(code: str, exclude_hide_code: bool = True) -> str:
        """`code` without its `# <moss-hide>` ... `# </moss-hide>` regions, unless told to keep them."""
        import _moss_native as native

        return native.strip_hidden(code) if exclude_hide_code else code

    def __del__(self) -> None:
        MossRuntime.instance_count -= 1

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

    def prompter(self) -> MossPrompter:
        """The prompter of this module. Runtimes compiled through the Python API reflect names as
        the reference package does; the `moss` tool's own prompt follows moss's rules."""
        from _moss.prompt import ApiPrompter, Prompter

        return (ApiPrompter if self._api else Prompter)(self, self._source)

    def execute(self, *, target: str, code: str | None = None, local_args: list | None = None,
                local_kwargs: dict | None = None, args: list | None = None, kwargs: dict | None = None) -> Execution:
        """Execute `code` in the module, then call or return `target`, through the module's
        `__moss_exec__` hook when it has one; what is printed is recorded meanwhile."""
        self.update_executing_code(code)
        if self._executing:
            raise RuntimeError("this runtime is already executing code: execute() cannot be called from inside it")
        self._executing = True
        try:
            with self.redirect_stdout():
                hook = self.locals().get(lifecycle.EXEC)
                run = hook if callable(hook) else lifecycle.__moss_exec__
                return run(self, target=target, code=code, local_args=local_args, local_kwargs=local_kwargs,
                           args=args, kwargs=kwargs)
        finally:
            self._executing = False

    def lint_exec_code(self, code: str) -> str | None:
        """Why `code` would not compile, or None."""
        try:
            compile(code, self.code_file or "<code>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            return f"{type(e).__name__}: {e}"
        return None

    def update_executing_code(self, code: str | None = None) -> None:
        self._moss.executing_code = code

    def redirect_stdout(self) -> capture.recording:
        """While inside, what this thread prints is also recorded for `dump_std_output()`."""
        return capture.recording(self._output)

    def dump_std_output(self) -> str:
        """What this runtime's code printed so far."""
        return self._output.text()

    def dump_pycontext(self) -> PyContext:
        """The runtime's PyContext, with each `moss` attribute that can be a property stored in it
        (see `PyContext.allow_prop`; a list or dict must hold JSON data). This is the Python API's
        view; what `moss exec` saves to the context file is decided by its own rules."""
        for name, value in vars(self._moss).items():
            if name.startswith("_") or name == "executing_code" or name in self.constants:
                continue
            if PyContext.allow_prop(value):
                try:
                    self._pycontext.set_prop(name, value)
                except (TypeError, ValueError):
                    continue
        self._pycontext.execute_code = self._moss.__dict__.get("executing_code")
        return self._pycontext

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
        """Call `on_destroy()` on every injection, once; failures become warnings (returned)."""
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

    def close(self) -> None:
        """Call `on_destroy()` on every injection, then shut the runtime's container down; once."""
        if self._destroyed:
            return
        self.warnings += self.destroy()
        try:
            self._container.shutdown()
        except Exception as e:
            self.warnings.append(f"shutting the container of moss down raised {type(e).__name__}: {tracebacks.safe_str(e)}")
