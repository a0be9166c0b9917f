"""Sweeps: one row per point with its seed, the same table on every executor, CSV and Parquet
that read back to it, and bad sweep files refused with the field named."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

import scenarios
from advisor.errors import InputError
from api import service
from simulation.limits import LOCAL
from simulation.sweep_output import write_outputs
from simulation.sweeps import load_sweep, parse_sweep, run_sweep

TINY: dict[str, Any] = {
    "name": "tiny", "months": 6, "runs": 4, "seed": 11,
    "profiles": ["crisis-retailer"], "strategies": ["crisis_turnaround", "minimal"],
    "shock_schedules": {"none": [], "sponsor": ["sponsor_change@2"]},
    "parameters": {"exec_response": [0.2, 0.5]},
}


def test_a_sweep_has_one_row_per_point_with_its_seed_and_settings() -> None:
    result = run_sweep(parse_sweep(TINY), executor="inline")
    rows = result.rows()
    assert len(rows) == 2 * 2 * 2
    assert {r["seed"] for r in rows} == {11}
    assert {(r["strategy"], r["shock_schedule"], r["exec_response"]) for r in rows} == {
        (s, k, v) for s in ("crisis_turnaround", "minimal") for k in ("none", "sponsor")
        for v in (0.2, 0.5)}
    assert [r["point"] for r in rows] == list(range(8))
    assert set(result.columns) == set(rows[0])


@pytest.mark.slow
def test_the_same_sweep_and_seed_give_identical_tables_on_every_executor() -> None:
    sweep = parse_sweep({**TINY, "strategies": ["plan", "minimal"]})   # a plan too
    inline = run_sweep(sweep, executor="inline").rows()
    assert run_sweep(sweep, executor="processes", workers=2).rows() == inline
    # a cluster named by its scheduler's address (--scheduler), as a shared one would be
    from dask.distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        assert run_sweep(sweep, executor="dask", scheduler=cluster.scheduler_address
                         ).rows() == inline


def test_a_sweep_plays_each_profiles_own_plan_and_strategy_files_next_to_it(
        tmp_path: Path) -> None:
    ours = yaml.safe_load((Path(scenarios.__file__).parent / "strategies" / "minimal.yaml")
                          .read_text(encoding="utf-8"))
    (tmp_path / "ours.yaml").write_text(yaml.safe_dump({**ours, "id": "ours"}))
    document = {"months": 6, "runs": 3, "seed": 5, "profiles": ["crisis-retailer",
                                                                "kickoff-fintech"],
                "strategies": ["plan", "ours.yaml"]}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(document))
    rows = run_sweep(load_sweep(tmp_path / "sweep.yaml"), executor="inline").rows()
    assert [(r["profile"], r["strategy"]) for r in rows] == [
        (p, s) for p in document["profiles"] for s in document["strategies"]]
    for row in rows:   # each point is the front door's simulation of the same thing
        strategy = "plan" if row["strategy"] == "plan" else tmp_path / "ours.yaml"
        alone = service.simulate(row["profile"], strategy, months=6, runs=3, seed=5,
                                 allow_files=True, limits=LOCAL)
        assert {k: row[k] for k in alone.summary} == alone.summary
    plans = [r for r in rows if r["strategy"] == "plan"]
    assert plans[0]["initial_scenario"] != plans[1]["initial_scenario"]   # each its own plan


def test_a_sweep_advises_each_profile_once_however_many_points_play_its_plan(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The advice behind ``plan`` takes ~30 ms: once a point, a 500-point sweep took 14 s to
    check (in an HTTP worker, for a job)."""
    import simulation.plan

    advised: list[str] = []
    real = simulation.plan.profile_plan_strategy

    def counted(profile: Any) -> Any:
        advised.append(profile.name)
        return real(profile)

    monkeypatch.setattr(simulation.plan, "profile_plan_strategy", counted)
    sweep = parse_sweep({**TINY, "profiles": ["crisis-retailer", "kickoff-fintech"],
                         "strategies": ["plan", "minimal"]})
    assert len([p for p in sweep.points if p.strategy == "plan"]) == 2 * 2 * 2
    assert len(advised) == 2


