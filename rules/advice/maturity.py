"""The guide's service maturity percentages (p.276): per level, the sum of the services' scores
over the most they could score (services x 5), now and as recommended."""

from __future__ import annotations

from collections.abc import Mapping

from advisor.catalog import LEVELS, load_catalog
from rules.advice.model import GroupMaturity

__all__ = ["percent", "group_maturity"]

TOP_LEVEL = 5


def percent(levels: list[int]) -> float | None:
    """The guide's percentage for a group of service scores; None for an empty group."""
    if not levels:
        return None
    return round(100.0 * sum(levels) / (TOP_LEVEL * len(levels)), 1)


def group_maturity(current: Mapping[str, int],
                   recommended: Mapping[str, int]) -> tuple[GroupMaturity, ...]:
    """Strategic, tactical and operational maturity of the services run now and recommended."""
    catalog = load_catalog()
    groups = []
    for level in LEVELS:
        now = [m for sid, m in current.items() if catalog.service(sid).level == level]
        aim = [m for sid, m in recommended.items() if catalog.service(sid).level == level]
        groups.append(GroupMaturity(level=level, current=percent(now), recommended=percent(aim),
                                    services_current=len(now), services_recommended=len(aim)))
    return tuple(groups)
