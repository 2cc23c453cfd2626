"""A module exporting functions through an `Exporter` class."""
import inspect

from ghostos_moss.exports import Exporter


class Exports(Exporter):
    """What this module offers."""

    getsource = inspect.getsource
