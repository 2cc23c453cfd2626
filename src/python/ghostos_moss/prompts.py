"""How values become prompt text: classes and objects that write their own prompt, and the
reflection of the names a module imports. Defined in moss's engine (`_moss.reference_prompts`);
this is their public home."""
from __future__ import annotations

from _moss.prompt_utils import get_callable_definition, get_modulename, is_typing, make_class_prompt
from _moss.reference_prompts import (
    AttrPrompts,
    PromptAbleClass,
    PromptAbleObj,
    compile_attr_prompts,
    get_defined_prompt,
    ignore_modules,
    join_prompt_lines,
    reflect_class_with_methods,
    reflect_code_prompt,
    reflect_imported_attr,
    reflect_locals_imported,
)

__all__ = [
    "reflect_code_prompt", "reflect_locals_imported", "reflect_class_with_methods", "join_prompt_lines",
    "compile_attr_prompts", "AttrPrompts", "PromptAbleClass", "PromptAbleObj",
]
