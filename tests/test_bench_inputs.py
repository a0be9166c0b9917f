"""The API benchmark's inputs: every diagnosis request a different, valid profile (issue 13), so
no cache of answers or counterfactuals can hide what a diagnosis costs the server."""

from __future__ import annotations

import json

from advisor.assessment import parse_profile
from bench.api import distinct_profiles
from rules.diagnosis import build_fact, load_diagnosis_table


def test_api_bench_sends_a_different_valid_profile_with_every_request() -> None:
    bodies = distinct_profiles(200)
    assert len(set(bodies)) == len(bodies)
    profiles = [parse_profile(json.loads(body)) for body in bodies]
    table = load_diagnosis_table()
    facts = {json.dumps(build_fact(p, table)["ind"], sort_keys=True) for p in profiles}
    assert len(facts) == len(profiles)          # distinct to the engine, not only as text
    assert distinct_profiles(20, seed=1) == distinct_profiles(20, seed=1)   # seeded
