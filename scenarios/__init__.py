"""The shipped scenarios, as data: PMO profiles, strategies, stories and example assessments
(YAML files).

This package holds no logic. Its one function finds the files with :mod:`importlib.resources`, so
an installed copy finds them exactly as a source checkout does; each layer that understands a
kind of document keeps the one index of it (profiles: ``advisor/presets.py``; strategies:
``simulation/strategies.py``; stories: ``simulation/stories.py``; assessments:
``api/store/sheets.py``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["KINDS", "documents"]

KINDS = ("profiles", "strategies", "stories", "assessments")


def documents(kind: str) -> dict[str, Path]:
    """The shipped documents of one kind, by id (the file stem), in id order."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of scenario document {kind!r}; allowed: {KINDS}")
    folder = Path(str(resources.files(__name__).joinpath(kind)))
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}
