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
