"""Synthetic sequence tasks: each module makes seeded batches for one task and says how it is scored.

Every generator takes ``rng`` (a Generator or a seed) and never touches
numpy's global random state. Nothing is downloaded.
"""

__all__: list[str] = []
# Task modules add their imports below (import + __all__ entry).
