"""A MOSS file whose code can edit the file itself through `moss.updater`."""
from ghostos_moss.abcd import Moss as Parent, SelfUpdater


class Moss(Parent):
    updater: SelfUpdater
    """Edits this file's source; `moss.updater.save()` writes the edits."""
