"""`Exporter`: a class that groups what a module exports, so that a MOSS file importing it shows
the interface of every exported name in the prompt."""
from __future__ import annotations

from abc import ABC


class Exporter(ABC):
    """Subclass it and assign the names to export as class attributes:

        class Exports(Exporter):
            Foo = Foo
            make_foo = make_foo
    """

    @classmethod
    def __exports__(cls) -> list[tuple[str, object]]:
        """The exported (name, value) pairs, in definition order."""
        return [(name, value) for name, value in vars(cls).items()
                if not name.startswith("_") and value is not None]

    @classmethod
    def __class_prompt__(cls) -> str:
        if cls is Exporter:
            return ""
        from _moss.reflect import indent, reflect_value

        warnings: list[str] = []
        module = __import__("sys").modules[cls.__module__]
        parts = []
        for name, value in cls.__exports__():
            reflection = reflect_value(name, value, module, warnings, asked=True)
            if reflection is not None:
                parts.append(reflection.prompt)
        body = "\n\n".join(parts)
        header = f"class {cls.__name__}(Exporter):"
        doc = f'    """Use these as {cls.__name__}.<name>:"""'
        return "\n".join([header, doc, indent(body)]) if body else header + "\n    pass"
