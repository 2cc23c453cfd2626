"""Errors as the model and the user should read them: the tool's own frames removed."""
from __future__ import annotations


def own_frame(filename: str) -> bool:
    """Frames of the shipped modules and of the import machinery say nothing about user code."""
    return filename.startswith("<moss>/") or filename.startswith("<frozen ")


def describe(exc: BaseException, kind: str, anchor: str | None) -> dict:
    """The error object of the JSON result.

    `anchor` is the file whose line the error is reported at (the generated code, or the MOSS
    file while it loads); the deepest frame in it wins, else the deepest frame shown.
    """
    import traceback  # only errors need it: a successful run does not pay for its import

    te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
    line = column = None
    where = None
    if isinstance(exc, SyntaxError):
        where, line, column = exc.filename, exc.lineno, exc.offset
        message = exc.msg
    else:
        message = safe_str(exc)
    pending, seen = [te], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.stack = traceback.StackSummary.from_list(
            [frame for frame in current.stack if not own_frame(frame.filename)]
        )
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    if where is None:
        frames = list(te.stack)
        anchored = [f for f in frames if anchor is not None and f.filename == anchor]
        chosen = (anchored or frames or [None])[-1]
        if chosen is not None:
            where, line = chosen.filename, chosen.lineno
    return {
        "kind": kind,
        "type": type(exc).__qualname__ if type(exc).__module__ == "builtins" else f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": printable(message),
        "traceback": printable("".join(te.format())),
        "file": where,
        "line": line,
        "column": column,
    }


def safe_str(value: object) -> str:
    """`str(value)`, or what went wrong when the value's own `__str__` raises."""
    try:
        return str(value)
    except Exception as e:
        return f"<str() of this {type(value).__name__} raised {type(e).__name__}>"


def printable(text: str) -> str:
    """`text` with anything UTF-8 cannot carry (unpaired surrogates) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def failure(kind: str, type_name: str, message: str, file: str | None = None, hint: str | None = None) -> dict:
    """An error that no Python exception carries (a missing target, a missing binding)."""
    return {"kind": kind, "type": type_name, "message": printable(message), "traceback": "",
            "file": file, "line": None, "column": None, "hint": hint}
