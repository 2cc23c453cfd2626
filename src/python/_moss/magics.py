"""Module-level values that become prompt text: `tools = __is_subclass__(Tool)` lists, in the
prompt, every name of the module that is a subclass of `Tool`. Public home: `ghostos_moss.magics`."""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import ModuleType

__all__ = ["is_magic_prompter", "MagicPrompter", "replace_magic_prompter", "__is_instance__", "__is_subclass__"]


class MagicPrompter(ABC):
    """A value whose prompt is computed from the compiled module."""

    __module__ = "ghostos_moss.magics"

    @abstractmethod
    def __moss_magic_prompt__(self, compiled: ModuleType) -> str:
        """The text shown for this value in the prompt."""


class _Matching(MagicPrompter):
    def __init__(self, of: type, subclass: bool) -> None:
        self._of = of
        self._subclass = subclass

    def __moss_magic_prompt__(self, compiled: ModuleType) -> str:
        names = [
            name for name, value in compiled.__dict__.items()
            if not name.startswith("_")
            and (isinstance(value, type) and issubclass(value, self._of) and value is not self._of
                 if self._subclass else isinstance(value, self._of))
        ]
        relation = "subclasses" if self._subclass else "instances"
        return f"{relation} of {self._of.__name__} in this module: {', '.join(names) or '(none)'}"


def __is_subclass__(of: type) -> MagicPrompter:
    """Lists, in the prompt, the module's names that are subclasses of `of`."""
    return _Matching(of, subclass=True)


def __is_instance__(of: type) -> MagicPrompter:
    """Lists, in the prompt, the module's names that are instances of `of`."""
    return _Matching(of, subclass=False)


def is_magic_prompter(value: object) -> bool:
    """Whether `value` is a magic prompter."""
    return isinstance(value, MagicPrompter)


def replace_magic_prompter(module: ModuleType) -> dict[str, str]:
    """Replace each magic prompter in `module` by its text; returns those texts by name."""
    replaced = {name: value.__moss_magic_prompt__(module) for name, value in list(module.__dict__.items())
                if is_magic_prompter(value)}
    module.__dict__.update(replaced)
    return replaced
