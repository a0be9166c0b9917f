"""What would change the diagnosis: for each scenario next to the diagnosed one in the guide's
cycle, the smallest set of indicator, trend or sign changes found that moves the diagnosis there.

The search reads the rule table itself: it proposes the edits that would make a rule for the
target fire, or stop a rule for a rival (or against the target) from firing, and scores each
hypothetical profile with the diagnosis' own scoring (:func:`rules.diagnosis.score_rules`). To try
hundreds of profiles quickly it evaluates the rules' conditions in Python (as
:func:`rules.conditions.holds` does; a test checks it fires what the engine fires), as generated
code over the profile's flat fact with only what the edits change patched in (:class:`_Trials`;
a test checks it scores as building the edited profile would); every answer it returns is then
confirmed by applying its merge patch to the profile document and re-running the real diagnosis
through the engine.

Bounded (``BEAM`` x ``DEPTH`` steps, at most ``MAX_EDITS`` edits): a target it cannot reach
within those bounds is left out rather than guessed. Opt-in (``diagnose(profile, explain=True)``):
the simulation's quarterly reviews never pay for it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from advisor.assessment import INDICATOR_RANGE, PmoFacts, Profile, parse_profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.patch import merge_patch
from rules.conditions import AnyOf, Condition, lookup
from rules.diagnosis import Counterfactual, Diagnosis, build_fact, input_coverage, score_points
from rules.diagnosis_table import UNKNOWN_TREND, DiagnosisTable, load_diagnosis_table
from rules.table import Rule

__all__ = ["counterfactuals", "targets_of", "fired_rules", "BEAM", "DEPTH", "MAX_EDITS",
           "MAX_TRIALS"]

BEAM = 4  # partial edit sets kept at each step of the search
DEPTH = 4  # steps (each one edit or one group of edits a rule needs together)
MAX_EDITS = 8  # atomic edits in one answer: beyond that it is a different PMO, not a change
STEP = 0.5  # indicator values are proposed on this grid (1.0, 1.5, ... 5.0)
CONFIRM = 3  # candidate answers confirmed with the engine per target, best first
CACHED = 256  # profiles whose counterfactuals are remembered (per process)
MAX_TRIALS = 300  # hypothetical profiles scored per target: bounds the cost, deterministically
#: Scenarios a PMO moves *up* to; a change against that direction (lowering an indicator to reach
#: Growing) is a last resort, tried after changes that go the same way as the move.
UPWARD = ("kickoff", "growing", "thriving", "resurgence")

#: An edit: ("ind", indicator) -> value; ("trend", indicator) -> trend or None (drop it);
#: ("sign", sign) -> True (add) / False (remove); ("pmo", "exists") -> False (disband).
Edit = tuple[tuple[str, str], Any]
Edits = dict[tuple[str, str], Any]


def targets_of(scenario: str, table: DiagnosisTable | None = None) -> tuple[str, ...]:
    """The scenarios adjacent to ``scenario``: its neighbours in the order of the guide's cycle
    (Fig. 4-1) and the transitions of ``rules/tables/transitions.yaml``."""
    table = table or load_diagnosis_table()
    order = load_catalog().ids("scenarios")
    here = order.index(scenario)
    cycle = [order[i] for i in (here - 1, here + 1) if 0 <= i < len(order)]
    edges = table.transitions[scenario]
    return tuple(s for s in dict.fromkeys([*edges["better"], *edges["worse"], *cycle])
                 if s != scenario)


def counterfactuals(profile: Profile, diagnosis: Diagnosis) -> tuple[Counterfactual, ...]:
    """One confirmed counterfactual per reachable adjacent scenario, in :func:`targets_of` order.

    Remembered per profile (the answer depends on nothing else): a service asked about the same
    profile again answers at the cost of a diagnosis."""
    document = json.dumps(profile.to_dict(), sort_keys=True)
    return _remembered(load_diagnosis_table().version, document, diagnosis.scenario)


@functools.lru_cache(maxsize=CACHED)
def _remembered(version: str, document: str, scenario: str) -> tuple[Counterfactual, ...]:
    """The search for one profile document (and ruleset version); the answer is read-only."""
    table = load_diagnosis_table()
    profile = parse_profile(json.loads(document))
    trials = _Trials(profile, table)
    found = (_search(trials, target) for target in targets_of(scenario, table))
    return tuple(c for c in found if c is not None)


# -- applying edits ---------------------------------------------------------------------------

def _edited(profile: Profile, edits: Edits) -> tuple[dict[str, float], dict[str, str], list[str],
                                                     PmoFacts]:
    """The profile's indicators, trends, signs and PMO facts after the edits."""
    indicators = dict(profile.indicators)
    trends = dict(profile.trends)
    signs = list(profile.signs)
    pmo = profile.pmo
    for (kind, key), value in edits.items():
        if kind == "ind":
            indicators[key] = value
        elif kind == "trend":
            if value is None:
                trends.pop(key, None)
            else:
                trends[key] = value
        elif kind == "sign":
            if value and key not in signs:
                signs.append(key)
            elif not value and key in signs:
                signs.remove(key)
        elif kind == "pmo":
            pmo = PmoFacts(exists=False, age_months=None,
                           previous_pmo_closed=profile.pmo.previous_pmo_closed)
    return indicators, trends, signs, pmo


