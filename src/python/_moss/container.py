"""The IoC container that fills `Moss` type hints."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

Factory = Callable
"""Something that makes a value: called with the container, or with nothing."""


class Provider(ABC):
    """Makes the value bound to `contract()`; `singleton()` says whether to make it once.

    `class BallProvider(Provider[Ball])` needs no `contract()`: it provides `Ball`.
    """

    _contract: object = None
    _parameterised: dict = {}

    def __class_getitem__(cls, contract: object) -> type:
        key = (cls, contract)
        if key not in Provider._parameterised:
            name = f"{cls.__name__}[{getattr(contract, '__name__', contract)}]"
            Provider._parameterised[key] = type(name, (cls,), {"_contract": contract, "__module__": cls.__module__})
        return Provider._parameterised[key]

    def singleton(self) -> bool:
        return True

    def inheritable(self) -> bool:
        return True

    def aliases(self) -> list:
        return []

    def contract(self) -> object:
        """The abstract type (or key) this provider fills."""
        if self._contract is None:
            raise TypeError(f"{type(self).__name__} must define contract() or subclass Provider[SomeType]")
        return self._contract

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

    def register(self, *providers: object) -> None:
        """Register objects with `contract()` and `factory(container)`."""
        for provider in providers:
            for method in ("contract", "factory"):
                if not callable(getattr(provider, method, None)):
                    raise TypeError(f"{provider!r} is not a provider: it has no {method}() method")
            self._providers[provider.contract()] = provider
            for alias in getattr(provider, "aliases", lambda: [])() or []:
                self._providers[alias] = provider

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

    def force_fetch(self, abstract: object, strict: bool = False) -> object:
        """The value bound to `abstract`; raises LookupError when nothing is bound. With
        `strict`, the value must also be an instance of `abstract`."""
        if not self.bound(abstract):
            raise LookupError(f"nothing is bound to {abstract!r}")
        value = self.fetch(abstract)
        if strict and isinstance(abstract, type) and not isinstance(value, abstract):
            raise TypeError(f"the value bound to {abstract.__name__} is a {type(value).__name__}")
        return value


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
    import inspect

    try:
        inspect.signature(make).bind(container)
    except TypeError:
        return make()
    except ValueError:
        pass
    return make(container)


def provide(abstract: object, singleton: bool = True) -> Callable[[Factory], Provider]:
    """Decorator turning a factory function into a provider of `abstract`."""

    def wrap(make: Factory) -> Provider:
        return _FactoryProvider(abstract, make, singleton)  # type: ignore[return-value]

    return wrap
