"""The contracts a MOSS file sees: the `Moss` base class, `Injection`, `SelfUpdater`, and the
compiler, runtime and prompter interfaces that lifecycle hooks and host code receive.

Defined in moss's engine (`_moss.contracts`), which builds on them; this is their public home."""
from __future__ import annotations

from _moss.contracts import (
    MOSS_HIDDEN_MARK,
    MOSS_HIDDEN_UNMARK,
    MOSS_TYPE_NAME,
    MOSS_VALUE_NAME,
    Execution,
    Injection,
    Moss,
    MossCompiler,
    MossPrompter,
    MossRuntime,
    SelfUpdater,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from _moss.reference_prompts import AttrPrompts

__all__ = [
    "Moss", "MossCompiler", "MossRuntime", "Execution", "MossPrompter", "AttrPrompts", "MOSS_TYPE_NAME",
    "MOSS_VALUE_NAME", "MOSS_HIDDEN_MARK", "MOSS_HIDDEN_UNMARK", "Injection", "SelfUpdater",
]


def __getattr__(name: str) -> object:
    """`AttrPrompts`, the type of `__moss_attr_prompts__()`: (name, prompt) pairs, an empty prompt
    hiding the name. Imported when first asked for, not in every run (it needs `typing`)."""
    if name != "AttrPrompts":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from _moss.reference_prompts import AttrPrompts

    globals()[name] = AttrPrompts
    return AttrPrompts
