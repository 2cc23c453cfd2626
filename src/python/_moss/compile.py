"""Compiling a MOSS file: run its source in a fresh module, then build and inject `moss`."""
from __future__ import annotations

import keyword
import os
import sys
import types

import _moss_native as native

from _moss import sources, values
from _moss.container import Container
from _moss.contracts import COMPILED, MOSS_TYPE_NAME, MOSS_VALUE_NAME, Injection, Moss, MossCompiler, SelfUpdater
from _moss.hints import classvar_names, own_classes, type_hints
from _moss.pycontext import PyContext
from _moss.runtime import CONTAINER_SLOT, Runtime


class BindingMissing(Exception):
    """A `Moss` type hint that nothing fills."""

    def __init__(self, attr: str, hint: object) -> None:
        shown = hint if isinstance(hint, str) else getattr(hint, "__qualname__", repr(hint))
        super().__init__(
            f"Moss.{attr}: {shown} has nothing bound to it, so moss cannot inject it"
        )
        self.attr = attr
        robot = getattr(hint, "__module__", "").partition(".")[0] == "sphero_bolt"
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


def _imported(name: str) -> types.ModuleType:
    """The module `name` (absolute), imported if it is not yet: `importlib.import_module` without
    importing `importlib` (and `warnings` with it) into every run."""
    __import__(name)
    return sys.modules[name]


