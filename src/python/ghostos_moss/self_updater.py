"""`SelfUpdaterImpl`: edits of a MOSS file's own source, kept in the runtime's PyContext until
`save()` writes them to the file. Defined in moss's engine (`_moss.self_updater`); this is its
public home."""
from __future__ import annotations

from _moss.self_updater import SelfUpdaterImpl, SelfUpdaterProvider

__all__ = ["SelfUpdaterImpl", "SelfUpdaterProvider"]
