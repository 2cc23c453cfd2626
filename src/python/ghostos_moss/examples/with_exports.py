"""A MOSS file importing an `Exporter` and listing, in its prompt, the exporters it holds."""
from ghostos_moss.examples.has_exports import Exports
from ghostos_moss.exports import Exporter
from ghostos_moss.magics import __is_subclass__

exporters = __is_subclass__(Exporter)
