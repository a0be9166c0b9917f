"""``pmo-advisor assess``, ``history`` and ``memory``: assessment cycles from the terminal, the
same on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from advisor.questionnaire import load_questionnaire
from api.cli import main
from api.store import Store, close_store
from api.store.sheets import parse_csv_sheet


@pytest.fixture
def db(database_url: str) -> Iterator[list[str]]:
    """``--database`` naming a new database, on SQLite and on PostgreSQL in turn."""
    yield ["--database", database_url]
    close_store(database_url)


@pytest.fixture
def cli(capsys) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``pmo-advisor`` in this process (fast); the terminal test below runs a real child."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def test_history_of_the_shipped_example_shows_crisis_turning_into_resurgence(cli, db):
    loaded = cli("assess", "--example", *db)
    assert loaded.returncode == 0, loaded.stderr
    shown = cli("history", "Northwind Freight", *db)
    assert shown.returncode == 0, shown.stderr
    assert "Scenario path: Crisis -> Decline -> Resurgence" in shown.stdout
    assert "executive_support       2.50  1.58  4.08  ↑ rising" in shown.stdout


def test_sheets_yaml_and_csv_are_imported_and_the_cycle_closes(cli, db, tmp_path):
    (tmp_path / "ann.yaml").write_text(
        "rater: Ann\nrole: executive\nanswers:\n  fact.pmo_exists: true\n"
        "  fact.age_months: 48\n  executive_support.funding: 2\n"
        "  stakeholder_support.participation: 2\n  sign.artifacts_unused: true\n")
    (tmp_path / "bob.csv").write_text(
        "rater,role,item,value\nBob,pmo_staff,executive_support.funding,4\n"
        "Bob,pmo_staff,autonomy.mandate_clear,dont_know\nBob,pmo_staff,fact.pmo_exists,yes\n")
    done = cli("assess", "Acme", "--sheet", str(tmp_path / "ann.yaml"),
                   "--sheet", str(tmp_path / "bob.csv"), "--close", *db)
    assert done.returncode == 0, done.stderr
    assert "closed, version 4, 2 rater(s)" in done.stdout
    assert "executive_support       3.00   2.00      2     100%  raters disagree" in done.stdout


def test_a_bad_answer_in_a_sheet_exits_2_naming_the_item(cli, db, tmp_path):
    (tmp_path / "bad.yaml").write_text("rater: Ann\nanswers: {influence.consulted: 7}\n")
    done = cli("assess", "Acme", "--sheet", str(tmp_path / "bad.yaml"), *db)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "pmo-advisor assess: error: answers.influence.consulted: must be a whole number from 1 "
        "to 5 or 'dont_know', got 7")


def test_answering_in_the_terminal_saves_what_was_answered(db):
    q = load_questionnaire()
    facts = sum(len(q.of_part(part)) for part in ("fact", "organization", "change"))
    # facts: PMO exists, skip the rest; first indicator item 4, the second don't know; then EOF
    typed = "y\n" + "\n" * (facts - 1) + "4\n?\n"
    done = subprocess.run([sys.executable, "-m", "api", "assess", "Acme", "--rater", "Ann",
                           "--role", "pmo_staff", *db], input=typed, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, second = (i.id for i in q.of_part("indicator")[:2])
    store = Store(db[1])
    cycle = store.cycle("Acme", 1)
    store.close()
    assert cycle.raters == [{"name": "Ann", "role": "pmo_staff", "answers": {
        "fact.pmo_exists": True, first: 4, second: "dont_know"}}]


def test_csv_cells_are_read_by_the_items_kind():
    sheet = parse_csv_sheet("item,value\nfact.pmo_exists,no\ncustomer.outcomes,14;5\n"
                            "autonomy.mandate_clear,3\nfact.age_months,6.5\n")
    assert sheet.answers == {"fact.pmo_exists": False, "customer.outcomes": [14, 5],
                             "autonomy.mandate_clear": 3, "fact.age_months": 6.5}


def test_memory_export_wipe_import_round_trips(cli, db, tmp_path):
    assert cli("assess", "--example", *db).returncode == 0
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli("memory", "export", str(first), *db).returncode == 0
    refused = cli("memory", "wipe", *db)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert cli("memory", "wipe", "--yes", *db).returncode == 0
    gone = cli("history", "Northwind Freight", *db)
    assert gone.returncode == 2 and "no organization 'Northwind Freight'" in gone.stderr
    assert cli("memory", "import", str(first), *db).returncode == 0
    assert cli("memory", "export", str(second), *db).returncode == 0
    assert first.read_text() == second.read_text()


@pytest.mark.parametrize("suffix", ["csv", "yaml"])
def test_a_blank_sheet_filled_in_imports_back(cli, db, tmp_path, suffix):
    blank = tmp_path / f"blank.{suffix}"
    assert cli("assess", "--blank-sheet", str(blank)).returncode == 0
    text = blank.read_text()
    if suffix == "csv":
        text = text.replace(",,fact.pmo_exists,,", "Zoe,executive,fact.pmo_exists,yes,") \
                   .replace(",,influence.consulted,,", "Zoe,executive,influence.consulted,4,")
    else:
        text = text.replace("rater: ''", "rater: Zoe") \
                   .replace("  # fact.pmo_exists: ", "  fact.pmo_exists: true") \
                   .replace("  # influence.consulted: ", "  influence.consulted: 4")
    blank.write_text(text)
    done = cli("assess", "Acme", "--sheet", str(blank), "--json", *db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["raters"][0]["answers"] == {"fact.pmo_exists": True,
                                                               "influence.consulted": 4}


def test_assess_and_history_take_a_pmo_by_name(cli, db, tmp_path):
    sheet = tmp_path / "ann.yaml"
    sheet.write_text("rater: Ann\nanswers:\n  fact.pmo_exists: true\n"
                     "  executive_support.funding: 2\n  autonomy.mandate_clear: 2\n")
    done = cli("assess", "Acme", "--pmo", "IT PMO", "--sheet", str(sheet), "--close", *db)
    assert done.returncode == 0, done.stderr
    assert "created PMO 'IT PMO'" in done.stderr
    it = cli("history", "Acme", "--pmo", "IT PMO", *db)
    assert it.returncode == 0 and it.stdout.startswith("Acme (IT PMO)")
    assert "cycle  1" in it.stdout
    default = cli("history", "Acme", *db)
    assert "No closed assessment cycle yet." in default.stdout  # the default PMO's history
    missing = cli("history", "Acme", "--pmo", "Nope", *db)
    assert missing.returncode == 2 and "no PMO 'Nope'" in missing.stderr


def test_simulate_and_compare_from_an_organization_keep_their_runs(cli, db):
    assert cli("assess", "--example", *db).returncode == 0
    small = ("--runs", "4", "--months", "6", "--seed", "5")
    one = cli("simulate", "--org", "Northwind Freight", "--strategy", "plan", *small, "--json",
              *db)
    assert one.returncode == 0, one.stderr
    assert "cycle 3" in one.stderr
    both = cli("compare", "--org", "Northwind Freight", "--cycle", "2",
               "--strategies", "minimal,plan", *small, *db)
    assert both.returncode == 0, both.stderr
    history = json.loads(cli("history", "Northwind Freight", "--json", *db).stdout)
    runs = [(r["cycle"], r["strategy"], r["seed"], r["summary"]["runs"])
            for r in history["simulation_runs"]]
    assert runs == [(2, "minimal", 5, 4), (2, "plan", 5, 4), (3, "plan", 5, 4)]
    # the stored run is the printed one: same seed, same summary
    kept = [r for r in history["simulation_runs"] if r["cycle"] == 3][0]
    printed = json.loads(one.stdout)
    assert kept["summary"]["p_thriving_at_horizon"] == printed["summary"][
        "p_thriving_at_horizon"]
    assert "Simulation runs kept:" in cli("history", "Northwind Freight", *db).stdout


@pytest.mark.parametrize("args, field", [
    (("--strategy", "minimal"), "--profile"),
    (("--strategy", "minimal", "--profile", "crisis-retailer", "--org", "X"), "--profile"),
    (("--strategy", "minimal", "--profile", "crisis-retailer", "--pmo", "X"), "--pmo"),
    (("--strategy", "minimal", "--org", "Nowhere"), "Nowhere"),
])
def test_simulate_needs_one_source_of_profile(cli, db, args, field):
    bad = cli("simulate", *args, *db)
    assert bad.returncode == 2 and field in bad.stderr and bad.stderr.count("\n") == 1


def test_simulate_from_an_organization_plays_the_plan_kept_with_the_cycle(cli, db, tmp_path):
    from api.store import open_store

    assert cli("assess", "--example", *db).returncode == 0
    small = ("--runs", "4", "--months", "9", "--seed", "2")
    kept = cli("simulate", "--org", "Northwind Freight", "--strategy", "plan", *small, *db)
    assert kept.returncode == 0, kept.stderr
    assert "the plan kept with cycle 3 strategy" in kept.stdout
    # today's rules recompute the same plan from the cycle's profile: the same run
    profile = tmp_path / "cycle3.json"
    profile.write_text(json.dumps(open_store(db[1]).cycle("Northwind Freight", 3).profile))
    fresh = cli("simulate", "--profile", str(profile), "--strategy", "plan", *small, "--json")
    again = cli("simulate", "--org", "Northwind Freight", "--strategy", "plan", *small,
                "--json", *db)
    assert json.loads(again.stdout)["series"] == json.loads(fresh.stdout)["series"]
