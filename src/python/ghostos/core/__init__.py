"""Stand-in for ghostos.core."""
