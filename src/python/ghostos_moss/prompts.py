"""Classes and objects that write their own prompt."""
from __future__ import annotations

from abc import ABC, abstractmethod


class PromptAbleClass(ABC):
    """A class shown in the prompt as what `__class_prompt__()` returns."""

    @classmethod
    @abstractmethod
    def __class_prompt__(cls) -> str:
        """The text the prompt shows for this class."""


class PromptAbleObj(ABC):
    """An object shown in the prompt as what `__prompt__()` returns."""

    @abstractmethod
    def __prompt__(self) -> str:
        """The text the prompt shows for this object."""


AttrPrompts = "Iterable[tuple[str, str]]"
"""What `__moss_attr_prompts__()` yields: (name, prompt) pairs; an empty prompt hides the name."""


def get_defined_prompt(value: object) -> str | None:
    """What `value` says about itself: `__class_prompt__()` of a class, `__prompt__()` of an object."""
    method = getattr(value, "__class_prompt__" if isinstance(value, type) else "__prompt__", None)
    return method() if callable(method) else None


def reflect_code_prompt(value: object) -> str | None:
    """How the prompt shows `value` (a function, class or module), or None."""
    import sys

    from _moss.reflect import reflect_value

    module = sys.modules.get(getattr(value, "__module__", None) or "", sys.modules[__name__])
    reflection = reflect_value(getattr(value, "__name__", "value"), value, module, [], asked=True)
    return reflection.prompt if reflection is not None else None