def load_module(path: str, name: str, source: str, package: str | None = None) -> types.ModuleType:
    """Execute the MOSS file's source in a new module registered as `name`.

    Registered before it runs, as an import would be, so dataclasses and pydantic models
    defined in it can find their module. A dotted name is a module of a package: the package is
    imported first, relative imports work, and `import pkg.agent` elsewhere gets this module.
    `package` gives a module that is not its package's own (`__test__`) the package its relative
    imports resolve in.
    """
    package = name.rpartition(".")[0] if package is None else package
    parent = _imported(package) if package else None
    module = types.ModuleType(name)
    module.__file__ = path
    if parent is not None:
        module.__package__ = package
        from importlib.util import spec_from_file_location  # imports `contextlib`: only for a package

        module.__spec__ = spec_from_file_location(name, path)
    sys.modules[name] = module
    try:
        exec(native.compile_module(source, path), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    if parent is not None and name.startswith(f"{package}."):
        setattr(parent, name.rpartition(".")[2], module)
    return module


class Compiler(MossCompiler):
    """Compiles a module into a runtime: what `__moss_compile__(compiler)` receives, and what
    `get_moss_compiler()` returns.

    The `moss` tool hands it the MOSS file's module, already loaded (`preloaded`) with its stored
    properties; through the Python API it compiles a module by name, or the PyContext's code.
    A runtime compiled `for_prompt` leaves a typed attribute that nothing binds unset instead of
    failing: a prompt is read from the types, and no code runs in that runtime.
    """

    def __init__(self, container: Container | None = None, *, preloaded: tuple[types.ModuleType, str] | None = None,
                 saved: dict | None = None, for_prompt: bool = False) -> None:
        from _moss.modules import DefaultModules, ImportWrapper, Modules

        self._container = Container(parent=container)
        self._modules = (container.fetch(Modules) if container is not None else None) or DefaultModules()
        self._preloaded = preloaded
        self._saved = saved or {}
        self._for_prompt = for_prompt
        self._source = ""
        self._locals: dict[str, object] = {} if preloaded else {"__import__": ImportWrapper(self._modules)}
        self._injects: dict[str, object] = {}
        self._default_moss_type: type | None = None
        self.ignored_modules: list[str] = []
        self._pycontext = PyContext(module=preloaded[0].__name__ if preloaded else None)

    def container(self) -> Container:
        return self._container

    def bind(self, abstract: object, value: object) -> None:
        self._container.bind(abstract, value)

    def with_locals(self, **kwargs: object) -> Compiler:
        self._locals.update(kwargs)
        if self._preloaded:
            self._preloaded[0].__dict__.update(kwargs)
        return self

    def injects(self, **attrs: object) -> Compiler:
        self._injects.update(attrs)
        return self

    def with_ignored_imported(self, module_names: list[str]) -> Compiler:
        self.ignored_modules.extend(module_names)
        return self

    def with_default_moss_type(self, moss_type: type | str) -> Compiler:
        if isinstance(moss_type, str):
            modulename, _, attr = moss_type.partition(":")
            moss_type = getattr(_imported(modulename), attr)
        if not (isinstance(moss_type, type) and issubclass(moss_type, Moss)):
            raise TypeError(f"the default Moss type must be a subclass of ghostos_moss.Moss, not {moss_type!r}")
        self._default_moss_type = moss_type
        return self

    def pycontext(self) -> PyContext:
        return self._pycontext

    def join_context(self, context: PyContext) -> Compiler:
        """Merge `context` in: its module and code fill what is not set yet, its properties win."""
        self._pycontext = self._pycontext.join(context)
        return self

    def pycontext_code(self) -> str:
        """The PyContext's code when it has some, else the source of its module."""
        if self._preloaded:
            return self._preloaded[1]
        if self._pycontext.code is not None:
            return self._pycontext.code
        if self._pycontext.module is None:
            return ""
        return self._modules.getsource(self._pycontext.module)

    def close(self) -> None:
        """Nothing to release: the compiled runtime owns the container from here on."""

    def _compile(self, modulename: str | None = None) -> types.ModuleType:
        if self._preloaded:
            self._source = self._preloaded[1]
            # As for a module compiled by name: bootstrappers registered from here on run at once.
            self._container.bootstrap()
            return self._preloaded[0]
        return compile_by_name(self, modulename)

    def _new_runtime(self, module: types.ModuleType) -> Runtime:
        from _moss.self_updater import SelfUpdaterProvider

        moss_type = module.__dict__.get(MOSS_TYPE_NAME, self._default_moss_type or Moss)
        if not (isinstance(moss_type, type) and issubclass(moss_type, Moss)):
            raise TypeError(f"{MOSS_TYPE_NAME} in the MOSS file is {moss_type!r}, not a subclass of ghostos_moss.Moss")
        module.__dict__.setdefault(MOSS_TYPE_NAME, moss_type)
        moss = _instantiate(moss_type)
        self._container.set(PyContext, self._pycontext)
        if not self._container.bound(SelfUpdater):
            self._container.register(SelfUpdaterProvider(module))
        moss.__dict__[CONTAINER_SLOT] = self._container
        runtime = Runtime(module, self._source, self._container, moss, self.ignored_modules, self._pycontext,
                          api=not self._preloaded)
        try:
            _inject(runtime, moss_type, self, self._saved)
        except BaseException:
            runtime.destroy()
            raise
        return runtime


def compile_by_name(compiler: Compiler, modulename: str | None) -> types.ModuleType:
    """Run the PyContext's code (or its module's source) in a new module named `modulename`.

    The module is not registered in `sys.modules`, so compiling never replaces what imports see;
    the classes and functions the original module defines are the same objects in the compiled
    one (when its own source is compiled), so `isinstance` checks agree across both.
    """
    context = compiler.pycontext()
    if context.module is None and context.code is None:
        context.module = modulename
    compiler.container().bootstrap()
    origin = _imported(context.module) if context.module else None
    name = modulename or context.module or "__moss__"
    source = compiler._source = compiler.pycontext_code()
    module = types.ModuleType(name)
    module.__dict__.update(compiler._locals)
    module.__dict__[MOSS_TYPE_NAME] = compiler._default_moss_type or Moss
    own_source = origin is not None and context.code is None
    filename = getattr(origin, "__file__", None) if own_source else None
    if filename:
        module.__file__ = filename
    if origin is not None:
        module.__package__ = origin.__package__
    if not filename:
        # Code with no file of its own (a PyContext's code) still shows its lines in tracebacks.
        filename = f"<moss {name}>"
        sources.remember(filename, source)
    exec(native.compile_module(source, filename), module.__dict__)
    if own_source:
        for attr, value in vars(origin).items():
            if isinstance(value, (type, types.FunctionType)) and getattr(value, "__module__", None) == origin.__name__:
                module.__dict__[attr] = value
    return module


def build_runtime(module: types.ModuleType, source: str, saved: dict, host: Container,
                  for_prompt: bool = False) -> Runtime:
    """Run `__moss_compile__`, then make `moss`: defaults, saved properties, explicit injections,
    container injection of the remaining type hints, `on_inject`, `__moss_compiled__`.

    `for_prompt`: a type hint that nothing binds is left unset on `moss` (and gets no
    `on_inject`) instead of raising `BindingMissing`. If anything fails after an injection was
    made, its `on_destroy()` still runs.
    """
    return Compiler(host, preloaded=(module, source), saved=saved, for_prompt=for_prompt).compile()


def _inject(runtime: Runtime, moss_type: type, compiler: Compiler, saved: dict) -> None:
    moss = runtime.moss()
    module = runtime.module()
    classes = own_classes(moss_type)
    hints = type_hints(classes, module)
    runtime.constants.update(classvar_names(classes, module))
    injected = {name for name in hints if not hasattr(moss_type, name)} | set(compiler._injects)
    _place_defaults(runtime, classes)
    _restore(runtime, saved, injected)
    # Properties of the compiler's PyContext (joined by host code or `__moss_compile__`) win over
    # stored ones, as the reference's runtime restores its PyContext.
    for name, value in compiler.pycontext().iter_props(module):
        if name not in injected and name not in runtime.constants:
            moss.__dict__[name] = value

    for name, value in compiler._injects.items():
        setattr(moss, name, value)
        runtime.injections[name] = value

    for name, hint in hints.items():
        if name.startswith("_") or name in moss.__dict__ or hasattr(moss_type, name):
            continue
        if not compiler.container().bound(hint) and not _makes_itself(hint):
            if compiler._for_prompt:
                continue
            raise BindingMissing(name, hint)
        value = compiler.container().fetch(hint)
        setattr(moss, name, value)
        runtime.injections[name] = value

    for name, value in runtime.injections.items():
        if isinstance(value, Injection):
            value.on_inject(runtime, name)

    module.__dict__[MOSS_VALUE_NAME] = moss
    hook = module.__dict__.get(COMPILED)
    if callable(hook):
        hook(moss)


def _makes_itself(hint: object) -> bool:
    """A `FactoryType` class, which the container registers the first time it is asked for."""
    from ghostos_container import FactoryType

    return isinstance(hint, type) and issubclass(hint, FactoryType)


def _place_defaults(runtime: Runtime, classes: list[type]) -> None:
    """Each class-level property value, copied onto `moss` as written (so the code's changes
    never reach the class); a value that cannot be copied stays a class attribute, unsaved."""
    for cls in reversed(classes):
        for name, value in vars(cls).items():
            if name.startswith("_") or name in runtime.constants or not values.is_storable_default(value):
                continue
            try:
                copy = _copied(value)
            except Exception as e:
                runtime.warnings.append(
                    f"moss.{name}: its default could not be copied ({type(e).__name__}: {e}), so it is not "
                    "a property: changes to it are not saved"
                )
                continue
            runtime.moss().__dict__[name] = copy
            runtime.placed_defaults[name] = copy


_IMMUTABLE = (bool, int, float, complex, str, bytes, type(None))


def _copied(value: object) -> object:
    """A deep copy of `value`; an immutable scalar is its own copy (no `copy` module to import)."""
    if type(value) in _IMMUTABLE:
        return value
    from copy import deepcopy

    return deepcopy(value)


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


def _instantiate(moss_type: type) -> Moss:
    """An instance of `moss_type`; when the class leaves `pprint` abstract (as the base does), of
    a subclass that prints to the run's output. `__init__` is skipped when it wants arguments
    nobody can give, as the reference package does."""
    concrete = _concrete(moss_type)
    init = moss_type.__init__
    code = getattr(init, "__code__", None)
    if init is object.__init__ or code is None or code.co_argcount - len(init.__defaults__ or ()) <= 1:
        moss = concrete()
    else:
        moss = concrete.__new__(concrete)
    moss.__dict__.setdefault("executing_code", None)
    return moss


def _pprint(self: Moss, *args: object, **kwargs: object) -> None:
    """Pretty-print each value to the run's output."""
    from pprint import pprint

    for value in args:
        pprint(value, stream=sys.stdout, **kwargs)


def _concrete(moss_type: type) -> type:
    if "pprint" not in getattr(moss_type, "__abstractmethods__", ()):
        return moss_type
    # Kept on the class itself (not in a table that would keep every compiled class alive).
    made = moss_type.__dict__.get("__moss_concrete__")
    if made is None:
        made = type(moss_type.__name__, (moss_type,), {"pprint": _pprint, "__module__": moss_type.__module__,
                                                       "__qualname__": moss_type.__qualname__})
        type.__setattr__(moss_type, "__moss_concrete__", made)
    return made
