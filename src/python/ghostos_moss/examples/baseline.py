"""A MOSS file using every lifecycle hook: a compile-time provider, attribute prompts that hide
and add names, and test entry points, one of them only for test compilations."""
from abc import ABC, abstractmethod
from inspect import getmembers, getsource
from typing import List

from pydantic import BaseModel

from ghostos_container import Container
from ghostos_moss.abcd import Moss as Parent


class Foo(ABC):
    """Something that greets."""

    @abstractmethod
    def foo(self) -> str:
        """The greeting."""


def plus(a: int, b: int) -> int:
    """The sum of a and b."""
    return a + b


class Moss(Parent):
    life: List[str] = []
    """The lifecycle hooks that ran, in order."""

    foo: Foo
    """Injected by the provider registered at compile time."""


# <moss-hide>
from ghostos_container import provide


class FooImpl(Foo):
    def foo(self) -> str:
        return "hello"


def __moss_compile__(compiler) -> None:
    Moss.life.append("__moss_compile__")
    compiler.register(provide(Foo, singleton=False)(lambda con: FooImpl()))


def __moss_attr_prompts__():
    # getsource is imported above but not for the model; the second entry only adds a comment.
    return [("getsource", ""), ("9527", "# hello world")]


def __moss_exec__(*args, **kwargs):
    from ghostos_moss.lifecycle import __moss_exec__ as default_exec

    return default_exec(*args, **kwargs)


def test_main(moss: Moss) -> int:
    print("hello world")
    return plus(1, 2)


if __name__ == "__test__":
    def main(moss: Moss) -> int:
        return plus(2, 2)
# </moss-hide>
