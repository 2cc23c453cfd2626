"""A `Moss` class of its own name, to compile modules with as their default Moss type."""
from ghostos_moss.abcd import Moss as Parent


class RandomMoss(Parent):
    """A Moss with nothing added."""
