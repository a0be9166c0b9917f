"""A sweep's tidy table as CSV and Parquet, and a chart of its key outcome across the points.

CSV for a spreadsheet, Parquet (pyarrow) for pandas, R or DuckDB with the column types kept.
Both are written to a temporary file and renamed into place, so a reader never sees half a
table. The chart (matplotlib object API, no pyplot: see ``simulation/plots.py``) draws the key
outcome against the first swept parameter, one line per strategy, schedule and profile; without
parameters, one bar per point.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from advisor.errors import InputError
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.results import MODEL_VERSION, SUMMARY_KEYS
from simulation.sweeps import SweepResult

__all__ = ["write_csv", "write_parquet", "sweep_figure", "write_outputs", "sensitivity_figure",
           "write_sensitivity"]

MAX_LINES = 12     # legend entries a chart stays readable with


def _file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0666 less the umask): ``mkstemp``
    makes its file private (0600), and a table renamed into place kept that, unreadable to
    the colleagues the chart beside it (written with ``open``) was readable to."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        os.close(fd)
        try:
            os.chmod(tmp, _file_mode())
            write(Path(tmp))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}", "out") from None
    return path


def write_csv(result: SweepResult, path: str | Path) -> Path:
    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=result.columns)
            writer.writeheader()
            for row in result.rows():
                writer.writerow({k: ("" if v is None else v) for k, v in row.items()})

    return _atomic(Path(path), write)


def _column_types() -> dict[str, Any]:
    """Each fixed column's Parquet type. Inferred from the values, a column's type followed
    the run: an outcome no run reached (``median_months_to_first_thriving``, all empty) came
    out as Arrow's ``null`` type, so two sweeps' tables did not concatenate or compare."""
    import pyarrow as pa

    return {"point": pa.int64(), "profile": pa.string(), "strategy": pa.string(),
            "shock_schedule": pa.string(), "seed": pa.int64(), "runs": pa.int64(),
            "months": pa.int64(), "initial_scenario": pa.string(),
            **{key: pa.float64() for key in SUMMARY_KEYS}}


def _parameter_type(name: str) -> Any:
    """A swept parameter's type: its default's (whole numbers stay whole)."""
    import pyarrow as pa

    return pa.int64() if type(getattr(DEFAULT_PARAMETERS, name)) is int else pa.float64()


def write_parquet(result: SweepResult, path: str | Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = _column_types()
    rows = result.rows()
    columns = {c: [row.get(c) for row in rows] for c in result.columns}
    schema = pa.schema([(c, types.get(c) or _parameter_type(c)) for c in result.columns],
                       metadata={"sweep": result.sweep.name, "model_version": MODEL_VERSION,
                                 "outcome": result.sweep.outcome})
    table = pa.table(columns, schema=schema)
    return _atomic(Path(path), lambda tmp: pq.write_table(table, tmp))


def _series_label(row: dict[str, Any], result: SweepResult, skip: str | None) -> str:
    parts = [row["strategy"]]
    if len({p.shock_schedule for p in result.sweep.points}) > 1:
        parts.append(row["shock_schedule"])
    if len({p.profile for p in result.sweep.points}) > 1:
        parts.append(row["profile"])
    parts += [f"{n}={row[n]}" for n in result.sweep.parameter_names if n != skip]
    return ", ".join(parts)


def _whose(result: SweepResult) -> str:
    """The profile's own name (and where it came from) when the sweep has one profile, as
    every other chart carries it; several profiles are named in the series' labels."""
    from simulation.plots import _title

    points = result.sweep.points
    return f"{_title(points[0].spec)}, " if len({p.profile for p in points}) == 1 else ""


