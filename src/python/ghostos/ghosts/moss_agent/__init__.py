"""GhostOS's agent whose thinking is code run against a MOSS file."""
from ghostos.ghosts.moss_agent.agent import MossAgent

__all__ = ["MossAgent"]
