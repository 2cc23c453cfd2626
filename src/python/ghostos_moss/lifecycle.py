"""Names of the optional hooks a MOSS file may define; each is looked up on the compiled module."""

COMPILE = "__moss_compile__"
"""`__moss_compile__(compiler)`: after the source ran, before `moss` is built: register bindings."""

COMPILED = "__moss_compiled__"
"""`__moss_compiled__(moss)`: after injection: last set-up of the instance."""

ATTR_PROMPTS = "__moss_attr_prompts__"
"""`__moss_attr_prompts__()`: yields (name, prompt) pairs overriding reflections."""

MODULE_PROMPT = "__moss_module_prompt__"
"""`__moss_module_prompt__(prompter)`: returns the whole prompt."""

EXEC = "__moss_exec__"
"""`__moss_exec__(runtime, target=, code=, ...)`: replaces the execution step."""

__all__ = ["COMPILE", "COMPILED", "ATTR_PROMPTS", "MODULE_PROMPT", "EXEC"]
