"""`Exporter`: a class that groups what a module exports, so that a MOSS file importing it shows
the interface of every exported name in the prompt."""
from __future__ import annotations

from abc import ABC
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from typing import Any, Iterable, Tuple

__all__ = ["Exporter", "is_exports"]


class Exporter(ABC):
    """Subclass it and assign the names to export as class attributes:

        class Exports(Exporter):
            Foo = Foo
            make_foo = make_foo
    """

    @classmethod
    def __attrs_prompts__(cls) -> Iterable[Tuple[str, str]]:
        """(name, prompt) pairs shown for exported names that reflection cannot show."""
        return []

    @classmethod
    def __exports__(cls) -> list[tuple[str, Any]]:
        """The exported (name, value) pairs: public, not None, inherited ones first, each in
        definition order."""
        found: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            if issubclass(klass, Exporter) and klass is not Exporter:
                found.update((n, v) for n, v in vars(klass).items() if not n.startswith("_"))
        return [(name, getattr(cls, name)) for name in found if getattr(cls, name) is not None]

    @classmethod
    def __class_prompt__(cls) -> str:
        if cls is Exporter:
            return ""
        import sys

        from _moss.reflect import indent, reflect_value
        from _moss.reference_prompts import reflect_code_prompt

        warnings: list[str] = []
        module = sys.modules[cls.__module__]
        given = dict(cls.__attrs_prompts__())
        parts = []
        for name, value in cls.__exports__():
            reflection = reflect_value(name, value, module, warnings, asked=True)
            # Exported names from modules the prompt never reflects on its own (inspect, typing)
            # are shown all the same: the class says the model should see them.
            text = reflection.prompt if reflection is not None else reflect_code_prompt(value) or given.get(name)
            if text:
                parts.append(text)
        body = "\n\n".join(parts)
        header = f"class {cls.__name__}(Exporter):"
        doc = f'    """Use these as {cls.__name__}.<name>:"""'
        return "\n".join([header, doc, indent(body)]) if body else header + "\n    pass"


def is_exports(value: Any) -> bool:
    """Whether `value` is an `Exporter` subclass."""
    return isinstance(value, type) and issubclass(value, Exporter)
