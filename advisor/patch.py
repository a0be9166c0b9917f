"""JSON merge patches (RFC 7386): how a counterfactual says what to change in a profile.

A merge patch is a document shaped like the target: a value replaces, ``null`` removes, a mapping
merges recursively, anything else (a list included) replaces whole. Small enough to own rather
than add a dependency; the RFC's own examples (Appendix A) pin it in the tests.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["merge_patch"]


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied, as RFC 7386 section 2 defines it; neither is changed."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
