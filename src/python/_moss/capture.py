"""Recording what a runtime's code prints, without taking the output away from anyone.

`sys.stdout` is wrapped once in a tee that still writes everything to the stream it wraps (so
moss's own capture of the process output, and any test runner's, see it all) and also appends
it to the buffer of the recording active in the current thread or task. Recordings are kept in a
context variable, so runtimes executing in parallel threads each record only their own output.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

_recording: ContextVar[list[str] | None] = ContextVar("moss_stdout_recording", default=None)
_lock = threading.Lock()
_users = 0


class _Tee:
    """A text stream that forwards to `inner` and records into the active recording."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        buffer = _recording.get()
        if buffer is not None:
            buffer.append(text)
        return self._inner.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def recording(buffer: list[str]) -> Iterator[list[str]]:
    """Append what is printed through `sys.stdout` in this thread or task to `buffer`."""
    global _users
    with _lock:
        if not isinstance(sys.stdout, _Tee):
            sys.stdout = _Tee(sys.stdout)
        installed = sys.stdout
        _users += 1
    token = _recording.set(buffer)
    try:
        yield buffer
    finally:
        _recording.reset(token)
        with _lock:
            _users -= 1
            # The last one out unwraps, unless someone replaced sys.stdout in the meantime.
            if _users == 0 and sys.stdout is installed:
                sys.stdout = installed._inner
