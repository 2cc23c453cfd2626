"""A MOSS file with test cases that exist only when it is compiled as `__test__`."""


def plus(a: int, b: int) -> int:
    """The sum of a and b."""
    return a + b


# <moss-hide>
if __name__ == "__test__":
    def test_1(moss) -> int:
        return plus(0, 1)

    def test_2(moss) -> int:
        return plus(1, 1)

    def test_3(moss) -> int:
        return plus(1, 2)

    __moss_test_cases__ = ["test_1", "test_2", "test_3"]
# </moss-hide>
