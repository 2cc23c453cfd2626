"""The contracts a MOSS file sees: the `Moss` base class, `Injection`, `SelfUpdater`, and the
compiler, runtime and prompter interfaces that lifecycle hooks and host code receive; with the
names a MOSS file's hooks and values are found under, and the default layout of a prompt.

Defined here, in the engine, which builds on them; `ghostos_moss.abcd` is their public home
(each class says so in `__module__`, as reflection and `repr` show it)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import ModuleType

from _moss.pycontext import PyContext

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from contextlib import AbstractContextManager
    from typing import Any, ClassVar, Dict, List, Optional, Type, TypeVar, Union

    from typing import Iterable, Tuple

    from ghostos_container import Container, Provider

    T = TypeVar("T")
    AttrPrompts = Iterable[Tuple[str, str]]

__all__ = [
    "Moss", "MossCompiler", "MossRuntime", "Execution", "MossPrompter", "AttrPrompts", "MOSS_TYPE_NAME",
    "MOSS_VALUE_NAME", "MOSS_HIDDEN_MARK", "MOSS_HIDDEN_UNMARK", "Injection", "SelfUpdater",
]


def __getattr__(name: str) -> object:
    """`AttrPrompts`, the type of `__moss_attr_prompts__()`: (name, prompt) pairs, an empty prompt
    hiding the name. Imported with the reference-style reflection when first asked for, not in
    every run."""
    if name != "AttrPrompts":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from _moss.reference_prompts import AttrPrompts

    globals()[name] = AttrPrompts
    return AttrPrompts


MOSS_TYPE_NAME = "Moss"
MOSS_VALUE_NAME = "moss"
MOSS_HIDDEN_MARK = "# <moss-hide>"
MOSS_HIDDEN_UNMARK = "# </moss-hide>"

COMPILE = "__moss_compile__"
"""The hook that registers bindings on the compiler, after the source ran."""
COMPILED = "__moss_compiled__"
"""The hook that finishes setting up `moss`, after injection."""
ATTR_PROMPTS = "__moss_attr_prompts__"
"""The hook giving (name, prompt) pairs that replace reflections."""
MODULE_PROMPT = "__moss_module_prompt__"
"""The hook that writes the whole prompt."""
EXEC = "__moss_exec__"
"""The hook that executes code and calls the target."""

PUBLIC_MODULE = "ghostos_moss.abcd"

ATTRS_HEADER = "# What the names imported above are (one <attr> section each):"


class Moss(ABC):
    """The object passed to your code as `moss`.

    Typed attributes without a value are injected by the host. Attributes holding plain data
    (bool, int, float, str, list, dict, None, pydantic models, dataclasses) persist: whatever you
    assign to `moss.<name>` is there again the next time your code runs.
    """

    __module__ = PUBLIC_MODULE

    executing_code: Optional[str]
    """The code being executed now."""

    __watching__: List[Any] = []
    """Classes, functions or modules to show in the prompt although no attribute holds them."""

    __ignored__: List[str] = []
    """Module names whose interfaces the prompt should not show."""

    def fetch(self, abstract: Type[T]) -> Optional[T]:
        """The host's value bound to `abstract` (a type), or None when nothing is bound."""
        container = self.__dict__.get("_moss_container")
        return container.fetch(abstract) if container is not None else None

    @abstractmethod
    def pprint(self, *args: Any, **kwargs: Any) -> None:
        """Pretty-print values to the run's output."""


class Injection(ABC):
    """A value bound to `Moss` that wants to know when it is injected and destroyed."""

    __module__ = PUBLIC_MODULE

    @abstractmethod
    def on_inject(self, runtime: MossRuntime, property_name: str) -> Injection:
        """Called when the value is set on the `moss` instance as `property_name`."""

    @abstractmethod
    def on_destroy(self) -> None:
        """Called once when the run ends, whether the code succeeded or not."""


class Execution(tuple[object, ...]):
    """What running code in a runtime produced: the target's return value, what the run printed,
    and the runtime's PyContext afterwards. A named tuple (`returns, printed, context = ...`),
    written out so that every run does not import `typing` or `collections` for it."""

    __module__ = PUBLIC_MODULE

    __slots__ = ()
    _fields = ("returns", "std_output", "pycontext")

    def __new__(cls, returns: Any, std_output: str = "", pycontext: Optional[PyContext] = None) -> Execution:
        return tuple.__new__(cls, (returns, std_output, pycontext))

    returns = property(lambda self: self[0], doc="What the target returned.")
    std_output = property(lambda self: self[1], doc="What the run printed.")
    pycontext = property(lambda self: self[2], doc="The runtime's PyContext after the run.")

    def _asdict(self) -> Dict[str, Any]:
        return dict(zip(self._fields, self))

    def _replace(self, **changes: Any) -> Execution:
        return Execution(**{**self._asdict(), **changes})

    def __getnewargs__(self) -> tuple[object, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        return "Execution(" + ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self)) + ")"


