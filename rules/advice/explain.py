"""How fired rules become explanations, and how competing conclusions are settled.

Each resolution is stated once here so the tables' headers can say it in one line: actions by
priority, timings and statuses by the most cautious value, weights by adding up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rules.advice.model import AdviceWarning, Because
from rules.advice.table import AdviceTable
from rules.table import Rule

__all__ = ["because", "conclusions", "first_by_priority", "strongest", "total", "warnings_of"]


def because(table: AdviceTable, rule: Rule, fact: Mapping[str, Any]) -> Because:
    return Because(id=rule.id, then=rule.data["then"], reason=rule.reason, source=rule.source,
                   evidence=table.evidence(rule, fact))


def conclusions(rules: Iterable[Rule], effect: str) -> list[Rule]:
    """The fired rules that conclude ``effect`` (as their main conclusion)."""
    return [r for r in rules if r.effect == effect]


def first_by_priority(rules: Sequence[Rule]) -> Rule | None:
    """The rule that wins when only one may: lowest priority number, then table order."""
    return min(rules, key=lambda r: r.priority, default=None)


def strongest(rules: Sequence[Rule], ranking: Sequence[str]) -> Rule | None:
    """The rule whose value comes first in ``ranking`` (most severe or most deferring first)."""
    return min(rules, key=lambda r: ranking.index(r.subject), default=None)


def total(rules: Iterable[Rule]) -> float:
    return round(float(sum(r.weight for r in rules)), 3)


def warnings_of(table: AdviceTable, fired: Iterable[Rule], fact: Mapping[str, Any],
                about: Mapping[str, Any]) -> list[AdviceWarning]:
    """Every warning rule that fired on one fact, about what that fact describes."""
    return [AdviceWarning(id=r.id, severity=r.subject, about=about, reason=r.reason,
                          source=r.source, evidence=table.evidence(r, fact))
            for r in conclusions(fired, "warning")]
