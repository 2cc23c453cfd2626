"""The optional hooks a MOSS file may define, with their default behaviour.

A MOSS file's own hook replaces the default; it may call the default defined here, as in
`from ghostos_moss.lifecycle import __moss_exec__`. The engine looks a hook up on the module and,
without one, does what these defaults do itself: they are its behaviour, offered to hooks.
"""
from __future__ import annotations

from _moss.contracts import default_module_prompt
from _moss.runtime import Runtime

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: every run imports this module, and `typing` would cost it more
    from typing import Any

    from _moss.contracts import Execution, Moss, MossCompiler, MossPrompter, MossRuntime

__all__ = ["__moss_compile__", "__moss_compiled__", "__moss_attr_prompts__", "__moss_module_prompt__", "__moss_exec__"]


def __moss_compile__(compiler: MossCompiler) -> MossCompiler:
    """After the source ran, before `moss` is built: register bindings on `compiler`."""
    return compiler


def __moss_compiled__(moss: Moss) -> None:
    """After injection: last set-up of the `moss` instance."""


def __moss_attr_prompts__() -> list[tuple[str, str]]:
    """(name, prompt) pairs that replace the reflection of those names; '' hides a name."""
    return []


def __moss_module_prompt__(prompter: MossPrompter, attr_prompts: dict[str, str] | None = None) -> str:
    """The whole prompt: the visible source, then the reflections of imported names in a quoted block."""
    return default_module_prompt(prompter, attr_prompts)


def __moss_exec__(runtime: MossRuntime, *, target: str, code: str | None = None, local_args: list[str] | None = None,
                  local_kwargs: dict[str, str] | None = None, args: list[Any] | None = None,
                  kwargs: dict[str, Any] | None = None) -> Execution:
    """Execute `code` in the compiled module, then call `target` with the module values named by
    `local_args`/`local_kwargs` and the given `args`/`kwargs` (with `moss` when none are given and
    it takes an argument), or return it when it is not callable. Returns an `Execution`: the
    target's return value, what the runtime printed and its PyContext."""
    # The runtime a MOSS file's hook is given is always moss's own.
    own: Runtime = runtime  # type: ignore[assignment]
    return own.execute_by_default(target=target, code=code, local_args=local_args, local_kwargs=local_kwargs,
                                  args=args, kwargs=kwargs)
