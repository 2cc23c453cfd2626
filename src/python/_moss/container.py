"""The IoC container that fills `Moss` type hints."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

Factory = Callable
"""Something that makes a value: called with the container, or with nothing."""


class Provider(ABC):
    """Makes the value bound to `contract()`; `singleton()` says whether to make it once."""

    def singleton(self) -> bool:
        return True

    @abstractmethod
    def contract(self) -> object:
        """The abstract type (or key) this provider fills."""

    @abstractmethod
    def factory(self, container: Container) -> object:
        """Make the value; `container` resolves what the value itself needs."""


class Container:
    """Values and providers by abstract type. A parent container answers what this one lacks."""

    def __init__(self, parent: Container | None = None) -> None:
        self.parent = parent
        self._instances: dict[object, object] = {}
        self._providers: dict[object, object] = {}

    def set(self, abstract: object, value: object) -> None:
        """Bind `abstract` to one value."""
        self._instances[abstract] = value

    def bind(self, abstract: object, value: object) -> None:
        """Bind `abstract`: a callable is a factory called on each fetch, anything else a value."""
        if callable(value):
            self._providers[abstract] = _FactoryProvider(abstract, value, singleton=False)
        else:
            self.set(abstract, value)

    def register(self, provider: object) -> None:
        """Register any object with `contract()` and `factory(container)`."""
        for method in ("contract", "factory"):
            if not callable(getattr(provider, method, None)):
                raise TypeError(f"{provider!r} is not a provider: it has no {method}() method")
        self._providers[provider.contract()] = provider

    def bound(self, abstract: object) -> bool:
        """Whether `abstract` can be fetched from this container or its parents."""
        if abstract in self._instances or abstract in self._providers:
            return True
        return self.parent is not None and self.parent.bound(abstract)

    def fetch(self, abstract: object) -> object | None:
        """The value bound to `abstract`, or None."""
        if abstract in self._instances:
            return self._instances[abstract]
        provider = self._providers.get(abstract)
        if provider is not None:
            value = provider.factory(self)
            singleton = getattr(provider, "singleton", None)
            if singleton is None or singleton():
                self._instances[abstract] = value
            return value
        if self.parent is not None:
            return self.parent.fetch(abstract)
        return None

    get = fetch

    def force_fetch(self, abstract: object) -> object:
        """The value bound to `abstract`; raises LookupError when nothing is bound."""
        if not self.bound(abstract):
            raise LookupError(f"nothing is bound to {abstract!r}")
        return self.fetch(abstract)


class _FactoryProvider:
    def __init__(self, abstract: object, make: Factory, singleton: bool) -> None:
        self._abstract = abstract
        self._make = make
        self._singleton = singleton

    def singleton(self) -> bool:
        return self._singleton

    def contract(self) -> object:
        return self._abstract

    def factory(self, container: Container) -> object:
        return call_factory(self._make, container)


def call_factory(make: Factory, container: Container) -> object:
    """Call a factory with the container when it takes an argument, else with none.

    Classes bound as factories (`bind(Ball, SimBall)`) usually take no argument; the reference's
    factories take the container. Both work.
    """
    code = getattr(make, "__code__", None)
    if code is None and isinstance(make, type):
        code = getattr(make.__init__, "__code__", None)
        takes = code.co_argcount - 1 if code is not None else 0
    elif code is not None:
        takes = code.co_argcount - (1 if hasattr(make, "__self__") else 0)
    else:
        takes = 1
    return make(container) if takes > 0 else make()


def provide(abstract: object, singleton: bool = True) -> Callable[[Factory], Provider]:
    """Decorator turning a factory function into a provider of `abstract`."""

    def wrap(make: Factory) -> Provider:
        return _FactoryProvider(abstract, make, singleton)  # type: ignore[return-value]

    return wrap