def _apply(profile: Profile, edits: Edits) -> Profile:
    indicators, trends, signs, pmo = _edited(profile, edits)
    return profile.evolve(indicators=indicators, trends=trends, signs=signs, pmo=pmo)


def _patch(profile: Profile, edits: Edits) -> dict[str, Any]:
    """The RFC 7386 merge patch of the profile document that makes these edits."""
    patch: dict[str, Any] = {}
    for (kind, key), value in sorted(edits.items(), key=lambda e: (e[0][0], e[0][1])):
        if kind == "ind":
            patch.setdefault("indicators", {})[key] = value
        elif kind == "trend":
            patch.setdefault("trends", {})[key] = value
        elif kind == "pmo":
            patch["pmo"] = {"exists": False, "age_months": None}
    if any(kind == "sign" for kind, _ in edits):
        patch["signs"] = list(_apply(profile, edits).signs)
    return patch


def _describe(profile: Profile, edits: Edits) -> tuple[str, ...]:
    catalog = load_catalog()
    lines = []
    for (kind, key), value in sorted(edits.items(), key=lambda e: (e[0][0], e[0][1])):
        if kind == "ind":
            now = profile.indicators.get(key)
            was = f"{now:g}" if now is not None else "not assessed"
            lines.append(f"{catalog.indicator(key).name} ({key}): {was} -> {value:g}")
        elif kind == "trend":
            was = profile.trends.get(key, "not given")
            lines.append(f"trend of {key}: {was} -> {value or 'not given'}")
        elif kind == "sign":
            verb = "the sign appears" if value else "the sign is no longer seen"
            lines.append(f"{verb}: {key} ({catalog.sign(key).description})")
        elif kind == "pmo":
            lines.append("the PMO is disbanded (pmo.exists: false): the organization starts "
                         "afresh")
    return tuple(lines)


# -- scoring a hypothetical profile -----------------------------------------------------------

_SYMBOLS = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


_Points = tuple[dict[str, float], dict[str, float], set[str]]


@dataclass(frozen=True)
class _Compiled:
    """What the search needs of one ruleset, worked out once per process."""

    paths: tuple[tuple[str, str], ...]  # (rule key, its path in the fact), every key rules read
    by_path: Mapping[str, tuple[str, ...]]  # the rule keys reading each path
    features_of: Mapping[str, tuple[Any, ...]]  # indicator -> the features made of it
    fired: Callable[[Mapping[str, Any]], list[Rule]]  # flat fact -> scoring rules that hold
    points: Callable[[Mapping[str, Any]], _Points]  # flat fact -> (evidence, against, excluded)


_COMPILED: dict[str, _Compiled] = {}  # by ruleset version
_COMPILING = threading.Lock()  # server threads asking at once build it once


def _compiled(table: DiagnosisTable) -> _Compiled:
    found = _COMPILED.get(table.version)
    if found is not None:
        return found
    with _COMPILING:
        return _COMPILED.get(table.version) or _compile(table)