def test_a_sweep_takes_strategy_documents_named_by_their_id() -> None:
    ours = service.plan_strategy("crisis-retailer")
    rows = run_sweep(parse_sweep({**TINY, "shock_schedules": {"none": []}, "parameters": {},
                                  "strategies": [ours, "minimal"]}), executor="inline").rows()
    assert [r["strategy"] for r in rows] == [ours["id"], "minimal"]


def test_csv_and_parquet_read_back_to_the_table(tmp_path: Path) -> None:
    result = run_sweep(parse_sweep({**TINY, "shock_schedules": {"none": []}}),
                       executor="inline")
    written = write_outputs(result, tmp_path / "out")
    assert [p.name for p in written] == ["out.csv", "out.parquet", "out.png"]
    rows = result.rows()
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == list(result.columns)
    assert table.to_pylist() == rows
    assert table.schema.metadata[b"sweep"] == b"tiny"
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        read = list(csv.DictReader(f))
    assert [r["strategy"] for r in read] == [r["strategy"] for r in rows]
    assert [float(r["exec_response"]) for r in read] == [r["exec_response"] for r in rows]
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*"))     # no temporary file left behind


@pytest.mark.parametrize(("change", "field"), [
    ({"parameters": {"no_such_knob": [1, 2]}}, "parameters.no_such_knob"),
    ({"parameters": {"exec_response": {"from": 0.1, "to": 0.5}}}, "parameters.exec_response"),
    ({"parameters": {"review_interval": [2.5]}}, "parameters.review_interval"),
    ({"strategies": []}, "strategies"),
    ({"strategies": ["minimal", "minimal"]}, "strategies"),
    ({"outcome": "happiness"}, "outcome"),
    ({"colour": "blue"}, "colour"),
    ({"parameters": {"exec_response": {"from": 0.1, "to": 0.9, "steps": 50},
                     "budget_response": {"from": 0.1, "to": 0.9, "steps": 50}}}, "parameters"),
    ({"strategies": ["minimal", "no_such_strategy"]}, "strategies[1]"),
    ({"strategies": ["minimal", "ours.yaml"]}, "strategies[1]"),   # files: command line only
    ({"parameters": {"noise_sd": [float("inf")]}}, "parameters.noise_sd"),
    ({"profiles": ["crisis-retailer", "no-such-preset"]}, "profiles[1]"),
    ({"name": "x" * 5000}, "name"),
    ({"name": [1, 2]}, "name"),
    ({"shock_schedules": {"none": [], "late": ["sponsor_change@2", "nope@3"]}},
     "shock_schedules.late[1]"),
    ({"profiles": ["crisis-retailer", {"pmo": {"exists": True},
                                       "indicators": {"influence": 9}}]},
     "profiles[1].indicators.influence"),
    ({"parameters": {"cycle_months": [float("nan")]}}, "parameters.cycle_months"),
    ({"parameters": {"noise_sd": {"from": 0, "to": 1e308, "steps": 3}}}, "parameters.noise_sd"),
])
def test_bad_sweeps_are_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_sweep({**TINY, **change})
    assert caught.value.field == field


