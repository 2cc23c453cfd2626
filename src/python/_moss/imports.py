"""The import allow-list of `--allow-import`: what the generated code may import."""
from __future__ import annotations

import builtins
import types


def restrict(module: types.ModuleType, allowed: list[str]) -> None:
    """Make every `import` run by code in `module`'s namespace check the allow-list.

    CPython resolves `import` through the `__builtins__` of the executing frame's globals, so
    this replaces the module's `__builtins__` with a copy whose `__import__` checks first. That
    covers modules already loaded (which import hooks never see). It binds the code, and the MOSS
    file's own functions, which share its namespace; it is not a security boundary (see
    docs/security.md), but it is what it says.
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


def rule(allowed: list[str]) -> str:
    """The rule as the prompt states it to the model."""
    if not allowed:
        return "# Your code may not import anything: use what this module already provides."
    return f"# Your code may import only: {', '.join(sorted(allowed))}."
