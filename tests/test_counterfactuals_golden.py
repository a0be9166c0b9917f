"""The default diagnosis (counterfactuals included) answers byte for byte what it answered before
the counterfactual search was made fast (issue 13).

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
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.assessment import parse_profile
from advisor.errors import InputError
from advisor.presets import shipped_profiles
from api.schemas.answers import to_json
from rules.diagnosis import diagnose

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


@pytest.mark.slow
def test_every_generated_profile_gets_the_recorded_default_answer(golden) -> None:
    for case, doc in _cases():
        if case.startswith("generated:"):
            assert _answer(doc) == golden[case], case


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    GOLDEN.write_text(json.dumps({case: _answer(doc) for case, doc in _cases()}, indent=0) + "\n")
