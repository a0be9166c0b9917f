"""Hostile input on the command line: exit 2 and one readable line, never a traceback.

Run in-process (``api.cli.main``) to stay fast: the process boundary adds nothing to what is
checked here, and tests/test_cli.py already runs the real command.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from api.cli import EXIT_USAGE, main

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``main(argv)`` -> (exit status, stderr)."""

    def run(*argv: str) -> tuple[int, str]:
        try:
            status = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
        return status, capsys.readouterr().err

    return run


def profile_with(tmp_path: Path, text: str | bytes, name: str = "profile.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def assert_one_line(status: int, err: str, *fragments: str) -> None:
    assert status == EXIT_USAGE, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert len(err) < 1000, err
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize(("content", "fragment"), [
    # the billion laughs: 390 bytes that expanded to 3.1 GB
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\npmo: {exists: true, x: *c}\n",
     "anchors and aliases"),
    # 10,000 levels deep (RecursionError before)
    ("[" * 10_000, "nesting depth"),
    # integers of thousands of digits, in bases int() does not cap
    ("pmo: {exists: 0x" + "f" * 5000 + "}\n", "more than 30 digits"),
    ("pmo: {exists: true, age_months: 0b" + "1" * 5000 + "}\n", "more than 30 digits"),
    ("pmo: {exists: true, age_months: " + "1:" * 3000 + "1}\n", "more than 30 digits"),
    # a service key and an outcome that str.isdigit() accepts and int() refuses or misreads
    ("pmo: {exists: true}\nservices: {\"1\u00b2\": {maturity: 3}}\n",
     "unknown service '1\\xb2'"),
    ("pmo: {exists: true}\ncustomers: [{id: a, group: project_managers, maturity: 2, "
     "outcomes: [\"\u0663\"]}]\n", "unknown outcome '\\u0663'"),
    # a 5,000-digit service key (explicit, as YAML allows long keys): a short excerpt only
    ("pmo: {exists: true}\nservices:\n  ? \"" + "9" * 5000 + "\"\n  : {maturity: 3}\n",
     "unknown service '999"),
])
def test_a_hostile_profile_file_is_one_line_and_exit_2(cli: Run, tmp_path: Path,
                                                       content: str, fragment: str) -> None:
    status, err = cli("diagnose", profile_with(tmp_path, content))
    assert_one_line(status, err, fragment)


@pytest.mark.parametrize(("path", "fragment"), [
    ("/dev/zero", "larger than 1000000 bytes"),  # endless: read only up to the cap
    ("/dev/null", "is empty"),
    ("/tmp/", "is a directory"),
])
def test_a_file_that_is_not_a_profile_is_one_line_and_exit_2(cli: Run, path: str,
                                                             fragment: str) -> None:
    status, err = cli("diagnose", path)
    assert_one_line(status, err, fragment)


@pytest.mark.parametrize(("option", "value"), [
    ("--runs", "\u0663"),       # Arabic-Indic 3: int() reads it, a person did not type 3
    ("--runs", "\u00b2"),       # superscript 2: isdigit() yes, int() no
    ("--months", "9" * 5000),   # over int()'s 4,300 digits
    ("--seed", "1e3"),          # not a whole number
])
def test_a_number_option_takes_ascii_digits_only(cli: Run, option: str, value: str) -> None:
    status, err = cli("simulate", "--profile", "kickoff-fintech", "--strategy", "minimal",
                      option, value)
    assert_one_line(status, err, f"argument {option}: must be a whole number")


