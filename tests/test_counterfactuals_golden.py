"""The default diagnosis (counterfactuals included) answers byte for byte what it answered before
the counterfactual search was made fast (issue 13), and the search's shortcut (scoring an edited
profile from the original's flat fact) scores as building the edited profile would.

``tests/golden/counterfactuals.json`` was written once, by the search as it stood before any
speed-up, for every shipped profile, every diagnosis vignette and 300 seeded generated profiles:
the SHA-256 of each full answer (``to_json`` of ``diagnose(profile, explain=True)``, encoded with
``json.dumps``). A faster search that proposes, scores, minimizes or confirms differently changes
some answer and fails here. Regenerate only for an intended change of the answers:
``.venv/bin/python tests/test_counterfactuals_golden.py``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.assessment import parse_profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.presets import shipped_profiles
from api.schemas.answers import to_json
from rules.counterfactuals import _GRID, _apply, _flat, _Trials, fired_rules
from rules.diagnosis import build_fact, coverage_of, diagnose, score_rules
from rules.diagnosis_table import load_diagnosis_table

GOLDEN = Path(__file__).parent / "golden" / "counterfactuals.json"
GENERATED = 300


def _cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """(case id, profile document): shipped profiles, vignettes, seeded generated profiles."""
    from test_diagnosis_vignettes import VIGNETTES  # noqa: PLC0415 - test data, not a fixture
    from test_gateway_thin_host import _generated_documents  # noqa: PLC0415

    for name, shipped in shipped_profiles().items():
        yield f"shipped:{name}", shipped.profile.to_dict()
    for param in VIGNETTES:
        yield f"vignette:{param.id}", param.values[0]
    for i, doc in enumerate(_generated_documents(GENERATED, seed=1313)):
        yield f"generated:{i}", doc


def _answer(doc: dict[str, Any]) -> str:
    """The SHA-256 of the default answer's JSON, or the refusal's field and message."""
    try:
        answer = to_json(diagnose(parse_profile(doc), explain=True))
    except InputError as error:
        return f"refused: {error.field}: {error}"
    return hashlib.sha256(json.dumps(answer).encode()).hexdigest()


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    recorded: dict[str, str] = json.loads(GOLDEN.read_text())
    return recorded


def test_the_golden_covers_every_case(golden) -> None:
    assert list(golden) == [case for case, _ in _cases()]


def test_every_shipped_profile_and_vignette_gets_the_recorded_default_answer(golden) -> None:
    for case, doc in _cases():
        if not case.startswith("generated:"):
            assert _answer(doc) == golden[case], case


def test_the_search_answers_the_same_when_its_compiled_rules_come_from_another_load(
        golden) -> None:
    """Server threads asking at once can each load the rule table (a different ``Rule`` object
    for the same rule) while the compiled rules come from one of those loads: the search must
    match rules by id, not by object identity (it did not, and 8 threads got other answers)."""
    from rules import counterfactuals  # noqa: PLC0415 - its private caches are what is tested

    load_diagnosis_table.cache_clear()
    counterfactuals._COMPILED.clear()
    counterfactuals._compiled(load_diagnosis_table())  # compiled from this load ...
    load_diagnosis_table.cache_clear()  # ... searched with the rules of another
    counterfactuals._remembered.cache_clear()
    for case, doc in _cases():
        if case.startswith("shipped:"):
            assert _answer(doc) == golden[case], case


@pytest.mark.slow
def test_every_generated_profile_gets_the_recorded_default_answer(golden) -> None:
    for case, doc in _cases():
        if case.startswith("generated:"):
            assert _answer(doc) == golden[case], case


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    GOLDEN.write_text(json.dumps({case: _answer(doc) for case, doc in _cases()}, indent=0) + "\n")


def _random_edits(profile: Any, rng: random.Random) -> dict[tuple[str, str], Any]:
    """Edits of every kind the search makes: indicators on its grid, trends (dropped too),
    signs added and removed, the PMO disbanded."""
    catalog = load_catalog()
    edits: dict[tuple[str, str], Any] = {}
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(("ind", "ind", "trend", "sign", "sign", "pmo"))
        if kind == "ind":
            edits[("ind", rng.choice(catalog.ids("indicators")))] = rng.choice(_GRID)
        elif kind == "trend":
            edits[("trend", rng.choice(catalog.ids("indicators")))] = rng.choice(
                ("steady", "rising", "falling", None))
        elif kind == "sign":
            sign = rng.choice(catalog.ids("signs"))
            edits[("sign", sign)] = sign not in profile.signs if rng.random() < 0.8 \
                else rng.random() < 0.5
        elif profile.pmo.exists:
            edits[("pmo", "exists")] = False
    return edits


def test_a_hypothetical_profile_is_scored_as_if_it_were_built_and_diagnosed() -> None:
    """The search scores edited profiles from the original's flat fact; on random edits of
    every shipped profile its fact and ranking equal those of the edited profile built anew."""
    table = load_diagnosis_table()
    rng = random.Random(1313)
    for shipped in shipped_profiles().values():
        trials = _Trials(shipped.profile, table)
        for _ in range(150):
            edits = _random_edits(shipped.profile, rng)
            built = _apply(shipped.profile, edits)
            assert trials.flat(edits) == _flat(build_fact(built, table), table), edits
            try:
                expected = score_rules(fired_rules(built, table), coverage_of(built, table), table)
            except InputError:
                expected = None
            assert trials.rank(edits) == expected, edits
