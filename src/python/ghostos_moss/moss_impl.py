"""The implementations behind `get_moss_compiler()`, under the names the reference package uses.

`MossCompilerImpl` and `MossRuntimeImpl` are the compiler and runtime the `moss` tool itself
runs MOSS files with. `MossTempModuleType` and `MossStub` name the types of what a runtime holds:
its compiled module (`runtime.module()`) and its `moss` object (`runtime.moss()`).
"""
from __future__ import annotations

from types import ModuleType

from _moss.compile import Compiler as MossCompilerImpl
from _moss.contracts import Moss
from _moss.runtime import Runtime
from ghostos_moss import DefaultMOSSProvider

__all__ = ["MossStub", "MossCompilerImpl", "MossRuntimeImpl", "DefaultMOSSProvider", "MossTempModuleType"]


MossRuntimeImpl = Runtime

MossTempModuleType = ModuleType
"""The type of a runtime's compiled module: a plain module, never registered in `sys.modules`.
The reference makes a subclass of its own that counts its instances; moss counts none."""

MossStub = Moss
"""The type every runtime's `moss` object is an instance of. The reference makes each one a
`MossStub`, a subclass of `Moss` built apart from the file's own `Moss` class; moss makes it an
instance of the file's `Moss` class itself, so `MossStub` here is their common base, `Moss`."""
