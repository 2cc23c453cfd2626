"""Stand-in for ghostos.ghosts."""
