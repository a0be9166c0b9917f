"""The one parser of the YAML data the project ships: the catalog, the questionnaire, the rule
tables, the model's tables, the strategies and the stories.

It uses libyaml's safe loader when PyYAML was built with it (the same safe schema, the same
values: a test compares both loaders on every shipped file), PyYAML's pure-Python one otherwise.
Why it matters: every new worker process (a local pool's, a Dask worker's) parses these tables
before its first replication; measured, the pure-Python loader spent 0.41 s of a cold worker's
first 0.7 s chunk on them, libyaml a quarter of that. Documents users send go through the
bounded reader in ``advisor/documents.py``, which uses the same loader.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["SafeLoader", "parse_yaml"]

#: libyaml's safe loader when present, else PyYAML's own
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """The data in ``text``, read with the safe schema (no Python objects)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
