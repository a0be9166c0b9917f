"""Sensitivity: every range is data with a source, the analysis is reproducible for a seed, the
ranking covers every ranged parameter and Sobol the screened ones, bad options name their field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.errors import InputError
from api.schemas.answers import to_json
from api.schemas.simulation import SensitivityResultSchema
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.sensitivity import OUTCOMES, load_ranges, run_sensitivity
from simulation.sweep_output import write_sensitivity

TINY = {"runs": 3, "months": 12, "trajectories": 2, "sobol_samples": 4, "top": 2,
        "executor": "inline"}


def test_every_parameter_range_holds_its_default_and_names_a_source() -> None:
    ranges = load_ranges()
    assert len(ranges) >= 8
    for r in ranges:
        assert r.low <= getattr(DEFAULT_PARAMETERS, r.name) <= r.high
        assert "docs/model.md" in r.source or "Guide" in r.source
        assert "assumption" in r.source or "Guide" in r.source


@pytest.fixture(scope="module")
def tiny_result():
    return run_sensitivity("crisis-retailer", "customer_centric", seed=3, **TINY)


@pytest.mark.slow
def test_sensitivity_is_reproducible_for_a_seed(tiny_result) -> None:
    again = run_sensitivity("crisis-retailer", "customer_centric", seed=3, **TINY)
    assert to_json(again) == to_json(tiny_result)


@pytest.mark.slow
def test_the_sensitivity_json_is_its_schemas_dump_in_the_contracts_order(tiny_result) -> None:
    """``sensitivity --json`` prints the schema's dump (marshmallow's own, to the byte)."""
    data = to_json(tiny_result)
    assert json.dumps(data) == json.dumps(SensitivityResultSchema().dump(tiny_result))
    assert list(data) == ["profile", "strategy", "runs", "months", "seed", "points", "outcomes",
                          "screened", "ranking"]
    assert data["ranking"] == tiny_result.ranking and data["outcomes"] == OUTCOMES


@pytest.mark.slow
def test_the_ranking_covers_every_parameter_and_sobol_the_screened_ones(tiny_result,
                                                                         tmp_path: Path) -> None:
    rows = tiny_result.ranking
    assert {r["parameter"] for r in rows} == {r.name for r in load_ranges()}
    assert [r["parameter"] for r in rows[:2]] == list(tiny_result.screened)
    for row in rows:
        has_sobol = row["ST." + next(iter(OUTCOMES))] is not None
        assert has_sobol == row["screened"]
    assert tiny_result.points == 2 * (len(rows) + 1) + 4 * (2 + 2)
    written = write_sensitivity(tiny_result, tmp_path / "s")
    assert [p.name for p in written] == ["s.csv", "s.png"]


@pytest.mark.slow
def test_the_sensitivity_chart_carries_the_profiles_own_name(tiny_result) -> None:
    """Issue 11's rule for every chart: the profile's name, not only its file or preset."""
    from simulation.sweep_output import sensitivity_figure

    assert tiny_result.name == "Brightmart PMO"
    assert "Brightmart PMO (crisis-retailer)" in sensitivity_figure(tiny_result).get_suptitle()


@pytest.mark.parametrize(("option", "field"), [
    ({"sobol_samples": 6}, "sobol_samples"),
    ({"top": 0}, "top"),
    ({"trajectories": 1}, "trajectories"),
])
def test_bad_sensitivity_options_name_their_field(option, field) -> None:
    with pytest.raises(InputError) as caught:
        run_sensitivity("crisis-retailer", "customer_centric", **{**TINY, **option})
    assert caught.value.field == field


def test_a_bad_option_is_refused_before_salib_is_imported() -> None:
    """SALib brings scipy and pandas (seconds of imports): a refusal must not wait for them."""
    script = ("import sys\n"
              "from advisor.errors import InputError\n"
              "from simulation.sensitivity import run_sensitivity\n"
              "try:\n"
              "    run_sensitivity('crisis-retailer', 'no-such-strategy')\n"
              "except InputError as e:\n"
              "    assert e.field == 'strategy', e.field\n"
              "else:\n"
              "    raise SystemExit('accepted')\n"
              "assert 'SALib' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60,
                   cwd=Path(__file__).resolve().parent.parent)
