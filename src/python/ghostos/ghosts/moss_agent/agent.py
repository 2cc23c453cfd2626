"""`MossAgent`: what a GhostOS MOSS file declares as its `__ghost__`."""
from __future__ import annotations


class MossAgent:
    """An agent that answers by writing code against the MOSS module `moss_module`.

    It keeps what it is given. `instruction` may also be passed as `instructions`, the name some
    GhostOS versions used.
    """

    _TEXT_FIELDS = ("moss_module", "persona", "instruction", "name", "description", "llm_api")

    def __init__(
        self,
        *,
        moss_module: str,
        persona: str,
        instruction: str | None = None,
        instructions: str | None = None,
        name: str = "",
        description: str = "",
        code: str | None = None,
        compile_module: str | None = None,
        llm_api: str = "",
        truncate_at_turns: int = 40,
        truncate_to_turns: int = 20,
    ) -> None:
        if (instruction is None) == (instructions is None):
            raise TypeError("MossAgent takes its instruction once: as `instruction=` (or `instructions=`)")
        self.moss_module = moss_module
        self.persona = persona
        self.instruction = instruction if instruction is not None else instructions
        self.name = name
        self.description = description
        self.code = code
        self.compile_module = compile_module
        self.llm_api = llm_api
        self.truncate_at_turns = truncate_at_turns
        self.truncate_to_turns = truncate_to_turns
        for field in self._TEXT_FIELDS:
            if not isinstance(getattr(self, field), str):
                raise TypeError(f"MossAgent's {field} must be a str, not a {type(getattr(self, field)).__name__}")
        for field in ("truncate_at_turns", "truncate_to_turns"):
            if type(getattr(self, field)) is not int:
                raise TypeError(f"MossAgent's {field} must be an int, not a {type(getattr(self, field)).__name__}")

    def __repr__(self) -> str:
        return f"MossAgent(name={self.name!r}, moss_module={self.moss_module!r})"
