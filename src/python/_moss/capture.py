"""Recording what a runtime's code prints, without taking the output away from anyone.

`sys.stdout` is wrapped once in a tee that still writes everything to the stream it wraps (so
moss's own capture of the process output, and any test runner's, see it all) and also appends
it (up to a limit) to the recording active in the current thread or task. Recordings are kept in a
context variable, so runtimes executing in parallel threads each record only their own output.
"""
from __future__ import annotations

import _thread
import sys
from _contextvars import ContextVar  # what `contextvars` re-exports, without loading it

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from typing import Any, TextIO

LIMIT = 1 << 20
"""Characters a recording keeps: what the code prints beyond it is only counted, so a run that
prints without end cannot fill its memory with a copy of its output."""


class Recording:
    """What a runtime's code printed: the first LIMIT characters, and how many more there were."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def add(self, text: str) -> None:
        room = LIMIT - self.kept
        if len(text) > room:
            self.dropped += len(text) - room
            text = text[:room]
        if text:
            self.parts.append(text)
            self.kept += len(text)

    def text(self) -> str:
        """The recorded output, with a last line saying how much was left out, if any."""
        kept = "".join(self.parts)
        if self.dropped:
            kept += f"\n[moss: {self.dropped} more characters were printed; the first {LIMIT} are kept]\n"
        return kept


_recording: ContextVar[Recording | None] = ContextVar("moss_stdout_recording", default=None)
_lock = _thread.allocate_lock()  # threading's Lock, without importing `threading` into every run
_users = 0


class _Tee:
    """A text stream that forwards to `inner` and records into the active recording."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        record = _recording.get()
        if record is not None:
            record.add(text)
        return self._inner.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class recording:  # noqa: N801 - used as a function: `with recording(record):`
    """Add what is printed through `sys.stdout` in this thread or task to `record`, in a `with`
    block. (A class rather than `contextlib.contextmanager`, which every run would import.)"""

    def __init__(self, record: Recording) -> None:
        self._record = record

    def __enter__(self) -> Recording:
        global _users
        with _lock:
            if not isinstance(sys.stdout, _Tee):
                sys.stdout = _Tee(sys.stdout)
            self._installed = sys.stdout
            _users += 1
        self._token = _recording.set(self._record)
        return self._record

    def __exit__(self, *exc: object) -> None:
        global _users
        _recording.reset(self._token)
        with _lock:
            _users -= 1
            # The last one out unwraps, unless someone replaced sys.stdout in the meantime.
            if _users == 0 and sys.stdout is self._installed:
                sys.stdout = self._installed._inner
