"""Diagnose which of the eight scenarios a PMO is in, and say why.

The profile becomes one fact; the durable-rules engine fires every matching rule of the diagnosis
table; this module only adds up what fired. A PMO may show signs of several scenarios at once
(Guide p.41, 43), so the answer is a ranking with a confidence, not a single label, and it lists
every rule that produced it with the evidence each one looked at.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any, NamedTuple

from advisor.assessment import PmoFacts, Profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.numbers import round_to
from advisor.sections import changes_of, services_of
from rules.diagnosis_table import FACT_KIND, UNKNOWN_TREND, DiagnosisTable, load_diagnosis_table
from rules.gateway import get_gateway
from rules.table import Rule

__all__ = ["FiredRule", "TransitionSign", "Counterfactual", "RankedScenario", "Diagnosis",
           "Observation", "diagnose", "diagnose_ranking", "build_fact", "coverage_of",
           "input_coverage",
           "score_points", "score_rules", "forget_rankings"]


@dataclass(frozen=True, slots=True)
class FiredRule:
    id: str
    scenario: str
    effect: str
    weight: float
    reason: str
    source: str
    evidence: Mapping[str, Any]



@dataclass(frozen=True, slots=True)
class TransitionSign:
    """One signal that the PMO may be moving towards another scenario.

    The guide reads transition indicators together, never one at a time (p.39-41): ``concurring``
    lists the other fired rules that point the same way (other signals, evidence for the target
    scenario); with none, ``rests_on_one`` is true and the reason says so."""

    towards: str
    indicator: str
    reason: str
    rule: str
    evidence: Mapping[str, Any]
    concurring: tuple[str, ...] = ()

    @property
    def rests_on_one(self) -> bool:
        return not self.concurring



@dataclass(frozen=True, slots=True)
class Counterfactual:
    """What would change the diagnosis: the smallest set of changes found that moves it to
    ``scenario``. ``profile_patch`` is an RFC 7386 JSON merge patch of the input profile."""

    scenario: str
    changes: tuple[str, ...]
    profile_patch: Mapping[str, Any]




@dataclass(frozen=True, slots=True)
class RankedScenario:
    scenario: str
    score: float


@dataclass(frozen=True)
class Diagnosis:
    scenario: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    fired_rules: tuple[FiredRule, ...]
    transition_signs: tuple[TransitionSign, ...]
    missing_indicators: tuple[str, ...]
    ruleset_version: str
    #: Share (0-1) of the evidence the rules use that the profile gave (``DiagnosisTable.
    #: input_weights``); low coverage widens the smoothing, so confidence stays low too.
    coverage: float = 1.0
    #: Filled only on request (``diagnose(profile, explain=True)``): the search costs dozens of
    #: rule evaluations, and the simulation diagnoses at every quarterly review without it.
    #: ``None``: not searched (the answer then leaves the key out); ``()``: searched, none found.
    counterfactuals: tuple[Counterfactual, ...] | None = None

    def score(self, scenario: str) -> float:
        return dict(self.ranking)[scenario]

    @property
    def ranked_scenarios(self) -> tuple[RankedScenario, ...]:
        """The ranking as the answer shows it: one record per scenario, best first."""
        return tuple([_RANKED(s, v) for s, v in self.ranking])

    def rules_for(self, scenario: str) -> tuple[FiredRule, ...]:
        return tuple(r for r in self.fired_rules if r.scenario == scenario)



def _constructor(cls: type) -> Callable[..., Any]:
    """``cls(*values)`` (every field given, in order) for a frozen slots dataclass, its slots
    filled directly: the dataclass' ``__init__`` goes through ``object.__setattr__`` per field,
    about twice the cost, and every answer makes a dozen such records (issue 13)."""
    names = [f.name for f in fields(cls)]
    if not getattr(cls, "__slots__", None) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: not a plain slots dataclass")
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make_{cls.__name__}({', '.join(names)}):", "    made = _new(_cls)"]
    for name in names:
        scope[f"_set_{name}"] = getattr(cls, name).__set__
        lines.append(f"    _set_{name}(made, {name})")
    lines.append("    return made")
    exec("\n".join(lines), scope)  # noqa: S102 - the field names of our own dataclasses
    made: Callable[..., Any] = scope[f"make_{cls.__name__}"]
    return made


_RANKED = _constructor(RankedScenario)
_SIGN = _constructor(TransitionSign)


class Observation(NamedTuple):
    """A profile as a simulated executive review records it: the PMO's facts, every indicator
    and every indicator's trend (both in the catalog's order), the signs in view, no sections.

    :func:`diagnose_ranking` reads it as it reads :meth:`profile` (the same fact, the same
    ranking; ``tests/test_model_shortcuts.py``), without the frozen mappings and the copies a
    :class:`Profile` costs: the reviews diagnose a dozen per replication (issue 13). The fact
    takes ``indicators`` and ``trends`` as they are: an observation is diagnosed once."""

    exists: bool
    age_months: float | None
    previous_pmo_closed: bool
    indicators: dict[str, float]
    trends: dict[str, str]
    signs: tuple[str, ...]

    def profile(self) -> Profile:
        return Profile(
            pmo=PmoFacts(exists=self.exists, age_months=self.age_months,
                         previous_pmo_closed=self.previous_pmo_closed),
            indicators=MappingProxyType(dict(self.indicators)),
            trends=MappingProxyType(dict(self.trends)), signs=self.signs)


def build_fact(profile: Profile, table: DiagnosisTable) -> dict[str, Any]:
    """The one fact the engine sees: raw indicators plus features and counts, nested by kind."""
    extra = profile.extra           # the sections (none in the simulation's reviews)
    changes = changes_of(profile) if extra else {}
    trends = profile.trends
    fact = _fact(profile.pmo, dict(profile.indicators),
                 {i: trends.get(i, UNKNOWN_TREND) for i in load_catalog().ids("indicators")},
                 list(trends.values()), profile.signs, changes, table)
    services = services_of(profile) if extra else None
    if services:  # the PMO's service maturity (Appendix X3), not the organization's PM maturity
        fact["svc"] = {"maturity": round(sum(services.values()) / len(services), 3)}
    return fact


def _fact(pmo_facts: PmoFacts | Observation, indicators: dict[str, float],
          trend: dict[str, str], trends: list[str], signs: tuple[str, ...],
          changes: dict[str, float], table: DiagnosisTable) -> dict[str, Any]:
    """:func:`build_fact` from its parts: the PMO's facts, the indicators (the fact keeps the
    dict), every catalog indicator's trend, the trends given, the signs, the changes."""
    catalog = load_catalog()
    pmo: dict[str, Any] = {"exists": pmo_facts.exists,
                           "previous_pmo_closed": pmo_facts.previous_pmo_closed}
    if pmo_facts.age_months is not None:
        pmo["age_months"] = pmo_facts.age_months
    sign_counts = dict.fromkeys(catalog.ids("scenarios"), 0)
    for sign in signs:
        sign_counts[catalog.sign(sign).scenario] += 1
    return {
        "kind": FACT_KIND,
        "pmo": pmo,
        "ind": indicators,
        "feat": table.feature_values(indicators),
        "trend": trend,
        "sign": dict.fromkeys(signs, True),
        "change": changes,
        "count": {"signs": sign_counts,
                  "trends": {"rising": trends.count("rising"),
                             "falling": trends.count("falling"),
                             "steady": trends.count("steady")},
                  "changes": sum(1 for m in changes.values() if m <= table.recent_months)
                  if changes else 0},     # (no generator for the reviews' facts: none given)
    }


