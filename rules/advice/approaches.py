"""The approach per service AND per customer (advice part 2, ``advice_approaches.yaml``).

The guide chooses the approach for each service and each customer by the customer's maturity,
the nature of its projects, culture and resources (p.77-78), within the approaches the service
allows (p.78-82). Candidates that look the same to the rules (same approach, service level,
customer group, maturity, risk...) are asserted once, so the engine's work grows with the variety
of customers, not with services x customers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.catalog import load_catalog
from advisor.sections import Customer
from rules.advice.demand import Assessment, Demand
from rules.advice.explain import because, conclusions, total
from rules.advice.model import ApproachAdvice
from rules.advice.table import UNSPECIFIED_RISK, AdviceTable
from rules.table import Rule

__all__ = ["Candidate", "candidates", "choose", "customer_fit"]


@dataclass(frozen=True)
class Candidate:
    """One allowed approach for one (service, customer) pair, and the values the rules see."""

    service: str
    customer: str
    approach: str
    values: Mapping[str, Any]

    @property
    def signature(self) -> tuple[Any, ...]:
        return tuple(sorted((k, v) for k, v in self.values.items() if k != "sign"))


def customer_fit(allowed: tuple[str, ...], maturity: float) -> str:
    """The allowed approach Fig. 7-1 puts nearest the customer's maturity; ties go to the one
    leaving the customer more control."""
    catalog = load_catalog()
    return min(allowed, key=lambda a: (abs(catalog.approach(a).ideal_customer_maturity - maturity),
                                       catalog.approach(a).order))


def _values(assessment: Assessment, demand: Demand, customer: Customer, approach_id: str,
            signs: Mapping[str, bool]) -> dict[str, Any]:
    catalog = load_catalog()
    approach = catalog.approach(approach_id)
    axis = sorted(demand.service.approaches, key=lambda a: catalog.approach(a).order)
    fit = customer_fit(demand.service.approaches, customer.maturity)
    return {
        "scenario": assessment.scenario,
        "approach": approach_id,
        "level": demand.service.level,
        "shared": len(demand.customers) >= 2,
        "group": customer.group,
        "customer_maturity": customer.maturity,
        "risk": customer.risk or UNSPECIFIED_RISK,
        "distance": round(abs(approach.ideal_customer_maturity - customer.maturity), 3),
        "steps_from_fit": abs(axis.index(approach_id) - axis.index(fit)),
        "autonomy": assessment.profile.indicators.get("autonomy", 0.0),
        "sign": signs,
    }


def candidates(assessment: Assessment, demands: list[Demand]) -> Iterator[Candidate]:
    """Every allowed approach of every (service, customer) pair the service serves."""
    signs = {s: s in assessment.profile.signs for s in load_catalog().ids("signs")}
    for demand in demands:
        for customer in demand.customers:
            for approach in demand.service.approaches:
                yield Candidate(demand.service.id, customer.id, approach,
                                _values(assessment, demand, customer, approach, signs))


def choose(table: AdviceTable, pair: list[Candidate],
           fired: Mapping[tuple[Any, ...], tuple[list[Rule], Mapping[str, Any]]]) -> ApproachAdvice:
    """The best-scoring allowed approach; ties go to the one nearest the customer's maturity,
    then to the one leaving the customer more control (Guide p.77, 82-83)."""
    catalog = load_catalog()
    scored = []
    for candidate in pair:
        rules, fact = fired[candidate.signature]
        fits = conclusions(rules, "fit")
        scored.append((total(fits), candidate, fits, fact))
    best = min(scored, key=lambda s: (-s[0], s[1].values["distance"],
                                      catalog.approach(s[1].approach).order))
    score, chosen, fits, fact = best
    return ApproachAdvice(
        service=chosen.service, customer=chosen.customer, approach=chosen.approach, score=score,
        scores={c.approach: s for s, c, _, _ in scored},
        because=tuple(because(table, r, fact) for r in fits))
