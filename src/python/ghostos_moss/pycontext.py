"""The state of a MOSS runtime that persists between runs, as lifecycle hooks see it."""
from __future__ import annotations


class PyContext:
    """Module, saved properties and the code last executed.

    The `moss` tool stores this as a JSON file; see `moss context --help`.
    """

    def __init__(
        self,
        module: str | None = None,
        code: str | None = None,
        properties: dict | None = None,
        execute_code: str | None = None,
        executed: bool = False,
    ) -> None:
        self.module = module
        self.code = code
        self.properties = dict(properties or {})
        self.execute_code = execute_code
        self.executed = executed
