"""Profiles are validated on the way in, with errors that name the field and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.assessment import load_profile, parse_profile
from advisor.errors import InputError
from advisor.sections import changes_of

BASE = {"pmo": {"exists": True, "age_months": 12}}


def test_reads_the_documented_yaml_shape(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "name: Acme PMO\n"
        "pmo: {exists: true, age_months: 18, previous_pmo_closed: false}\n"
        "indicators: {executive_support: 4, pm_maturity: 2.5}\n"
        "trends: {executive_support: falling}\n"
        "signs: [bureaucracy_complaints, artifacts_unused]\n")
    profile = load_profile(path)
    assert profile.name == "Acme PMO"
    assert profile.pmo.age_months == 18.0
    assert dict(profile.indicators) == {"executive_support": 4.0, "pm_maturity": 2.5}
    assert dict(profile.trends) == {"executive_support": "falling"}
    assert profile.signs == ("bureaucracy_complaints", "artifacts_unused")
    assert "stakeholder_support" in profile.missing_indicators()


def test_reads_json_too(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**BASE, "indicators": {"influence": 3}}))
    assert load_profile(path).indicators["influence"] == 3.0


@pytest.mark.parametrize(("data", "field", "match"), [
    # an indicator outside the 1-5 scale
    ({**BASE, "indicators": {"executive_support": 7}}, "indicators.executive_support",
     r"between 1\.0 and 5\.0"),
    # zero is below the scale too
    ({**BASE, "indicators": {"autonomy": 0}}, "indicators.autonomy", r"between 1\.0 and 5\.0"),
    # a misspelt indicator lists the allowed ones
    ({**BASE, "indicators": {"exec_support": 3}}, "indicators.exec_support",
     r"unknown field; allowed: executive_support"),
    # a number written as text is refused
    ({**BASE, "indicators": {"influence": "3"}}, "indicators.influence", r"must be a number"),
    # booleans are not numbers
    ({**BASE, "indicators": {"influence": True}}, "indicators.influence", r"must be a number"),
    # an unknown sign lists the catalog
    ({**BASE, "signs": ["everything_fine"]}, "signs[0]", r"unknown sign 'everything_fine'; "
     r"allowed: pmo_under_discussion"),
    # the same sign twice
    ({**BASE, "signs": ["artifacts_unused", "artifacts_unused"]}, "signs",
     r"more than once: artifacts_unused"),
    # a trend that is not rising/steady/falling
    ({**BASE, "trends": {"influence": "up"}}, "trends.influence",
     r"allowed: rising, steady, falling"),
    # an unknown top-level section
    ({**BASE, "budget": 10}, "budget", r"unknown field; allowed: name, pmo"),
    # the pmo section is required
    ({"indicators": {}}, "pmo", r"missing data"),
    # exists must be a real boolean
    ({"pmo": {"exists": "yes"}}, "pmo.exists", r"true or false"),
    # negative age
    ({"pmo": {"exists": True, "age_months": -1}}, "pmo.age_months", r"between 0\.0 and 1200"),
    # NaN sneaks in through JSON-like input
    ({"pmo": {"exists": True, "age_months": float("nan")}}, "pmo.age_months", r"finite"),
    # a list where a mapping belongs
    ({**BASE, "indicators": [3, 4]}, "indicators", r"must be a mapping"),
    # an organizational change the guide does not name
    ({**BASE, "changes": {"merger": {"months_ago": 3}}}, "changes.merger",
     r"unknown field; allowed: restructuring, leadership_change, strategy_shift"),
    # a change needs to say when it happened
    ({**BASE, "changes": {"restructuring": {}}}, "changes.restructuring.months_ago",
     r"missing data"),
    # ... and not in the future
    ({**BASE, "changes": {"strategy_shift": {"months_ago": -2}}},
     "changes.strategy_shift.months_ago", r"between 0\.0 and 1200"),
])
def test_bad_values_name_the_field_and_the_allowed_values(data: dict, field: str,
                                                          match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        parse_profile(data)
    assert info.value.field == field


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(InputError, match="must be a mapping"):
        parse_profile(["pmo"])


def test_every_problem_is_reported_not_only_the_first() -> None:
    with pytest.raises(InputError) as info:
        parse_profile({**BASE, "indicators": {"autonomy": 9, "influence": 0}})
    assert {f for f, _ in info.value.problems} == {"indicators.autonomy", "indicators.influence"}
    assert "(and 1 more)" in str(info.value)


@pytest.mark.parametrize(("content", "suffix", "match"), [
    ("pmo: [unclosed", ".yaml", r"not valid YAML"),
    ("{\"pmo\": ", ".json", r"not valid JSON"),
])
def test_unparsable_files_get_one_clear_error(tmp_path: Path, content: str, suffix: str,
                                              match: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    with pytest.raises(InputError, match=match):
        load_profile(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_profile(tmp_path / "nope.yaml")


def test_profiles_are_frozen_and_evolve_into_copies() -> None:
    profile = parse_profile({**BASE, "indicators": {"influence": 3}})
    with pytest.raises(TypeError):
        profile.indicators["influence"] = 5  # type: ignore[index]
    older = profile.evolve(indicators={"influence": 4.0})
    assert profile.indicators["influence"] == 3.0 and older.indicators["influence"] == 4.0


@pytest.mark.parametrize("value", [0, 1, "true"])
def test_yes_no_fields_take_only_true_or_false(value: object) -> None:
    with pytest.raises(InputError, match="must be true or false"):
        parse_profile({"pmo": {"exists": True, "previous_pmo_closed": value}})


def test_organizational_changes_are_read_and_written_back() -> None:
    profile = parse_profile({**BASE, "changes": {"restructuring": {"months_ago": 3},
                                                 "leadership_change": {"months_ago": 14}}})
    assert changes_of(profile) == {"restructuring": 3.0, "leadership_change": 14.0}
    assert parse_profile(profile.to_dict()) == profile
