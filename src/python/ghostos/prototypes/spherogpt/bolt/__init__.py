"""The Sphero BOLT API under the path GhostOS's SpheroGPT uses; the same as `sphero_bolt`."""
from sphero_bolt import Animation, Ball, LedMatrix, Move, RollFunc

__all__ = ["Ball", "Move", "LedMatrix", "Animation", "RollFunc"]
