"""Module-level values that become prompt text: `tools = __is_subclass__(Tool)` lists, in the
prompt, every name of the module that is a subclass of `Tool`. Defined in moss's engine
(`_moss.magics`); this is their public home."""
from __future__ import annotations

from _moss.magics import MagicPrompter, __is_instance__, __is_subclass__, is_magic_prompter, replace_magic_prompter

__all__ = ["is_magic_prompter", "MagicPrompter", "replace_magic_prompter", "__is_instance__", "__is_subclass__"]
