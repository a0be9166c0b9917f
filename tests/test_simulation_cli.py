"""simulate, compare and story on the command line: output, charts, errors, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import scenarios
from api.cli import main
from api.cli.simulate import progress_bar

PROFILES = scenarios.documents("profiles")

PNG = b"\x89PNG\r\n\x1a\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_prints_a_summary_and_draws_both_charts(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    chart = tmp_path / "sim.png"
    code, out, err = run(capsys, "simulate", "--profile", "kickoff-fintech", "--strategy",
                         "customer_centric", "--months", "12", "--runs", "4", "--seed", "7",
                         "--shock", "sponsor_change@6", "--plot", str(chart))
    assert code == 0, err
    assert out.startswith("kickoff-fintech (Lumen Pay PMO): Customer-centric strategy, 4 runs x "
                          "12 months, seed 7\nstarts in Kickoff; shocks: sponsor_change@6")
    momentum = out.split("Momentum (0-1)")[1].split("Share of runs")[0]
    assert [line.split()[1] for line in momentum.splitlines() if "month" in line] == \
        ["0", "3", "6", "9", "12"]          # every quarterly review, not every sixth month
    for section in ("Summary", "P(Collapse by horizon)", "Momentum (0-1): p10 / p50 / p90",
                    "Share of runs per scenario"):
        assert section in out
    assert chart.read_bytes().startswith(PNG)
    assert "simulating [" not in err          # no progress bar when stderr is not a terminal


def test_simulate_json_from_a_profile_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", "--profile", str(PROFILES["crisis-retailer"]),
                       "--strategy", "crisis_turnaround", "--months", "6", "--runs", "3",
                       "--json", "--no-random-shocks")
    data = json.loads(out)
    assert code == 0 and data["initial_scenario"] == "crisis"
    assert data["random_shocks"] is False and data["profile"]["label"].endswith(".yaml")


def test_compare_prints_one_table_and_one_chart(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    chart = tmp_path / "cmp.png"
    code, out, err = run(capsys, "compare", "--profile", "kickoff-fintech", "--strategies",
                         "customer_centric,process_centric,minimal", "--months", "9",
                         "--runs", "3", "--plot", str(chart))
    assert code == 0, err
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("strategy"))
    assert [line.split()[0] for line in lines[header + 1:header + 4]] == [
        "customer_centric", "process_centric", "minimal"]
    assert chart.read_bytes().startswith(PNG)


def test_story_tells_the_crisis_to_resurgence_timeline(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    chart = tmp_path / "story.png"
    code, out, _ = run(capsys, "story", "crisis-to-resurgence", "--plot", str(chart))
    assert code == 0
    assert out.startswith("From Thriving to Resurgence\n")
    assert "[shock] Sponsor change" in out and "[shutdown]" in out and "[launch]" in out
    assert "Crisis -> Decline" in out and "collapse_when_all_backing_gone" in out
    assert out.rstrip().endswith(
        "Path: Thriving -> Crisis -> Decline -> Collapse -> Potential -> Resurgence -> Growing")
    assert chart.read_bytes().startswith(PNG)


def test_story_without_a_name_lists_the_stories(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "story")
    assert code == 0 and "crisis-to-resurgence" in out and "kickoff-to-thriving" in out


@pytest.mark.parametrize(("args", "message"), [
    # an unknown strategy names the field and lists the choices
    (["simulate", "--profile", "kickoff-fintech", "--strategy", "hope"],
     "pmo-advisor simulate: error: strategy: unknown strategy 'hope'; allowed: "),
    # negative months
    (["simulate", "--profile", "kickoff-fintech", "--strategy", "minimal", "--months", "-3"],
     "pmo-advisor simulate: error: months: must be between 1 and 120, got -3"),
    # runs beyond the documented cap
    (["simulate", "--profile", "kickoff-fintech", "--strategy", "minimal", "--runs", "10001"],
     "pmo-advisor simulate: error: runs: must be between 1 and 10000, got 10001"),
    # an unknown shock
    (["simulate", "--profile", "kickoff-fintech", "--strategy", "minimal", "--shock",
      "meteor@3"], "pmo-advisor simulate: error: shocks[0]: unknown shock 'meteor'"),
    # a missing profile file
    (["compare", "--profile", "/no/such.yaml", "--strategies", "minimal,quick_wins"],
     "pmo-advisor compare: error: file: no such file: /no/such.yaml"),
    # an unknown story
    (["story", "once-upon-a-time"], "pmo-advisor story: error: story: unknown story"),
    # a chart must be a PNG
    (["story", "kickoff-to-thriving", "--plot", "story.pdf"],
     "pmo-advisor story: error: plot: plots are written as PNG"),
])
def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], args: list[str],
                                         message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1, err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_after_a_second() -> None:
    assert progress_bar(io.StringIO()) is None       # a pipe or a file: quiet
    now = [100.0]
    screen = _Terminal()
    show = progress_bar(screen, label="comparing", clock=lambda: now[0])
    assert show is not None
    show(2, 20)
    assert screen.getvalue() == ""                   # under a second: no bar
    now[0] += 1.5
    show(5, 20)
    assert screen.getvalue() == "\rcomparing [#######.......................] 5/20"
    now[0] += 0.01
    show(6, 20)                                      # redrawn at most every 0.1 s
    assert screen.getvalue().endswith("5/20")
    show(20, 20)
    assert screen.getvalue().endswith("\r") and "20/20" not in screen.getvalue()  # wiped


def test_a_quick_run_leaves_no_trace_on_the_terminal() -> None:
    screen = _Terminal()
    show = progress_bar(screen)
    assert show is not None
    show(10, 10)
    assert screen.getvalue() == ""


def test_the_installed_command_runs_a_story() -> None:
    result = subprocess.run([sys.executable, "-m", "api", "story", "crisis-averted",
                             "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["follows_expected_path"] is True
    assert data["path"][:2] == ["thriving", "crisis"]


@pytest.mark.parametrize("story", sorted(scenarios.documents("stories")))
def test_a_storys_event_labels_never_print_over_each_other(story: str) -> None:
    """Events a month or two apart (services changed at 3, a sponsor change at 4) were labelled
    over each other, unreadable; each label now sits where it overlaps no other."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from simulation.plots import story_figure
    from simulation.stories import run_story

    told = run_story(story)
    figure = story_figure(told)
    assert f"({told.story.profile})" in figure.axes[0].get_title()    # the PMO's own name
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in figure.axes[0].texts
             if t.get_gid() == "event"]
    assert boxes
    assert not [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[:i])
                if a.overlaps(b)]


def test_a_baseline_chart_draws_the_runs_with_and_without_the_shocks() -> None:
    """``simulate --baseline --plot`` drew only the shocked run: the chart could not show the
    shock's effect it was asked for."""
    from api.service import simulate_with_baseline
    from simulation.plots import baseline_figure

    both = simulate_with_baseline("growing-telecom", "customer_centric", runs=3, months=9,
                                  shocks=["sponsor_change@3"], executor="inline")
    figure = baseline_figure(both)
    labels = {line.get_label() for ax in figure.axes for line in ax.get_lines()}
    assert {"with shocks median", "without shocks median"} <= labels
    assert "Telco IT PMO" in figure.axes[0].get_title()
