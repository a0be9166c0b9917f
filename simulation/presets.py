"""Starting profiles by name: the shipped profiles of ``scenarios/profiles`` (by file stem)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from advisor.assessment import Profile, load_profile, parse_profile
from advisor.errors import InputError

__all__ = ["PROFILES_DIR", "preset_names", "load_preset", "resolve_profile"]

PROFILES_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "profiles"


def preset_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))


def load_preset(name: str, field: str = "profile") -> Profile:
    if name not in preset_names():
        raise InputError(f"unknown preset {name!r}; allowed: {', '.join(preset_names())}", field)
    return load_profile(PROFILES_DIR / f"{name}.yaml")


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