def sweep_figure(result: SweepResult) -> Figure:
    """The key outcome across the sweep; a share of runs (``p_...``) as a percentage."""
    outcome = result.sweep.outcome
    share = outcome.startswith("p_")
    axis_label = f"{outcome} (% of runs)" if share else outcome
    rows = result.rows()
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    ax = fig.add_subplot()
    names = result.sweep.parameter_names
    if names:
        x_name = names[0]
        lines: dict[str, list[tuple[float, float]]] = {}
        for row in rows:
            if row[outcome] is not None:
                lines.setdefault(_series_label(row, result, x_name), []).append(
                    (row[x_name], row[outcome]))
        for label, points in list(lines.items())[:MAX_LINES]:
            points.sort()
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        ax.set_xlabel(x_name)
        if len(lines) > MAX_LINES:
            ax.set_title(f"first {MAX_LINES} of {len(lines)} series", fontsize=9)
        ax.legend(fontsize=8)
    else:
        labels = [_series_label(row, result, None) for row in rows]
        values = [row[outcome] if row[outcome] is not None else 0.0 for row in rows]
        ax.barh(range(len(rows)), values, color="#5c6bc0")
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.invert_yaxis()
    axis = ax.yaxis if names else ax.xaxis
    axis.set_label_text(axis_label)
    if share:
        axis.set_major_formatter(PercentFormatter(1.0))
    fig.suptitle(f"{result.sweep.name}: {_whose(result)}{outcome} across the sweep "
                 f"({rows[0]['runs']} runs x {rows[0]['months']} months per point, "
                 f"seed {rows[0]['seed']})", fontsize=10)
    return fig


def write_outputs(result: SweepResult, prefix: str | Path) -> list[Path]:
    """``PREFIX.csv``, ``PREFIX.parquet`` and ``PREFIX.png``."""
    from simulation.plots import figure_png

    prefix = Path(prefix)
    png = _atomic(prefix.with_name(prefix.name + ".png"),
                  lambda tmp: tmp.write_bytes(figure_png(sweep_figure(result))))
    return [write_csv(result, prefix.with_name(prefix.name + ".csv")),
            write_parquet(result, prefix.with_name(prefix.name + ".parquet")), png]


def sensitivity_figure(result: Any) -> Figure:
    """Morris mu* (scaled per outcome) of every parameter, most influential on top; the
    parameters kept for Sobol carry their total index ST in the label."""
    from simulation.sensitivity import OUTCOMES

    rows = result.ranking
    fig = Figure(figsize=(9, 0.45 * len(rows) + 2), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / len(OUTCOMES)
    for k, (outcome, label) in enumerate(OUTCOMES.items()):
        ax.barh([i + k * height for i in range(len(rows))],
                [row[f"mu_star.{outcome}"] for row in rows], height=height, label=label)
    labels = []
    for row in rows:
        st = [row[f"ST.{o}"] for o in OUTCOMES if row[f"ST.{o}"] is not None]
        labels.append(row["parameter"] + (f"  (Sobol ST up to {max(st):.2f})" if st else ""))
    ax.set_yticks([i + height for i in range(len(rows))], labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Morris mu* (1 = the most influential parameter for that outcome)")
    ax.legend(fontsize=8)
    whose = f"{result.name} ({result.profile})" if result.name and \
        result.name != result.profile else result.profile
    fig.suptitle(f"What moves the outcomes: {whose}, {result.strategy} "
                 f"({result.points} experiments of {result.runs} runs x {result.months} months, "
                 f"seed {result.seed})", fontsize=10)
    return fig


def write_sensitivity(result: Any, prefix: str | Path) -> list[Path]:
    """``PREFIX.csv`` (the ranked table) and ``PREFIX.png`` (its chart)."""
    from simulation.plots import figure_png

    prefix = Path(prefix)
    rows = result.ranking

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in row.items()})

    table = _atomic(prefix.with_name(prefix.name + ".csv"), write)
    png = _atomic(prefix.with_name(prefix.name + ".png"),
                  lambda tmp: tmp.write_bytes(figure_png(sensitivity_figure(result))))
    return [table, png]
