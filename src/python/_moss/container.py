"""The IoC container that fills `Moss` type hints, and the providers that make its values.

moss's own implementation of the public API of `ghostos_container` 0.2.7, which MOSS files
import; `import ghostos_container` serves this module when no such package is installed.
"""
from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod

from _moss import calls
from _moss.calls import call_factory

__all__ = [
    "IoCContainer", "FactoryType", "Container", "Provider", "Bootstrapper", "BootstrapProvider", "ProviderAdapter",
    "provide", "Contracts", "get_caller_info", "get_container", "set_container", "call_factory",
]

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any, ClassVar, Generic, Optional, TypeVar

    _Contract = TypeVar("_Contract")
    Factory = Callable[["Container"], Any]
else:
    _Contract = None

    class Generic:
        """Stands in for `typing.Generic` as `Provider`'s base at run time, so that type checkers
        read `Provider[Ball]` as generic while runs do not import `typing`."""

        def __class_getitem__(cls, item: object) -> type:
            return cls


TYPING_ALIASES = ("INSTANCE", "ABSTRACT", "Factory")
"""Names of this module made from `typing` when first asked for, not in every run."""


def __getattr__(name: str) -> object:
    """`INSTANCE`: the TypeVar of what a container holds for a contract; `ABSTRACT`: a contract
    (`Type[INSTANCE]`), usually an abstract class; `Factory`: makes a contract's value from the
    container (`Callable[[Container], Any]`)."""
    if name not in TYPING_ALIASES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from typing import Any, Callable, Type, TypeVar

    instance = TypeVar("INSTANCE")
    globals().update(INSTANCE=instance, ABSTRACT=Type[instance], Factory=Callable[[Container], Any])
    return globals()[name]


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


class IoCContainer(ABC):
    """What an IoC container offers: values and providers by contract, a parent asked for what
    it lacks, bootstrappers run once, shutdown callbacks."""

    @abstractmethod
    def set(self, abstract: Any, instance: Any) -> None:
        """Bind `abstract` to this one value, in this container only (never in its parent)."""

    @abstractmethod
    def register(self, *providers: Provider) -> None:
        """Let each provider make the value of its contract."""

    def add_bootstrapper(self, bootstrapper: Bootstrapper) -> None:
        """Run `bootstrapper` once when the container bootstraps (at once if it already did)."""

    @abstractmethod
    def bootstrap(self) -> None:
        """Run every bootstrapper, once; later calls do nothing."""

    @abstractmethod
    def get(self, abstract: Any) -> Any:
        """The value of `abstract` (made by its provider if need be), or None."""

    @abstractmethod
    def get_bound(self, abstract: Any) -> Any:
        """What `abstract` is bound to: its value, its provider, the contract it aliases, or None."""

    @abstractmethod
    def get_provider(self, abstract: Any) -> Optional[Provider]:
        """The provider registered for `abstract` here or in a parent, or None."""

    @abstractmethod
    def rebind(self, abstract: Any) -> None:
        """Register the provider of `abstract` again here, so its value is made afresh."""

    @abstractmethod
    def fetch(self, abstract: Any, strict: bool = False) -> Any:
        """`get`; with `strict`, a value that is not an instance of `abstract` raises TypeError."""

    @abstractmethod
    def force_fetch(self, contract: Any, strict: bool = False) -> Any:
        """`fetch`, but raises NotImplementedError when nothing is bound to `contract`."""

    @abstractmethod
    def bound(self, contract: Any) -> bool:
        """Whether `contract` is bound here or in a parent."""

    @abstractmethod
    def contracts(self, recursively: bool = True) -> Iterable[Any]:
        """The bound contracts, this container's first, then its parents' (with `recursively`)."""

    @abstractmethod
    def providers(self, recursively: bool = True) -> Iterable[Provider]:
        """The registered providers, one per contract, this container's first."""

    @abstractmethod
    def shutdown(self) -> None:
        """Run the shutdown callbacks and joins once; the container is unusable afterwards."""

    @abstractmethod
    def make(self, cls: type, *args: Any, **kwargs: Any) -> Any:
        """The value bound to `cls`, else a new `cls(*args, **kwargs)` whose other constructor
        parameters are filled by type annotation."""

    @abstractmethod
    def call(self, caller: Callable, *args: Any, **kwargs: Any) -> Any:
        """`caller(*args, **kwargs)` with its other parameters filled by type annotation."""


