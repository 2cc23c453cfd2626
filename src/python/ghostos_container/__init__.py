"""IoC container for MOSS files written against the reference's `ghostos_container`: its whole
public API, implemented by moss.

Used only when no real `ghostos_container` package is installed.
"""
from _moss.container import (
    ABSTRACT,
    INSTANCE,
    BootstrapProvider,
    Bootstrapper,
    Container,
    Contracts,
    Factory,
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
