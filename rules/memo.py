"""An exact memo of which rules of a ruleset fire on a fact, learned from the engine.

Why: the simulation diagnoses a PMO at every quarterly review, and each durable-rules call costs
a fixed ~0.1 ms in the C matcher however small the fact. Caching whole facts does not help (every
review's fact is distinct), but each rule only compares a few of the fact's fields with constants.
Two facts on which each of a rule's comparisons of a number with a constant comes out the same,
with the same types, the same keys present and the same other values where the rule compares a
field with anything but numbers, make the engine decide that rule the same way (the same place
in the same interval between the rule's thresholds, or coarser: only the comparisons the rule
makes). So the memo keeps, per rule, that *signature* -> fired or not, as
the engine answered for the facts it has seen; a fact on which every rule's signature is known
is answered from the memo, and any other goes to the engine (the one that decides every new
signature) and teaches the memo every rule's answer at once.

The signatures are derived from the compiled ruleset (durable-rules' JSON, as registered with the
gateway), never written by hand: a changed threshold changes them. A rule the builder does not
fully understand (another operator, a field compared with another field, several patterns, a
non-scalar constant) makes it refuse the whole ruleset (:class:`MemoUnsupported`) rather than
guess. A fact it cannot sign (a value the engine would rewrite or refuse, a nested value where a
field is read, a dotted key) is not answered and teaches nothing. Fields no rule reads are not
looked at: a fact the engine would refuse for such a field alone (a number from 1e15 up) may be
answered from the memo.

What it answers is the *set* of rules that fire, in the ruleset's definition order: not the
engine's firing order, which the memo does not know. Callers whose result depends on that order
must ask the engine (``RulesGateway.evaluate``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from advisor.errors import EngineError

__all__ = ["FiringMemo", "MemoUnsupported", "COMPARISONS", "MAX_SIGNATURES_PER_RULE"]

#: The comparison operators of durable-rules' JSON the signatures understand (equality is a plain
#: ``{field: constant}``); ``$ex`` (the field is present) is understood too.
COMPARISONS = ("$lt", "$lte", "$gt", "$gte", "$neq")
_BOOLEANS = ("$and", "$or")

#: Per rule, at most this many signatures are kept; past it the oldest go first. A rule reads a
#: few fields with a few thresholds each, so a real ruleset stays far below it.
MAX_SIGNATURES_PER_RULE = 4096

#: The engine reads numbers from 1e-4 to 1e15 (in absolute value) as written: below, Python
#: writes an exponent, which the gateway turns into 0; above, it refuses them (rules/gateway.py).
_TINY, _HUGE = 1e-4, 1e15


class MemoUnsupported(EngineError):
    """The ruleset uses something the signature builder does not understand."""


class _Unsigned(Exception):
    """This fact cannot be signed: let the engine answer it."""


class _Keys(tuple):
    """A fact's signatures, as the generated ``answer`` gives them when one is new: what
    :meth:`FiringMemo.learn` records the engine's answer under (not signed twice)."""

    __slots__ = ()


class _Marker:
    """A signature part that equals nothing but itself."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_ABSENT = _Marker("absent")   # a field the fact does not have (the engine never matches it)
_TRUE, _FALSE, _NULL = _Marker("true"), _Marker("false"), _Marker("null")


#: durable-rules' comparisons as Python writes them (equality is a plain ``{field: constant}``)
_PYTHON = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">=", "$neq": "!="}


def _atoms(rule_id: str, node: Any, out: dict[str, set[Any]], exists: set[str]) -> None:
    """Collect ``field -> {(comparison, constant)}`` of one pattern's expression; refuse
    anything else."""
    if not isinstance(node, Mapping) or not node:
        raise MemoUnsupported(f"rule {rule_id!r}: expression {node!r} is not understood")
    for key, value in node.items():
        if key in _BOOLEANS:
            if not isinstance(value, list) or not value:
                raise MemoUnsupported(f"rule {rule_id!r}: {key} needs a list")
            for part in value:
                _atoms(rule_id, part, out, exists)
        elif key in COMPARISONS or key == "$ex":
            if not isinstance(value, Mapping) or len(value) != 1:
                raise MemoUnsupported(f"rule {rule_id!r}: {key} {value!r} is not understood")
            ((field, constant),) = value.items()
            if key == "$ex":
                exists.add(_field(rule_id, field))
            else:
                out.setdefault(_field(rule_id, field), set()).add(
                    (_PYTHON[key], _constant(rule_id, constant)))
        elif key.startswith("$"):
            raise MemoUnsupported(f"rule {rule_id!r}: operator {key!r} is not understood")
        else:
            out.setdefault(_field(rule_id, key), set()).add(("==", _constant(rule_id, value)))


def _field(rule_id: str, field: Any) -> str:
    if not isinstance(field, str) or not field or any(not p for p in field.split(".")):
        raise MemoUnsupported(f"rule {rule_id!r}: field {field!r} is not understood")
    return field


def _constant(rule_id: str, value: Any) -> Any:
    """Scalars only: a mapping would compare with another field (``{"$m": ...}``), a list is an
    array operator's; both refused."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < _HUGE:
        return value
    raise MemoUnsupported(f"rule {rule_id!r}: constant {value!r} is not understood")


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Reading:
    """One thing a rule reads of a field: one comparison with a number (``atom``), or, where
    the field is compared with anything but numbers (or only tested for presence), the value
    itself (``atom`` None)."""

    __slots__ = ("path", "atom")

    def __init__(self, path: tuple[str, ...], atom: tuple[str, Any] | None) -> None:
        self.path = path
        self.atom = atom

    @property
    def exact(self) -> bool:
        return self.atom is None


