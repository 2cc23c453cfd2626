"""MOSS: drive a Python API with model-written code.

This package is provided by the `moss` tool inside every run; MOSS files import it as they
would import the reference `ghostos_moss` package.
"""
from ghostos_moss.abcd import (
    MOSS_HIDDEN_MARK,
    MOSS_HIDDEN_UNMARK,
    MOSS_TYPE_NAME,
    MOSS_VALUE_NAME,
    AttrPrompts,
    Execution,
    Injection,
    Moss,
    MossCompiler,
    MossPrompter,
    MossRuntime,
)
from ghostos_moss.exports import Exporter
from ghostos_moss.magics import MagicPrompter, __is_instance__, __is_subclass__
from ghostos_moss.prompts import PromptAbleClass, PromptAbleObj
from ghostos_moss.pycontext import PyContext

__all__ = [
    "Moss",
    "MossCompiler",
    "MossRuntime",
    "MossPrompter",
    "Execution",
    "Injection",
    "AttrPrompts",
    "PyContext",
    "Exporter",
    "MagicPrompter",
    "__is_subclass__",
    "__is_instance__",
    "PromptAbleClass",
    "PromptAbleObj",
    "MOSS_TYPE_NAME",
    "MOSS_VALUE_NAME",
    "MOSS_HIDDEN_MARK",
    "MOSS_HIDDEN_UNMARK",
]