def coverage_of(profile: Profile, table: DiagnosisTable) -> float:
    """The share of the evidence the rules use that this profile gives (see ``input_weights``)."""
    return input_coverage(profile.pmo.exists, profile.indicators, profile.trends,
                          profile.pmo.age_months is not None, table)


def input_coverage(pmo_exists: bool, indicators: Iterable[str], trends: Iterable[str],
                   age_given: bool, table: DiagnosisTable) -> float:
    """:func:`coverage_of` from the profile's parts (the counterfactual search has no profile
    object for the hypothetical profiles it scores)."""
    weights = table.input_weights(pmo_exists)
    given = set(indicators) | {f"trend.{i}" for i in trends}
    if age_given:
        given.add("pmo.age_months")
    total = sum(weights.values())
    return round(sum(w for k, w in weights.items() if k in given) / total, 3) if total else 1.0


def _evidence(rule: Rule, fact: Mapping[str, Any], table: DiagnosisTable) -> dict[str, Any]:
    """The values a rule looked at; a feature brings the indicators it is made of.

    Read as :func:`rules.conditions.lookup` reads a path (absent, or a leaf before its end: left
    out): see :func:`_answer_makers`, which reads them in generated code."""
    return _answer_makers(table)[1][rule.id](fact)


Maker = Callable[[Mapping[str, Any]], Any]

