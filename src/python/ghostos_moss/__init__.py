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
    "MOSS_TYPE_NAME",
    "MOSS_VALUE_NAME",
    "MOSS_HIDDEN_MARK",
    "MOSS_HIDDEN_UNMARK",
]
