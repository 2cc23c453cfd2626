"""The prompt of a compiled MOSS file: its visible source, then reflections of what it imports."""
from __future__ import annotations

import types

import _moss_native as native
from _moss import reflect
from _moss.contracts import ATTR_PROMPTS, MODULE_PROMPT, MossPrompter, MossRuntime, default_layout


class Prompter(MossPrompter):
    """What `__moss_module_prompt__(prompter)` receives."""

    def __init__(self, runtime: MossRuntime, source: str, ignored_modules: list[str]) -> None:
        self._runtime = runtime
        self._source = source
        self._ignored_modules = ignored_modules
        self._reflections: list[reflect.Reflection] | None = None
        self.warnings: list[str] = []

    def container(self) -> object:
        return self._runtime.container()

    def module(self) -> types.ModuleType:
        return self._runtime.module()

    def get_source_code(self, exclude_hide_code: bool = True) -> str:
        """The MOSS file's source; without `# <moss-hide>` regions unless asked."""
        return native.strip_hidden(self._source) if exclude_hide_code else self._source

    def reflections(self) -> list[reflect.Reflection]:
        """Reflections of imported names, overridden by `__moss_attr_prompts__()` where it says."""
        if self._reflections is None:
            ignored = set(self._ignored_modules) | set(getattr(self._runtime.moss(), "__ignored__", []) or [])
            found = {r.name: r for r in reflect.reflect_module(self.module(), self._source, self.warnings, ignored)}
            order = list(found)
            hook = self.module().__dict__.get(ATTR_PROMPTS)
            for pair in (hook() if callable(hook) else ()) or ():
                if not (isinstance(pair, tuple) and len(pair) == 2):
                    raise TypeError(f"{ATTR_PROMPTS}() must yield (name, prompt) pairs, not {pair!r}")
                name, prompt = pair
                if prompt is None:
                    continue
                if not isinstance(prompt, str):
                    raise TypeError(f"{ATTR_PROMPTS}() gave {name!r} a {type(prompt).__name__}, not a str")
                if name not in found:
                    order.append(name)
                found[name] = reflect.Reflection(name, self.module().__name__, "override", prompt)
            self._reflections = [found[n] for n in order if found[n].prompt.strip()]
        return self._reflections

    def imported_attr_prompts(self) -> list[tuple[str, str]]:
        """(name, prompt) pairs for the imported names, in import order."""
        return [(r.name, r.prompt) for r in self.reflections()]

    def get_imported_attrs(self) -> dict:
        return {r.name: self.module().__dict__.get(r.name) for r in self.reflections()}

    def get_imported_attrs_prompt(self, includes: list | None = None) -> str:
        """The reflections of imported names (only those in `includes`, when given)."""
        chosen = [r for r in self.reflections() if includes is None or r.name in includes]
        return "\n\n".join(_attr_section(r) for r in chosen)

    def replaced_magic_prompts(self) -> dict:
        """The text of each magic prompter (`__is_subclass__(...)`) in the module, by name."""
        return {r.name: r.prompt for r in self.reflections() if r.kind == "magic"}

    def get_magic_prompt(self) -> str:
        return "\n\n".join(f"`{name}`:\n{text}" for name, text in self.replaced_magic_prompts().items())

    def dump_imported_prompt(self, auto_generation: bool = True, attr_prompts: dict | None = None) -> str:
        """All reflections as `# <attr>` sections, in one block of text."""
        sections = [_attr_section(r) for r in self.reflections()]
        for name, prompt in (attr_prompts or {}).items():
            sections.append(_attr_section(reflect.Reflection(name, self.module().__name__, "override", prompt)))
        return "\n\n".join(sections)

    def dump_module_prompt(self, attr_prompts: dict | None = None) -> str:
        """The default prompt: visible source, then the reflections in a quoted block."""
        return default_layout(self.get_source_code(), self.dump_imported_prompt(attr_prompts=attr_prompts))


