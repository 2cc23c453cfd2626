"""Executing generated code in a compiled MOSS module and calling its target."""
from __future__ import annotations

import _moss_native as native

from _moss import calls, sources
from _moss.runtime import Runtime
from ghostos_moss import lifecycle
from ghostos_moss.abcd import MOSS_VALUE_NAME, Execution


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


def compile_code(runtime: Runtime, code: str, filename: str) -> object:
    """Compile generated code under its own file name, so errors point at its lines."""
    runtime.code_file = filename
    sources.remember(filename, code)
    try:
        return native.compile_module(code, filename)
    except SyntaxError as error:
        # CPython quotes a syntax error's line from the file of that name on disk, which holds
        # the whole reply when the code was taken out of it; under a name that is no file, the
        # error quotes, and its column counts in, the code itself.
        try:
            compile(code, "<moss code>", "exec", dont_inherit=True)
        except SyntaxError as own:
            own.filename = filename
            raise own from None
        raise error


def run(runtime: Runtime, code: str, compiled: object, target: str, arg_names: list[str] | None) -> object:
    """Execute the code through the module's `__moss_exec__` hook if it has one, else by default,
    recording what it prints for `runtime.dump_std_output()`."""
    runtime.update_executing_code(code)
    hook = runtime.locals().get(lifecycle.EXEC)
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
