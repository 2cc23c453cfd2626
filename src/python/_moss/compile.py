"""Compiling a MOSS file: run its source in a fresh module, then build and inject `moss`."""
from __future__ import annotations

import sys
import types
from contextlib import nullcontext

from _moss import values
from _moss.container import Container
from ghostos_moss import lifecycle
from ghostos_moss.abcd import MOSS_TYPE_NAME, MOSS_VALUE_NAME, Injection, Moss, MossCompiler, MossRuntime
from ghostos_moss.pycontext import PyContext


class BindingMissing(Exception):
    """A `Moss` type hint that nothing fills."""

    def __init__(self, attr: str, hint: object) -> None:
        shown = hint if isinstance(hint, str) else getattr(hint, "__qualname__", repr(hint))
        super().__init__(
            f"Moss.{attr}: {shown} has nothing bound to it, so moss cannot inject it"
        )
        self.attr = attr


def module_name_for(stem: str) -> str:
    """The compiled module's name: the file's stem, unless that would shadow the standard library."""
    if stem.isidentifier() and stem not in sys.stdlib_module_names and stem != "__main__":
        return stem
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    return f"moss_file_{safe}"


def load_module(path: str, name: str, source: str) -> types.ModuleType:
    """Execute the MOSS file's source in a new module registered as `name`.

    Registered before it runs, as an import would be, so dataclasses and pydantic models
    defined in it can find their module.
    """
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    try:
        exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


class Compiler(MossCompiler):
    """What `__moss_compile__(compiler)` receives."""

    def __init__(self, module: types.ModuleType, container: Container) -> None:
        self._module = module
        self._container = container
        self._injects: dict[str, object] = {}
        self._default_moss_type: type | None = None
        self.ignored_modules: list[str] = []
        self._pycontext = PyContext(module=module.__name__)

    def container(self) -> Container:
        return self._container

    def bind(self, abstract: object, value: object) -> None:
        self._container.bind(abstract, value)

    def register(self, provider: object) -> None:
        self._container.register(provider)

    def with_locals(self, **kwargs: object) -> Compiler:
        self._module.__dict__.update(kwargs)
        return self

    def injects(self, **attrs: object) -> Compiler:
        self._injects.update(attrs)
        return self

    def with_ignored_imported(self, module_names: list[str]) -> Compiler:
        self.ignored_modules.extend(module_names)
        return self

    def with_default_moss_type(self, moss_type: type) -> Compiler:
        self._default_moss_type = moss_type
        return self

    def pycontext(self) -> PyContext:
        return self._pycontext

    def join_context(self, context: PyContext) -> Compiler:
        self._pycontext = context
        return self


class Runtime(MossRuntime):
    """A compiled MOSS file and its injected `moss`."""

    def __init__(self, module: types.ModuleType, container: Container, moss: Moss) -> None:
        self._module = module
        self._container = container
        self._moss = moss
        self.injections: dict[str, object] = {}
        self.placed_defaults: dict[str, object] = {}
        self.unrestored: list[str] = []
        self.warnings: list[str] = []

    def container(self) -> Container:
        return self._container

    def module(self) -> types.ModuleType:
        return self._module

    def locals(self) -> dict:
        return self._module.__dict__

    def moss(self) -> Moss:
        return self._moss

    def moss_injections(self) -> dict:
        return dict(self.injections)

    def redirect_stdout(self) -> nullcontext:
        """Output is captured by the host process for the whole run; nothing to redirect."""
        return nullcontext()

    def dump_std_output(self) -> str:
        return ""

    def dump_pycontext(self) -> PyContext:
        return PyContext(module=self._module.__name__, properties=self.properties()[0],
                         execute_code=self._moss.executing_code)

    def properties(self) -> tuple[dict, list[str]]:
        """The encoded properties of `moss`, and a warning for each value that cannot be stored."""
        stored: dict[str, object] = {}
        warnings: list[str] = []
        for name, value in vars(self._moss).items():
            if name.startswith("_") or name in self.injections or name == "executing_code":
                continue
            if name in self.unrestored and self.placed_defaults.get(name, self) is value:
                continue
            try:
                stored[name] = values.encode(value, f"moss.{name}")
            except values.Unstorable as e:
                warnings.append(f"{e}; it was not saved (the other properties were)")
        return stored, warnings

    def destroy(self) -> list[str]:
        """Call `on_destroy()` on every injection once; failures become warnings."""
        warnings = []
        for name, value in self.injections.items():
            if isinstance(value, Injection):
                try:
                    value.on_destroy()
                except Exception as e:
                    warnings.append(f"moss.{name}.on_destroy() raised {type(e).__name__}: {e}")
        return warnings


