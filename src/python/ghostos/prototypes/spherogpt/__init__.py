"""Stand-in for ghostos.prototypes.spherogpt."""
