"""Providers: what makes the value of a contract for a `Container` (`Provider`, `provide`), and
the work a container does once its bindings are in place (`Bootstrapper`)."""
from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from collections.abc import Callable, Iterable
    from typing import Any, Generic, TypeVar

    from _moss.container import Container, Factory

    _Contract = TypeVar("_Contract")
else:
    _Contract = None

    class Generic:
        """Stands in for `typing.Generic` as `Provider`'s base at run time, so that type checkers
        read `Provider[Ball]` as generic while runs do not import `typing`."""

        def __class_getitem__(cls, item: object) -> type:
            return cls


class Provider(Generic[_Contract], ABC):
    """Makes the value of a contract. `class BallProvider(Provider[Ball])` provides `Ball` without
    defining `contract()`.

    `singleton()` (True unless overridden) keeps the first value made; a provider that is not a
    singleton is inheritable: child containers take it over and make values with their bindings.
    """

    # `Provider[Ball]`, as for a `typing.Generic` class, without importing `typing`.
    __class_getitem__ = classmethod(type(list[int]))

    def singleton(self) -> bool:
        """Whether the container keeps the first value made."""
        return True

    def inheritable(self) -> bool:
        """Whether child containers take this provider over."""
        return not self.singleton()

    def contract(self) -> Any:
        """The contract provided: by default the `X` of `Provider[X]` in the class's bases."""
        contract = _generic_contract(type(self))
        if contract is None:
            raise AttributeError(
                f"{type(self).__name__} names no contract: define contract() or subclass Provider[SomeType]")
        return contract

    def aliases(self) -> Iterable[Any]:
        """More contracts that follow this one when nothing else is bound to them."""
        return []

    @abstractmethod
    def factory(self, con: Container) -> Any:
        """Make the value; `con` gives what the value itself needs."""


class Bootstrapper(ABC):
    """Work to do once all bindings are in place, when the container bootstraps."""

    @abstractmethod
    def bootstrap(self, container: Container) -> None:
        """Do the work with the container."""


class BootstrapProvider(Provider, Bootstrapper):
    """A provider that is also a bootstrapper: registering it adds it as one."""


class ProviderAdapter(Provider):
    """A provider made of a contract and a factory function (what `provide` returns)."""

    def __init__(self, contract_type: Any, factory: Callable[[Container], Any], singleton: bool = True,
                 lineinfo: str = "") -> None:
        self._contract_type = contract_type
        self._factory = factory
        self._singleton = singleton
        self._lineinfo = lineinfo

    def singleton(self) -> bool:
        return self._singleton

    def contract(self) -> Any:
        return self._contract_type

    def factory(self, con: Container) -> Any:
        return self._factory(con)

    def __repr__(self) -> str:
        where = f" at {self._lineinfo}" if self._lineinfo else ""
        return f"<ghostos_container.ProviderAdapter for {_name(self._contract_type)}{where}>"


def provide(abstract: Any, singleton: bool = True, lineinfo: str = "") -> Callable[[Factory], Provider]:
    """Decorator: `provide(Ball)(lambda container: SimBall())` is a provider of `Ball`."""
    lineinfo = lineinfo or get_caller_info(2)

    def wrap(factory: Factory) -> Provider:
        return ProviderAdapter(abstract, factory, singleton, lineinfo)

    return wrap


def get_caller_info(backtrace: int = 1, with_full_file: bool = True) -> str:
    """`file:line` of a caller: 1 is the function calling this one, 2 its caller, and so on
    (the outermost frame when the stack is shallower)."""
    frame = sys._getframe(0)
    for _ in range(backtrace):
        if frame.f_back is None:
            break
        frame = frame.f_back
    filename = frame.f_code.co_filename
    return f"{filename if with_full_file else os.path.basename(filename)}:{frame.f_lineno}"


def _generic_contract(cls: type) -> Any:
    """The `X` of the nearest `Provider[X]` (or subclass `[X]`) among the bases of `cls`."""
    for klass in cls.__mro__:
        for base in klass.__dict__.get("__orig_bases__", ()):
            origin = getattr(base, "__origin__", None)
            if isinstance(origin, type) and issubclass(origin, Provider):
                args = getattr(base, "__args__", ())
                typing = sys.modules.get("typing")  # a TypeVar exists only once `typing` is imported
                if args and not (typing is not None and isinstance(args[0], typing.TypeVar)):
                    return args[0]
    return None


def _name(contract: Any) -> str:
    return getattr(contract, "__qualname__", None) or repr(contract)
