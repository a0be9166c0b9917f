"""The defaults stay calibrated, and docs/model.md documents every parameter and data item."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import simulation.parameters as parameters
from simulation.calibration import (
    TARGET_MEDIAN_FIRST_CHANGE,
    TARGET_MONTHS_BETWEEN_CHANGES,
    CalibrationResult,
    calibrate,
    calibration_table,
)
from simulation.shocks import shock_ids
from simulation.stories import story_ids
from simulation.strategies import strategy_ids

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"


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
