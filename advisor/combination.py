"""How several raters' answers become one PMO profile, and how history gives it its trends.

The rule (docs/questionnaire.md says the same for a reader):

* **Indicators.** A rater's score on an indicator is the mean of their known answers to its items
  ("don't know" adds nothing). The indicator's value is the mean of the raters' scores, so every
  rater weighs the same however many items they answered. ``spread`` is the highest rater score
  minus the lowest; raters *disagree* when the spread is 2 points or more. ``coverage`` is the
  share of answers that were known: "don't know" lowers it, it never invents a value. An
  indicator nobody could judge stays out of the profile (the diagnosis lists it as missing).
* **Facts** (PMO exists, earlier PMO closed) follow the majority of the raters who answered; a
  tie says yes (a fact someone has seen is worth checking). The PMO's age and the months since
  each recent change are the median of the answers. The **organization** (industry, scope,
  reporting line) is the answer most raters gave (a tie: the first in sorted order); "regulated"
  follows the majority.
* **Signs** are seen when at least half of the raters who answered say yes.
* **Customers.** Customer raters of the same group make one customer: maturity the mean, outcomes
  ranked by a Borda count (first of five gets 5 points), ties broken by the outcome's number.
* **Flywheel self-check.** A step's score is the mean of its raters' scores; its band comes from
  that score as a share of the maximum (the guide's cut-offs, ``questionnaire.yaml``).
* **Trends** (:func:`trends_from_history`): rising when the value rose by at least
  :data:`TREND_THRESHOLD` since the previous closed cycle, falling when it fell by as much,
  steady in between; the majority of raters' overrides wins over the computed trend.

Everything is rounded to two decimals, so the same answers give the same profile bit for bit.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor import sections
from advisor.assessment import Profile, parse_profile
from advisor.errors import InputError
from advisor.questionnaire import DONT_KNOW, TRENDS, Questionnaire, load_questionnaire

__all__ = ["RaterAnswers", "IndicatorSummary", "StepSummary", "Combined", "combine",
           "trends_from_history", "DISAGREEMENT_POINTS", "TREND_THRESHOLD", "SECTION_MAPS"]

#: raters whose scores differ by this many points or more on an indicator disagree
DISAGREEMENT_POINTS = 2.0
#: a change of at least this much between cycles is a trend (half a point of the 1-5 scale)
TREND_THRESHOLD = 0.5


@dataclass(frozen=True)
class RaterAnswers:
    """One person's answers: item id -> value (already checked by the questionnaire)."""

    rater: str
    role: str
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class IndicatorSummary:
    mean: float | None
    spread: float
    raters: int
    answers: int
    dont_know: int
    coverage: float
    disagreement: bool


@dataclass(frozen=True, slots=True)
class StepSummary:
    score: float | None
    band: str | None
    raters: int


@dataclass(frozen=True)
class Combined:
    """The combined view of one cycle, and the profile document it yields; its JSON is
    ``api.schemas.assessments.CombinedSchema``'s (``api.schemas.answers.to_json``)."""

    indicators: dict[str, IndicatorSummary]
    facts: dict[str, Any]
    changes: dict[str, float]
    organization: dict[str, Any]
    signs: tuple[str, ...]
    customers: tuple[dict[str, Any], ...]
    flywheel: dict[str, StepSummary]
    trend_overrides: dict[str, str]
    raters: int
    questionnaire_version: str
    trends: dict[str, str] = field(default_factory=dict)

    def with_trends(self, trends: Mapping[str, str]) -> "Combined":
        return Combined(**{**self.__dict__, "trends": dict(trends)})

    def means(self) -> dict[str, float]:
        return {i: s.mean for i, s in self.indicators.items() if s.mean is not None}

    def profile_document(self, name: str | None = None) -> dict[str, Any]:
        """The profile as a document ``parse_profile`` reads; the sections other layers own are
        written through :data:`SECTION_MAPS`."""
        if "pmo_exists" not in self.facts:
            raise InputError("nobody has answered whether a PMO exists; a cycle needs that "
                             "fact before it closes", "answers.fact.pmo_exists")
        pmo: dict[str, Any] = {"exists": self.facts["pmo_exists"],
                               "previous_pmo_closed": self.facts.get("previous_pmo_closed",
                                                                     False)}
        if "age_months" in self.facts:
            pmo["age_months"] = self.facts["age_months"]
        doc: dict[str, Any] = {"pmo": pmo, "indicators": self.means()}
        if name:
            doc["name"] = name
        if self.trends:
            doc["trends"] = dict(self.trends)
        if self.signs:
            doc["signs"] = list(self.signs)
        if self.customers and "customers" in sections.SECTIONS:
            doc["customers"] = [dict(c) for c in self.customers]
        for section, build in SECTION_MAPS.items():
            value = build(self) if section in sections.SECTIONS else None
            if value:
                doc[section] = value
        return doc

    def profile(self, name: str | None = None) -> Profile:
        return parse_profile(self.profile_document(name))


#: The seam to the profile sections other engineers own: section name -> how this combination
#: fills it. A section is written only when :data:`advisor.sections.SECTIONS` has it *and* a
#: mapping here says how. ``changes`` (the diagnosis': kind -> months ago) and ``organization``
#: (the advice's: industry, regulated, scope, reporting line) follow the shapes their owners
#: gave them; ``flywheel`` carries the self-check's band per step to the advice's focus.
def _changes_section(combined: Combined) -> dict[str, Any]:
    """``changes``: the kinds the diagnosis knows (``advisor.sections.CHANGES``), months ago."""
    known = getattr(sections, "CHANGES", ())
    return {kind: {"months_ago": months} for kind, months in combined.changes.items()
            if kind in known}


