"""Compiling a MOSS file: run its source in a fresh module, then build and inject `moss`."""
from __future__ import annotations

import importlib
import importlib.util
import keyword
import os
import sys
import types
from copy import deepcopy

from _moss import values
from _moss.container import Container
from _moss.runtime import CONTAINER_SLOT, Runtime
from ghostos_moss import lifecycle
from ghostos_moss.abcd import MOSS_TYPE_NAME, MOSS_VALUE_NAME, Injection, Moss, MossCompiler
from ghostos_moss.pycontext import PyContext


class BindingMissing(Exception):
    """A `Moss` type hint that nothing fills."""

    def __init__(self, attr: str, hint: object) -> None:
        shown = hint if isinstance(hint, str) else getattr(hint, "__qualname__", repr(hint))
        super().__init__(
            f"Moss.{attr}: {shown} has nothing bound to it, so moss cannot inject it"
        )
        self.attr = attr
        robot = getattr(hint, "__module__", "") == "sphero_bolt"
        self.hint = ("pass --device sim for the simulated BOLT (or --device with a real one)" if robot else None)


def module_name_for(stem: str) -> str:
    """The compiled module's name: the file's stem, unless that would shadow the standard library."""
    if stem.isidentifier() and stem not in sys.stdlib_module_names and stem != "__main__":
        return stem
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    return f"moss_file_{safe}"


