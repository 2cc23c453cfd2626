"""A module exporting a typing alias and a function that uses it."""
from ghostos_moss.prompts import reflect_code_prompt

__all__ = ["A", "foo"]

A = dict[int, str]
"""Names by number."""


def foo(a: A) -> list[str]:
    """The names of `a`, in key order."""
    return [a[key] for key in sorted(a)]


if __name__ == "__main__":
    shown = reflect_code_prompt(A, throw=True)
    assert shown == "dict[int, str]", shown
    print(shown)
