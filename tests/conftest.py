"""Shared fixtures: the catalog, a profile builder, the shipped profiles, the app and its client.

Shipped documents are found the way the library finds them (``scenarios.documents``), so tests
parametrized over them read them at collection time without importing this module.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import scenarios
from advisor.assessment import Profile, parse_profile
from advisor.catalog import Catalog, load_catalog
from api.http import create_app
from api.store import Store

# Tests never touch a developer's database: the assessments' memory defaults to a throwaway
# SQLite file (child processes inherit it); tests that need another pass their own URL.
os.environ.pop("PMO_ADVISOR_DATABASE_URL", None)
_TEST_DATA = tempfile.mkdtemp(prefix="pmo-advisor-tests-")
os.environ["PMO_ADVISOR_DATABASE_PATH"] = str(Path(_TEST_DATA) / "memory.sqlite3")
atexit.register(shutil.rmtree, _TEST_DATA, ignore_errors=True)


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


# -- the assessments' memory: the same tests on SQLite and on a real PostgreSQL -----------------

POSTGRES_BINARIES = "/usr/lib/postgresql/*/bin"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster in a temp dir, reached by a unix socket only; yields the
    URL of its server without a database. Debian's ``postgresql`` package provides initdb and
    pg_ctl (``make test`` installs it); as root the cluster runs as the ``postgres`` user, since
    PostgreSQL refuses to run as root. No server, no pass: never skipped."""
    import glob

    found = sorted(glob.glob(f"{POSTGRES_BINARIES}/initdb"))
    if not found:
        pytest.fail(f"the database tests need PostgreSQL's initdb in {POSTGRES_BINARIES}: "
                    "apt-get install -y postgresql (make test does it)")
    bindir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="pmo-advisor-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    base.chmod(0o755)

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "pmo", "--no-sync",
        "-E", "UTF8", "--locale", "C")
    # -t 110: pg_ctl waits that long for the start (60 s by default), within run()'s 120 s
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t",
        "110", "-o", f"-k {sockets} -c listen_addresses='' -c fsync=off -c max_connections=60",
        "start")
    try:
        yield f"postgresql+psycopg://pmo@/%s?host={sockets}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


_databases = iter(range(1, 1_000_000))


@contextmanager
def _new_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A new, empty database on ``backend`` (sqlite | postgresql), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'memory.sqlite3'}"
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = f"test_{next(_databases)}"
    admin = server.replace("postgresql+psycopg", "postgresql") % "postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield server % name
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database for one test, on each backend in turn."""
    with _new_database(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty PostgreSQL database, for tests that need both backends at once."""
    with _new_database("postgresql", request, tmp_path) as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The assessments' memory on a new database of each backend in turn."""
    opened = Store(database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same for a whole test module (a server and its pages), on each backend in turn."""
    with _new_database(request.param, request, tmp_path_factory.mktemp("database")) as url:
        yield url


#: Debian's chromium for the page tests; they fail (never skip) without it.
CHROMIUM = os.environ.get("PMO_ADVISOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BROWSER_TIMEOUT_MS = 20_000


AXE = Path(__file__).resolve().parent / "assets" / "axe-core" / "axe.min.js"


def _axe_violations(page: Any) -> list[str]:
    # Evaluated through the browser's debugging protocol, not as a <script> tag: the pages'
    # Content-Security-Policy allows scripts from the service only, and the tests keep it on.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="session")
def axe_violations() -> Callable[[Any], list[str]]:
    """axe-core (vendored: no CDN) on a playwright page as it is now: its serious and critical
    violations, one line each (every page test module checks its pages with it)."""
    return _axe_violations


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless chromium context (playwright, no browser download), one per test module.
    Actions and ``expect()`` both wait up to BROWSER_TIMEOUT_MS: ``expect()`` has its own
    default, 5 s, which a loaded machine's first simulation in a fresh worker can exceed."""
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"the page tests need chromium at {CHROMIUM} (apt-get install -y chromium, "
                    "as .ci/run does, or set PMO_ADVISOR_CHROMIUM)")
    profile_dir = tempfile.mkdtemp(prefix="pmo-advisor-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile_dir, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        expect.set_options(timeout=BROWSER_TIMEOUT_MS)
        yield context
        context.close()
    shutil.rmtree(profile_dir, ignore_errors=True)