def _compile(table: DiagnosisTable) -> _Compiled:
    paths = _build_paths(table)
    by_path: dict[str, tuple[str, ...]] = {}
    for key, path in paths:
        by_path[path] = (*by_path.get(path, ()), key)
    features_of: dict[str, tuple[Any, ...]] = {}
    for feature in table.features:
        for ind in feature.indicators:
            features_of[ind] = (*features_of.get(ind, ()), feature)
    found = _COMPILED[table.version] = _Compiled(
        paths, MappingProxyType(by_path), MappingProxyType(features_of),
        *_build_fired(table, paths))
    return found


def _build_fired(table: DiagnosisTable, paths: Sequence[tuple[str, str]]
                 ) -> tuple[Callable[[Mapping[str, Any]], list[Rule]],
                            Callable[[Mapping[str, Any]], _Points]]:
    """The scoring rules' conditions as generated Python functions of the flat fact: the rules
    that hold, and the points they add up per scenario (what :func:`score_rules` adds up, in the
    same order). The search scores hundreds of profiles, and walking the rule objects per
    profile was most of its time. Same meaning as :func:`rules.conditions.holds` (a missing key
    never matches, as in durable-rules), conditions tested in the same order; a test checks it
    fires what the engine fires."""
    names = {key: f"k{i}" for i, (key, _) in enumerate(paths)}
    space: dict[str, Any] = {"S": load_catalog().ids("scenarios")}

    def test(cond: Condition) -> str:
        const = f"c{len(space)}"
        space[const] = cond.value
        name = names[cond.key]
        return f"({name} is not None and {name} {_SYMBOLS[cond.op]} {const})"

    reads = [f"    {name} = flat[{key!r}]" for key, name in names.items()]
    fired = ["def fired(flat):", *reads, "    out = []"]
    points = ["def points(flat):", *reads,
              "    g = dict.fromkeys(S, 0.0)", "    a = dict.fromkeys(S, 0.0)", "    x = set()"]
    for i, rule in enumerate(r for r in table.rules if r.effect != "transition"):
        space[f"r{i}"], space[f"s{i}"], space[f"w{i}"] = rule, rule.subject, rule.weight
        parts = [test(c) for c in rule.when if isinstance(c, Condition)]
        for clause in rule.when:
            if isinstance(clause, AnyOf):
                options = ["(" + (" and ".join(test(c) for c in option) or "True") + ")"
                           for option in clause.options]
                parts.append("(" + (" or ".join(options) or "False") + ")")
        condition = f"    if {' and '.join(parts) or 'True'}:"
        fired += [condition, f"        out.append(r{i})"]
        adds = {"evidence": f"g[s{i}] += w{i}", "against": f"a[s{i}] += w{i}",
                "exclude": f"x.add(s{i})"}.get(rule.effect)
        if adds:
            points += [condition, f"        {adds}"]
    fired.append("    return out")
    points.append("    return g, a, x")
    # our own source, from the validated rule table
    exec("\n".join(fired) + "\n\n" + "\n".join(points), space)  # noqa: S102
    return space["fired"], space["points"]


def _flat(fact: Mapping[str, Any], table: DiagnosisTable) -> dict[str, Any]:
    """Every rule key's value in the fact (``None`` when absent)."""
    return {key: lookup(fact, path) for key, path in _compiled(table).paths}


def fired_rules(profile: Profile, table: DiagnosisTable) -> list[Rule]:
    """The scoring rules (not transitions) whose conditions hold, evaluated in Python."""
    return _compiled(table).fired(_flat(build_fact(profile, table), table))


