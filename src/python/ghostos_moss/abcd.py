"""The contracts a MOSS file sees: the `Moss` base class, `Injection`, and the compiler,
runtime and prompter interfaces that lifecycle hooks receive."""
from __future__ import annotations

from abc import ABC, abstractmethod

MOSS_TYPE_NAME = "Moss"
MOSS_VALUE_NAME = "moss"
MOSS_HIDDEN_MARK = "# <moss-hide>"
MOSS_HIDDEN_UNMARK = "# </moss-hide>"

from ghostos_moss.prompts import AttrPrompts  # noqa: E402  (re-exported, as the reference does)


class Moss:
    """The object passed to your code as `moss`.

    Typed attributes without a value are injected by the host. Attributes holding plain data
    (bool, int, float, str, list, dict, None, pydantic models, dataclasses) persist: whatever you
    assign to `moss.<name>` is there again the next time your code runs.
    """

    executing_code: str | None = None
    """The code being executed now."""

    __watching__: list = []
    """Classes, functions or modules to show in the prompt although no attribute holds them."""

    __ignored__: list = []
    """Module names whose interfaces the prompt should not show."""

    def fetch(self, abstract: type) -> object | None:
        """The host's value bound to `abstract` (a type), or None when nothing is bound."""
        container = self.__dict__.get("_moss_container")
        return container.fetch(abstract) if container is not None else None

    def pprint(self, *args: object, **kwargs: object) -> None:
        """Pretty-print values to stdout."""
        from pprint import pprint

        for value in args:
            pprint(value, **kwargs)


class Injection(ABC):
    """A value bound to `Moss` that wants to know when it is injected and destroyed."""

    @abstractmethod
    def on_inject(self, runtime: MossRuntime, property_name: str) -> Injection:
        """Called when the value is set on the `moss` instance as `property_name`."""

    @abstractmethod
    def on_destroy(self) -> None:
        """Called once when the run ends, whether the code succeeded or not."""


class Execution:
    """What running generated code produced."""

    def __init__(self, returns: object, std_output: str = "", pycontext: object = None) -> None:
        self.returns = returns
        self.std_output = std_output
        self.pycontext = pycontext


class MossCompiler(ABC):
    """Prepares a MOSS file's runtime; `__moss_compile__(compiler)` receives it."""

    @abstractmethod
    def container(self) -> object:
        """The IoC container that fills the `Moss` type hints."""

    @abstractmethod
    def bind(self, abstract: object, value: object) -> None:
        """Bind `abstract` to `value`: a callable is a factory, anything else a singleton."""

    @abstractmethod
    def register(self, provider: object) -> None:
        """Register an object with `contract()` and `factory(container)` (and `singleton()`)."""

    @abstractmethod
    def with_locals(self, **kwargs: object) -> MossCompiler:
        """Place names in the compiled module."""

    @abstractmethod
    def injects(self, **attrs: object) -> MossCompiler:
        """Set values directly on the `moss` instance."""


class MossRuntime(ABC):
    """A compiled MOSS file with its `moss` instance; lifecycle hooks and injections receive it."""

    @abstractmethod
    def container(self) -> object:
        """The IoC container used for injection."""

    @abstractmethod
    def module(self) -> object:
        """The compiled module."""

    @abstractmethod
    def locals(self) -> dict:
        """The compiled module's namespace, holding `Moss` and `moss`."""

    @abstractmethod
    def moss(self) -> Moss:
        """The injected `moss` instance."""

    @abstractmethod
    def moss_injections(self) -> dict:
        """The values injected into `moss`, by attribute name."""

    def moss_type(self) -> type:
        """The `Moss` class of the module (the base class when the file defines none)."""
        return type(self.moss())


class MossPrompter(ABC):
    """Builds the prompt of a compiled MOSS file; `__moss_module_prompt__(prompter)` receives it."""

    @abstractmethod
    def get_source_code(self, exclude_hide_code: bool = True) -> str:
        """The MOSS file's source, without hidden regions unless asked."""

    @abstractmethod
    def imported_attr_prompts(self) -> AttrPrompts:
        """(name, prompt) pairs reflecting what the module imports."""

    @abstractmethod
    def dump_imported_prompt(self) -> str:
        """The reflections of imported names as one block of text."""

    @abstractmethod
    def dump_module_prompt(self) -> str:
        """The whole default prompt."""
