"""The one door to durable-rules in this process.

durable-rules' C engine is not thread-safe, cannot unregister a ruleset, keeps at most 1,024 live
sessions per ruleset, and must not be created before a fork. So:

* every engine call goes through :class:`RulesGateway` under one lock;
* rulesets are registered once per engine (a second registration of the same name is a no-op);
* each evaluation runs in its own session, whose state is deleted in a ``finally``;
* the engine is created lazily, in the process that uses it, and recreated after a fork;
* the host's background dispatch threads are not started: they would call into the engine
  concurrently, and our rules use no timers or queued events that would need them.

Facts are *asserted*, not posted, so every matching rule fires (a posted event is consumed by the
first rule). Actions only record which rule fired on which fact (its ``fid``); all reasoning on
the result happens outside.
"""

from __future__ import annotations

import copy
import itertools
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from durable import engine

from advisor.errors import EngineError
from rules.conditions import DISCRIMINATOR

__all__ = ["RulesGateway", "get_gateway", "FACT_ID", "CATCH_ALL"]

#: The key under which a fact in a batch carries its own id, so a firing names its fact.
FACT_ID = "fid"

#: Added to every ruleset: matches any fact we assert (all carry ``kind``; the engine's own state
#: messages do not), so no fact is ever left unhandled. Measured: after a fact that no rule
#: matched, deleting its session crashes the C engine (``free(): invalid pointer``) within a few
#: thousand calls, and not deleting it leaks sessions up to the 1,024 cap. Its firings are dropped.
CATCH_ALL = "_every_fact"
_CATCH_ALL_RULE = {"all": [{"m": {"$ex": {DISCRIMINATOR: 1}}}], "pri": 1000, "run": CATCH_ALL}

# durable-rules 2.0.28 calls datetime.utcfromtimestamp() in every action: deprecated on 3.12+.
warnings.filterwarnings("ignore", message=r"datetime\.datetime\.utcfromtimestamp",
                        category=DeprecationWarning)


class _QuietHost(engine.Host):
    """A durable-rules host without background threads, whose actions record rule ids."""

    def __init__(self, record: Callable[[str, str, Any], None]) -> None:
        self._record = record
        super().__init__()

    def _run(self) -> None:  # no dispatch/timer threads: see module docstring
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        record = self._record

        def fired(closure: Any) -> None:
            fact = closure.m
            record(closure.s.sid, action_name, fact[FACT_ID] if fact is not None else None)

        return fired


class RulesGateway:
    """Serialized access to one durable-rules engine (per process)."""

    def __init__(self) -> None:
        self._definitions: dict[str, dict[str, Any]] = {}
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """Forget the engine and the lock; the next call builds fresh ones in this process."""
        self._lock = threading.Lock()
        self._host: _QuietHost | None = None
        self._pid = os.getpid()
        self._sessions = itertools.count(1)
        self._fired: dict[str, list[tuple[str, Any]]] = {}
        self.evaluations = 0

    # -- registration ------------------------------------------------------------------------
    def register(self, name: str, definition: Mapping[str, Any]) -> None:
        """Make a ruleset available. Registering the same name again with the same rules is a
        no-op; with different rules it is an error (the engine cannot unregister)."""
        with self._lock:
            known = self._definitions.get(name)
            if known is not None:
                if known != definition:
                    raise EngineError(f"ruleset {name!r} is already registered with other rules")
                return
            if CATCH_ALL in definition:
                raise EngineError(f"rule id {CATCH_ALL!r} is reserved by the gateway")
            self._definitions[name] = copy.deepcopy(dict(definition))
            if self._host is not None:
                self._host.register_rulesets({name: self._engine_definition(name)})

    def is_registered(self, name: str) -> bool:
        return name in self._definitions

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self, ruleset: str, fact: Mapping[str, Any]) -> list[str]:
        """Assert ``fact`` in a fresh session; return the ids of the rules that fired, in order."""
        return [rule_id for rule_id, _ in self.evaluate_facts(ruleset, [fact])]

    def evaluate_facts(self, ruleset: str,
                       facts: Sequence[Mapping[str, Any]]) -> list[tuple[str, Any]]:
        """Assert several facts in one fresh session (every matching rule fires for each);
        return each ``(rule id, the fact's "fid")`` that fired, once, in firing order.

        Once: durable-rules fires a rule once per alternative of an ``$or`` that holds, but a
        rule either holds for a fact or it does not."""
        with self._lock:
            host = self._engine()
            sid = f"{self._pid}-{next(self._sessions)}"
            fired = self._fired[sid] = []
            try:
                batch = [{**_engine_safe(fact), "sid": sid} for fact in facts]
                if len(batch) == 1:
                    host.assert_fact(ruleset, batch[0])
                elif batch:
                    host.assert_facts(ruleset, batch)
            except Exception as exc:  # the engine's own errors carry no useful type
                raise EngineError(f"rules engine failed on ruleset {ruleset!r}: {exc}") from exc
            finally:
                del self._fired[sid]
                try:
                    host.delete_state(ruleset, sid)
                except Exception:  # noqa: BLE001 - no state was created: nothing to delete
                    pass
            self.evaluations += 1
            return list(dict.fromkeys(fired))

    def live_sessions(self) -> int:
        """Sessions whose evaluation has not finished (0 between calls)."""
        with self._lock:
            return len(self._fired)

    def session_state(self, ruleset: str, sid: str) -> Any:
        """The engine's stored state for one session (``None`` once deleted); for tests."""
        with self._lock:
            try:
                return self._engine().get_state(ruleset, sid)
            except Exception:  # noqa: BLE001 - durable-rules raises a bare error when absent
                return None

    def _engine(self) -> _QuietHost:
        if self._host is None or self._pid != os.getpid():
            self._pid = os.getpid()
            host = _QuietHost(self._record)
            if self._definitions:
                host.register_rulesets({n: self._engine_definition(n) for n in self._definitions})
            self._host = host
        return self._host

    def _engine_definition(self, name: str) -> dict[str, Any]:
        """A fresh copy for the engine (it mutates what it is given), with the catch-all rule."""
        return {**copy.deepcopy(self._definitions[name]), CATCH_ALL: copy.deepcopy(_CATCH_ALL_RULE)}

    def _record(self, sid: str, rule_id: str, fact_id: Any) -> None:
        if rule_id != CATCH_ALL:
            self._fired[sid].append((rule_id, fact_id))


#: durable-rules' JSON reader rejects numbers written with an exponent (error 204), and Python
#: writes floats below 1e-4 or from 1e16 up that way. Below 1e-4 is 0 for every rule we have.
_TINY, _HUGE = 1e-4, 1e15


def _engine_safe(value: Any) -> Any:
    """The fact with every float in a form the engine can read."""
    if isinstance(value, float):
        if abs(value) < _TINY:
            return 0.0
        if abs(value) >= _HUGE:
            raise EngineError(f"number {value!r} is too large for the rules engine")
        return value
    if isinstance(value, dict):
        return {k: _engine_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_engine_safe(v) for v in value]
    return value


_gateway: RulesGateway | None = None
_gateway_lock = threading.Lock()


def get_gateway() -> RulesGateway:
    """The process-wide gateway (created on first use, so after any fork)."""
    global _gateway
    if _gateway is None:
        with _gateway_lock:
            if _gateway is None:
                _gateway = RulesGateway()
    return _gateway