class _Trials:
    """Hypothetical variants of one profile (the profile plus some edits), scored without
    building them: the profile's fact is flattened once, and a variant's flat fact is that one
    with what its edits change (the edited indicators and the features made of them, trends and
    their counts, signs and their scenario's count, the PMO's facts). Its ranking is remembered:
    the targets of one profile try many of the same edit sets."""

    def __init__(self, profile: Profile, table: DiagnosisTable) -> None:
        self.profile = profile
        self.table = table
        self.compiled = _compiled(table)
        self.base = _flat(build_fact(profile, table), table)
        self.indicators = frozenset(load_catalog().ids("indicators"))
        self.scenario_of = {s.id: s.scenario for s in load_catalog().signs}
        self._ranks: dict[frozenset[Edit], tuple[tuple[str, float], ...] | None] = {}
        self._coverage: dict[tuple[bool, frozenset[str], frozenset[str]], float] = {}
        self._here: dict[frozenset[Edit], tuple[Profile, dict[str, Any]]] = {}
        self._proposals: dict[tuple[str, bool, frozenset[Edit], bool], list[Edits]] = {}

    def here(self, edits: Edits) -> tuple[Profile, dict[str, Any]]:
        """The profile with these edits and its flat fact (remembered: a search steps from it)."""
        key = frozenset(edits.items())
        found = self._here.get(key)
        if found is None:
            found = self._here[key] = (_apply(self.profile, edits), self.flat(edits))
        return found

    def proposals(self, rule: Rule, fire: bool, base: Edits, base_key: frozenset[Edit],
                  target: str) -> list[Edits]:
        """:func:`_proposals` for the profile with the ``base`` edits, remembered: the targets
        of one profile ask the same rules (the target matters only for disbanding the PMO)."""
        key = (rule.id, fire, base_key, target == "potential")
        found = self._proposals.get(key)
        if found is None:
            here, flat = self.here(base)
            found = self._proposals[key] = list(_proposals(rule, fire, here, flat, target,
                                                            self.table))
        return found

    def flat(self, edits: Edits) -> dict[str, Any]:
        """The flat fact of the profile with these edits (same as :func:`_flat` of
        :func:`build_fact` of :func:`_apply`; a test checks it)."""
        return self._evaluate(edits)[0]

    def rank(self, edits: Edits, key: frozenset[Edit] | None = None
             ) -> tuple[tuple[str, float], ...] | None:
        """The diagnosis' ranking of the profile with these edits; None when it has too little
        evidence to be diagnosed."""
        key = frozenset(edits.items()) if key is None else key
        if key in self._ranks:
            return self._ranks[key]
        flat, coverage = self._evaluate(edits)
        try:
            ranking: tuple[tuple[str, float], ...] | None = score_points(
                *self.compiled.points(flat), coverage, self.table)
        except InputError:
            ranking = None
        self._ranks[key] = ranking
        return ranking

    def _evaluate(self, edits: Edits) -> tuple[dict[str, Any], float]:
        indicators, trends, signs, pmo = _edited(self.profile, edits)
        # what the coverage depends on: which inputs are given (the PMO's existence weighs them)
        given = (("pmo", "exists") in edits,
                 frozenset(k for kind, k in edits if kind == "ind"
                           and k not in self.profile.indicators),
                 frozenset(k for (kind, k), v in edits.items() if kind == "trend"
                           and (v is None) == (k in self.profile.trends)))
        coverage = self._coverage.get(given)
        if coverage is None:
            coverage = self._coverage[given] = input_coverage(
                pmo.exists, indicators, trends, pmo.age_months is not None, self.table)
        flat = dict(self.base)
        if not edits:
            return flat, coverage
        by_path = self.compiled.by_path

        def put(path: str, value: Any) -> None:
            for rule_key in by_path.get(path, ()):
                flat[rule_key] = value

        count_trends = False
        scenarios = set()
        for kind, key in edits:
            if kind == "ind":
                put(f"ind.{key}", indicators[key])
                for feature in self.compiled.features_of.get(key, ()):
                    put(f"feat.{feature.id}", feature.value(indicators))
            elif kind == "trend":
                count_trends = True
                if key in self.indicators:
                    put(f"trend.{key}", trends.get(key, UNKNOWN_TREND))
            elif kind == "sign":
                put(f"sign.{key}", True if key in signs else None)
                scenarios.add(self.scenario_of[key])
            elif kind == "pmo":
                put("pmo.exists", pmo.exists)
                put("pmo.age_months", pmo.age_months)
                put("pmo.previous_pmo_closed", pmo.previous_pmo_closed)
        if count_trends:
            values = list(trends.values())
            for direction in ("rising", "falling", "steady"):
                put(f"count.trends.{direction}", values.count(direction))
        for scenario in scenarios:
            put(f"count.signs.{scenario}", sum(1 for s in signs if self.scenario_of[s] == scenario))
        return flat, coverage


