"""Errors as the model and the user should read them: the tool's own frames removed, and the
MOSS file's hidden lines not quoted."""
from __future__ import annotations

import os


def own_frame(filename: str) -> bool:
    """Frames of the shipped modules and of the import machinery say nothing about user code."""
    return filename.startswith("<moss>/") or filename.startswith("<frozen ")


HIDDEN_LINE = "(hidden)"
"""What a traceback shows in place of a line of the MOSS file's `# <moss-hide>` regions."""
HIDDEN_NAME = "<hidden>"
"""What it shows in place of the name of a function running on such a line: hidden source too."""
HIDDEN_HINT = (
    "fix the MOSS file; nothing of the generated code ran. Lines of its `# <moss-hide>` regions are "
    "not quoted here, since a model may read this: open {file} at the line numbers shown"
)


def describe(exc: BaseException, kind: str, anchor: str | None, *, moss_file: tuple[str, str]) -> dict:
    """The error object of the JSON result.

    `anchor` is the file whose line the error is reported at (the generated code, or the MOSS
    file while it loads); the deepest frame in it wins, else the deepest frame shown.
    `moss_file` is the MOSS file's path and source: a line of its hidden regions is never quoted,
    as the model may read the traceback (see `Concealer`).
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
    concealer = Concealer(*moss_file)
    pending, seen = [te], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        concealer.conceal(current)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        pending.extend(getattr(current, "exceptions", None) or [])  # an ExceptionGroup's members
    if where is None:
        frames = list(te.stack)
        anchored = [f for f in frames if anchor is not None and f.filename == anchor]
        chosen = (anchored or frames or [None])[-1]
        if chosen is not None:
            where, line = chosen.filename, chosen.lineno
    described = {
        "kind": kind,
        "type": type(exc).__qualname__ if type(exc).__module__ == "builtins" else f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": printable(message),
        "traceback": printable("".join(te.format())),
        "file": where,
        "line": line,
        "column": column,
    }
    if kind == "module" and concealer.concealed:
        described["hint"] = HIDDEN_HINT.format(file=moss_file[0])
    return described


class Concealer:
    """Takes the tool's own frames out of a traceback, and the source of the MOSS file's hidden
    lines: such a frame keeps its file and line number (the operator opens the file there), but
    shows `HIDDEN_LINE` for its line and `HIDDEN_NAME` for its function. A syntax error on a
    hidden line keeps its place, without its text."""

    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.real_path = os.path.realpath(path)
        self.source = source
        self._hidden: set[int] | None = None
        self._hidden_words: frozenset[str] | None = None
        self.concealed = False

    def hides(self, filename: str | None, first: int | None, last: int | None = None) -> bool:
        """Whether any of lines `first`..`last` of `filename` is a hidden line of the MOSS file."""
        if first is None or filename is None:
            return False
        if filename != self.path and os.path.realpath(filename) != self.real_path:
            return False
        hidden = self.hidden_lines()
        return any(n in hidden for n in range(first, max(first, last or first) + 1))

    def hidden_lines(self) -> set[int]:
        """The numbers (from 1) of the MOSS file's hidden lines."""
        if self._hidden is None:
            import _moss_native as native

            self._hidden = set(native.hidden_lines(self.source))
        return self._hidden

    def conceal(self, te: traceback.TracebackException) -> None:
        """Rewrite `te`'s own stack (not its chained exceptions') and its syntax error text."""
        import traceback

        frames = []
        for frame in te.stack:
            if own_frame(frame.filename):
                continue
            if self.hides(frame.filename, frame.lineno, getattr(frame, "end_lineno", None)):
                frame = traceback.FrameSummary(frame.filename, frame.lineno, HIDDEN_NAME, lookup_line=False,
                                               line=HIDDEN_LINE)
                self.concealed = True
            frames.append(frame)
        te.stack = traceback.StackSummary.from_list(frames)
        self._unsuggest_hidden(te)
        if getattr(te, "text", None) is not None and self.hides(te.filename, _number(te.lineno),
                                                                _number(getattr(te, "end_lineno", None))):
            te.text = None
            self.concealed = True

    def _unsuggest_hidden(self, te: traceback.TracebackException) -> None:
        """Drop Python's "Did you mean: 'NAME'?" (3.12 and later) when NAME is written on a hidden
        line: a name bound or set there is hidden source, which a typo must not reveal."""
        text = getattr(te, "_str", None)
        if not isinstance(text, str) or "Did you mean: '" not in text:
            return
        import re

        def drop(suggestion: re.Match) -> str:
            if suggestion.group(1) not in self.hidden_words():
                return suggestion.group(0)
            self.concealed = True
            return ". Did you forget" if suggestion.group(2) else ""

        te._str = re.sub(r"\. Did you mean: '([^']*)'\?( Or did you forget)?", drop, text)

    def hidden_words(self) -> frozenset[str]:
        """Every word written on a hidden line of the MOSS file, as Python binds names (NFKC)."""
        if self._hidden_words is None:
            import re
            import unicodedata

            lines = re.split(r"\r\n|\r|\n", self.source)  # as CPython counts lines
            hidden = [lines[number - 1] for number in self.hidden_lines() if number <= len(lines)]
            words = (word for line in hidden for word in re.findall(r"\w+", line))
            self._hidden_words = frozenset(unicodedata.normalize("NFKC", word) for word in words)
        return self._hidden_words


def _number(value: object) -> int | None:
    """A syntax error's line number, which `TracebackException` keeps as text."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


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
