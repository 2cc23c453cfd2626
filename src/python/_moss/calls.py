"""How the container calls what it is given: whether a function takes some positional arguments,
without importing `inspect` when it can, and what an annotation names.

`inspect` (with `dis`, `ast`, `tokenize` and `enum` under it) costs a run more than its code. A
plain function's code object says how many positional arguments it takes; anything else (a
class, a builtin, a wrapper with `__wrapped__` or `__signature__`) is left to `inspect`.
"""
from __future__ import annotations

import builtins
import types

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from collections.abc import Callable
    from typing import Any

_TAKES_VARARGS = 0x04
"""`CO_VARARGS`: the function has a `*args` parameter."""


def takes_positional(fn: object, count: int) -> bool | None:
    """True or False when the code object of `fn` answers whether `fn(*count positional arguments)`
    binds; None when only `inspect.signature` can tell."""
    if type(fn) is types.MethodType:
        return takes_positional(fn.__func__, count + 1)
    if type(fn) is not types.FunctionType or hasattr(fn, "__wrapped__") or hasattr(fn, "__signature__"):
        return None
    code = fn.__code__
    required = code.co_argcount - len(fn.__defaults__ or ())
    keyword_only_required = code.co_kwonlyargcount - len(fn.__kwdefaults__ or {})
    fits = count <= code.co_argcount or bool(code.co_flags & _TAKES_VARARGS)
    return keyword_only_required == 0 and required <= count and fits


def call_factory(make: Callable[..., Any], container: object) -> Any:
    """Call a factory with the container when it takes an argument, else with none: classes bound
    as factories (`bind(Ball, SimBall)`) usually take no argument; GhostOS factories take the
    container."""
    known = takes_positional(make, 1)
    if known is not None:
        return make(container) if known else make()
    import inspect

    try:
        inspect.signature(make).bind(container)
    except TypeError:
        return make()
    except ValueError:
        pass
    return make(container)


def resolve_annotation(annotation: Any, namespace: dict[str, Any]) -> Any:
    """The object an annotation names; a string is looked up as a (dotted) name in `namespace`,
    then the builtins. None when there is none or it cannot be found."""
    import inspect

    if annotation is inspect.Parameter.empty:
        return None
    found = annotation
    if isinstance(annotation, str):
        head, *rest = annotation.strip().split(".")
        found = namespace.get(head, getattr(builtins, head, None))
        for part in rest:
            found = getattr(found, part, None)
    try:
        hash(found)
    except TypeError:
        return None  # not something a container can have bound
    return found


def makeable(hint: Any) -> bool:
    """Whether `make` may build `hint` for a parameter nothing fills: a concrete class that is
    not a builtin such as int or str."""
    return isinstance(hint, type) and not getattr(hint, "__abstractmethods__", None) and hint.__module__ != "builtins"
