"""The import allow-list of `--allow-import`: what the generated code may import."""
from __future__ import annotations

import builtins
import types


def restrict(module: types.ModuleType, allowed: list[str]) -> None:
    """Make every `import` run by code in `module`'s namespace check the allow-list.

    CPython resolves `import` through the `__builtins__` of the executing frame's globals, so
    this replaces the module's `__builtins__` with a copy whose `__import__` checks first. That
    covers modules already loaded (which import hooks never see). It binds the code, and every
    function defined after it in the namespace (one defined before keeps the builtins it was
    defined with: see `obeying`); it is not a security boundary (see docs/security.md), but it
    is what it says.
    """
    permitted = frozenset(allowed)
    real_import = builtins.__import__

    def guarded_import(name: str, globals: dict | None = None, locals: dict | None = None,
                       fromlist: tuple = (), level: int = 0) -> types.ModuleType:
        top = name.partition(".")[0]
        if level != 0 or top not in permitted:
            shown = ", ".join(sorted(permitted)) or "nothing"
            raise ImportError(f"import of {name!r} is not allowed here; the code may import: {shown}", name=name)
        return real_import(name, globals, locals, fromlist, level)

    namespace = dict(vars(builtins))
    namespace["__import__"] = guarded_import
    module.__dict__["__builtins__"] = namespace


def obeying(function: object) -> object:
    """`function` as if defined after `restrict`, so that its own imports check the allow-list.

    A function looks its builtins (`__import__` among them) up where its module's namespace had
    them when the function was defined, so a function of the MOSS file, such as a test case,
    would import freely. Anything else than a plain function is returned as it is.
    """
    if not isinstance(function, types.FunctionType):
        return function
    rebuilt = types.FunctionType(
        function.__code__, function.__globals__, function.__name__, function.__defaults__, function.__closure__
    )
    rebuilt.__kwdefaults__ = function.__kwdefaults__
    rebuilt.__qualname__ = function.__qualname__
    rebuilt.__dict__.update(function.__dict__)
    return rebuilt


def rule(allowed: list[str]) -> str:
    """The rule as the prompt states it to the model."""
    if not allowed:
        return "# Your code may not import anything: use what this module already provides."
    return f"# Your code may import only: {', '.join(sorted(allowed))}."