class FactoryType(ABC):
    """A class that makes its own instances: `container.get(cls)` registers it on first use."""

    @classmethod
    @abstractmethod
    def singleton(cls) -> bool:
        """Whether the container keeps the first instance made."""

    @classmethod
    @abstractmethod
    def factory(cls, con: IoCContainer) -> Any:
        """Make an instance; `con` gives what it needs."""


class Container(IoCContainer):
    """Values and providers by contract. A parent answers what this container lacks; a child
    inherits the parent's inheritable (non-singleton) providers, which then make values with the
    child's bindings.

    moss adds `bind(abstract, value)`: a value, or a factory called on every fetch.
    """

    instance_count: ClassVar[int] = 0
    """How many containers exist (made and not yet collected)."""

    def __init__(self, parent: Optional[Container] = None, *, name: str = "", inherit: bool = True) -> None:
        self.parent: Optional[Container] = None
        self.name = name
        self.bloodline: list[str] = [name]
        """The names from the root container down to this one."""
        self._instances: dict[Any, Any] = {}
        self._providers: dict[Any, Any] = {}
        self._aliases: dict[Any, Any] = {}
        self._bound: dict[Any, None] = {}
        self._bootstrappers: list[Bootstrapper] = []
        self._bootstrapped = False
        self._on_shutdown: list[Callable[[], Any]] = []
        self._joins: list[Callable[[], Any]] = []
        self._shut_down = False
        self._making: list[type] = []
        if parent is not None:
            self.set_parent(parent, inherit=inherit)
        Container.instance_count += 1
        self._counted = True

    def set_parent(self, parent: Container, shutdown: bool = True, inherit: bool = True) -> None:
        """Ask `parent` for what this container lacks; with `shutdown`, shut down with it; with
        `inherit`, take over its inheritable providers (not its bootstrappers)."""
        if not isinstance(parent, Container):
            raise TypeError(f"a container's parent must be a Container, not {type(parent).__name__}")
        if parent is self:
            raise ValueError("a container cannot be its own parent")
        self.parent = parent
        self.bloodline = [*parent.bloodline, self.name]
        if shutdown:
            parent.add_shutdown(self.shutdown)
        if inherit:
            for provider in parent.providers(recursively=True):
                if _inheritable(provider) and not isinstance(provider, Bootstrapper):
                    self._register(provider)

    def bootstrap(self) -> None:
        self._check_usable()
        if self._bootstrapped:
            return
        # Marked first: a bootstrapper that uses the container must not start bootstrapping again.
        self._bootstrapped = True
        for bootstrapper in list(self._bootstrappers):
            bootstrapper.bootstrap(self)

    def add_bootstrapper(self, bootstrapper: Bootstrapper) -> None:
        self._check_usable()
        self._bootstrappers.append(bootstrapper)
        if self._bootstrapped:
            bootstrapper.bootstrap(self)

    def add_shutdown(self, shutdown: Callable[[], Any]) -> None:
        """Call `shutdown()` when the container shuts down."""
        self._on_shutdown.append(shutdown)

    def add_join(self, join_call: Callable[[], Any]) -> None:
        """Call `join_call()` when the container shuts down, after the shutdown callbacks."""
        self._joins.append(join_call)

    def set(self, abstract: Any, instance: Any) -> None:
        self._check_usable()
        self._providers.pop(abstract, None)
        self._instances[abstract] = instance
        self._bound[abstract] = None

    def bind(self, abstract: Any, value: Any) -> None:
        """Bind `abstract` (a moss shorthand): a callable `value` is a factory called on every
        fetch (with the container when it takes an argument), anything else a value, as `set`."""
        if not callable(value):
            self.set(abstract, value)
            return
        lineinfo = get_caller_info(2)
        self.register(ProviderAdapter(abstract, lambda container: call_factory(value, container), False, lineinfo))

    def bound(self, contract: Any) -> bool:
        self._check_usable()
        return contract in self._bound or (self.parent is not None and self.parent.bound(contract))

    def get(self, abstract: Any) -> Any:
        self._check_usable()
        if self._bootstrappers and not self._bootstrapped:
            import warnings

            warnings.warn(
                f"container {self.bloodline} has {len(self._bootstrappers)} bootstrapper(s) that have not run; "
                "call bootstrap() before using it",
                UserWarning,
                stacklevel=2,
            )
        if abstract in self._instances:
            return self._instances[abstract]
        if abstract in self._providers:
            provider = self._providers[abstract]
            made = provider.factory(self)
            if made is not None and _singleton(provider):
                self._instances[abstract] = made
            return made
        if isinstance(abstract, type) and issubclass(abstract, FactoryType):
            self.register(ProviderAdapter(abstract, abstract.factory, abstract.singleton(), get_caller_info(2)))
            return self.get(abstract)
        if abstract in self._aliases:
            return self.get(self._aliases[abstract])
        return self.parent.get(abstract) if self.parent is not None else None

    def get_bound(self, abstract: Any) -> Any:
        self._check_usable()
        for bindings in (self._instances, self._providers, self._aliases):
            if abstract in bindings:
                return bindings[abstract]
        return self.parent.get_bound(abstract) if self.parent is not None else None

    def register_maker(self, contract: Any, maker: Callable[[], Any], singleton: bool = False) -> None:
        """Register `maker()` (called with no argument) as the factory of `contract`."""
        self._check_usable()
        self.register(ProviderAdapter(contract, lambda _container: maker(), singleton, get_caller_info(2)))

    def register(self, *providers: Provider) -> None:
        """Let each provider make the value of its contract. A value already held for that contract
        here is dropped; aliases not yet bound follow the contract; a provider that is also a
        Bootstrapper is added as one."""
        self._check_usable()
        for provider in providers:
            self._register(provider)

    def _register(self, provider: Provider) -> None:
        for method in ("contract", "factory"):
            if not callable(getattr(provider, method, None)):
                raise TypeError(f"{provider!r} is not a provider: it has no {method}() method")
        contract = provider.contract()
        self._instances.pop(contract, None)
        self._providers[contract] = provider
        self._bound[contract] = None
        aliases = getattr(provider, "aliases", None)
        for alias in (aliases() if callable(aliases) else None) or []:
            if alias not in self._bound:
                self._aliases[alias] = contract
                self._bound[alias] = None
        if isinstance(provider, Bootstrapper):
            self.add_bootstrapper(provider)

    def fetch(self, abstract: Any, strict: bool = False) -> Any:
        self._check_usable()
        value = self.get(abstract)
        if value is not None and strict and isinstance(abstract, type) and not isinstance(value, abstract):
            raise TypeError(
                f"the value bound to {_name(abstract)} is a {type(value).__name__}, not an instance of it")
        return value

    def force_fetch(self, contract: Any, strict: bool = False) -> Any:
        value = self.fetch(contract, strict)
        if value is None:
            raise NotImplementedError(
                f"contract {_name(contract)} not register in container {self.bloodline}: "
                "set() a value or register() a provider for it")
        return value

    def get_provider(self, abstract: Any) -> Optional[Provider]:
        if abstract in self._providers:
            return self._providers[abstract]
        return self.parent.get_provider(abstract) if self.parent is not None else None

    def rebind(self, abstract: Any) -> None:
        provider = self.get_provider(abstract)
        if provider is not None:
            self.register(provider)

    def contracts(self, recursively: bool = True) -> Iterator[Any]:
        self._check_usable()
        seen = set()
        for contract in list(self._bound):
            seen.add(contract)
            yield contract
        if recursively and self.parent is not None:
            for contract in self.parent.contracts():
                if contract not in seen:
                    seen.add(contract)
                    yield contract

    def providers(self, recursively: bool = True) -> Iterator[Provider]:
        self._check_usable()
        seen = set()
        for contract, provider in list(self._providers.items()):
            seen.add(contract)
            yield provider
        if recursively and self.parent is not None:
            for provider in self.parent.providers():
                contract = provider.contract()
                if contract not in seen:
                    seen.add(contract)
                    yield provider

    def make(self, cls: type, *args: Any, **kwargs: Any) -> Any:
        """The value bound to `cls`, else a new instance: parameters not given are filled by
        annotation with what the container holds, else left to their defaults, else (for concrete
        classes outside the builtins) made in turn."""
        existing = self.get(cls)
        if existing is not None:
            return existing
        if not isinstance(cls, type):
            raise TypeError(f"make() needs a class, not {cls!r}")
        if cls in self._making:
            chain = " -> ".join(c.__qualname__ for c in [*self._making, cls])
            raise RuntimeError(f"cannot make {cls.__qualname__}: its constructor needs itself ({chain})")
        self._making.append(cls)
        try:
            namespace = vars(sys.modules[cls.__module__]) if cls.__module__ in sys.modules else {}
            return cls(*args, **self._injected(cls, namespace, args, kwargs))
        finally:
            self._making.pop()

    def call(self, caller: Callable, *args: Any, **kwargs: Any) -> Any:
        import inspect

        self._check_usable()
        namespace = getattr(inspect.unwrap(caller), "__globals__", None)
        if namespace is None:
            module = inspect.getmodule(caller)
            namespace = vars(module) if module is not None else {}
        return caller(*args, **self._injected(caller, namespace, args, kwargs))

    def _injected(self, target: Callable, namespace: dict, args: tuple, kwargs: dict) -> dict:
        """`kwargs` plus a value for each other parameter of `target` the container can fill."""
        import inspect

        try:
            signature = inspect.signature(target)
            given = signature.bind_partial(*args, **kwargs).arguments
        except (TypeError, ValueError):
            return dict(kwargs)  # calling it reports what is wrong, in Python's own words
        filled = dict(kwargs)
        fillable = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        for name, parameter in signature.parameters.items():
            if name in given or parameter.kind not in fillable:
                continue
            hint = calls.resolve_annotation(parameter.annotation, namespace)
            if hint is None:
                continue
            value = self.get(hint)
            if value is None and parameter.default is inspect.Parameter.empty and calls.makeable(hint):
                value = self.make(hint)
            if value is not None:
                filled[name] = value
        return filled

    def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        errors = []
        for callback in [*self._on_shutdown, *self._joins]:
            try:
                callback()
            except Exception as e:
                errors.append(e)
        if errors:
            details = ", ".join(f"{type(e).__name__}: {e}" for e in errors)
            raise RuntimeError(f"container {self.bloodline} shutdown errors: {details}") from errors[0]

    def _check_usable(self) -> None:
        if self._shut_down:
            raise RuntimeError(f"container {self.bloodline} is called after destroyed (shutdown() ran)")

    def __del__(self) -> None:
        if not getattr(self, "_counted", False):
            return
        try:
            self.shutdown()
        finally:
            Container.instance_count -= 1


class Contracts:
    """A list of contracts a container must have bound."""

    def __init__(self, contracts: list) -> None:
        self.contracts = contracts

    def validate(self, container: Container) -> None:
        """Raise NotImplementedError naming the first contract `container` has not bound."""
        for contract in self.contracts:
            if not container.bound(contract):
                raise NotImplementedError(
                    f"contract {_name(contract)} not bound to container: {get_caller_info(2)}")

    def join(self, target: Contracts) -> Contracts:
        """These contracts and `target`'s, each once."""
        return Contracts(list(dict.fromkeys([*self.contracts, *target.contracts])))


_global_container = Container()


def get_container() -> Container:
    """The process-wide container."""
    return _global_container


def set_container(container: Container) -> None:
    """Replace the process-wide container."""
    global _global_container
    _global_container = container


def _singleton(provider: Any) -> bool:
    singleton = getattr(provider, "singleton", None)
    return bool(singleton()) if callable(singleton) else True


def _inheritable(provider: Any) -> bool:
    inheritable = getattr(provider, "inheritable", None)
    return bool(inheritable()) if callable(inheritable) else not _singleton(provider)
