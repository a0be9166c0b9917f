"""Story mode for trainers: one scripted, seeded run told as a timeline.

A story (``scenarios/stories/*.yaml``) names a starting profile, a strategy, scripted shocks and
strategy changes with a line of narration each, and a seed. :func:`run_story` runs it once with
full tracing and returns the timeline: month, event, scenario transition and the diagnosis rules
behind each transition. ``expect_path`` is the sequence of scenarios the story is written to show;
the tests check that the seeded run passes through it in that order.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np

import scenarios
from advisor.catalog import load_catalog
from advisor.errors import CatalogError, InputError
from advisor.presets import load_preset
from advisor.yaml_data import parse_yaml
from rules.diagnosis import Diagnosis
from simulation.limits import MAX_SEED
from simulation.model import Replication, scenario_ids, series_columns, simulate
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.shocks import ScheduledShock, load_shocks
from simulation.state import Event, Start
from simulation.strategies import get_strategy

__all__ = ["Story", "TimelineEntry", "CitedRule", "StoryResult", "load_stories",
           "story_ids", "get_story", "run_story", "is_subsequence"]

MAX_STORY_MONTHS = 120
RULES_PER_TRANSITION = 3     # the strongest evidence rules shown for each new scenario
_KEYS = {"id", "title", "summary", "profile", "strategy", "relaunch_strategy", "months", "seed",
         "random_shocks", "events", "expect_path"}
_OPTIONAL_KEYS = {"takeaways"}   # what the room should take away: the presenter's closing slide


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    summary: str
    profile: str
    strategy: str
    relaunch_strategy: str | None
    months: int
    seed: int
    random_shocks: bool
    steps: tuple[Event, ...]         # scripted shocks and strategy changes; text: the narration
    expect_path: tuple[str, ...]
    takeaways: tuple[str, ...] = ()

    @property
    def events(self) -> list[dict[str, Any]]:
        """The scripted steps as the story file writes them: month, shock or strategy, say."""
        return [{"month": s.month, s.kind: s.name, "say": s.text} for s in self.steps]


def _build(path: Path) -> Story:
    raw = parse_yaml(path.read_text(encoding="utf-8"))
    where = f"story {path.name}"
    if (not isinstance(raw, Mapping) or not _KEYS <= set(raw) <= _KEYS | _OPTIONAL_KEYS
            or raw["id"] != path.stem):
        raise CatalogError(f"{where}: needs exactly the keys {sorted(_KEYS)} (and optionally "
                           f"{sorted(_OPTIONAL_KEYS)}), id = file name")
    takeaways = raw.get("takeaways", [])
    if not isinstance(takeaways, list) or not all(isinstance(t, str) for t in takeaways):
        raise CatalogError(f"{where}: takeaways must be a list of sentences")
    months = raw["months"]
    if not isinstance(months, int) or not 1 <= months <= MAX_STORY_MONTHS:
        raise CatalogError(f"{where}: months must be 1-{MAX_STORY_MONTHS}")
    try:
        load_preset(raw["profile"])
        for name in (raw["strategy"], raw["relaunch_strategy"] or raw["strategy"]):
            get_strategy(name)
    except InputError as exc:
        raise CatalogError(f"{where}: {exc}") from None
    steps = []
    for event in raw["events"]:
        kind = "shock" if "shock" in event else "strategy"
        name = event[kind]
        known = load_shocks() if kind == "shock" else None
        if (known is not None and name not in known) or set(event) != {"month", kind, "say"}:
            raise CatalogError(f"{where}: bad event {event}")
        if kind == "strategy":
            get_strategy(name)
        if not 1 <= event["month"] <= months:
            raise CatalogError(f"{where}: event month outside 1-{months}: {event}")
        steps.append(Event(int(event["month"]), kind, name, " ".join(event["say"].split())))
    if not set(raw["expect_path"]) <= set(load_catalog().ids("scenarios")):
        raise CatalogError(f"{where}: expect_path names an unknown scenario")
    return Story(id=raw["id"], title=raw["title"], summary=" ".join(raw["summary"].split()),
                 profile=raw["profile"], strategy=raw["strategy"],
                 relaunch_strategy=raw["relaunch_strategy"], months=months, seed=raw["seed"],
                 random_shocks=bool(raw["random_shocks"]),
                 steps=tuple(sorted(steps, key=lambda s: s.month)),
                 expect_path=tuple(raw["expect_path"]),
                 takeaways=tuple(" ".join(t.split()) for t in takeaways))


@functools.cache
def load_stories() -> Mapping[str, Story]:
    return {s.id: s for s in map(_build, scenarios.documents("stories").values())}


def story_ids() -> tuple[str, ...]:
    return tuple(load_stories())


def get_story(story_id: Any) -> Story:
    stories = load_stories()
    if not isinstance(story_id, str) or story_id not in stories:
        raise InputError(f"unknown story {story_id!r}; allowed: {', '.join(stories)}", "story")
    return stories[story_id]


class CitedRule(NamedTuple):
    """A diagnosis rule behind a transition: its id and its plain-language reason."""

    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    month: int
    kind: str  # start|shock|strategy|portfolio|review|restructure|shutdown|launch
    name: str
    text: str
    say: str = ""                 # the story's narration for a scripted event
    scenario_from: str | None = None
    scenario_to: str | None = None
    confidence: float | None = None
    rules: tuple[CitedRule, ...] = ()   # the rules behind a transition


def _why(diagnosis: Diagnosis) -> tuple[CitedRule, ...]:
    rules = sorted((r for r in diagnosis.rules_for(diagnosis.scenario) if r.effect == "evidence"),
                   key=lambda r: -r.weight)
    return tuple(CitedRule(r.id, r.reason) for r in rules[:RULES_PER_TRANSITION])


def is_subsequence(wanted: tuple[str, ...] | list[str], path: list[str]) -> bool:
    """True when ``wanted`` appears in ``path`` in order (other scenarios may come between)."""
    it = iter(path)
    return all(any(step == s for s in it) for step in wanted)


@dataclass(frozen=True)
class StoryResult:
    """A story told: the story (its fields are the answer's first ones) and its one traced run.
    Its JSON is dumped by ``api/schemas/library.py`` ``StoryResultSchema``."""

    story: Story
    replication: Replication

    kind: ClassVar[str] = "story"

    @functools.cached_property
    def path(self) -> list[str]:
        """The scenarios the run passed through, in order, repeats collapsed."""
        out: list[str] = []
        for _, diagnosis in self.replication.diagnoses:
            if not out or out[-1] != diagnosis.scenario:
                out.append(diagnosis.scenario)
        return out

    @property
    def follows_expected_path(self) -> bool:
        return is_subsequence(self.story.expect_path, self.path)

    @functools.cached_property
    def timeline(self) -> list[TimelineEntry]:
        said = {(s.month, s.kind, s.name): s.text for s in self.story.steps}
        diagnoses = dict(self.replication.diagnoses)
        entries = []
        current: str | None = None
        for event in self.replication.events:
            if event.kind == "cycle":
                continue
            say = said.get((event.month, event.kind, event.name), "")
            if event.kind != "review":
                entries.append(TimelineEntry(event.month, event.kind, event.name, event.text,
                                             say))
                continue
            diagnosis = diagnoses[event.month]
            entries.append(TimelineEntry(
                event.month, "start" if event.month == 0 else "review", diagnosis.scenario,
                event.text, scenario_from=current, scenario_to=diagnosis.scenario,
                confidence=diagnosis.confidence, rules=_why(diagnosis)))
            current = diagnosis.scenario
        return entries

    @property
    def series(self) -> dict[str, Any]:
        """Per month: momentum, each indicator, the scenario, the strategy, whether a PMO exists."""
        rep, names = self.replication, scenario_ids()
        series = {name: [round(float(v), 4) for v in rep.series[:, i]]
                  for i, name in enumerate(series_columns())}
        return {"month": list(range(self.story.months + 1)),
                "momentum": series.pop("momentum"), "indicators": series,
                "scenario": [names[i] for i in rep.scenarios],
                "strategy": list(rep.strategies),
                "pmo_exists": [bool(v) for v in rep.exists]}


def run_story(story: str | Story, seed: int | None = None) -> StoryResult:
    """Run a story once, traced. ``seed`` overrides the story's own (to explore variants)."""
    story = get_story(story) if not isinstance(story, Story) else story
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed <= MAX_SEED):
        raise InputError(f"must be a whole number between 0 and {MAX_SEED}, got {seed!r}",
                         "seed")
    if seed is not None:
        story = replace(story, seed=seed)  # the result then reports the seed it ran
    start = Start.from_profile(load_preset(story.profile))
    schedule = [ScheduledShock(s.name, s.month) for s in story.steps if s.kind == "shock"]
    changes = [(s.month, s.name) for s in story.steps if s.kind == "strategy"]
    relaunch = get_strategy(story.relaunch_strategy) if story.relaunch_strategy else None
    replication = simulate(
        start, get_strategy(story.strategy), DEFAULT_PARAMETERS, story.months,
        np.random.SeedSequence(story.seed), schedule,
        story.random_shocks, relaunch, changes, trace=True)
    return StoryResult(story, replication)
