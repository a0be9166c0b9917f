"""Shared fixtures: the catalog, a profile builder, the shipped profiles, the app and its client.

Shipped documents are found the way the library finds them (``scenarios.documents``), so tests
parametrized over them read them at collection time without importing this module.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import scenarios
from advisor.assessment import Profile, parse_profile
from advisor.catalog import Catalog, load_catalog
from api.http import create_app


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def profile_paths() -> dict[str, Path]:
    """The shipped profiles' files, by id."""
    return scenarios.documents("profiles")


@pytest.fixture(scope="session")
def make_profile() -> Callable[..., Profile]:
    """A builder of profiles from keyword indicators, for table-driven tests."""

    def make(exists: bool = True, age: float | None = 24, closed: bool = False,
             signs: tuple[str, ...] = (), trends: dict[str, str] | None = None,
             **indicators: float) -> Profile:
        pmo: dict[str, Any] = {"exists": exists, "previous_pmo_closed": closed}
        if age is not None:
            pmo["age_months"] = age
        return parse_profile({"pmo": pmo, "indicators": indicators, "trends": trends or {},
                              "signs": list(signs)})

    return make


@pytest.fixture(scope="module")
def app_config() -> dict[str, Any]:
    """Settings for the ``app`` fixture; a test module overrides this fixture to change them."""
    return {"TESTING": True}


@pytest.fixture(scope="module")
def app(app_config: dict[str, Any]) -> Flask:
    """One application per test module (building one documents every route: not free)."""
    return create_app(app_config)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``pmo-advisor`` in a child process, as a user runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "api", *args], capture_output=True,
                              text=True, timeout=120)

    return run
