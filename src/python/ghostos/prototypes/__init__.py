"""Stand-in for ghostos.prototypes."""
