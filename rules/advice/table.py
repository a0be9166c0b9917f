"""The advice rule tables, loaded once and registered once with the gateway as one ruleset.

Each table (``rules/tables/advice_*.yaml``) speaks about one kind of fact -- a service, an
approach candidate, a competency, an outcome, the PMO as a whole -- and each row concludes
something in its ``then`` (``{action: retire}``, ``{fit: -3}``, ``{focus: needs_assessment,
weight: 2}``). The rows become durable-rules rules keyed by their ids, as the diagnosis does, so a
firing names the rule and the fact (its ``fid``) it fired on.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from advisor.assessment import TRENDS
from advisor.catalog import LEVELS, Catalog, load_catalog
from advisor.errors import CatalogError
from advisor.sections import FLYWHEEL_BANDS, RISKS, SCOPES
from rules.conditions import DISCRIMINATOR, KeySpace, KeySpec, lookup
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import FACT_ID, get_gateway
from rules.table import Rule, compile_rules, digest, read_table, rule_from_row

__all__ = ["AdviceTable", "load_advice_table", "advice_rule_from_row", "ACTIONS", "TIMINGS",
           "STATUSES", "SEVERITIES",
           "CURRENT", "UNSPECIFIED_RISK", "UNSTATED", "UNCHECKED"]

TABLES = "rules.tables"
FILES = ("advice_demand.yaml", "advice_approaches.yaml", "advice_plan.yaml",
         "advice_competencies.yaml", "advice_outcomes.yaml", "advice_pmo.yaml",
         "advice_structure.yaml", "advice_waves.yaml")
#: The catalog files whose content the advice depends on (they enter the ruleset version).
CATALOG_FILES = ("services.yaml", "outcomes.yaml", "approaches.yaml", "competencies.yaml",
                 "scenarios.yaml", "flywheel.yaml", "signs.yaml")

ACTIONS = ("introduce", "strengthen", "keep", "reduce", "retire")
TIMINGS = ("now", "next", "later")
STATUSES = ("critical", "develop", "assess", "ready")
SEVERITIES = ("high", "medium", "low")
CURRENT = "current"  # an action's target: stay at the current maturity
_FACT_KINDS = ("service_demand", "approach", "service_plan", "competency", "outcome", "pmo",
               "change")
UNSTATED = "unstated"  # an organization field the profile does not give
UNSPECIFIED_RISK = "unspecified"
UNCHECKED = "unchecked"  # a flywheel step the profile's self-check does not rate


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 5


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _name(value: Any) -> bool:
    return isinstance(value, str) and value.isidentifier()


def _one_of(choices: Iterable[Any]) -> Callable[[Any], bool]:
    allowed = tuple(choices)
    return lambda value: value in allowed


Check = Callable[[Any], bool]
#: Per conclusion: how its value is checked, and the companions (with their checks) it may carry.
Conclusions = dict[str, tuple[Check, dict[str, Check]]]


def _conclusions(catalog: Catalog) -> dict[str, Conclusions]:
    """Per fact kind: what a rule may conclude, in the order a ``then`` is read (the first key
    found is the rule's effect; the others must be its companions)."""
    severity: tuple[Check, dict[str, Check]] = (_one_of(SEVERITIES), {})
    return {
        "service_demand": {"emphasis": (_number, {"target": _level}), "target": (_level, {}),
                           "cap": (_level, {}), "raise_at_most": (_level, {})},
        "approach": {"fit": (_number, {})},
        "service_plan": {"action": (_one_of(ACTIONS),
                                    {"target": lambda v: _level(v) or v == CURRENT}),
                         "timing": (_one_of(TIMINGS), {}), "warning": severity},
        "competency": {"status": (_one_of(STATUSES), {})},
        "outcome": {"warning": severity},
        "pmo": {"focus": (_one_of(catalog.ids("flywheel")), {"weight": _number}),
                "warning": severity, "capacity": (_positive, {}),
                "structure": (_name, {"wave": _one_of(TIMINGS)})},
        "change": {"not_before": (_one_of(TIMINGS), {}), "levels_per_wave": (_positive, {}),
                   "start_at": (_level, {})},
    }


#: Companions a conclusion cannot go without.
REQUIRED_COMPANIONS = {"focus": ("weight",), "structure": ("wave",)}
#: Conclusions whose value is a weight that adds up (a focus carries its own ``weight``).
WEIGHTED = ("emphasis", "fit")


def _specs(kind: str, **kinds: Any) -> dict[str, KeySpec]:
    """KeySpecs whose fact path is the key itself: ``name=("number",)`` or ``("choice", (...))``."""
    return {key: KeySpec(key, spec[0], tuple(spec[1]) if len(spec) > 1 else ())
            for key, spec in kinds.items()}


def _keyspaces(catalog: Catalog) -> dict[str, KeySpace]:
    number, boolean = ("number",), ("bool",)
    scenario = ("choice", catalog.ids("scenarios"))
    signs = {f"sign.{s}": KeySpec(f"sign.{s}", "bool") for s in catalog.ids("signs")}
    trends = {f"trend.{i}": KeySpec(f"trend.{i}", "choice", TRENDS)
              for i in catalog.ids("indicators")}
    self_check = {f"self_check.{s}": KeySpec(f"self_check.{s}", "choice",
                                             (*FLYWHEEL_BANDS, UNCHECKED))
                  for s in catalog.ids("flywheel")}
    organization = dict(regulated=boolean, scope=("choice", (*SCOPES, UNSTATED)))
    service = dict(
        organization,
        scenario=scenario, pmo_exists=boolean, service=("choice", catalog.ids("services")),
        level=("choice", LEVELS), offered=boolean, maturity=number, best_rank=number,
        customers_served=number, top_customers=number, covers_top_outcome=boolean,
        served_max_maturity=number,
        served_min_maturity=number, customers_listed=number)
    plan = dict(service, needed=boolean, emphasized=boolean, target=number, gap=number,
                priority=number, services_assessed=boolean, compliance_service=boolean)
    approach = dict(
        scenario=scenario, approach=("choice", catalog.ids("approaches")),
        level=("choice", LEVELS), shared=boolean, group=("choice", catalog.ids("customer_groups")),
        customer_maturity=number, risk=("choice", (*RISKS, UNSPECIFIED_RISK)), distance=number,
        steps_from_fit=number, autonomy=number)
    competency = dict(
        scenario=scenario, competency=("choice", catalog.ids("competencies")), assessed=boolean,
        required=number, current=number, gap=number, needed_by=number, blocks=number,
        blocks_core=number)
    outcome = dict(scenario=scenario, pmo_exists=boolean, outcome=number, best_rank=number,
                   customers_ranking=number, producers_offered=number,
                   customers_without_producer=number, producers_possible=number,
                   services_assessed=boolean)
    pmo = dict(
        scenario=scenario, confidence=number, pmo_exists=boolean, customers_listed=number,
        customers_without_outcomes=number, customer_maturity_mean=number,
        customer_maturity_excess=number, services_assessed=boolean, team_assessed=boolean,
        services_offered=number, services_to_introduce=number, services_to_strengthen=number,
        services_to_cut=number, top_outcomes_unserved=number, competency_gaps=number,
        maturity_now=number, resources_rated=boolean, reporting_line_stated=boolean,
        **organization)
    change = dict(
        organization, scenario=scenario, service=("choice", catalog.ids("services")),
        level=("choice", LEVELS), action=("choice", ACTIONS), cut=boolean, from_maturity=number,
        to_maturity=number, timing=("choice", TIMINGS), emphasized=boolean,
        covers_top_outcome=boolean)
    pmo_specs = {**_specs("pmo", **pmo), **signs, **trends, **self_check}
    pmo_specs.update({i: KeySpec(f"ind.{i}", "number") for i in catalog.ids("indicators")})
    pmo_specs.update({f.id: KeySpec(f"feat.{f.id}", "number")
                      for f in load_diagnosis_table().features})
    return {
        "service_demand": KeySpace({**_specs("service_demand", **service), **trends}),
        "approach": KeySpace({**_specs("approach", **approach), **signs}),
        "service_plan": KeySpace(_specs("service_plan", **plan)),
        "competency": KeySpace(_specs("competency", **competency)),
        "outcome": KeySpace(_specs("outcome", **outcome)),
        "pmo": KeySpace(pmo_specs),
        "change": KeySpace(_specs("change", **change)),
    }


def advice_rule_from_row(row: Mapping[str, Any], kind: str) -> Rule:
    """Check one advice table row about facts of ``kind`` and build its :class:`Rule`."""
    catalog = load_catalog()
    if kind not in _FACT_KINDS:
        raise CatalogError(f"'fact' must be one of {list(_FACT_KINDS)}, got {kind!r}")
    return _rule(row, kind, _keyspaces(catalog)[kind], _conclusions(catalog)[kind])


def _rule(row: Mapping[str, Any], kind: str, keys: KeySpace, conclusions: Conclusions) -> Rule:
    """Check one row's ``then`` and build its :class:`Rule` (``rule_from_row`` checks the rest)."""
    where = f"rule {row.get('id', '?')!r}"
    then = row.get("then")
    if not isinstance(then, Mapping) or not then:
        raise CatalogError(f"{where}: 'then' must be a mapping such as {{action: keep}}")
    effect = next((key for key in conclusions if key in then), None)
    if effect is None:
        raise CatalogError(f"{where}: a {kind} rule concludes one of {list(conclusions)}")
    check, companions = conclusions[effect]
    extra = set(then) - {effect, *companions}
    missing = set(REQUIRED_COMPANIONS.get(effect, ())) - set(then)
    if extra or missing:
        raise CatalogError(f"{where}: {effect} goes with {list(companions) or 'nothing'}, "
                           f"got {sorted(then)}")
    checks = {effect: check, **companions}
    for key, value in then.items():
        if not checks[key](value):
            raise CatalogError(f"{where}: bad value for {key}: {value!r}")
    weight = then.get("weight", then[effect] if effect in WEIGHTED else 0.0)
    flat = {k: v for k, v in row.items() if k != "then"}
    return rule_from_row(
        {**flat, "subject": str(then[effect]), "effect": effect, "weight": weight,
         "then": dict(then), "fact": kind},
        keys, [str(then[effect])], "subject", (effect,), data_fields=("then", "fact"))


@dataclass(frozen=True)
class AdviceTable:
    """The advice rules, their vocabularies and the engine definition they compile to."""

    name: str
    version: str
    rules: tuple[Rule, ...]
    by_id: Mapping[str, Rule]
    keys: Mapping[str, KeySpace]
    config: Mapping[str, Any]
    definition: Mapping[str, Any]

    def ensure_registered(self) -> None:
        gateway = get_gateway()
        if not gateway.is_registered(self.name):
            gateway.register(self.name, self.definition)

    @staticmethod
    def fact(kind: str, fid: int, values: Mapping[str, Any]) -> dict[str, Any]:
        """A fact as the engine sees it: the values, its kind and its id in the batch."""
        return {DISCRIMINATOR: f"advice_{kind}", FACT_ID: fid, **values}

    def fire(self, facts: Sequence[Mapping[str, Any]]) -> dict[int, list[Rule]]:
        """Assert a batch of facts in one session; the rules that fired per fact id, in table
        order (the engine's own firing order carries no meaning here)."""
        self.ensure_registered()
        order = self._order
        fired: dict[int, set[str]] = defaultdict(set)
        for rule_id, fid in get_gateway().evaluate_facts(self.name, facts):
            if rule_id in self.by_id:
                fired[fid].add(rule_id)
        return {fid: [self.by_id[r] for r in sorted(ids, key=order.__getitem__)]
                for fid, ids in fired.items()}

    def evidence(self, rule: Rule, fact: Mapping[str, Any]) -> dict[str, Any]:
        """The values a rule looked at in the fact it fired on."""
        keys = self.keys[rule.data["fact"]]
        out = {}
        for key in rule.keys:
            value = lookup(fact, keys.path(key))
            if value is not None:
                out[key] = value
        return out

    @functools.cached_property
    def _order(self) -> Mapping[str, int]:
        return {rule.id: index for index, rule in enumerate(self.rules)}


@functools.cache
def load_advice_table() -> AdviceTable:
    """Load, check and compile the advice rules (once per process)."""
    catalog = load_catalog()
    keyspaces = _keyspaces(catalog)
    conclusions = _conclusions(catalog)
    rules: list[Rule] = []
    config: dict[str, Any] = {}
    definition: dict[str, Any] = {}
    texts = []
    for name in FILES:
        table, text = read_table(TABLES, name)
        texts.append(text)
        kind = table.get("fact")
        if kind not in keyspaces:
            raise CatalogError(f"{name}: 'fact' must be one of {list(keyspaces)}")
        config.update({k: tuple(v) if isinstance(v, list) else MappingProxyType(v)
                       for k, v in table.items() if k not in ("fact", "rules")})
        kind_rules = [_rule(row, kind, keyspaces[kind], conclusions[kind])
                      for row in table["rules"]]
        compiled = compile_rules(kind_rules, keyspaces[kind], f"advice_{kind}")
        clash = set(compiled) & set(definition)
        if clash:
            raise CatalogError(f"{name}: rule ids used twice: {sorted(clash)}")
        definition.update(compiled)
        rules.extend(kind_rules)
    structures = config.get("structures", {})
    unknown = [r.id for r in rules if r.effect == "structure" and r.subject not in structures]
    if unknown:
        raise CatalogError(f"structure rules name no recommendation in 'structures': {unknown}")
    texts += [read_table("advisor.data", name)[1] for name in CATALOG_FILES]
    name = "pmo_advice"
    return AdviceTable(
        name=name, version=f"{name}-{digest(*texts)}", rules=tuple(rules),
        by_id=MappingProxyType({r.id: r for r in rules}), keys=MappingProxyType(keyspaces),
        config=MappingProxyType(config), definition=MappingProxyType(definition))