#: the answer makers of the table last asked for (one diagnosis table per process; a reloaded
#: table gets its own)
_MAKERS: list[tuple[DiagnosisTable, dict[str, Maker], dict[str, Maker]]] = []
_NEW = object.__new__
#: FiredRule's slots filled directly, in its fields' order
_FIRED_SLOTS = tuple(getattr(FiredRule, name).__set__ for name in
                     ("id", "scenario", "effect", "weight", "reason", "source", "evidence"))


def _answer_makers(table: DiagnosisTable) -> tuple[dict[str, Maker], dict[str, Maker]]:
    """Per rule, (its :class:`FiredRule` for a fact, the evidence it looked at in a fact), each
    one generated function: every fired rule of every answer comes through here, and walking
    the evidence paths step by step and the frozen dataclass' ``__init__`` (``object.
    __setattr__`` per field) were about a quarter of a diagnosis' own Python (issue 13). The
    rule's id, scenario, effect, weight, reason and source are constants of its maker; the
    evidence is read in the table's path order, as ``fact[step][step]...`` (a key absent, or a
    leaf before the path's end: left out; a None: left out), a feature followed by the
    indicators it is made of that the fact has -- the same dict, key for key, as the walk it
    replaced (``tests/test_diagnosis_memo.py`` pins it against that walk on every shipped
    profile, vignette, generated profiles and threshold facts)."""
    for known, makers, readers in _MAKERS:
        if known is table:
            return makers, readers
    scope: dict[str, Any] = {"_new": _NEW, "_FiredRule": FiredRule}
    for index, setter in enumerate(_FIRED_SLOTS):
        scope[f"_set{index}"] = setter
    lines: list[str] = []
    for number, rule in enumerate(table.rules):
        body = ["    out = {}", '    ind = fact["ind"]']
        for key, steps, behind in table.evidence_steps[rule.id]:
            read = "fact" + "".join(f"[{step!r}]" for step in steps)
            body += ["    try:", f"        value = {read}",
                     "    except (KeyError, TypeError):",   # TypeError: a leaf before the end
                     "        pass",
                     "    else:",
                     "        if value is not None:",
                     f"            out[{key!r}] = value"]
            for ind in behind:
                body += [f"            if {ind!r} in ind:",
                         f"                out[{ind!r}] = ind[{ind!r}]"]
        constants = (rule.id, rule.subject, rule.effect, rule.weight, rule.reason, rule.source)
        scope[f"_c{number}"] = constants
        lines += [f"def evidence_{number}(fact):", *body, "    return out",
                  f"def fired_{number}(fact):", *body,
                  "    made = _new(_FiredRule)",
                  *(f"    _set{i}(made, _c{number}[{i}])" for i in range(len(constants))),
                  f"    _set{len(constants)}(made, out)",
                  "    return made"]
    exec("\n".join(lines), scope)  # noqa: S102 - ids and paths of our own rule table
    makers = {rule.id: scope[f"fired_{n}"] for n, rule in enumerate(table.rules)}
    readers = {rule.id: scope[f"evidence_{n}"] for n, rule in enumerate(table.rules)}
    _MAKERS[:] = [(table, makers, readers)]
    return makers, readers


#: per (table, diagnosed scenario): rule id -> what its firing signals, worked out once (below)
_SIGNALS: dict[tuple[int, str], tuple[DiagnosisTable, dict[str, tuple[str, str, str] | str]]] = {}


