"""The shipped profiles of ``scenarios/profiles``, as the API and the pages offer them.

Read once per process and validated like any profile; a profile's id is its file stem, and its
leading comment block (what the PMO is like, what to expect) is its description. Ids are looked
up in this index, never joined into a path, so a request cannot reach another file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from advisor.assessment import Profile, parse_profile, read_document

__all__ = ["PROFILES_DIR", "ShippedProfile", "shipped_profiles"]

PROFILES_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "profiles"


@dataclass(frozen=True)
class ShippedProfile:
    id: str
    name: str
    description: str
    profile: Profile


def _leading_comment(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


@functools.cache
def shipped_profiles() -> Mapping[str, ShippedProfile]:
    """Every shipped profile by id, in id order."""
    entries = {}
    for path in sorted(PROFILES_DIR.glob("*.yaml")):
        profile = parse_profile(read_document(path))
        entries[path.stem] = ShippedProfile(id=path.stem, name=profile.name or path.stem,
                                            description=_leading_comment(path), profile=profile)
    return MappingProxyType(entries)
