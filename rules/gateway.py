"""The one door to durable-rules in this process.

durable-rules' C engine is not thread-safe, cannot unregister a ruleset, keeps at most 1,024 live
sessions per ruleset, and must not be created before a fork. So:

* every engine call goes through :class:`RulesGateway` under one lock;
* rulesets are registered once per engine (a second registration of the same name is a no-op);
* each evaluation runs in its own session, whose state is deleted in a ``finally``;
* the engine is created lazily, in the process that uses it, and recreated after a fork;
* no background dispatch threads: our rules use no timers or queued events that would need them.

Facts are *asserted*, not posted, so every matching rule fires (a posted event is consumed by the
first rule). Actions only record which rule fired on which fact (its ``fid``); all reasoning on
the result happens outside.

Two hosts drive the same C matcher (``durable_rules_engine``). The *thin* host, used by default,
calls the C module directly: it asserts the fact(s), then starts and completes the pending actions
in a loop, reading from each only the rule's name (and, in a batch, the fact's ``fid``), then
deletes the session. durable-rules' own Python host (``durable.engine.Host``, kept as the
reference: ``RulesGateway(host="full")``) does the same matching but, per firing, builds closure
wrappers, reads the clock twice, writes the session state back as JSON and parses the whole fact
again; measured, that was about 5/6 of a diagnosis' engine time (issue 13). A test pins that both
hosts fire the same rules on every shipped profile, every vignette and thousands of generated
facts (``tests/test_gateway_thin_host.py``).
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import durable_rules_engine as _dre
import orjson
from durable import engine

from advisor.errors import EngineError
from rules.conditions import DISCRIMINATOR
from rules.memo import FiringMemo, MemoUnsupported

__all__ = ["RulesGateway", "get_gateway", "FACT_ID", "CATCH_ALL", "HOSTS"]

#: The key under which a fact in a batch carries its own id, so a firing names its fact.
FACT_ID = "fid"

#: Added to every ruleset: matches any fact we assert (all carry ``kind``; the engine's own state
#: messages do not), so no fact is ever left unhandled. Measured: after a fact that no rule
#: matched, deleting its session crashes the C engine (``free(): invalid pointer``) within a few
#: thousand calls, and not deleting it leaks sessions up to the 1,024 cap. Its firings are dropped.
CATCH_ALL = "_every_fact"
_CATCH_ALL_RULE = {"all": [{"m": {"$ex": {DISCRIMINATOR: 1}}}], "pri": 1000, "run": CATCH_ALL}

#: The hosts a gateway can drive the engine with: ``thin`` (default) and ``full`` (reference).
HOSTS = ("thin", "full")

Firing = tuple[str, Any]   # (the rule's action name, the fid of the fact it fired on)


class _Host(Protocol):
    def register(self, name: str, definition: dict[str, Any]) -> None: ...

    def fire(self, ruleset: str, sid: str, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert the facts in session ``sid``; every firing, in order (catch-all included)."""

    def delete(self, ruleset: str, sid: str) -> None: ...

    def state(self, ruleset: str, sid: str) -> Any: ...


