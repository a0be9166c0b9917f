"""One engine session's worth of facts, each filed under a key the caller chooses.

The advice asks the engine three times per profile, each time with every fact of that step in
one session (``evaluate_facts``), never once per service or customer.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from rules.advice.table import AdviceTable
from rules.gateway import FACT_ID
from rules.table import Rule

__all__ = ["Batch"]

Fired = tuple[list[Rule], Mapping[str, Any]]


class Batch:
    def __init__(self, table: AdviceTable) -> None:
        self._table = table
        self._facts: dict[tuple[str, Hashable], dict[str, Any]] = {}

    def add(self, kind: str, key: Hashable, values: Mapping[str, Any]) -> None:
        """File a fact; a second fact under the same key is the same fact and is not repeated."""
        if (kind, key) not in self._facts:
            self._facts[(kind, key)] = self._table.fact(kind, len(self._facts) + 1, values)

    def fire(self) -> dict[tuple[str, Hashable], Fired]:
        """Run the session; per key, the rules that fired (table order) and the fact itself."""
        fired = self._table.fire(list(self._facts.values()))
        return {key: (fired.get(fact[FACT_ID], []), fact) for key, fact in self._facts.items()}