def _build_paths(table: DiagnosisTable) -> tuple[tuple[str, str], ...]:
    keys = {c.key for rule in table.rules for c in _conditions(rule)}
    return tuple((key, table.keys.path(key)) for key in sorted(keys))


def _conditions(rule: Rule) -> Iterator[Condition]:
    for clause in rule.when:
        if isinstance(clause, Condition):
            yield clause
        else:
            for option in clause.options:
                yield from option


def _margin(ranking: Sequence[tuple[str, float]], target: str) -> float:
    scores = dict(ranking)
    return scores[target] - max(v for s, v in ranking if s != target)


# -- proposing edits from the rules -----------------------------------------------------------

_GRID = tuple(INDICATOR_RANGE[0] + STEP * i
              for i in range(int((INDICATOR_RANGE[1] - INDICATOR_RANGE[0]) / STEP) + 1))
_NEGATE = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt", "eq": "ne", "ne": "eq"}
_OK = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
       "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b}


def _number(conds: Sequence[Condition], current: float | None) -> float | None:
    """The grid value nearest to ``current`` (or to the bounds) that meets every condition."""
    return _nearest(tuple((c.op, c.value) for c in conds), current)


@functools.lru_cache(maxsize=4096)
def _nearest(tests: tuple[tuple[str, Any], ...], current: float | None) -> float | None:
    fits = [v for v in _GRID if all(_OK[op](v, value) for op, value in tests)]
    if not fits:
        return None
    anchor = current if current is not None else sum(value for _, value in tests) / len(tests)
    return min(fits, key=lambda v: (abs(v - anchor), v))


def _meet(conds: Sequence[Condition], profile: Profile, flat: Mapping[str, Any], target: str,
          table: DiagnosisTable) -> Edits | None:
    """Edits that make every one of ``conds`` hold (conditions on one rule), or None."""
    catalog = load_catalog()
    features = {f.id: f for f in table.features}
    edits: Edits = {}
    by_key: dict[str, list[Condition]] = {}
    for cond in conds:
        by_key.setdefault(cond.key, []).append(cond)
    for key, group in by_key.items():
        if key in profile.indicators or key in catalog.ids("indicators"):
            value = _number(group, profile.indicators.get(key))
            if value is None:
                return None
            if profile.indicators.get(key) != value:
                edits[("ind", key)] = value
        elif key in features:
            feature = features[key]
            given = [i for i in feature.indicators if i in profile.indicators]
            chosen = given if len(given) >= feature.min_assessed else \
                list(feature.indicators[:max(feature.min_assessed, len(given))])
            for ind in chosen:
                now = profile.indicators.get(ind)
                if now is not None and all(_OK[c.op](now, c.value) for c in group):
                    continue
                value = _number(group, now)
                if value is None:
                    return None
                edits[("ind", ind)] = value
        elif key.startswith("trend."):
            ind = key.removeprefix("trend.")
            trend = profile.trends.get(ind)
            options = [t for t in ("steady", "rising", "falling", None)
                       if all(_OK[c.op](t or "unknown", c.value) for c in group)]
            if not options:
                return None
            if trend not in options:
                edits[("trend", ind)] = options[0]
        elif key.startswith("sign."):
            sign = key.removeprefix("sign.")
            want = all(_OK[c.op](True, c.value) for c in group)
            if (sign in profile.signs) != want:
                edits[("sign", sign)] = want
        elif key.startswith("count.signs."):
            scenario = key.removeprefix("count.signs.")
            own = [s.id for s in catalog.signs if s.scenario == scenario]
            have = [s for s in own if s in profile.signs]
            need = [n for n in range(len(own) + 1) if all(_OK[c.op](n, c.value) for c in group)]
            if not need:
                return None
            want_n = min(need, key=lambda n: abs(n - len(have)))
            for sign in [s for s in own if s not in have][:max(0, want_n - len(have))]:
                edits[("sign", sign)] = True
            for sign in have[:max(0, len(have) - want_n)]:
                edits[("sign", sign)] = False
        elif key.startswith("count.trends."):
            direction = key.removeprefix("count.trends.")
            have = [i for i, t in profile.trends.items() if t == direction]
            need = [n for n in range(len(catalog.indicators) + 1)
                    if all(_OK[c.op](n, c.value) for c in group)]
            if not need:
                return None
            want_n = min(need, key=lambda n: abs(n - len(have)))
            spare = [i for i in catalog.ids("indicators")
                     if profile.trends.get(i) != direction and i in profile.indicators]
            for ind in spare[:max(0, want_n - len(have))]:
                edits[("trend", ind)] = direction
            for ind in have[:max(0, len(have) - want_n)]:
                edits[("trend", ind)] = "steady"
        elif key == "pmo.exists":
            want = all(_OK[c.op](False, c.value) for c in group)
            if profile.pmo.exists and want and target == "potential":
                edits[("pmo", "exists")] = False
            elif profile.pmo.exists != (not want):
                return None
        else:  # the PMO's age and history, changes, service maturity: facts, not levers
            if not all(_holds_now(c, flat) for c in group):
                return None
    return edits


