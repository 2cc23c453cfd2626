"""The moss binary's own functions, which the shipped Python calls (a module built into moss)."""

import types

def strip_hidden(source: str) -> str:
    """The source without `# <moss-hide>` regions."""

def mark(stage: str) -> None:
    """Notes that the run reached `stage`, when the MOSS_TIMINGS variable names a file to note it in."""

def compile_module(source: str | bytes, filename: str) -> types.CodeType:
    """The code of `source` as a module's, under `filename`: what `compile(source, filename, "exec",
    dont_inherit=True)` returns, without readying all of `ast`'s node types on the first call."""

def hidden_lines(source: str) -> list[int]:
    """The numbers (from 1) of the source's lines that the model never reads."""

def source_bindings(source: str) -> tuple[list[tuple[str, str, str | None, str | None, int, bool]], list[str], list[str]]:
    """Where the source binds its module-level names: the visible imports, each as (bound name,
    name, asname, from-module, level, is_from), in source order; the names other visible
    statements bind; the names hidden lines bind. Empty when the source cannot be read."""

def reflect(path: str, qualname: str, mode: str, name: str, source: str | None, kept_decorators: list[str]) -> str | None:
    """The text of definition `qualname` in file `path`, in `mode` (source, signature, interface),
    shown under `name`; None when the file cannot be parsed or has no such definition."""

def device_call(device: int, command: int, target: int | None, data: bytes, at: float | None = None) -> bytes:
    """Sends one command to the run's device and returns the data of its response."""

def device_events(at: float | None = None) -> list[tuple[int, int, bytes]]:
    """The robot's notifications since the last call: (device, command, data) each."""

def device_simulated() -> bool:
    """Whether the run's robot is the simulated BOLT, which runs on the driver's simulated time."""

class DeviceError(RuntimeError):
    """The robot could not do what was asked."""
