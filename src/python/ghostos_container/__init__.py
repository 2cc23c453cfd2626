"""IoC container for MOSS files written against the reference's `ghostos_container`: its whole
public API, implemented by moss.

Used only when no real `ghostos_container` package is installed.
"""
from _moss import container as _implementation
from _moss.container import (
    BootstrapProvider,
    Bootstrapper,
    Container,
    Contracts,
    FactoryType,
    IoCContainer,
    Provider,
    ProviderAdapter,
    get_caller_info,
    get_container,
    provide,
    set_container,
)

__all__ = [
    "Container", "IoCContainer",
    "Provider", "Factory", "Bootstrapper", "BootstrapProvider",
    "FactoryType",
    "INSTANCE", "ABSTRACT",
    "ProviderAdapter", "provide",
    "Contracts",
    "get_caller_info",
    "get_container",
    "set_container",
]


def __getattr__(name: str) -> object:
    """`INSTANCE`, `ABSTRACT` and `Factory`, made from `typing` when first asked for."""
    if name not in _implementation.TYPING_ALIASES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_implementation, name)