class SelfUpdater(ABC):
    """Edits the source of the MOSS file itself. Edits change only the runtime's PyContext code
    until `save()` writes the file."""

    __module__ = PUBLIC_MODULE

    @abstractmethod
    def append(self, code: str) -> None:
        """Add `code` at the end of the source."""

    @abstractmethod
    def replace_attr(self, attr_name: str, code: str) -> None:
        """Replace the top-level function or class `attr_name` with `code`."""

    @abstractmethod
    def getsource(self) -> str:
        """The current source (with edits not saved yet)."""

    @abstractmethod
    def rewrite(self, code: str) -> None:
        """Replace the whole source with `code`."""

    @abstractmethod
    def save(self, reload: bool = True) -> None:
        """Write the edited source to the MOSS file (atomically), then reload the module if asked."""


class MossCompiler(ABC):
    """Compiles a module into a `MossRuntime`; `__moss_compile__(compiler)` receives it.

    A compiler is used once: `compile()` may be called a single time, then the compiler is closed.
    """

    __module__ = PUBLIC_MODULE

    __compiling__: bool = False
    __compiled__: bool = False

    @abstractmethod
    def container(self) -> Container:
        """The IoC container that fills the `Moss` type hints."""

    @abstractmethod
    def with_default_moss_type(self, moss_type: Union[Type[Moss], str]) -> MossCompiler:
        """The `Moss` class for modules that define none (a class, or "module:attr")."""

    @abstractmethod
    def pycontext(self) -> PyContext:
        """The PyContext the compiled runtime starts from."""

    @abstractmethod
    def join_context(self, context: PyContext) -> MossCompiler:
        """Merge `context` into the compiler's PyContext (its values win for properties)."""

    @abstractmethod
    def pycontext_code(self) -> str:
        """The source to compile: the PyContext's code, else the module's source."""

    @abstractmethod
    def with_locals(self, **kwargs: Any) -> MossCompiler:
        """Place names in the compiled module before its source runs."""

    @abstractmethod
    def with_ignored_imported(self, module_names: List[str]) -> MossCompiler:
        """Modules whose names the prompt does not reflect."""

    @abstractmethod
    def injects(self, **attrs: Any) -> MossCompiler:
        """Set values directly on the `moss` instance."""

    def register(self, provider: Provider[Any]) -> None:
        """Register a provider in the compiler's container."""
        self.container().register(provider)

    def bind(self, abstract: Any, value: Any) -> None:
        """Bind `abstract` to `value`: a callable is a factory called with the container on each
        fetch, anything else is the instance itself."""
        if callable(value) and not isinstance(value, type):
            from ghostos_container import provide

            self.register(provide(abstract, singleton=False)(value))
        else:
            self.container().set(abstract, value)

    def compile(self, modulename: Optional[str] = None) -> MossRuntime:
        """Compile the module (the PyContext's module when `modulename` is None) into a runtime."""
        if self.__compiling__:
            raise RuntimeError("compile() called again while compiling")
        if self.__compiled__:
            raise RuntimeError("this compiler already compiled a module: get a new one")
        self.__compiling__ = True
        try:
            module = self._compile(modulename)
            hook = module.__dict__.get(COMPILE)
            if callable(hook):
                hook(self)
            return self._new_runtime(module)
        finally:
            self.__compiling__ = False
            self.__compiled__ = True
            self.close()

    @abstractmethod
    def _compile(self, modulename: Optional[str] = None) -> ModuleType:
        """Run the source in a new module."""

    @abstractmethod
    def _new_runtime(self, module: ModuleType) -> MossRuntime:
        """Build `moss` and the runtime for a compiled module."""

    @abstractmethod
    def close(self) -> None:
        """Release what the compiler holds."""

    def __enter__(self) -> MossCompiler:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class MossPrompter(ABC):
    """Builds the prompt of a compiled module; `__moss_module_prompt__(prompter)` receives it."""

    __module__ = PUBLIC_MODULE

    @abstractmethod
    def container(self) -> Container:
        """The runtime's container."""

    @abstractmethod
    def module(self) -> ModuleType:
        """The compiled module."""

    @abstractmethod
    def get_source_code(self, exclude_hide_code: bool = True) -> str:
        """The module's source, without `# <moss-hide>` regions unless asked."""

    @abstractmethod
    def get_imported_attrs(self) -> Dict[str, Any]:
        """The module's public names and values that come from elsewhere."""

    @abstractmethod
    def get_imported_attrs_prompt(self, includes: Optional[List[str]] = None) -> str:
        """The reflections of the imported names (only `includes` when given)."""

    @abstractmethod
    def replaced_magic_prompts(self) -> Dict[str, str]:
        """The text each magic prompter of the module (`__is_subclass__(...)`) became, by name."""

    def get_magic_prompt(self) -> str:
        """The magic prompters' texts, each under its name."""
        return "\n\n".join(f"`{name}`:\n{text.strip()}" for name, text in self.replaced_magic_prompts().items())

    def imported_attr_prompts(self) -> AttrPrompts:
        """(name, prompt) pairs reflecting the module's imported names."""
        from _moss.reference_prompts import reflect_locals_imported  # the prompt's reflection, not a run's

        module = self.module()
        yield from reflect_locals_imported(module.__name__, module.__dict__)

    def dump_imported_prompt(self, auto_generation: bool = True, attr_prompts: Optional[Dict[str, str]] = None) -> str:
        """`<attr>` sections: the module's `__moss_attr_prompts__()` first ("" hides a name), then
        the reflections of other imported names when `auto_generation`. Names in `attr_prompts`
        are not reflected."""
        from _moss.reference_prompts import compile_attr_prompts

        done: Dict[str, str] = dict(attr_prompts or {})
        order: List[str] = []
        hook = self.module().__dict__.get(ATTR_PROMPTS)
        pairs = list(hook()) if callable(hook) else []
        if auto_generation:
            pairs += list(self.imported_attr_prompts())
        for name, prompt in pairs:
            if prompt is None or name in done:
                continue
            done[name] = prompt
            order.append(name)
        return compile_attr_prompts([(name, done[name]) for name in order])

    def dump_module_prompt(self, attr_prompts: Optional[Dict[str, str]] = None) -> str:
        """The module's prompt: its `__moss_module_prompt__` hook, else the default one."""
        hook = self.module().__dict__.get(MODULE_PROMPT)
        if callable(hook):
            prompt: str = hook(self)
            return prompt
        return default_module_prompt(self, attr_prompts)