def _assign(indexes: Iterable[int], value: str | Callable[[int], str], pad: str) -> list[str]:
    """Generated lines setting each reading's part ``r<i>`` of a signature."""
    return [f"{pad}r{i} = {value if isinstance(value, str) else value(i)}" for i in indexes]


class FiringMemo:
    """Per rule of one ruleset: signature -> whether the engine fired it."""

    def __init__(self, definition: Mapping[str, Any], ignore: Iterable[str] = ()) -> None:
        """``definition``: the ruleset as durable-rules' JSON (``{rule_id: {all, pri, run}}``);
        ``ignore``: rule ids left out (the gateway's catch-all)."""
        skipped = set(ignore)
        self.rules: tuple[str, ...] = tuple(r for r in definition if r not in skipped)
        #: changes with any change of the rules (thresholds included)
        self.digest = hashlib.sha256(json.dumps(
            {r: definition[r] for r in self.rules}, sort_keys=True,
            default=str).encode()).hexdigest()[:12]
        readings: dict[tuple[str, tuple[str, Any] | None], int] = {}
        self._readings: list[_Reading] = []
        plans: list[tuple[int, ...]] = []
        for rule_id in self.rules:
            fields = self._fields_of(rule_id, definition[rule_id])
            plan: list[int] = []
            for field, atoms in sorted(fields.items()):
                numeric = all(op != "$ex" and _numeric(c) for op, c in atoms)
                for atom in sorted(atoms, key=repr) if numeric else [None]:
                    slot = (field, atom)
                    if slot not in readings:
                        readings[slot] = len(self._readings)
                        self._readings.append(_Reading(tuple(field.split(".")), atom))
                    plan.append(readings[slot])
            plans.append(tuple(sorted(set(plan))))
        self._plans: tuple[tuple[int, ...], ...] = tuple(plans)
        self._paths = tuple(dict.fromkeys(r.path for r in self._readings))
        # What every rule reads (the fact's ``kind``) is signed once: the memo holds one table
        # per such signature. Neighbouring rules that read alike (a trend's rises and falls)
        # share one entry: the rules of theirs that fired.
        self._common = tuple(sorted(set.intersection(*map(set, plans)))) if plans else ()
        groups: list[tuple[list[str], tuple[int, ...]]] = []
        for rule_id, rule_plan in zip(self.rules, plans):
            own = tuple(i for i in rule_plan if i not in self._common)
            if groups and groups[-1][1] == own:
                groups[-1][0].append(rule_id)
            else:
                groups.append(([rule_id], own))
        self._groups = tuple((tuple(ids), own) for ids, own in groups)
        self._group_of = {r: g for g, (ids, _) in enumerate(self._groups) for r in ids}
        self._group_ids = tuple(ids for ids, _ in self._groups)
        self._tables: dict[Any, list[dict[Any, tuple[str, ...]]]] = {}
        self._sign, self._answer = self._compile()
        #: the last fact answered with a new signature, and its signatures (None: unsigned)
        self._missed: tuple[Any, tuple[Any, tuple[Any, ...]] | None] = (None, None)
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _fields_of(rule_id: str, body: Any) -> dict[str, set[Any]]:
        if not isinstance(body, Mapping) or set(body) - {"all", "pri", "run"}:
            raise MemoUnsupported(f"rule {rule_id!r}: only 'all', 'pri' and 'run' are understood")
        patterns = body.get("all")
        if not isinstance(patterns, list) or len(patterns) != 1 \
                or not isinstance(patterns[0], Mapping) or list(patterns[0]) != ["m"]:
            raise MemoUnsupported(f"rule {rule_id!r}: only one pattern on one fact is understood")
        fields: dict[str, set[Any]] = {}
        exists: set[str] = set()
        _atoms(rule_id, patterns[0]["m"], fields, exists)
        for field in exists:        # presence alone: the value's type and presence are its key
            fields.setdefault(field, set()).add(("$ex", None))
        return fields

    # -- signing -------------------------------------------------------------------------------
    def _compile(self) -> tuple[Callable[[Mapping[str, Any]], tuple[Any, ...]],
                                Callable[[Mapping[str, Any]], tuple[str, ...] | None]]:
        """Two generated functions (straight-line code: loops over the readings and the rules
        cost about what the engine call they save): ``sign`` gives every rule's signature of a
        fact, ``answer`` the rules that fire on it (``None`` when a signature is new). Both raise
        :class:`_Unsigned` on any fact they cannot sign."""
        lines = ["def sign(fact):"]
        names: dict[tuple[str, ...], str] = {(): "fact"}
        env: dict[str, Any] = {"_Unsigned": _Unsigned, "_ABSENT": _ABSENT,
                               "_dict": dict, "_float": float,
                               "_int": int, "_bool": bool, "_str": str, "_none": type(None),
                               "_TRUE": _TRUE, "_FALSE": _FALSE, "_NULL": _NULL}

        def node(path: tuple[str, ...]) -> str:
            """A local holding the dict at ``path`` (``_ABSENT`` when missing)."""
            if path in names:
                return names[path]
            parent = node(path[:-1])
            name = names[path] = f"n{len(names)}"
            lines.append(f"    {name} = _ABSENT if {parent} is _ABSENT else "
                         f"{parent}.get({path[-1]!r}, _ABSENT)")
            lines.append(f"    if {name} is not _ABSENT:")
            lines.append(f"        if type({name}) is not _dict or '.' in ''.join({name}):")
            lines.append("            raise _Unsigned")
            return name

        lines.append("    if type(fact) is not _dict or '.' in ''.join(fact):")
        lines.append("        raise _Unsigned")
        by_parent: dict[tuple[str, ...], dict[tuple[str, ...], list[int]]] = {}
        for index, reading in enumerate(self._readings):
            by_parent.setdefault(reading.path[:-1], {}).setdefault(reading.path, []).append(index)
        for parent_path, by_path in by_parent.items():
            parent = node(parent_path)
            pad = "    "
            if parent != "fact":    # a missing or empty dict: every field in it is absent
                lines.append(f"    if {parent} is _ABSENT or not {parent}:")
                lines += _assign([i for ix in by_path.values() for i in ix], "_ABSENT", pad * 2)
                lines.append("    else:")
                pad *= 2
            for path, indexes in by_path.items():
                # a reading's part of a signature: a number's comparison (True or False for a
                # float, 3 or 2 for an int), a string itself, a marker for absent, true, false
                # and null; a number a reading takes exactly (compared with a non-number) is
                # (its type, itself)
                inner = pad + "    "
                # floats first (most values are), their range without abs()
                lines += [f"{pad}v = {parent}.get({path[-1]!r}, _ABSENT)",
                          f"{pad}if type(v) is _float:",
                          f"{inner}if not ({_TINY!r} <= v < {_HUGE!r} or v == 0.0"
                          f" or {-_HUGE!r} < v <= {-_TINY!r}):",
                          f"{inner}    raise _Unsigned",
                          *_assign(indexes, self._number(""), inner),
                          f"{pad}elif v is _ABSENT:", *_assign(indexes, "_ABSENT", inner),
                          f"{pad}elif type(v) is _int:",
                          f"{inner}if not abs(v) < {_HUGE!r}:",
                          f"{inner}    raise _Unsigned",
                          *_assign(indexes, self._number("2 + "), inner),
                          f"{pad}elif type(v) is _str:", *_assign(indexes, "v", inner),
                          f"{pad}elif v is True:", *_assign(indexes, "_TRUE", inner),
                          f"{pad}elif v is False:", *_assign(indexes, "_FALSE", inner),
                          f"{pad}elif v is None:", *_assign(indexes, "_NULL", inner),
                          f"{pad}else:",
                          f"{inner}raise _Unsigned"]

        def key(plan: tuple[int, ...]) -> str:
            return "0" if not plan else f"r{plan[0]}" if len(plan) == 1 \
                else "(" + "".join(f"r{i}, " for i in plan) + ")"

        # sign(fact): the common signature and each group's; answer(fact): the fired rules, or,
        # when a signature is new, the signatures (as sign gives them) in a _Keys for learn
        # (the same readings, then one lookup per group; a break ends the one pass)
        env["TABLES"] = self._tables
        env["_Keys"] = _Keys
        signed = (f"{key(self._common)}, "
                  f"({''.join(key(own) + ', ' for _, own in self._groups)})")
        answer = ["def answer(fact):", *lines[1:],
                  "    while True:",
                  f"        G = TABLES.get({key(self._common)})",
                  "        if G is None:",
                  "            break",
                  f"        ({''.join(f'K{i}, ' for i in range(len(self._groups)))}) = G",
                  "        fired = []"]
        for index, (_, own) in enumerate(self._groups):
            answer += [f"        a = K{index}.get({key(own)})",
                       "        if a is None:",
                       "            break",
                       "        if a:",
                       "            fired += a"]
        answer += ["        return tuple(fired)", f"    return _Keys(({signed}))"]
        lines.append(f"    return {signed}")
        source = "\n".join(lines) + "\n\n" + "\n".join(answer)
        exec(compile(source, f"<memo {self.digest}>", "exec"), env)  # noqa: S102
        return env["sign"], env["answer"]

    def _number(self, flip: str) -> Callable[[int], str]:
        """The code reading the number ``v`` for reading ``i``: its comparison's outcome (a
        float's True or False, an int's 3 or 2: ``flip`` is "2 + "), or (its type, itself)."""
        def code(i: int) -> str:
            atom = self._readings[i].atom
            if atom is None:
                return "(type(v), v)"
            return f"{flip}(v {atom[0]} {atom[1]!r})"
        return code

    def _keys(self, fact: Mapping[str, Any]) -> tuple[Any, tuple[Any, ...]] | None:
        try:
            return self._sign(fact)
        except (_Unsigned, TypeError):    # TypeError: a key that is not a string
            return None

    # -- use -----------------------------------------------------------------------------------
    def answer(self, fact: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The rules that fire on ``fact``, in definition order, when every rule's signature is
        known; ``None`` when the engine must decide."""
        try:
            fired = self._answer(fact)
        except (_Unsigned, TypeError):
            fired = None
        if fired is None or type(fired) is _Keys:
            self.misses += 1
            self._missed = (fact, fired)
            return None
        self.hits += 1
        return fired

    def learn(self, fact: Mapping[str, Any], fired: Iterable[str]) -> tuple[str, ...]:
        """Record the engine's answer on ``fact`` for every rule; returns the fired rules in
        definition order. Right after :meth:`answer` missed on the same fact (the gateway, under
        its lock: the fact unchanged in between) it reuses the signatures that answer found."""
        fired_set = set(fired)
        missed, keys = self._missed
        self._missed = (None, None)
        if missed is not fact or keys is None:
            keys = self._keys(fact)
        if keys is not None:
            common, own = keys
            tables = self._tables.get(common)
            if tables is None:
                if len(self._tables) >= MAX_SIGNATURES_PER_RULE:
                    del self._tables[next(iter(self._tables))]
                tables = self._tables[common] = [{} for _ in self._groups]
            for ids, known, key in zip(self._group_ids, tables, own):
                if len(known) >= MAX_SIGNATURES_PER_RULE:
                    del known[next(iter(known))]
                # (a group of one rule, most of them, keeps its own tuple when it fired)
                known[key] = (ids if ids[0] in fired_set else ()) if len(ids) == 1 \
                    else tuple([r for r in ids if r in fired_set])
        return tuple([r for r in self.rules if r in fired_set])

    def signature(self, fact: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Every rule's signature for ``fact`` (``None``: it cannot be signed); for tests."""
        keys = self._keys(fact)
        if keys is None:
            return None
        common, own = keys
        return tuple((common, own[self._group_of[r]]) for r in self.rules)

    def clear(self) -> None:
        """Forget every signature learned, and the counts."""
        self._tables.clear()
        self._missed = (None, None)
        self.hits = self.misses = 0

    def size(self) -> int:
        """Signatures remembered, over all rules (a group's entry counted once)."""
        return sum(len(k) for tables in self._tables.values() for k in tables)
