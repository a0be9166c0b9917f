"""The shipped profiles (``scenarios/profiles``): the one index of them.

Read once per process and validated like any profile. A profile's id is its file stem, and its
leading comment block (what the PMO is like, what to expect) is its description. Ids are looked
up in this index, never joined into a path, so a request cannot reach another file.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import scenarios
from advisor.assessment import Profile, load_profile, parse_profile, read_document
from advisor.errors import InputError
from advisor.validation import Shown

__all__ = ["ShippedProfile", "shipped_profiles", "preset_names", "preset_path", "load_preset",
           "resolve_profile"]


@dataclass(frozen=True)
class ShippedProfile:
    id: str
    name: str
    description: str
    profile: Profile
    path: Path


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
    for stem, path in scenarios.documents("profiles").items():
        profile = parse_profile(read_document(path))
        entries[stem] = ShippedProfile(id=stem, name=profile.name or stem,
                                       description=_leading_comment(path), profile=profile,
                                       path=path)
    return MappingProxyType(entries)


def preset_names() -> tuple[str, ...]:
    return tuple(shipped_profiles())


def preset_path(name: str) -> Path:
    """The file of one shipped profile (for tools that read or copy it)."""
    return _entry(name, "profile").path


def _entry(name: str, field: str) -> ShippedProfile:
    entry = shipped_profiles().get(name)
    if entry is None:
        raise InputError(f"unknown preset {Shown(name)!r}; allowed: "
                         f"{', '.join(preset_names())}", field)
    return entry


def load_preset(name: str, field: str = "profile") -> Profile:
    return _entry(name, field).profile


def resolve_profile(value: Any, field: str = "profile", allow_files: bool = False) -> Profile:
    """A :class:`Profile` from a profile, a profile document (mapping) or a preset name.

    File paths are accepted only when ``allow_files`` (the command line); a request to the API
    must not make the server read files of its choosing."""
    if isinstance(value, Profile):
        return value
    if isinstance(value, Mapping):
        try:
            return parse_profile(value)
        except InputError as exc:
            raise InputError([(f"{field}.{f}" if f else field, m) for f, m in exc.problems]) \
                from None
    if isinstance(value, str) and value:
        if allow_files and (value.endswith((".yaml", ".yml", ".json")) or "/" in value):
            return load_profile(value)
        return load_preset(value, field)
    raise InputError("give a profile (mapping) or a preset name: " + ", ".join(preset_names()),
                     field)
