"""What would change the diagnosis: for each scenario next to the diagnosed one in the guide's
cycle, the smallest set of indicator, trend or sign changes found that moves the diagnosis there.

The search reads the rule table itself: it proposes the edits that would make a rule for the
target fire, or stop a rule for a rival (or against the target) from firing, and scores each
hypothetical profile with the diagnosis' own scoring (:func:`rules.diagnosis.score_rules`). To try
hundreds of profiles quickly it evaluates the rules' conditions in Python (as
:func:`rules.conditions.holds` does; a test checks it fires what the engine fires); every answer
it returns is then confirmed by applying its merge patch to the profile document and re-running
the real diagnosis through the engine.

Bounded (``BEAM`` x ``DEPTH`` steps, at most ``MAX_EDITS`` edits): a target it cannot reach
within those bounds is left out rather than guessed. Opt-in (``diagnose(profile, explain=True)``):
the simulation's quarterly reviews never pay for it.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from advisor.assessment import INDICATOR_RANGE, PmoFacts, Profile, parse_profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.patch import merge_patch
from rules.conditions import AnyOf, Condition, holds, lookup
from rules.diagnosis import Counterfactual, Diagnosis, build_fact, coverage_of, score_rules
from rules.diagnosis_table import DiagnosisTable, load_diagnosis_table
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
    found = (_search(profile, target, table) for target in targets_of(scenario, table))
    return tuple(c for c in found if c is not None)


# -- applying edits ---------------------------------------------------------------------------

def _apply(profile: Profile, edits: Edits) -> Profile:
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

_OPS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
        "gt": operator.gt, "gte": operator.ge}


def _checks(table: DiagnosisTable) -> tuple[tuple[Rule, Any], ...]:
    """Each scoring rule with its conditions as flat (key, op, value) tests, for speed: the
    search scores hundreds of profiles. Same meaning as :func:`rules.conditions.holds`."""
    return _compiled(table)[0]


_COMPILED: dict[str, tuple[Any, Any]] = {}  # by ruleset version


def _compiled(table: DiagnosisTable) -> tuple[Any, Any]:
    found = _COMPILED.get(table.version)
    if found is None:
        found = _COMPILED[table.version] = (_build_checks(table), _build_paths(table))
    return found


def _build_checks(table: DiagnosisTable) -> tuple[tuple[Rule, Any], ...]:
    out = []
    for rule in table.rules:
        if rule.effect == "transition":
            continue
        plain = tuple((c.key, _OPS[c.op], c.value) for c in rule.when if isinstance(c, Condition))
        anys = tuple(tuple(tuple((c.key, _OPS[c.op], c.value) for c in option)
                           for option in clause.options)
                     for clause in rule.when if isinstance(clause, AnyOf))
        out.append((rule, (plain, anys)))
    return tuple(out)


def _test(tests: Any, flat: Mapping[str, Any]) -> bool:
    for key, op, value in tests:
        have = flat.get(key)
        if have is None or not op(have, value):  # a missing key never matches (durable-rules)
            return False
    return True


def fired_rules(profile: Profile, table: DiagnosisTable) -> list[Rule]:
    """The scoring rules (not transitions) whose conditions hold, evaluated in Python."""
    fact = build_fact(profile, table)
    flat = {key: lookup(fact, path) for key, path in _paths(table)}
    return [rule for rule, (plain, anys) in _checks(table)
            if _test(plain, flat) and all(any(_test(o, flat) for o in options)
                                          for options in anys)]


def _rank(profile: Profile, table: DiagnosisTable) -> tuple[tuple[str, float], ...] | None:
    fired = fired_rules(profile, table)
    try:
        return score_rules(fired, coverage_of(profile, table), table)
    except InputError:
        return None


def _paths(table: DiagnosisTable) -> tuple[tuple[str, str], ...]:
    paths: tuple[tuple[str, str], ...] = _compiled(table)[1]
    return paths


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
    fits = [v for v in _GRID if all(_OK[c.op](v, c.value) for c in conds)]
    if not fits:
        return None
    anchor = current if current is not None else sum(c.value for c in conds) / len(conds)
    return min(fits, key=lambda v: (abs(v - anchor), v))


def _meet(conds: Sequence[Condition], profile: Profile, target: str,
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
            if not all(_holds_now(c, profile, table) for c in group):
                return None
    return edits


def _holds_now(cond: Condition, profile: Profile, table: DiagnosisTable) -> bool:
    return holds((cond,), build_fact(profile, table), table.keys)


def _proposals(rule: Rule, fire: bool, profile: Profile, target: str,
               table: DiagnosisTable) -> Iterator[Edits]:
    """Edit groups that make ``rule`` fire (``fire``) or stop firing."""
    plain = [c for c in rule.when if isinstance(c, Condition)]
    anys = [c for c in rule.when if isinstance(c, AnyOf)]
    if fire:
        options: list[list[Condition]] = [plain]
        for clause in anys:
            options = [o + list(opt) for o in options for opt in clause.options]
        for conds in options[:4]:
            edits = _meet(conds, profile, target, table)
            if edits:
                yield edits
        return
    for cond in plain:  # breaking any one condition stops the rule
        negated = Condition(cond.key, _NEGATE[cond.op], cond.value)
        edits = _meet([negated], profile, target, table)
        if edits:
            yield edits
    for clause in anys:  # or breaking every option of one `any`
        broken: Edits = {}
        for option in clause.options:
            for cond in option:
                edits = _meet([Condition(cond.key, _NEGATE[cond.op], cond.value)], profile,
                              target, table)
                if edits:
                    broken.update(edits)
                    break
            else:
                break
        else:
            if broken:
                yield broken


def _candidates(profile: Profile, target: str, table: DiagnosisTable) -> list[Edits]:
    fact = build_fact(profile, table)
    out: list[Edits] = []
    for rule in table.rules:
        if rule.effect == "transition":
            continue
        fired = holds(rule.when, fact, table.keys)
        helps_target = rule.subject == target
        if rule.effect == "evidence":
            if helps_target and not fired:
                out.extend(_proposals(rule, True, profile, target, table))
            elif not helps_target and fired:
                out.extend(_proposals(rule, False, profile, target, table))
        elif fired and helps_target:  # counter-evidence or a gate against the target
            out.extend(_proposals(rule, False, profile, target, table))
        elif not fired and not helps_target and rule.effect == "against":
            out.extend(_proposals(rule, True, profile, target, table))
    unique: dict[tuple[Edit, ...], Edits] = {}
    for edits in out:
        unique.setdefault(tuple(sorted(edits.items(), key=repr)), edits)
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


def _search(profile: Profile, target: str, table: DiagnosisTable) -> Counterfactual | None:
    beam: list[Edits] = [{}]
    seen: set[tuple[Edit, ...]] = set()
    winners: list[tuple[int, int, float, Edits]] = []
    for _ in range(DEPTH):
        if len(seen) >= MAX_TRIALS:
            break
        scored: list[tuple[float, Edits]] = []
        for base in beam:
            here = _apply(profile, base)
            for step in _candidates(here, target, table):
                edits = {**base, **step}
                edits = {k: v for k, v in edits.items() if not _unchanged(profile, k, v)}
                key = tuple(sorted(edits.items(), key=repr))
                if not edits or len(edits) > MAX_EDITS or key in seen \
                        or len(seen) >= MAX_TRIALS:
                    continue
                seen.add(key)
                ranking = _rank(_apply(profile, edits), table)
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
        scored.sort(key=lambda m: (-m[0], len(m[1]), repr(sorted(m[1].items(), key=repr))))
        beam = [edits for _, edits in scored[:BEAM]]
        if not beam:
            break
    winners.sort(key=lambda w: (w[0], w[1], w[2], repr(sorted(w[3].items(), key=repr))))
    for _, _, _, edits in winners[:CONFIRM]:
        edits = _minimal(profile, edits, target, table)
        found = _confirm(profile, edits, target)
        if found is not None:
            return found
    return None


def _unchanged(profile: Profile, key: tuple[str, str], value: Any) -> bool:
    kind, name = key
    if kind == "ind":
        return profile.indicators.get(name) == value
    if kind == "trend":
        return profile.trends.get(name) == value
    if kind == "sign":
        return (name in profile.signs) == value
    return not profile.pmo.exists


def _minimal(profile: Profile, edits: Edits, target: str, table: DiagnosisTable) -> Edits:
    """Drop every edit the answer does not need (one at a time, in a fixed order)."""
    for key in sorted(edits, key=repr):
        trial = {k: v for k, v in edits.items() if k != key}
        ranking = _rank(_apply(profile, trial), table) if trial else None
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