def _holds_now(cond: Condition, flat: Mapping[str, Any]) -> bool:
    """As :func:`rules.conditions.holds` on the profile's fact, read from its flat form."""
    value = flat[cond.key]
    return value is not None and bool(_OK[cond.op](value, cond.value))


def _proposals(rule: Rule, fire: bool, profile: Profile, flat: Mapping[str, Any], target: str,
               table: DiagnosisTable) -> Iterator[Edits]:
    """Edit groups that make ``rule`` fire (``fire``) or stop firing."""
    plain = [c for c in rule.when if isinstance(c, Condition)]
    anys = [c for c in rule.when if isinstance(c, AnyOf)]
    if fire:
        options: list[list[Condition]] = [plain]
        for clause in anys:
            options = [o + list(opt) for o in options for opt in clause.options]
        for conds in options[:4]:
            edits = _meet(conds, profile, flat, target, table)
            if edits:
                yield edits
        return
    for cond in plain:  # breaking any one condition stops the rule
        negated = Condition(cond.key, _NEGATE[cond.op], cond.value)
        edits = _meet([negated], profile, flat, target, table)
        if edits:
            yield edits
    for clause in anys:  # or breaking every option of one `any`
        broken: Edits = {}
        for option in clause.options:
            for cond in option:
                edits = _meet([Condition(cond.key, _NEGATE[cond.op], cond.value)], profile,
                              flat, target, table)
                if edits:
                    broken.update(edits)
                    break
            else:
                break
        else:
            if broken:
                yield broken


def _candidates(trials: _Trials, base: Edits, target: str) -> list[Edits]:
    """Edit groups proposed by every scoring rule for the profile with the ``base`` edits."""
    table = trials.table
    base_key = frozenset(base.items())
    # rule ids, not object identities: the compiled rules may come from another thread's load
    # of the same ruleset version (a different Rule object for the same rule)
    holding = {rule.id for rule in trials.compiled.fired(trials.here(base)[1])}
    out: list[Edits] = []
    for rule in table.rules:
        if rule.effect == "transition":
            continue
        fired = rule.id in holding
        helps_target = rule.subject == target
        if rule.effect == "evidence":
            if helps_target and not fired:
                out.extend(trials.proposals(rule, True, base, base_key, target))
            elif not helps_target and fired:
                out.extend(trials.proposals(rule, False, base, base_key, target))
        elif fired and helps_target:  # counter-evidence or a gate against the target
            out.extend(trials.proposals(rule, False, base, base_key, target))
        elif not fired and not helps_target and rule.effect == "against":
            out.extend(trials.proposals(rule, True, base, base_key, target))
    unique: dict[frozenset[Edit], Edits] = {}
    for edits in out:
        unique.setdefault(frozenset(edits.items()), edits)
    return list(unique.values())


# -- the search -------------------------------------------------------------------------------

