"""The implementations behind `get_moss_compiler()`, under the names the reference package uses.

`MossCompilerImpl` and `MossRuntimeImpl` are the compiler and runtime the `moss` tool itself
runs MOSS files with.
"""
from __future__ import annotations

from _moss.compile import Compiler as MossCompilerImpl
from _moss.runtime import Runtime
from ghostos_moss import DefaultMOSSProvider

__all__ = ["MossCompilerImpl", "MossRuntimeImpl", "DefaultMOSSProvider"]


MossRuntimeImpl = Runtime
