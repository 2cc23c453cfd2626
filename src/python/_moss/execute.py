"""Executing generated code in a compiled MOSS module and calling its target."""
from __future__ import annotations

import linecache

from _moss.compile import Runtime
from ghostos_moss import lifecycle
from ghostos_moss.abcd import MOSS_VALUE_NAME, Execution


class TargetError(Exception):
    """The target is missing, or cannot be called with the arguments moss passes."""


def compile_code(code: str, filename: str) -> object:
    """Compile generated code under its own file name, so errors point at its lines."""
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    return compile(code, filename, "exec", dont_inherit=True)


def run(runtime: Runtime, code: str, compiled: object, target: str, arg_names: list[str] | None) -> object:
    """Execute the code in the module's namespace, then call or return `target`."""
    moss = runtime.moss()
    moss.executing_code = code
    namespace = runtime.locals()
    hook = namespace.get(lifecycle.EXEC)
    if callable(hook):
        outcome = hook(runtime, target=target, code=code, local_args=arg_names,
                       local_kwargs=None, args=None, kwargs=None)
        return outcome.returns if isinstance(outcome, Execution) else outcome

    exec(compiled, namespace)
    if target not in namespace:
        defined = sorted(
            name for name, v in namespace.items()
            if getattr(getattr(v, "__code__", None), "co_filename", None) == compiled.co_filename
        )
        raise TargetError(f"the code defines no `{target}`" + (f" (it defines: {', '.join(defined)})" if defined else ""))
    value = namespace[target]
    if not callable(value):
        if arg_names:
            raise TargetError(f"`{target}` is a {type(value).__name__}, not a function, so it takes no arguments")
        return value

    if arg_names is not None:
        missing = [name for name in arg_names if name not in namespace]
        if missing:
            raise TargetError(f"the module has no local named {', '.join(missing)} to pass to `{target}`")
        args = [namespace[name] for name in arg_names]
    else:
        args = [namespace[MOSS_VALUE_NAME]] if _takes_positional(value) else []
    return call(value, target, args)


def call(fn: object, name: str, args: list) -> object:
    """Call `fn(*args)`, running a coroutine it returns to completion; a call the signature does
    not accept raises TargetError instead of running anything."""
    _check_call(fn, name, args)
    returns = fn(*args)
    if _is_coroutine(returns):
        import asyncio

        returns = asyncio.run(returns)
    return returns


def _takes_positional(fn: object) -> bool:
    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    bound = 1 if getattr(fn, "__self__", None) is not None else 0
    return code.co_argcount - bound > 0 or bool(code.co_flags & 0x04)


def _check_call(fn: object, target: str, args: list) -> None:
    """Tell a call the target cannot accept apart from a TypeError raised inside it."""
    import inspect

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args)
    except TypeError as e:
        raise TargetError(f"`{target}{signature}` cannot be called with {len(args)} argument(s): {e}") from None


def _is_coroutine(value: object) -> bool:
    return type(value).__name__ == "coroutine" and hasattr(value, "send")