class ApiPrompter(Prompter):
    """The prompter of runtimes compiled through the Python API: imported names are reflected
    as the reference package does (`ghostos_moss.prompts.reflect_locals_imported`), except
    names bound only in hidden regions, which no prompt mentions."""

    REFERENCE_IGNORED = ("pydantic", "typing", "typing_extensions", "inspect", "abc", "openai")
    """Modules `get_imported_attrs_prompt` leaves out, as the reference's compiler does."""

    def _hidden(self) -> set[str]:
        """Names a hidden line binds: what they hold may be what the hidden line put there, even
        when a visible line binds them too."""
        from _moss import visibility

        return visibility.bindings(self._source).hidden

    def imported_attr_prompts(self) -> list[tuple[str, str]]:
        hidden = self._hidden()
        return [(n, p) for n, p in MossPrompter.imported_attr_prompts(self) if n not in hidden]

    def dump_imported_prompt(self, auto_generation: bool = True, attr_prompts: dict | None = None) -> str:
        return MossPrompter.dump_imported_prompt(self, auto_generation, attr_prompts)

    def dump_module_prompt(self, attr_prompts: dict | None = None) -> str:
        hook = self.module().__dict__.get(MODULE_PROMPT)
        if callable(hook) and not getattr(self, "_in_hook", False):
            # A hook that asks for the default prompt gets it instead of itself again.
            self._in_hook = True
            try:
                return hook(self)
            finally:
                self._in_hook = False
        return default_layout(self.get_source_code(), self.dump_imported_prompt(attr_prompts=attr_prompts))

    def get_imported_attrs(self) -> dict:
        """Every public value of the module that comes from elsewhere (classes, functions,
        typing constructs, modules), by name."""
        hidden = self._hidden()
        own = self.module().__name__
        return {name: value for name, value in self.module().__dict__.items()
                if not name.startswith("_") and name not in hidden and name != "moss"
                and (isinstance(value, types.ModuleType) or getattr(value, "__module__", own) != own)}

    def get_imported_attrs_prompt(self, includes: list | None = None) -> str:
        """`<attr>` sections for the imported names (only those in `includes`, when given),
        leaving out names from typing, inspect, abc and pydantic."""
        from _moss.reference_prompts import reflect_code_prompt
        from _moss.prompt_utils import get_modulename

        ignored = set(self.REFERENCE_IGNORED) | set(self.ignored_modules())
        sections = []
        for name, value in self.get_imported_attrs().items():
            origin = value.__name__ if isinstance(value, types.ModuleType) else get_modulename(value) or ""
            if (includes is not None and name not in includes) or origin.partition(".")[0] in ignored:
                continue
            text = reflect_code_prompt(value)
            if text and text.strip():
                sections.append(f"#<attr name=`{name}` module=`{origin}`>\n{text.strip()}\n#</attr>")
        return "\n\n".join(sections)

    def ignored_modules(self) -> list[str]:
        return list(self._ignored_modules) + list(getattr(self._runtime.moss(), "__ignored__", []) or [])

    def replaced_magic_prompts(self) -> dict:
        from _moss.magics import is_magic_prompter

        from _moss import visibility

        visible = visibility.visible_view(self.module(), visibility.bindings(self._source))
        return {n: v.__moss_magic_prompt__(visible) for n, v in self.module().__dict__.items()
                if is_magic_prompter(v) and n not in self._hidden()}


def build(runtime: MossRuntime, source: str, ignored_modules: list[str]) -> dict:
    """The prompt, and its sections for token accounting."""
    prompter = Prompter(runtime, source, ignored_modules)
    module = runtime.module()
    hook = module.__dict__.get(MODULE_PROMPT)
    if callable(hook):
        prompt = hook(prompter)
        if not isinstance(prompt, str):
            raise TypeError(f"{MODULE_PROMPT}(prompter) returned a {type(prompt).__name__}, not a str")
        sections = [{"name": MODULE_PROMPT, "module": module.__name__, "kind": "custom", "text": prompt}]
    else:
        prompt = prompter.dump_module_prompt()
        sections = [{"name": "<source>", "module": module.__name__, "kind": "source",
                     "text": prompter.get_source_code()}]
        sections += [{"name": r.name, "module": r.alias_of or r.origin, "kind": r.kind, "text": _attr_section(r)}
                     for r in prompter.reflections()]
    return {"prompt": prompt, "sections": sections, "warnings": prompter.warnings}


def ghost(module: types.ModuleType) -> dict | None:
    """The persona and instruction of the module's `__ghost__` (a GhostOS `MossAgent`; some
    GhostOS versions name the instruction `instructions`), each stripped of surrounding blank
    space, or None when it has no text for either."""
    agent = module.__dict__.get("__ghost__")
    instruction = getattr(agent, "instruction", None) or getattr(agent, "instructions", None)
    found = {"persona": getattr(agent, "persona", None), "instruction": instruction}
    found = {field: text.strip() if isinstance(text, str) else "" for field, text in found.items()}
    return found if any(found.values()) else None


def _attr_section(r: reflect.Reflection) -> str:
    where = f' from="{r.alias_of}"' if r.alias_of else (f' module="{r.origin}"' if r.origin else "")
    return f'# <attr name="{r.name}"{where}>\n{r.prompt.strip()}\n# </attr>'