def build_runtime(module: types.ModuleType, saved: dict, host: Container) -> Runtime:
    """Run `__moss_compile__`, then make `moss`: defaults, saved properties, explicit injections,
    container injection of the remaining type hints, `on_inject`, `__moss_compiled__`."""
    compiler = Compiler(module, Container(parent=host))
    hook = module.__dict__.get(lifecycle.COMPILE)
    if callable(hook):
        hook(compiler)

    moss_type = module.__dict__.get(MOSS_TYPE_NAME, compiler._default_moss_type or Moss)
    if not (isinstance(moss_type, type) and issubclass(moss_type, Moss)):
        raise TypeError(f"{MOSS_TYPE_NAME} in the MOSS file is {moss_type!r}, not a subclass of ghostos_moss.Moss")
    moss = moss_type()
    runtime = Runtime(module, compiler.container(), moss)

    own_classes = [c for c in moss_type.__mro__ if c not in Moss.__mro__]
    for cls in reversed(own_classes):
        for name, value in vars(cls).items():
            if not name.startswith("_") and values.is_storable_default(value):
                try:
                    copy = values.decode(values.encode(value))
                except (values.Unstorable, values.Unrestorable):
                    continue
                moss.__dict__[name] = copy
                runtime.placed_defaults[name] = copy

    for name, stored in saved.items():
        try:
            moss.__dict__[name] = values.decode(stored)
        except Exception as e:
            runtime.unrestored.append(name)
            runtime.warnings.append(
                f"moss.{name} was not restored ({e}); its stored value is kept in the context file"
            )

    for name, value in compiler._injects.items():
        setattr(moss, name, value)
        runtime.injections[name] = value

    for name, hint in _type_hints(own_classes, module).items():
        if name.startswith("_") or name in moss.__dict__ or hasattr(moss_type, name):
            continue
        if not compiler.container().bound(hint):
            raise BindingMissing(name, hint)
        value = compiler.container().fetch(hint)
        setattr(moss, name, value)
        runtime.injections[name] = value

    for name, value in runtime.injections.items():
        if isinstance(value, Injection):
            value.on_inject(runtime, name)

    module.__dict__[MOSS_VALUE_NAME] = moss
    hook = module.__dict__.get(lifecycle.COMPILED)
    if callable(hook):
        hook(moss)
    return runtime


def _type_hints(classes: list[type], module: types.ModuleType) -> dict[str, object]:
    """Annotations of the `Moss` subclasses, resolved in the module; ClassVars left out."""
    hints: dict[str, object] = {}
    for cls in reversed(classes):
        for name, hint in cls.__dict__.get("__annotations__", {}).items():
            if isinstance(hint, str):
                if hint.startswith(("ClassVar", "typing.ClassVar")):
                    continue
                try:
                    hint = eval(hint, module.__dict__)
                except Exception:
                    pass
            if _is_classvar(hint):
                continue
            hints[name] = hint
    return hints


def _is_classvar(hint: object) -> bool:
    typing = sys.modules.get("typing")
    return typing is not None and (hint is typing.ClassVar or getattr(hint, "__origin__", None) is typing.ClassVar)


def hinted_types(moss_type: type, module: types.ModuleType) -> list[type]:
    """The classes a `Moss` class's type hints name, also inside `Optional[...]`, `list[...]`."""
    own = [c for c in moss_type.__mro__ if c not in Moss.__mro__]
    found: list[type] = []
    for hint in _type_hints(own, module).values():
        for cls in _classes_in(hint):
            if cls not in found:
                found.append(cls)
    return found


def _classes_in(hint: object) -> list[type]:
    if isinstance(hint, type) and not isinstance(hint, types.GenericAlias):
        return [hint]
    return [cls for arg in getattr(hint, "__args__", None) or () for cls in _classes_in(arg)]
