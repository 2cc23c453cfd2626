"""`Modules`: how compiled code imports, reads and rewrites modules, so a host can replace it.
Defined in moss's engine (`_moss.modules`); this is its public home."""
from __future__ import annotations

from _moss.modules import DefaultModules, DefaultModulesProvider, ImportWrapper, Modules

__all__ = ["Modules", "ImportWrapper", "DefaultModules", "DefaultModulesProvider"]