def default_module_prompt(prompter: MossPrompter, attr_prompts: Optional[Dict[str, str]] = None) -> str:
    """The prompt of a module without a `__moss_module_prompt__` hook: the visible source, then the
    reflections of imported names in a quoted block."""
    return default_layout(prompter.get_source_code(True), prompter.dump_imported_prompt(attr_prompts=attr_prompts))


def default_layout(source: str, attrs: str) -> str:
    """The visible source, then the `<attr>` sections in a quoted block."""
    source = source.rstrip()
    if not attrs:
        return source + "\n"
    return f"{source}\n\n\n{ATTRS_HEADER}\n{_quoted(attrs)}\n"


def _quoted(text: str) -> str:
    """Wrap in triple quotes that the text itself does not contain."""
    for quote in ('"""', "'''"):
        if quote not in text:
            return f"{quote}\n{text}\n{quote}"
    return '"""\n' + text.replace('"""', '\\"\\"\\"') + '\n"""'


class MossRuntime(ABC):
    """A compiled module with its `moss` instance; lifecycle hooks and injections receive it."""

    __module__ = PUBLIC_MODULE

    instance_count: ClassVar[int] = 0

    @abstractmethod
    def container(self) -> Container:
        """The IoC container used for injection."""

    @abstractmethod
    def lint_exec_code(self, code: str) -> Optional[str]:
        """Why `code` would not compile with the module's source, or None."""

    @abstractmethod
    def prompter(self) -> MossPrompter:
        """The prompter of the compiled module."""

    @abstractmethod
    def module(self) -> ModuleType:
        """The compiled module."""

    @abstractmethod
    def locals(self) -> Dict[str, Any]:
        """The compiled module's namespace, holding `Moss` and `moss`."""

    @abstractmethod
    def moss_injections(self) -> Dict[str, Any]:
        """The values injected into `moss`, by attribute name."""

    @abstractmethod
    def moss(self) -> Moss:
        """The injected `moss` instance."""

    @abstractmethod
    def dump_pycontext(self) -> PyContext:
        """The runtime's PyContext with `moss`'s current properties."""

    @abstractmethod
    def dump_std_output(self) -> str:
        """What the runtime's executions printed so far."""

    @abstractmethod
    def redirect_stdout(self) -> AbstractContextManager[None]:
        """A context in which what is printed is also recorded for `dump_std_output()`."""

    @abstractmethod
    def update_executing_code(self, code: Optional[str] = None) -> None:
        """Record the code about to be executed (`moss.executing_code`)."""

    @abstractmethod
    def close(self) -> None:
        """Call `on_destroy()` on injections and shut the container down; idempotent."""

    def get_moss_injected_poms(self) -> Dict[str, Any]:
        """The injections that are prompt object models (they have `get_prompt(container)`)."""
        return {name: value for name, value in self.moss_injections().items()
                if callable(getattr(value, "get_prompt", None)) and callable(getattr(value, "self_prompt", None))}

    def moss_type(self) -> Type[Moss]:
        """The module's `Moss` class (the base class when the module defines none)."""
        found = self.module().__dict__.get(MOSS_TYPE_NAME, Moss)
        if not (isinstance(found, type) and issubclass(found, Moss)):
            raise TypeError(f"{MOSS_TYPE_NAME} in module {self.module().__name__} is {found!r}, not a Moss subclass")
        return found

    @abstractmethod
    def execute(self, *, target: str, code: Optional[str] = None, local_args: Optional[List[str]] = None,
                local_kwargs: Optional[Dict[str, str]] = None, args: Optional[List[Any]] = None,
                kwargs: Optional[Dict[str, Any]] = None) -> Execution:
        """Run `code` in the module, then call `target` with the given arguments (`local_args`
        name module values) or return it when it is not callable."""

    def __enter__(self) -> MossRuntime:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
