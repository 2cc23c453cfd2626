"""Stand-in for the GhostOS package, so MOSS files written for it find the BOLT API."""