def _signals(scenario: str, table: DiagnosisTable) -> dict[str, tuple[str, str, str] | str]:
    """For a PMO diagnosed ``scenario``: per rule that can signal a transition from it, either
    ``(towards, indicator, reason)``, or, for a change that points either way (decided by the
    fact's trends), the change's name. Everything here depends on the rule and the scenario
    alone, so it is worked out once instead of for each answer (issue 13); rules that signal
    nothing from ``scenario`` are left out."""
    known = _SIGNALS.get((id(table), scenario))
    if known is not None and known[0] is table:
        return known[1]
    catalog = load_catalog()
    edges = table.transitions[scenario]
    here = catalog.scenario(scenario).name
    signals: dict[str, tuple[str, str, str] | str] = {}
    for rule in table.rules:
        if rule.effect == "transition" and "from" in rule.data:
            if scenario not in rule.data["from"]:
                continue
            towards = rule.subject
            signals[rule.id] = (towards, rule.id.removeprefix("transition_when_"),
                                f"{rule.reason} From {here} this points towards "
                                f"{catalog.scenario(towards).name}.")
        elif rule.effect == "transition" and rule.data["direction"] == "either":
            signals[rule.id] = rule.data["change"]
        elif rule.effect == "transition":
            direction = "better" if rule.data["direction"] == "rising" else "worse"
            targets = edges[direction]
            if not targets:
                continue
            towards = targets[0]
            signals[rule.id] = (towards, rule.data["indicator"],
                                f"{rule.reason} From {here} this points towards "
                                f"{catalog.scenario(towards).name}.")
        elif rule.effect == "evidence" and "sign" in rule.data and rule.subject != scenario:
            towards = rule.subject
            if towards not in edges["better"] + edges["worse"]:
                continue
            signals[rule.id] = (towards, catalog.sign(rule.data["sign"]).indicator,
                                f"{rule.reason} Seen in a PMO diagnosed {here}, it points "
                                f"towards {catalog.scenario(towards).name}.")
    _SIGNALS[(id(table), scenario)] = (table, signals)
    return signals


def _transition_signs(scenario: str, fired: list[Rule], fact: Mapping[str, Any],
                      table: DiagnosisTable) -> tuple[TransitionSign, ...]:
    """Where the fired signals point from the diagnosed scenario, each with what concurs."""
    signals_of = _signals(scenario, table)
    found: dict[tuple[str, str], tuple[Rule, str]] = {}
    signals: dict[str, list[str]] = {}  # every signal per target, one sign per indicator shown
    for rule in fired:
        signal = signals_of.get(rule.id)
        if signal is None:
            continue
        if isinstance(signal, tuple):
            towards, indicator, reason = signal
        else:                               # a change: the trends say which way it points
            catalog = load_catalog()
            edges = table.transitions[scenario]
            rising = fact["count"]["trends"]["rising"]
            falling = fact["count"]["trends"]["falling"]
            worse = falling > rising or (falling == rising and edges["worse"])
            targets = edges["worse"] if worse else edges["better"]
            if not targets:
                continue
            towards, indicator = targets[0], signal
            if falling != rising:
                leaning = f"{falling} falling against {rising} rising indicators"
            else:
                leaning = "no trend yet saying which way"
                if worse and indicator == "restructuring":
                    leaning += " (restructuring is the most common reason PMOs are disbanded)"
            reason = f"{rule.reason} From {catalog.scenario(scenario).name}, with {leaning}, " \
                     f"it points towards {catalog.scenario(towards).name}."
        found.setdefault((towards, indicator), (rule, reason))
        signals.setdefault(towards, []).append(rule.id)

    signs = []
    for (towards, indicator), (rule, reason) in found.items():
        others = [r for r in signals[towards] if r != rule.id]
        backing = [r.id for r in fired if r.effect == "evidence" and r.subject == towards
                   and r.id not in others and r.id != rule.id]
        concurring = tuple(dict.fromkeys(others + backing))
        if not concurring:
            reason += (" It rests on this one signal: the guide reads transition indicators "
                       "together (p.39-41), so look for others before acting on it.")
        signs.append(_SIGN(towards, indicator, reason, rule.id, _evidence(rule, fact, table),
                           concurring))
    return tuple(signs)


def score_rules(fired: list[Rule], coverage: float,
                table: DiagnosisTable) -> tuple[tuple[str, float], ...]:
    """The ranking: points per scenario (evidence less counter-evidence, at least 0) smoothed by
    what is known; excluded scenarios score 0. Shared with the counterfactual search."""
    scenarios = load_catalog().ids("scenarios")
    excluded: set[str] = set()
    gross = dict.fromkeys(scenarios, 0.0)
    against = dict.fromkeys(scenarios, 0.0)
    for rule in fired:   # one pass (the reviews score a dozen diagnoses per replication)
        effect = rule.effect
        if effect == "evidence":
            gross[rule.subject] += rule.weight
        elif effect == "against":
            against[rule.subject] += rule.weight
        elif effect == "exclude":
            excluded.add(rule.subject)
    return score_points(gross, against, excluded, coverage, table)


