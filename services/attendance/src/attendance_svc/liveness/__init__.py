"""Liveness challenges (single-use, short-lived) and who must pass one, per site."""
