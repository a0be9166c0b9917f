"""The defaults stay calibrated, and docs/model.md documents every parameter and data item."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import simulation.parameters as parameters
from simulation.calibration import (
    CERTAINTY_MEASURES,
    FORCED,
    TARGET_MEDIAN_FIRST_CHANGE,
    TARGET_MONTHS_BETWEEN_CHANGES,
    CalibrationResult,
    calibrate,
    calibration_table,
    certainty_sweep,
)
from simulation.shocks import shock_ids
from simulation.stories import story_ids
from simulation.strategies import strategy_ids

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"

#: Issue 11 asks that no shipped profile x strategy pair be certain (share 0 or 1) of a headline
#: share unless forced; the model is nearly there (docs/model.md, "Certainty"): at most this
#: many of the 96 pairs are certain per measure at ``CERTAINTY_RUNS`` runs each, seed 11: 8, all
#: on P(Thriving) and shares of 1-2% (from Decline, minimal from a Resurgence); 100 runs find 4,
#: 300 runs none. A fix lowers them.
CERTAIN_AT_MOST = {"p_thriving": 8, "p_collapse": 0, "p_crisis_at_12": 0}
#: With N runs a share p looks certain by chance with probability (1 - p)^N: at 70 runs a 5%
#: share does 2.8% of the time (50 runs: 8%, 30 runs: 21%, 100 runs: 0.6% but 45-70 s).
CERTAINTY_RUNS = 70


@pytest.fixture(scope="module")
def life() -> CalibrationResult:
    """The life-cycle calibration (minimal from the Kickoff profiles, 120 months), once."""
    return calibrate(runs=100, seed=2025)


@pytest.mark.slow
def test_a_pmo_without_strategy_changes_every_two_to_three_years(
        life: CalibrationResult) -> None:
    result = life
    low, high = TARGET_MONTHS_BETWEEN_CHANGES
    assert low <= result.months_between_changes <= high, result
    first_low, first_high = TARGET_MEDIAN_FIRST_CHANGE
    assert first_low <= result.median_first_change <= first_high, result
    assert 0.5 <= result.p_changed_by_36 <= 0.85, result      # "50-75% within three years"


@pytest.mark.slow
def test_every_figure_of_the_calibration_table_is_in_its_band(life: CalibrationResult) -> None:
    """The table of docs/model.md ("The calibration table"), reproduced: population of the
    shipped profiles in ordinary operation x the shipped strategies, seed 2025."""
    figures = calibration_table(seed=2025, life=life)
    outside = [f.to_dict() for f in figures if not f.within]
    assert outside == []
    text = MODEL_DOC.read_text(encoding="utf-8")
    for figure in figures:                 # the documented table shows these very numbers
        assert f"| {figure.model:g} |" in text, figure


def test_every_parameter_shock_strategy_and_story_is_documented() -> None:
    text = MODEL_DOC.read_text(encoding="utf-8")
    constants = [name for name in vars(parameters) if re.fullmatch(r"[A-Z][A-Z_]+", name)
                 and name != "DEFAULT_PARAMETERS"] + ["DEFAULT_INDICATOR"]
    missing = [name for name in constants + [f"`{i}`" for i in shock_ids() + strategy_ids()
                                             + story_ids()]
               if name not in text]
    assert missing == []
    documented = re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE)
    assert sorted(documented) == sorted(constants)


@pytest.mark.slow
def test_no_more_profile_strategy_pairs_are_certain_of_a_headline_share_than_documented(
        ) -> None:
    """Every shipped profile x shipped strategy, ``CERTAINTY_RUNS`` = 70 runs, seed 11, on the
    process pool (about 40 s on two cores shared with others): a 5% share then looks certain
    (0 of 70) by chance 2.8% of the time, so a certain pair is a share under about 4% (30 runs:
    a 5% share 21% of the time; 10 runs would call a 5% event certain 60% of the time). Forced
    pairs are listed with their reason in ``simulation.calibration.FORCED``."""
    rows = certainty_sweep(runs=CERTAINTY_RUNS, seed=11, executor="processes")
    assert len(rows) == 96 and all(reason for reason in FORCED.values())
    for measure in CERTAINTY_MEASURES:
        certain = [f"{r['profile']}/{r['strategy']}" for r in rows if measure in r["certain"]]
        assert len(certain) <= CERTAIN_AT_MOST[measure], (measure, certain)
    forced = {(r["profile"], m) for r in rows for m in CERTAINTY_MEASURES
              if (r["profile"], m) in FORCED}
    assert forced == set(FORCED)           # every forced exception names a shipped profile


@pytest.mark.parametrize(("argv", "named"), [
    (["certainty", "abc"], "runs: must be a whole number from 1 to 10000, got 'abc'"),
    (["table", "0"], "runs: must be a whole number from 1 to 10000, got '0'"),
    (["certainty", "10", "gpu"], "executor: must be inline, processes or dask, got 'gpu'"),
    (["--runs"], "unrecognized arguments"),
    (["table", "1", "2"], "too many arguments"),
])
def test_the_calibration_command_refuses_bad_arguments_with_exit_2_naming_them(
        argv: list[str], named: str, capsys: pytest.CaptureFixture[str]) -> None:
    from simulation.calibration import main
    with pytest.raises(SystemExit) as refused:
        main(argv)
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and named in err


def test_the_calibration_command_reads_its_words_and_numbers() -> None:
    from simulation.calibration import _arguments
    certainty = _arguments(["certainty", "30", "processes"])
    assert (certainty.what, certainty.runs, certainty.executor) == ("certainty", 30, "processes")
    table = _arguments(["table"])
    assert (table.what, table.runs) == ("table", None)
    baseline = _arguments(["300"])
    assert (baseline.what, baseline.runs) == (None, 300)