@pytest.mark.slow
def test_cli_sweep_writes_the_table_and_chart(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**TINY, "runs": 2, "shock_schedules": {"none": []}}))
    result = run_cli("sweep", str(path), "--out", str(tmp_path / "r"), "--executor", "inline")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r.csv").exists() and (tmp_path / "r.parquet").exists()
    assert (tmp_path / "r.png").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**TINY, "outcome": "happiness"}))
    result = run_cli("sweep", str(bad), "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "outcome" in result.stderr


def test_the_sweep_chart_shows_shares_as_percentages_and_names_the_profile() -> None:
    """Issue 11's rule for every chart: percentages, and the profile's own name."""
    from matplotlib.ticker import PercentFormatter

    from simulation.sweep_output import sweep_figure

    result = run_sweep(parse_sweep({**TINY, "runs": 2, "shock_schedules": {"none": []}}),
                       executor="inline")
    figure = sweep_figure(result)
    axis = figure.axes[0].yaxis
    assert isinstance(axis.get_major_formatter(), PercentFormatter)
    assert "%" in axis.get_label_text()
    name = result.sweep.points[0].spec.start.name
    assert name and name in figure.get_suptitle()


def test_sweep_files_get_the_users_usual_permissions_not_private_ones(tmp_path: Path) -> None:
    """Written through a temporary file (mkstemp: 0600) and renamed; they must read like any
    file the user writes (0666 less the umask), as the chart beside them always did."""
    import os

    result = run_sweep(parse_sweep({**TINY, "runs": 1, "months": 3,
                                    "shock_schedules": {"none": []}, "parameters": {}}),
                       executor="inline")
    old = os.umask(0o022)
    try:
        written = write_outputs(result, tmp_path / "out")
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(0o644)}


@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
def test_an_output_folder_that_cannot_be_written_is_refused_before_the_run(
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep may run for an hour; its --out was only tried once it had finished."""
    from api.cli import main
    from simulation import sensitivity, sweeps

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("ran before checking --out")

    monkeypatch.setattr(sweeps, "run_sweep", never)
    monkeypatch.setattr(sensitivity, "run_sensitivity", never)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(TINY))
    args = [str(path)] if command == "sweep" else ["--profile", "crisis-retailer",
                                                   "--strategy", "minimal"]
    assert main([command, *args, "--out", str(tmp_path / "missing" / "r")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"pmo-advisor {command}: error: out: cannot write")
    assert len(error.splitlines()) == 1


def test_parquet_column_types_are_fixed_not_inferred_from_what_the_runs_reached(
        tmp_path: Path) -> None:
    """An outcome no run reached (all empty) is still a float column, a whole-number parameter
    an int64 one: two sweeps' tables concatenate and compare."""
    import pyarrow as pa

    result = run_sweep(parse_sweep({**TINY, "runs": 2, "shock_schedules": {"none": []},
                                    "parameters": {"review_interval": [3, 4]}}),
                       executor="inline")
    assert all(row["median_months_to_first_thriving"] is None for row in result.rows())
    write_outputs(result, tmp_path / "out")
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert schema.field("median_months_to_first_thriving").type == pa.float64()
    assert schema.field("review_interval").type == pa.int64()
    assert schema.field("point").type == pa.int64() and schema.field("seed").type == pa.int64()
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == result.rows()


def test_a_grid_of_millions_of_points_is_refused_before_it_is_written_out() -> None:
    """Counted, not listed: 5 parameters of 50 steps are 312,500,000 combinations, which
    took minutes and gigabytes (in an HTTP worker, for a job) before the limit refused them."""
    names = ["exec_response", "noise_sd", "budget_response", "hazard_scale", "value_expected"]
    huge = {**TINY, "parameters": {n: {"from": 0.1, "to": 0.9, "steps": 50} for n in names}}
    started = time.process_time()
    with pytest.raises(InputError) as refused:
        parse_sweep(huge)
    assert time.process_time() - started < 5     # CPU seconds; listing it took minutes
    assert refused.value.problems[0][0] == "parameters"
    assert "1250000000 points, above the limit of 500" in str(refused.value)


def test_a_negative_seed_is_refused_with_the_allowed_range_not_called_fractional() -> None:
    with pytest.raises(InputError) as refused:
        parse_sweep({**TINY, "seed": -3})
    assert refused.value.problems == [("seed", "seed must be a whole number, 0 or more, got -3")]
