"""The Sphero BOLT API under the path GhostOS's SpheroGPT uses (the same classes as
`sphero_bolt`), and the providers its MOSS file registers for the run's BOLT."""
from sphero_bolt import Animation, Ball, LedMatrix, Move, RollFunc

from ghostos.prototypes.spherogpt.bolt.providers import (
    ShellSpheroBoltRuntimeProvider,
    SpheroBoltBallAPIProvider,
    SpheroBoltLedMatrixProvider,
    SpheroBoltRuntime,
)

__all__ = [
    "Ball", "Move", "LedMatrix", "Animation", "RollFunc", "SpheroBoltRuntime",
    "SpheroBoltBallAPIProvider", "ShellSpheroBoltRuntimeProvider", "SpheroBoltLedMatrixProvider",
]