def test_a_plot_that_cannot_be_written_is_refused_before_the_simulation(
        cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked by what ran, not by how long it took (a 2 s bound failed on a loaded machine):
    the simulation is never started."""
    import api.cli.simulate as command

    started: list[str] = []
    monkeypatch.setattr(command, "simulate", lambda *a, **k: started.append("simulate"))
    monkeypatch.setattr(command, "simulate_with_baseline",
                        lambda *a, **k: started.append("simulate_with_baseline"))
    for baseline in ((), ("--baseline",)):
        status, err = cli("simulate", "--profile", "kickoff-fintech", "--strategy", "minimal",
                          "--runs", "5000", "--plot", "/nonexistent/folder/chart.png",
                          *baseline)
        assert_one_line(status, err, "plot: cannot write", "no such folder")
    assert started == []


def test_serve_on_a_busy_port_is_one_line(cli: Run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, err = cli("serve", "--port", str(port))
    assert_one_line(status, err, f"--port: cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize(("variable", "value", "fragment"), [
    # not a number: the server started and answered 500 to every POST
    ("PMO_ADVISOR_MAX_CONTENT_LENGTH", "lots", "PMO_ADVISOR_MAX_CONTENT_LENGTH: must be a whole"),
    ("PMO_ADVISOR_SIMULATION_MAX_RUN_MONTHS", "1e9",
     "PMO_ADVISOR_SIMULATION_MAX_RUN_MONTHS: must be a whole"),
    # keys that are only separators: auth was silently off
    ("PMO_ADVISOR_API_KEYS", " , ", "PMO_ADVISOR_API_KEYS: is set but holds no key"),
    ("PMO_ADVISOR_COSTLY_REQUESTS", "0", "PMO_ADVISOR_COSTLY_REQUESTS: must be a whole number"),
    # not a URL: the server started and its jobs runner died over and over, a traceback each
    ("PMO_ADVISOR_DATABASE_URL", "notaurl", "PMO_ADVISOR_DATABASE_URL: is not a database URL"),
])
def test_serve_refuses_a_bad_setting_before_it_listens(cli: Run, monkeypatch: pytest.MonkeyPatch,
                                                       variable: str, value: str,
                                                       fragment: str) -> None:
    monkeypatch.setenv(variable, value)
    status, err = cli("serve", "--port", "0")
    assert_one_line(status, err, fragment)


def test_dev_stdin_is_held_to_the_same_cap() -> None:
    """A real process: stdin is a pipe here, read up to the cap and no further."""
    result = subprocess.run([sys.executable, "-m", "api", "diagnose", "/dev/stdin"],
                            input=b"#" * 2_000_000, capture_output=True, timeout=60)
    assert_one_line(result.returncode, result.stderr.decode(), "larger than 1000000 bytes")


@pytest.mark.parametrize("shock", ["sponsor_change@\u0663", "sponsor_change@" + "9" * 5000])
def test_a_scheduled_shock_month_is_ascii_digits(cli: Run, shock: str) -> None:
    status, err = cli("simulate", "--profile", "kickoff-fintech", "--strategy", "minimal",
                      "--runs", "2", "--months", "6", "--shock", shock)
    assert_one_line(status, err, "expected NAME@MONTH")


def test_a_csv_answer_sheet_is_read_through_the_same_cap(tmp_path: Path) -> None:
    """/dev/zero as a .csv sheet: st_size says 0, the old reader read it for ever."""
    from advisor.documents import DocumentTooLarge
    from api.store.sheets import read_sheet

    zero = tmp_path / "answers.csv"
    zero.symlink_to("/dev/zero")
    with pytest.raises(DocumentTooLarge, match="larger than 1000000 bytes"):
        read_sheet(zero)


def test_a_database_url_that_is_bad_or_unreachable_is_one_line_not_an_internal_error(
        cli: Run) -> None:
    """``--database`` is the user's input (history, jobs run, ...): not a URL exits 2; a server
    that refuses the connection exits 69 (EX_UNAVAILABLE); neither is an internal error."""
    status, err = cli("history", "Acme", "--database", "notaurl")
    assert status == EXIT_USAGE and err.startswith("pmo-advisor history: error: database: ")
    with socket.socket() as probe:              # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, err = cli("jobs", "run", "--once", "--database",
                      f"postgresql://someone:secret@127.0.0.1:{port}/nothing")
    assert status == 69 and "cannot reach it" in err and "secret" not in err
    assert len(err.strip().splitlines()) == 1