def _contrary(profile: Profile, edits: Edits, target: str) -> int:
    """How many edits go against the direction of the move (down when moving up, or up when
    moving down); Potential has no direction."""
    if target == "potential":
        return 0
    up = target in UPWARD
    catalog = load_catalog()
    count = 0
    for (kind, key), value in edits.items():
        if kind == "ind":
            rises = value > profile.indicators.get(key, 3.0)
        elif kind == "trend":
            rises = value == "rising" or (value in ("steady", None)
                                          and profile.trends.get(key) == "falling")
        elif kind == "sign":
            rises = (catalog.sign(key).direction == "positive") == bool(value)
        else:
            continue
        count += rises != up
    return count


def _search(trials: _Trials, target: str) -> Counterfactual | None:
    profile = trials.profile
    beam: list[Edits] = [{}]
    seen: set[frozenset[Edit]] = set()
    winners: list[tuple[int, int, float, Edits]] = []
    for _ in range(DEPTH):
        if len(seen) >= MAX_TRIALS:
            break
        scored: list[tuple[float, Edits]] = []
        for base in beam:
            for step in _candidates(trials, base, target):
                edits = {**base, **step}  # the base's own edits all change something
                for k, v in step.items():
                    if _unchanged(profile, k, v):
                        del edits[k]
                key = frozenset(edits.items())
                if not edits or len(edits) > MAX_EDITS or key in seen \
                        or len(seen) >= MAX_TRIALS:
                    continue
                seen.add(key)
                ranking = trials.rank(edits, key)
                if ranking is None:
                    continue
                margin = _margin(ranking, target)
                if ranking[0][0] == target:
                    winners.append((len(edits), _contrary(profile, edits, target), -margin,
                                    edits))
                else:
                    scored.append((margin, edits))
        if winners:
            break
        beam = _best(scored, BEAM)
        if not beam:
            break
    winners.sort(key=lambda w: (w[0], w[1], w[2], repr(sorted(w[3].items(), key=repr))))
    for _, _, _, edits in winners[:CONFIRM]:
        edits = _minimal(trials, edits, target)
        found = _confirm(profile, edits, target)
        if found is not None:
            return found
    return None


def _best(scored: list[tuple[float, Edits]], n: int) -> list[Edits]:
    """The ``n`` best partial answers: widest margin, then fewest edits, then the edits' text
    (a total order). The text is worked out only for those that can make the cut."""
    if not scored:
        return []
    cut = sorted((-margin, len(edits)) for margin, edits in scored)[min(n, len(scored)) - 1]
    near = [(-margin, len(edits), repr(sorted(edits.items(), key=repr)), i)
            for i, (margin, edits) in enumerate(scored) if (-margin, len(edits)) <= cut]
    return [scored[i][1] for *_, i in sorted(near)[:n]]


def _unchanged(profile: Profile, key: tuple[str, str], value: Any) -> bool:
    kind, name = key
    if kind == "ind":
        return profile.indicators.get(name) == value
    if kind == "trend":
        return profile.trends.get(name) == value
    if kind == "sign":
        return (name in profile.signs) == value
    return not profile.pmo.exists


def _minimal(trials: _Trials, edits: Edits, target: str) -> Edits:
    """Drop every edit the answer does not need (one at a time, in a fixed order)."""
    for key in sorted(edits, key=repr):
        trial = {k: v for k, v in edits.items() if k != key}
        ranking = trials.rank(trial) if trial else None
        if ranking is not None and ranking[0][0] == target:
            edits = trial
    return edits


def _confirm(profile: Profile, edits: Edits, target: str) -> Counterfactual | None:
    """Apply the merge patch to the profile document and re-run the real diagnosis."""
    from rules.diagnosis import diagnose  # noqa: PLC0415 - diagnose(explain=True) imports us

    patch = _patch(profile, edits)
    try:
        changed = parse_profile(merge_patch(profile.to_dict(), patch))
        if diagnose(changed).scenario != target:
            return None
    except InputError:
        return None
    return Counterfactual(scenario=target, changes=_describe(profile, edits),
                          profile_patch=_freeze(patch))


def _freeze(value: Any) -> Any:
    """Read-only all the way down: answers are remembered and shared between requests."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
