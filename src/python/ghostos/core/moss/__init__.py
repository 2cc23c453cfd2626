"""The MOSS package under its older GhostOS path: `from ghostos.core.moss import Moss` is
`from ghostos_moss import Moss`."""
from ghostos_moss import *  # noqa: F401,F403
from ghostos_moss import __all__  # noqa: F401