def score_points(gross: Mapping[str, float], against: Mapping[str, float],
                 excluded: set[str], coverage: float,
                 table: DiagnosisTable) -> tuple[tuple[str, float], ...]:
    """:func:`score_rules` from the points the fired rules add up per scenario (the
    counterfactual search adds them up in generated code)."""
    scenarios = load_catalog().ids("scenarios")
    # lists in the catalog's order, summed in that order as before (a review scores a new set
    # of fired rules every other time, about five a replication: one pass builds the lists,
    # and the sort key is (-raw, -points, -gross, index), the same floats as before)
    gross_points = []
    points = []
    opened = []
    for s in scenarios:
        g = gross[s]
        d = g - against[s]
        gross_points.append(g)
        points.append(d if d > 0.0 else 0.0)        # max(0.0, d), without the call
        opened.append(s not in excluded)
    if excluded:
        total = sum([p for p, o in zip(points, opened) if o])
        evidence = sum([g for g, o in zip(gross_points, opened) if o])
    else:
        total = sum(points)
        evidence = sum(gross_points)
    if evidence <= 0:  # no evidence at all
        raise InputError(
            "not enough evidence to diagnose: assess some indicators, give pmo.age_months "
            "or list the signs you see", "indicators")

    alpha = table.smoothing + table.uncertainty * (1.0 - coverage)
    denominator = total + alpha * sum(opened)
    # Ties (evidence and counter-evidence cancelling out everywhere) go to the scenario with the
    # most evidence before counter-evidence, then to the guide's order.
    order = []
    for index, (p, g, o) in enumerate(zip(points, gross_points, opened)):
        r = (p + alpha) / denominator if o else 0.0
        order.append((-r, -p, -g * o, index, r))
    order.sort()
    return tuple([(scenarios[index], round_to(r, 3)) for _, _, _, index, r in order])


def _fired(profile: Profile, table: DiagnosisTable) -> tuple[dict[str, Any], list[Rule]]:
    table.ensure_registered()
    fact = build_fact(profile, table)
    return fact, [table.by_id[rule_id] for rule_id in get_gateway().evaluate(table.name, fact)]


#: Rankings by (the scoring rules that fired, coverage): the reviews' profiles all differ, but
#: most of them repeat what the ranking adds up. Bounded; cleared when full.
_RANKINGS: dict[tuple[tuple[str, ...], float], tuple[tuple[str, float], ...]] = {}
_MAX_RANKINGS = 65536
_COVERAGES: dict[tuple[bool, tuple[str, ...], tuple[str, ...], bool], float] = {}


def diagnose_ranking(profile: Profile | Observation) -> tuple[tuple[str, float], ...]:
    """Only the ranking :func:`diagnose` gives (the diagnosed scenario first): what the
    simulation's executive reviews use. They run a dozen diagnoses per replication and read
    nothing else, so this skips the evidence, the transition signs and the explanation objects.

    When the table's weights add up exactly in any order (``DiagnosisTable.sums_exact``), the
    ranking depends only on which scoring rules fired (and the coverage), so it asks the
    gateway for that set alone, which its exact memo answers for most review facts
    (``rules/memo.py``), and remembers the ranking per such set; same ranking bit for bit.

    An :class:`Observation` (the reviews') is read as its profile, built straight into a fact."""
    table = load_diagnosis_table()
    if type(profile) is Observation and table.sums_exact \
            and (trend_keys := tuple(profile.trends)) == load_catalog().ids("indicators"):
        table.ensure_registered()       # (every trend, in order: the fact's own trend part)
        trends = profile.trends
        fact = _fact(profile, profile.indicators, trends, list(trends.values()), profile.signs,
                     {}, table)
        given = (profile.exists, tuple(profile.indicators), trend_keys,
                 profile.age_months is not None)
        return _remembered_for(get_gateway().firing_set(table.name, fact, table.scoring),
                               given, table)[1]
    if isinstance(profile, Observation):
        profile = profile.profile()
    if not table.sums_exact:
        return score_rules(_fired(profile, table)[1], coverage_of(profile, table), table)
    table.ensure_registered()
    fired = get_gateway().firing_set(table.name, build_fact(profile, table), table.scoring)
    return _remembered(fired, profile, table)[1]


