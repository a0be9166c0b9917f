"""Shared fixtures: the catalog, profile builders and the shipped profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.assessment import Profile, parse_profile
from advisor.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = ROOT / "scenarios" / "profiles"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def make_profile(exists: bool = True, age: float | None = 24, closed: bool = False,
                 signs: tuple[str, ...] = (), trends: dict[str, str] | None = None,
                 **indicators: float) -> Profile:
    """A profile from keyword indicators, for table-driven tests."""
    pmo: dict[str, Any] = {"exists": exists, "previous_pmo_closed": closed}
    if age is not None:
        pmo["age_months"] = age
    return parse_profile({"pmo": pmo, "indicators": indicators, "trends": trends or {},
                          "signs": list(signs)})


def shipped_profiles() -> list[Path]:
    return sorted(PROFILES_DIR.glob("*.yaml"))