def placement(path: str) -> tuple[str, str | None]:
    """The name a MOSS file is compiled as, and the folder its package is imported from.

    As Python names what it imports: a file in a package (folders with `__init__.py` up the
    tree) is `pkg.sub.agent`, its package importable from the top package's parent folder
    (None for a file outside packages, named by `module_name_for`). Packages are found beside
    the real file, as Python finds a script's folder through symbolic links.
    """
    real = os.path.realpath(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    parts = [os.path.splitext(os.path.basename(real))[0]]
    folder = os.path.dirname(real)
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.dirname(folder) != folder:
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    dotted = len(parts) > 1 and parts[-1] != "__init__" and parts[0] not in sys.stdlib_module_names
    if not dotted or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return module_name_for(stem), None
    return ".".join(parts), folder


def load_module(path: str, name: str, source: str) -> types.ModuleType:
    """Execute the MOSS file's source in a new module registered as `name`.

    Registered before it runs, as an import would be, so dataclasses and pydantic models
    defined in it can find their module. A dotted name is a module of a package: the package is
    imported first, relative imports work, and `import pkg.agent` elsewhere gets this module.
    """
    package = name.rpartition(".")[0]
    parent = importlib.import_module(package) if package else None
    module = types.ModuleType(name)
    module.__file__ = path
    if parent is not None:
        module.__package__ = package
        module.__spec__ = importlib.util.spec_from_file_location(name, path)
    sys.modules[name] = module
    try:
        exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    if parent is not None:
        setattr(parent, name.rpartition(".")[2], module)
    return module


class Compiler(MossCompiler):
    """What `__moss_compile__(compiler)` receives."""

    def __init__(self, module: types.ModuleType, source: str, container: Container) -> None:
        self._module = module
        self._source = source
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

    def pycontext_code(self) -> str:
        """The MOSS file's source."""
        return self._source

    def join_context(self, context: PyContext) -> Compiler:
        self._pycontext = context
        return self


def build_runtime(module: types.ModuleType, source: str, saved: dict, host: Container) -> Runtime:
    """Run `__moss_compile__`, then make `moss`: defaults, saved properties, explicit injections,
    container injection of the remaining type hints, `on_inject`, `__moss_compiled__`.

    If anything fails after an injection was made, its `on_destroy()` still runs.
    """
    compiler = Compiler(module, source, Container(parent=host))
    hook = module.__dict__.get(lifecycle.COMPILE)
    if callable(hook):
        hook(compiler)

    moss_type = module.__dict__.get(MOSS_TYPE_NAME, compiler._default_moss_type or Moss)
    if not (isinstance(moss_type, type) and issubclass(moss_type, Moss)):
        raise TypeError(f"{MOSS_TYPE_NAME} in the MOSS file is {moss_type!r}, not a subclass of ghostos_moss.Moss")
    module.__dict__.setdefault(MOSS_TYPE_NAME, moss_type)
    moss = _instantiate(moss_type)
    moss.__dict__[CONTAINER_SLOT] = compiler.container()
    runtime = Runtime(module, source, compiler.container(), moss, compiler.ignored_modules)
    try:
        _inject(runtime, moss_type, compiler, saved)
    except BaseException:
        runtime.destroy()
        raise
    return runtime


def _inject(runtime: Runtime, moss_type: type, compiler: Compiler, saved: dict) -> None:
    moss = runtime.moss()
    module = runtime.module()
    classes = own_classes(moss_type)
    hints = _type_hints(classes, module)
    runtime.constants.update(_classvar_names(classes, module))
    injected = {name for name in hints if not hasattr(moss_type, name)} | set(compiler._injects)
    _place_defaults(runtime, classes)
    _restore(runtime, saved, injected)

    for name, value in compiler._injects.items():
        setattr(moss, name, value)
        runtime.injections[name] = value

    for name, hint in hints.items():
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


def _place_defaults(runtime: Runtime, classes: list[type]) -> None:
    """Each class-level property value, copied onto `moss` as written (so the code's changes
    never reach the class); a value that cannot be copied stays a class attribute, unsaved."""
    for cls in reversed(classes):
        for name, value in vars(cls).items():
            if name.startswith("_") or name in runtime.constants or not values.is_storable_default(value):
                continue
            try:
                copy = deepcopy(value)
            except Exception as e:
                runtime.warnings.append(
                    f"moss.{name}: its default could not be copied ({type(e).__name__}: {e}), so it is not "
                    "a property: changes to it are not saved"
                )
                continue
            runtime.moss().__dict__[name] = copy
            runtime.placed_defaults[name] = copy


def _restore(runtime: Runtime, saved: dict, injected: set[str]) -> None:
    """The saved properties onto `moss`, except those that are now injected or ClassVars: those
    are dropped from the context with a warning (they are not saved again, so it comes once)."""
    for name, stored in saved.items():
        if name in injected or name in runtime.constants:
            now = "injected" if name in injected else "a ClassVar of the Moss class"
            runtime.warnings.append(f"moss.{name} is {now} now; its stored value was dropped from the context")
            continue
        notes: list[str] = []
        try:
            runtime.moss().__dict__[name] = values.decode(stored, f"moss.{name}", notes)
        except Exception as e:
            runtime.unrestored.append(name)
            runtime.warnings.append(
                f"moss.{name} was not restored ({e}); its stored value is kept in the context file"
            )
            continue
        runtime.warnings.extend(notes)


def own_classes(moss_type: type) -> list[type]:
    """The classes of a `Moss` subclass's MRO that the MOSS file (or its imports) defined."""
    return [c for c in moss_type.__mro__ if c not in Moss.__mro__]


def _instantiate(moss_type: type) -> Moss:
    """`Moss()`, unless its `__init__` wants arguments nobody can give: then it is skipped, as
    the reference package does."""
    init = moss_type.__init__
    code = getattr(init, "__code__", None)
    if init is object.__init__ or code is None or code.co_argcount - len(init.__defaults__ or ()) <= 1:
        return moss_type()
    return moss_type.__new__(moss_type)


def _type_hints(classes: list[type], module: types.ModuleType) -> dict[str, object]:
    """Annotations of the `Moss` subclasses, resolved in the module; ClassVars left out."""
    return {name: hint for name, hint in _annotations(classes, module).items() if not _is_classvar(hint)}


def _classvar_names(classes: list[type], module: types.ModuleType) -> set[str]:
    return {name for name, hint in _annotations(classes, module).items() if _is_classvar(hint)}


def _annotations(classes: list[type], module: types.ModuleType) -> dict[str, object]:
    """Annotations of the `Moss` subclasses, resolved in the module where they can be."""
    hints: dict[str, object] = {}
    for cls in reversed(classes):
        for name, hint in cls.__dict__.get("__annotations__", {}).items():
            if isinstance(hint, str) and not hint.startswith(("ClassVar", "typing.ClassVar")):
                try:
                    hint = eval(hint, module.__dict__)
                except Exception:
                    pass
            hints[name] = hint
    return hints


def _is_classvar(hint: object) -> bool:
    if isinstance(hint, str):
        return hint.startswith(("ClassVar", "typing.ClassVar"))
    typing = sys.modules.get("typing")
    return typing is not None and (hint is typing.ClassVar or getattr(hint, "__origin__", None) is typing.ClassVar)


def hinted_types(moss_type: type, module: types.ModuleType) -> list[type]:
    """The classes a `Moss` class's type hints name, also inside `Optional[...]`, `list[...]`."""
    found: list[type] = []
    for hint in _type_hints(own_classes(moss_type), module).values():
        for cls in _classes_in(hint):
            if cls not in found:
                found.append(cls)
    return found


def _classes_in(hint: object) -> list[type]:
    if isinstance(hint, type) and not isinstance(hint, types.GenericAlias):
        return [hint]
    return [cls for arg in getattr(hint, "__args__", None) or () for cls in _classes_in(arg)]