def _remembered(scoring: tuple[str, ...], profile: Profile,
                table: DiagnosisTable) -> tuple[float, tuple[tuple[str, float], ...]]:
    """(coverage, ranking) for the scoring rules that fired (in definition order), remembered
    (``table.sums_exact``: the ranking depends only on that set and the coverage)."""
    return _remembered_for(scoring, (profile.pmo.exists, tuple(profile.indicators),
                                     tuple(profile.trends), profile.pmo.age_months is not None),
                           table)


def _remembered_for(scoring: tuple[str, ...],
                    given: tuple[bool, tuple[str, ...], tuple[str, ...], bool],
                    table: DiagnosisTable) -> tuple[float, tuple[tuple[str, float], ...]]:
    """:func:`_remembered` from which inputs were given (what coverage reads, not their
    values: ``(pmo exists, indicators, trends, age given)``)."""
    coverage = _COVERAGES.get(given)
    if coverage is None:    # what coverage reads: which inputs were given, not their values
        coverage = _COVERAGES[given] = input_coverage(*given, table)
        if len(_COVERAGES) > _MAX_RANKINGS:
            _COVERAGES.clear()
    key = (scoring, coverage)
    ranking = _RANKINGS.get(key)
    if ranking is None:
        by_id = table.by_id
        ranking = score_rules([by_id[rule_id] for rule_id in scoring], coverage, table)
        if len(_RANKINGS) >= _MAX_RANKINGS:
            _RANKINGS.clear()
        _RANKINGS[key] = ranking
    return coverage, ranking


def forget_rankings() -> None:
    """Forget what :func:`diagnose_ranking` remembered in this process: rankings, coverages
    and the engine's memo of the diagnosis rules (a benchmark's rounds start cold)."""
    _RANKINGS.clear()
    _COVERAGES.clear()
    table = load_diagnosis_table()
    if get_gateway().is_registered(table.name):
        get_gateway().clear_memo(table.name)


def _fired_in_order(profile: Profile, table: DiagnosisTable
                    ) -> tuple[dict[str, Any], list[Rule], tuple[str, ...]]:
    """:func:`_fired` through the engine's exact memo (``RulesGateway.firing_set``): the same
    rules in the same order. The engine fires a fact's rules by priority, then in the order they
    are defined (``tests/test_diagnosis_memo.py`` pins it on every shipped profile, every vignette
    and thousands of generated facts), so the set the memo answers, sorted by priority (a stable
    sort keeps the definition order), is the engine's list; a fact the memo does not know yet goes
    to the engine, which teaches it. The answers of ``POST /diagnoses`` pay for the engine only
    on facts unlike any seen before in the process (issue 13). Also the ids, in definition
    order (what the remembered rankings are keyed by)."""
    table.ensure_registered()
    fact = build_fact(profile, table)
    by_id = table.by_id
    ids = get_gateway().firing_set(table.name, fact)
    fired = [by_id[rule_id] for rule_id in ids]
    fired.sort(key=_PRIORITY)
    return fact, fired, ids


_PRIORITY = operator.attrgetter("priority")
_ANSWERED = frozenset({"evidence", "against", "exclude"})


def diagnose(profile: Profile, explain: bool = False) -> Diagnosis:
    """Run the diagnosis rules on one profile (through the serialized engine gateway).

    ``explain=True`` adds the counterfactuals (``rules/counterfactuals.py``); off by default,
    because the simulation diagnoses at every quarterly review and never reads them."""
    table = load_diagnosis_table()
    fact, fired, ids = _fired_in_order(profile, table)
    if table.sums_exact:   # the reviews' remembered rankings: the same bits, per fired set
        scoring = table.scoring
        coverage, ranking = _remembered(tuple(i for i in ids if i in scoring), profile, table)
    else:
        coverage = coverage_of(profile, table)
        ranking = score_rules(fired, coverage, table)
    winner = ranking[0][0]

    makers = _answer_makers(table)[0]
    fired_rules = tuple([makers[r.id](fact) for r in fired if r.effect in _ANSWERED])
    diagnosis = Diagnosis(
        scenario=winner,
        confidence=ranking[0][1],
        ranking=ranking,
        fired_rules=fired_rules,
        transition_signs=_transition_signs(winner, fired, fact, table),
        missing_indicators=tuple(profile.missing_indicators()),
        ruleset_version=table.version,
        coverage=coverage,
    )
    if explain:
        from rules.counterfactuals import counterfactuals  # noqa: PLC0415 - it imports this module
        diagnosis = replace(diagnosis, counterfactuals=counterfactuals(profile, diagnosis))
    return diagnosis
