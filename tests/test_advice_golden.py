"""Each shipped profile's advice report is pinned in ``tests/golden/<profile>.advice.txt``.

A change to a rule table or to the advice code that changes what a PMO lead would read shows up
here as a diff. When the change is intended, regenerate the files and review the diff:

    PMO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_advice_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import scenarios
from advisor.assessment import load_profile
from api.reports.advice import render_advice
from rules.advice import recommend

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())


GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("PMO_UPDATE_GOLDEN") == "1"
#: Ruleset fingerprints change with any edit of a table, even a comment; what matters is the text.
DIGEST = re.compile(r"(pmo_advice|pmo_diagnosis)-[0-9a-f]{12}")


def _masked(text: str) -> str:
    return DIGEST.sub(r"\1-<digest>", text)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_advice_report_matches_its_golden_file(path: Path) -> None:
    profile = load_profile(path)
    report = render_advice(recommend(profile), profile) + "\n"
    golden = GOLDEN_DIR / f"{path.stem}.advice.txt"
    if UPDATE:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        golden.write_text(report, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run with PMO_UPDATE_GOLDEN=1"
    assert _masked(report) == _masked(golden.read_text(encoding="utf-8"))


def test_every_golden_file_has_its_profile() -> None:
    stems = {p.stem for p in SHIPPED}
    orphans = [g.name for g in GOLDEN_DIR.glob("*.advice.txt")
               if g.name.removesuffix(".advice.txt") not in stems]
    assert not orphans
