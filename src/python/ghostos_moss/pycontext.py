"""`PyContext`: the state of a MOSS runtime that persists between runs (module, code, properties).

Defined in moss's engine (`_moss.pycontext`, which says how it differs from the reference's
pydantic model); this is its public home."""
from __future__ import annotations

from _moss.pycontext import PyContext

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: `EntityMeta` is a TypedDict, and `typing` would cost every run
    from _moss.pycontext import EntityMeta

__all__ = ["PyContext", "EntityMeta"]


def __getattr__(name: str) -> object:
    """`EntityMeta`, the TypedDict of a stored value ({"type": ..., "content": ...}), made from
    `typing` when first asked for."""
    if name != "EntityMeta":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from _moss import pycontext

    meta: object = pycontext.EntityMeta
    globals()[name] = meta
    return meta
