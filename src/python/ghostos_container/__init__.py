"""IoC container for MOSS files written against the reference's `ghostos_container`.

Used only when no real `ghostos_container` package is installed.
"""
from _moss.container import Container, Factory, Provider, provide

__all__ = ["Container", "Provider", "Factory", "provide"]
