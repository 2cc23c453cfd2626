"""A compiled MOSS file with its injected `moss` (what lifecycle hooks and injections receive), and
executing generated code in it: calling its target."""
from __future__ import annotations

import types

import _moss_native as native

from _moss import calls, capture, exact, sources, tracebacks, values
from _moss.container import Container
from _moss.contracts import EXEC, MOSS_VALUE_NAME, Execution, Injection, Moss, MossPrompter, MossRuntime
from _moss.pycontext import PyContext

CONTAINER_SLOT = "_moss_container"
"""Where `moss` keeps the container that `Moss.fetch` asks (underscore names are never stored)."""


class TargetError(Exception):
    """The target is missing, or cannot be called with the arguments moss passes."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class MissingTarget(TargetError, NotImplementedError):
    """The code and the module define no such target (a NotImplementedError, as the reference raises)."""


class TargetTakesNoArguments(TargetError, TypeError):
    """Arguments were given for a target that is not callable."""


class MissingLocal(TargetError, AttributeError):
    """An argument names a module value that does not exist."""


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

        return (ApiPrompter if self._api else Prompter)(self, self._source, self.ignored_modules)

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
                hook = self.locals().get(EXEC)
                if callable(hook):
                    found: Execution = hook(self, target=target, code=code, local_args=local_args,
                                            local_kwargs=local_kwargs, args=args, kwargs=kwargs)
                    return found
                return self.execute_by_default(target=target, code=code, local_args=local_args,
                                               local_kwargs=local_kwargs, args=args, kwargs=kwargs)
        finally:
            self._executing = False

    def execute_by_default(self, *, target: str, code: str | None = None, local_args: list | None = None,
                           local_kwargs: dict | None = None, args: list | None = None,
                           kwargs: dict | None = None) -> Execution:
        """What `execute` does for a module without an `__moss_exec__` hook (the default hook
        `ghostos_moss.lifecycle.__moss_exec__` does it too): run the code, call or return the
        target, and return an `Execution` with the runtime's output and PyContext."""
        returns = run_default(self, code, target, local_args, local_kwargs, args, kwargs)
        pycontext = self.dump_pycontext()
        pycontext.execute_code = code
        pycontext.executed = True
        return Execution(returns, self.dump_std_output(), pycontext)

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


def compile_code(runtime: Runtime, code: str, filename: str) -> object:
    """Compile generated code under its own file name, so errors point at its lines."""
    runtime.code_file = filename
    sources.remember(filename, code)
    try:
        return native.compile_module(code, filename)
    except SyntaxError as error:
        if error.lineno is None:
            raise
        # CPython quotes a syntax error's line from the file of that name on disk, which holds
        # the whole reply when the code was taken out of it; under a name that is no file, the
        # error quotes, and its column counts in, the code itself. The compiler's warnings were
        # shown by the first compile already.
        import warnings  # only a syntax error needs it

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                native.compile_module(code, "<moss code>")
            except SyntaxError as own:
                own.filename = filename
                raise own from None
        raise error


def run_code(runtime: Runtime, code: str, compiled: object, target: str, arg_names: list[str] | None) -> object:
    """Execute the code through the module's `__moss_exec__` hook if it has one, else by default,
    recording what it prints for `runtime.dump_std_output()`."""
    runtime.update_executing_code(code)
    hook = runtime.locals().get(EXEC)
    with runtime.redirect_stdout():
        if callable(hook):
            outcome = hook(runtime, target=target, code=code, local_args=arg_names,
                           local_kwargs=None, args=None, kwargs=None)
            return outcome.returns if isinstance(outcome, Execution) else outcome
        return run_default(runtime, code, target, arg_names, compiled=compiled)


def run_default(runtime: Runtime, code: str | None, target: str, local_args: list[str] | None = None,
                local_kwargs: dict | None = None, args: list | None = None, kwargs: dict | None = None,
                compiled: object = None) -> object:
    """Execute `code` in the module's namespace, then call `target` with the module locals named
    by `local_args`/`local_kwargs` and the given `args`/`kwargs` (with `moss` when none are given
    and it takes a positional parameter), or return it when it is not callable; returns what
    the target returned (or the target itself)."""
    namespace = runtime.locals()
    if compiled is None and code:
        compiled = compile_code(runtime, code, runtime.code_file or "<code>")
    if compiled is not None:
        exec(compiled, namespace)
    if target not in namespace:
        defined = _bound_by(code or "")
        raise MissingTarget(f"the code defines no `{target}`" + (f" (it defines: {', '.join(defined)})" if defined else ""))
    value = namespace[target]
    given = any(x is not None for x in (local_args, local_kwargs, args, kwargs))
    if not callable(value):
        if given:
            raise TargetTakesNoArguments(f"`{target}` is a {type(value).__name__}, not a function, so it takes no arguments")
        return value

    named = list(local_args or []) + list((local_kwargs or {}).values())
    missing = [name for name in named if name not in namespace]
    if missing:
        raise MissingLocal(
            f"the module has no local named {', '.join(missing)} to pass to `{target}`",
            hint="each --arg NAME passes the module-level value NAME to the target: define it in the code or "
                 "the MOSS file, or leave that --arg out",
        )
    call_args = [namespace[name] for name in local_args or []] + list(args or [])
    call_kwargs = {param: namespace[name] for param, name in (local_kwargs or {}).items()} | dict(kwargs or {})
    if not given and _accepts(value, [namespace[MOSS_VALUE_NAME]]):
        call_args = [namespace[MOSS_VALUE_NAME]]
    return call(value, target, call_args, call_kwargs)


def call(fn: object, name: str, args: list, kwargs: dict | None = None) -> object:
    """Call `fn`, running a coroutine it returns to completion; a call its signature does not
    accept raises TargetError instead of running anything."""
    kwargs = kwargs or {}
    signature = None if not kwargs and calls.takes_positional(fn, len(args)) else _signature(fn)
    if signature is not None:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TargetError(f"`{name}{signature}` cannot be called with {len(args) + len(kwargs)} argument(s): {e}") from None
    returns = fn(*args, **kwargs)
    if type(returns).__name__ == "coroutine" and hasattr(returns, "send"):
        import asyncio

        returns = asyncio.run(returns)
    return returns


def _bound_by(code: str) -> list[str]:
    """The module-level names the code binds (functions, classes, values, imports), in order.

    Only asked for when the target is missing, so its parse costs nothing on a successful run.
    """
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [alias.asname or alias.name.partition(".")[0] for alias in node.names]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names))


def wait_for_threads() -> None:
    """Wait for the threads the code started, as Python does when a program ends: the exit
    hooks of `threading` run (thread pools shut down), then every non-daemon thread is joined.
    Daemon threads end with the run. The run's time limit covers the wait."""
    import sys

    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()  # what the interpreter itself calls at exit


def _accepts(fn: object, args: list) -> bool:
    known = calls.takes_positional(fn, len(args))
    if known is not None:
        return known
    signature = _signature(fn)
    if signature is None:
        return True
    try:
        signature.bind(*args)
        return True
    except TypeError:
        return False


def _signature(fn: object) -> object:
    import inspect

    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None