def _organization_section(combined: Combined) -> dict[str, Any]:
    """``organization``: industry, regulated, scope, reporting line, as the raters said."""
    return dict(combined.organization)


def _flywheel_section(combined: Combined) -> dict[str, str]:
    """``flywheel``: the band of every step some rater could judge (a step answered only with
    "don't know" has no band and is left out, so the advice reads the indicators for it)."""
    return {step: s.band for step, s in combined.flywheel.items() if s.band is not None}


SECTION_MAPS: dict[str, Callable[[Combined], Any]] = {
    "changes": _changes_section,
    "organization": _organization_section,
    "flywheel": _flywheel_section,
}


def _r(value: float) -> float:
    return round(value, 2)


def _majority(votes: Sequence[bool]) -> bool:
    return sum(votes) * 2 >= len(votes)


def _scored(raters: Sequence[RaterAnswers], items: Iterable[Any]) -> tuple[list[float], int, int]:
    """Per rater, the mean of their known answers to ``items``; plus known and unknown counts."""
    ids = [item.id for item in items]
    scores, known, unknown = [], 0, 0
    for rater in raters:
        values = [rater.answers[i] for i in ids if i in rater.answers]
        numbers = [v for v in values if v != DONT_KNOW]
        known += len(numbers)
        unknown += len(values) - len(numbers)
        if numbers:
            scores.append(sum(numbers) / len(numbers))
    return scores, known, unknown


def combine(raters: Sequence[RaterAnswers],
            questionnaire: Questionnaire | None = None) -> Combined:
    """Combine several raters' answers by the rule of this module's docstring."""
    q = questionnaire or load_questionnaire()
    by_target: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for item in q.items:
        by_target[(item.part, item.target)].append(item)

    indicators: dict[str, IndicatorSummary] = {}
    flywheel: dict[str, StepSummary] = {}
    for (part, target), items in by_target.items():
        if part not in ("indicator", "flywheel"):
            continue
        scores, known, unknown = _scored(raters, items)
        mean = _r(statistics.fmean(scores)) if scores else None
        if part == "indicator":
            spread = _r(max(scores) - min(scores)) if scores else 0.0
            indicators[target] = IndicatorSummary(
                mean=mean, spread=spread, raters=len(scores), answers=known, dont_know=unknown,
                coverage=_r(known / (known + unknown)) if known + unknown else 0.0,
                disagreement=spread >= DISAGREEMENT_POINTS)
        else:
            flywheel[target] = StepSummary(score=mean, raters=len(scores),
                                           band=q.band_of(mean / 5) if mean is not None else None)

    facts: dict[str, Any] = {}
    changes: dict[str, float] = {}
    signs: list[str] = []
    overrides: dict[str, str] = {}
    organization: dict[str, Any] = {}
    for item in q.items:
        if item.part not in ("fact", "change", "organization", "sign", "trend"):
            continue
        values = [r.answers[item.id] for r in raters
                  if item.id in r.answers and r.answers[item.id] != DONT_KNOW]
        if not values:
            continue
        if item.part == "fact" and item.kind == "number":
            facts[item.target] = _r(statistics.median(values))
        elif item.part == "fact":
            facts[item.target] = _majority(values)
        elif item.part == "change":
            changes[item.target] = _r(statistics.median(values))
        elif item.part == "organization":
            organization[item.target] = (_majority(values) if item.kind == "yes_no"
                                         else _most_named(values))
        elif item.part == "sign":
            if _majority(values):
                signs.append(item.target)
        else:  # a trend override: the most named trend; a tie keeps the order of TRENDS
            counts = Counter(values)
            overrides[item.target] = max(TRENDS, key=lambda t: (counts[t], -TRENDS.index(t)))
    return Combined(indicators=indicators, facts=facts, changes=changes,
                    organization=organization, signs=tuple(signs),
                    customers=_customers(raters), flywheel=flywheel, trend_overrides=overrides,
                    raters=len(raters), questionnaire_version=q.version)


def _most_named(values: Sequence[Any]) -> Any:
    """The answer most raters gave; a tie goes to the first in sorted order (deterministic)."""
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], str(v)))


def _customers(raters: Sequence[RaterAnswers]) -> tuple[dict[str, Any], ...]:
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for rater in raters:
        group = rater.answers.get("customer.group")
        if group:
            groups[group].append(rater.answers)
    customers = []
    for group in sorted(groups):
        answers = groups[group]
        maturities = [a["customer.maturity"] for a in answers
                      if a.get("customer.maturity", DONT_KNOW) != DONT_KNOW]
        points: Counter[int] = Counter()
        for a in answers:
            ranked = a.get("customer.outcomes") or []
            for place, number in enumerate(ranked):
                points[number] += len(ranked) - place
        outcomes = sorted(points, key=lambda n: (-points[n], n))[:5]
        customers.append({"id": group, "group": group,
                          "maturity": _r(statistics.fmean(maturities)) if maturities else 3.0,
                          "outcomes": outcomes})
    return tuple(customers)


def trends_from_history(current: Mapping[str, float], previous: Mapping[str, float] | None,
                        overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """``rising|steady|falling`` per indicator against the previous closed cycle's values;
    an indicator new in this cycle (or the first cycle) gets no computed trend. Raters'
    overrides win."""
    trends: dict[str, str] = {}
    for indicator, value in current.items():
        before = (previous or {}).get(indicator)
        if before is None:
            continue
        delta = round(value - before, 2)
        trends[indicator] = ("rising" if delta >= TREND_THRESHOLD else
                             "falling" if delta <= -TREND_THRESHOLD else "steady")
    trends.update(overrides or {})
    return {i: trends[i] for i in sorted(trends)}