class _ThinHost:
    """The C module, called directly; one ruleset handle per name."""

    def __init__(self) -> None:
        self._handles: dict[str, int] = {}
        self._actions: dict[str, dict[str, str]] = {}

    def register(self, name: str, definition: dict[str, Any]) -> None:
        # as durable.engine.Ruleset does: the C side gets the rules without their actions
        rules = {rule: {k: v for k, v in body.items() if k != "run"}
                 for rule, body in definition.items()}
        self._actions[name] = {rule: body["run"] for rule, body in definition.items()}
        self._handles[name] = _dre.create_ruleset(name, json.dumps(rules, ensure_ascii=False))

    def fire(self, ruleset: str, sid: str, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        handle = self._handles[ruleset]
        actions = self._actions[ruleset]
        many = len(facts) > 1
        # the fid goes first, so a firing's message (the fact's text, echoed) starts with it
        text = ("[" + ", ".join(_engine_json(_fid_first(f), sid) for f in facts) + "]" if many
                else _engine_json(facts[0], sid, compact=True))
        code, state = (_dre.assert_facts if many else _dre.assert_fact)(handle, text)
        if code == 1:
            raise EngineError("no rule handled the fact")      # the catch-all makes this moot
        if code == 2:
            raise EngineError("the same fact was asserted twice in one session")
        if code == 3:
            state = 0                                          # as durable.engine does
        started = _dre.start_action_for_state(handle, state)
        if not started:
            return []
        message: str | None = started[1]
        single_fid = facts[0].get(FACT_ID)
        fired: list[Firing] = []
        complete_and_start = _dre.complete_and_start_action
        try:
            while message:
                end = message.find('":', 2)   # {"<rule>":{"m":...}}: the common case, inline
                rule = message[2:end]
                if many or end < 0 or "\\" in rule:
                    rule, fid = _read_firing(message, many, single_fid)
                    fired.append((actions[rule], fid))
                else:
                    fired.append((actions[rule], single_fid))
                message = complete_and_start(handle, state)
        except BaseException:
            try:
                _dre.abandon_action(handle, state)
            except Exception:  # noqa: BLE001 - nothing was left started
                pass
            raise
        return fired

    def delete(self, ruleset: str, sid: str) -> None:
        _dre.delete_state(self._handles[ruleset], sid)

    def state(self, ruleset: str, sid: str) -> Any:
        return json.loads(_dre.get_state(self._handles[ruleset], sid))


_FACT_AT = '{"m":{"' + FACT_ID + '": '
_DECODER = json.JSONDecoder()


def _fid_first(fact: Mapping[str, Any]) -> Mapping[str, Any]:
    return {FACT_ID: fact[FACT_ID], **fact} if FACT_ID in fact else fact


#: Where Python's JSON may hold a number the engine cannot read (see :func:`_engine_safe`);
#: Python writes every exponent with its sign (1e-05, 1e+16), so plain substring tests go first.
_UNSAFE_NUMBER = re.compile(r"\d[eE][-+]?\d|Infinity")


#: ``json.dumps(value, ensure_ascii=False)`` without building an encoder per call (same text).
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _engine_json(fact: Mapping[str, Any], sid: str, compact: bool = False) -> str:
    """The fact as the engine reads it, with its session id: dumped as it is, and only when the
    text shows an exponent (or a false alarm inside a string) rebuilt by :func:`_engine_safe`.
    Same text as dumping ``{**_engine_safe(fact), "sid": sid}``, without walking every fact.

    ``compact``: orjson writes it, about 5x faster, where its text holds the same numbers as
    Python's (it writes 9.9e-05 as 0.000099 and NaN as null: such a fact takes the path above).
    Not for batches, whose firings are read back with the spacing Python writes."""
    if "sid" in fact:
        fact = {k: v for k, v in fact.items() if k != "sid"}
    plain = fact if isinstance(fact, dict) else dict(fact)
    if compact:
        try:
            text = orjson.dumps(plain).decode()
        except TypeError:   # orjson.JSONEncodeError is one: a key or value it does not write
            text = ""
        if text and not ("0.0000" in text or "null" in text or "e-" in text or "e+" in text):
            return text[:-1] + f',"sid":{json.dumps(sid)}}}' if text != "{}" \
                else f'{{"sid":{json.dumps(sid)}}}'
    text = _dumps(plain)
    if ("e-" in text or "e+" in text or "Infinity" in text) and _UNSAFE_NUMBER.search(text):
        text = _dumps(_engine_safe(dict(fact)))
    sid_text = f'"sid": {json.dumps(sid)}'
    return "{" + sid_text + "}" if text == "{}" else text[:-1] + ", " + sid_text + "}"


def _read_firing(message: str, many: bool, single_fid: Any) -> Firing:
    """``{"<rule>":{"m":<the fact as we wrote it>}}``: the rule's name, and in a batch the fid
    that leads the fact; anything unexpected (an escaped name) is parsed in full."""
    end = message.find('":', 2)
    rule = message[2:end]
    if end < 0 or "\\" in rule:
        rule, body = next(iter(json.loads(message).items()))
        return rule, (body["m"].get(FACT_ID) if many else single_fid)
    if not many:
        return rule, single_fid
    at = end + 2
    if message.startswith(_FACT_AT, at):
        return rule, _DECODER.raw_decode(message, at + len(_FACT_AT))[0]
    return rule, json.loads(message)[rule]["m"].get(FACT_ID)


class _QuietHost(engine.Host):
    """durable-rules' own host without background threads, whose actions record rule ids."""

    def __init__(self) -> None:
        self.fired: list[Firing] = []
        super().__init__()

    def _run(self) -> None:  # no dispatch/timer threads: see module docstring
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        def fired(closure: Any) -> None:
            fact = closure.m
            self.fired.append((action_name, fact[FACT_ID] if fact is not None else None))

        return fired


class _FullHost:
    """The reference: durable-rules' Python host (``durable.engine.Host``)."""

    def __init__(self) -> None:
        self._host = _QuietHost()

    def register(self, name: str, definition: dict[str, Any]) -> None:
        self._host.register_rulesets({name: definition})

    def fire(self, ruleset: str, sid: str, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        fired: list[Firing] = []
        self._host.fired = fired
        batch = [{**_engine_safe(fact), "sid": sid} for fact in facts]
        # durable-rules 2.0.28 calls datetime.utcfromtimestamp() in every action (deprecated on
        # 3.12+): silenced here, around its own calls, not for the whole process at import.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"datetime\.datetime\.utcfromtimestamp",
                                    category=DeprecationWarning)
            if len(batch) == 1:
                self._host.assert_fact(ruleset, batch[0])
            else:
                self._host.assert_facts(ruleset, batch)
        return fired

    def delete(self, ruleset: str, sid: str) -> None:
        self._host.delete_state(ruleset, sid)

    def state(self, ruleset: str, sid: str) -> Any:
        return self._host.get_state(ruleset, sid)


class RulesGateway:
    """Serialized access to one durable-rules engine (per process)."""

    def __init__(self, host: str = "thin") -> None:
        if host not in HOSTS:
            raise ValueError(f"host must be one of {HOSTS}, not {host!r}")
        self.host_kind = host
        self._definitions: dict[str, dict[str, Any]] = {}
        #: per ruleset, the exact memo of which rules fire (``None``: the ruleset has a rule it
        #: cannot sign); it holds the engine's answers, so it outlives a fork
        self._memos: dict[tuple[str, frozenset[str] | None], FiringMemo | None] = {}
        #: per (ruleset, rules asked about), the ruleset registered with those rules alone
        self._subsets: dict[tuple[str, frozenset[str]], str] = {}
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """Forget the engine and the lock; the next call builds fresh ones in this process."""
        self._lock = threading.Lock()
        self._host: _Host | None = None
        self._pid = os.getpid()
        self._sessions = itertools.count(1)
        self._live: set[str] = set()
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
            if self._host is not None and self._pid == os.getpid():
                self._host.register(name, self._engine_definition(name))

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
        if not facts:
            return []
        with self._lock:
            return self._evaluate_locked(ruleset, facts)

    def firing_set(self, ruleset: str, fact: Mapping[str, Any],
                   among: frozenset[str] | None = None) -> tuple[str, ...]:
        """The ids of the rules that fire on ``fact`` (only those ``among`` these, when given),
        in the ruleset's definition order (not the engine's firing order): for callers whose
        result does not depend on that order.

        Answered by an exact memo (``rules/memo.py``, one per ruleset and ``among``) when every
        rule asked about has seen a fact that reads the same to it; otherwise the engine decides
        on the whole ruleset, and teaches the memo."""
        with self._lock:
            memo = self._memo(ruleset, among)
            if memo is not None:
                known = memo.answer(fact)
                if known is not None:
                    return known
            fired = [rule_id for rule_id, _ in
                     self._evaluate_locked(self._asked(ruleset, among), [fact])]
            if memo is None:
                order = {rule_id: i for i, rule_id in enumerate(self._definitions[ruleset])}
                return tuple(sorted((r for r in fired if among is None or r in among),
                                    key=order.__getitem__))
            return memo.learn(fact, fired)

    def prepare_memos(self, ruleset: str,
                      asked: Sequence[frozenset[str] | None] = (None,)) -> None:
        """Build the memos :meth:`firing_set` will use for ``ruleset`` and each set of rules
        ``asked`` about, without the engine: a forkserver does this once before it forks the
        workers, which then build only their engine (``simulation/worker.py``)."""
        with self._lock:
            for among in asked:
                self._memo(ruleset, among)

    def has_memo(self, ruleset: str, among: frozenset[str] | None = None) -> bool:
        """Whether the memo for ``ruleset`` and ``among`` is built (learned or not)."""
        with self._lock:
            return (ruleset, among) in self._memos

    @property
    def engine_built(self) -> bool:
        """Whether this process has built its engine (a fork's child has not, until used)."""
        return self._host is not None and self._pid == os.getpid()

    def memo_stats(self, ruleset: str) -> tuple[int, int]:
        """(answers from the memo, answers from the engine) of :meth:`firing_set` so far."""
        with self._lock:
            memos = [m for (name, _), m in self._memos.items() if name == ruleset and m]
            return sum(m.hits for m in memos), sum(m.misses for m in memos)

    def clear_memo(self, ruleset: str) -> None:
        """Forget what the ruleset's memo learned (benchmarks start cold)."""
        with self._lock:
            for (name, _), memo in self._memos.items():
                if name == ruleset and memo is not None:
                    memo.clear()

    def _asked(self, ruleset: str, among: frozenset[str] | None) -> str:
        """The registered ruleset holding only the rules ``among`` (``ruleset`` itself for
        None): each rule matches the fact on its own, so the same ones fire, and the C matcher
        has fewer rules to try (the reviews ask about 109 of the diagnosis' 138)."""
        if among is None:
            return ruleset
        key = (ruleset, among)
        name = self._subsets.get(key)
        if name is None:
            rules = {r: body for r, body in self._definitions[ruleset].items() if r in among}
            name = f"{ruleset}_asked_{len(self._subsets)}"
            self._definitions[name] = copy.deepcopy(rules)
            if self._host is not None and self._pid == os.getpid():
                self._host.register(name, self._engine_definition(name))
            self._subsets[key] = name
        return name

    def _memo(self, ruleset: str, among: frozenset[str] | None) -> FiringMemo | None:
        key = (ruleset, among)
        if key in self._memos:
            return self._memos[key]
        if ruleset not in self._definitions:
            raise EngineError(f"ruleset {ruleset!r} is not registered")
        definition = self._definitions[ruleset]
        memo: FiringMemo | None
        try:
            memo = FiringMemo(definition, ignore=() if among is None
                              else [r for r in definition if r not in among])
        except MemoUnsupported:
            memo = None                     # refuse, not guess: the engine answers all
        self._memos[key] = memo
        return memo

    def _evaluate_locked(self, ruleset: str,
                         facts: Sequence[Mapping[str, Any]]) -> list[tuple[str, Any]]:
        host = self._engine()
        if ruleset not in self._definitions:
            raise EngineError(f"ruleset {ruleset!r} is not registered")
        sid = f"{self._pid}-{next(self._sessions)}"
        self._live.add(sid)
        try:
            fired = host.fire(ruleset, sid, facts)
        except EngineError:
            raise
        except Exception as exc:  # the engine's own errors carry no useful type
            raise EngineError(f"rules engine failed on ruleset {ruleset!r}: {exc}") from exc
        finally:
            self._live.discard(sid)
            try:
                host.delete(ruleset, sid)
            except Exception:  # noqa: BLE001 - no state was created: nothing to delete
                pass
        self.evaluations += 1
        return list(dict.fromkeys(f for f in fired if f[0] != CATCH_ALL))

    def live_sessions(self) -> int:
        """Sessions whose evaluation has not finished (0 between calls)."""
        with self._lock:
            return len(self._live)

    def session_state(self, ruleset: str, sid: str) -> Any:
        """The engine's stored state for one session (``None`` once deleted); for tests."""
        with self._lock:
            try:
                return self._engine().state(ruleset, sid)
            except Exception:  # noqa: BLE001 - durable-rules raises a bare error when absent
                return None

    def _engine(self) -> _Host:
        if self._host is None or self._pid != os.getpid():
            self._pid = os.getpid()
            host: _Host = _ThinHost() if self.host_kind == "thin" else _FullHost()
            for name in self._definitions:
                host.register(name, self._engine_definition(name))
            self._host = host
        return self._host

    def _engine_definition(self, name: str) -> dict[str, Any]:
        """A fresh copy for the engine (it mutates what it is given), with the catch-all rule."""
        return {**copy.deepcopy(self._definitions[name]), CATCH_ALL: copy.deepcopy(_CATCH_ALL_RULE)}


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
