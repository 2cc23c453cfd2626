"""Whether a function takes some positional arguments, without importing `inspect` when it can.

`inspect` (with `dis`, `ast`, `tokenize` and `enum` under it) costs a run more than its code. A
plain function's code object says how many positional arguments it takes; anything else (a
class, a builtin, a wrapper with `__wrapped__` or `__signature__`) is left to `inspect`.
"""
from __future__ import annotations

import types

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
