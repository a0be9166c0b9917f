"""The advice's profile sections (customers, services, team) are validated by every profile
reader, normalized, round-trip through to_dict(), and leave the diagnosis alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

import scenarios
from advisor.assessment import load_profile, parse_profile
from advisor.errors import InputError
from advisor.sections import customers_of, services_of, team_of
from api.schemas.answers import to_json
from rules.diagnosis import diagnose

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())


BASE: dict[str, Any] = {"pmo": {"exists": True, "age_months": 12}}
IT = {"id": "it", "group": "project_managers", "maturity": 2, "outcomes": [26]}


def with_(**sections: Any) -> dict[str, Any]:
    return {**BASE, **sections}


def test_reads_the_documented_sections_and_normalizes_ids() -> None:
    profile = parse_profile(with_(
        customers=[{**IT, "outcomes": [26, "21", "improved_project_budget_management"],
                    "risk": "high", "name": "IT delivery"}],
        services={16: {"maturity": 3}, "methodologies_and_frameworks_management": {"maturity": 4}},
        team={"communication": 3, "strategic_thinking": 2.5}))
    (customer,) = customers_of(profile)
    assert (customer.id, customer.group, customer.maturity, customer.risk, customer.name) == \
        ("it", "project_managers", 2.0, "high", "IT delivery")
    assert customer.outcomes == (26, 21, 18)
    assert customer.rank_of(21) == 2 and customer.rank_of(5) is None
    assert services_of(profile) == {"data_analytics_and_reporting": 3,
                                    "methodologies_and_frameworks_management": 4}
    assert team_of(profile) == {"communication": 3.0, "strategic_thinking": 2.5}


def test_sections_round_trip_through_to_dict_and_json() -> None:
    profile = parse_profile(with_(customers=[IT], services={"16": {"maturity": 3}},
                                  team={"communication": 3}))
    assert parse_profile(profile.to_dict()) == profile
    assert parse_profile(json.loads(json.dumps(profile.to_dict()))) == profile


def test_sections_are_optional_and_absent_sections_stay_absent() -> None:
    profile = parse_profile(BASE)
    assert "customers" not in profile.to_dict() and customers_of(profile) == ()
    assert services_of(profile) == {} and team_of(profile) == {}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_profiles_carry_all_three_sections_and_round_trip(path: Any) -> None:
    profile = load_profile(path)
    assert {"customers", "services"} <= set(profile.extra)
    assert parse_profile(profile.to_dict()) == profile


def test_the_sections_do_not_change_the_diagnosis() -> None:
    profile = load_profile(PROFILES["crisis-retailer"])
    bare = profile.evolve(extra={})
    assert to_json(diagnose(profile)) == to_json(diagnose(bare))


@pytest.mark.parametrize(("sections", "field", "match"), [
    # an outcome number outside 1-30
    ({"customers": [{**IT, "outcomes": [31]}]}, "customers[0].outcomes[0]",
     r"unknown outcome 31; allowed: 1-30"),
    # an outcome id that does not exist
    ({"customers": [{**IT, "outcomes": ["happiness"]}]}, "customers[0].outcomes[0]",
     r"unknown outcome 'happiness'"),
    # a boolean is not an outcome number
    ({"customers": [{**IT, "outcomes": [True]}]}, "customers[0].outcomes[0]", r"unknown outcome"),
    # the same outcome ranked twice
    ({"customers": [{**IT, "outcomes": [3, 3]}]}, "customers[0].outcomes",
     r"ranked more than once: 3"),
    # more than 30 outcomes
    ({"customers": [{**IT, "outcomes": list(range(1, 31)) + [1]}]}, "customers[0].outcomes",
     r"at most 30 outcomes"),
    # an unknown customer group lists the guide's groups
    ({"customers": [{**IT, "group": "cfo"}]}, "customers[0].group",
     r"unknown customer group 'cfo'; allowed: project_managers, program_managers"),
    # customer maturity above 5
    ({"customers": [{**IT, "maturity": 6}]}, "customers[0].maturity", r"between 1\.0 and 5\.0"),
    # customer maturity below 1
    ({"customers": [{**IT, "maturity": 0.5}]}, "customers[0].maturity", r"between 1\.0 and 5\.0"),
    # maturity written as text
    ({"customers": [{**IT, "maturity": "2"}]}, "customers[0].maturity", r"must be a number"),
    # two customers with one id
    ({"customers": [IT, {**IT, "group": "executives"}]}, "customers[1].id",
     r"duplicate customer id 'it'"),
    # more than 50 customers
    ({"customers": [{**IT, "id": f"c{i}"} for i in range(51)]}, "customers",
     r"at most 50 customers"),
    # an unknown risk level
    ({"customers": [{**IT, "risk": "extreme"}]}, "customers[0].risk",
     r"allowed: low, medium, high"),
    # a misspelt customer field
    ({"customers": [{**IT, "maturty": 2}]}, "customers[0].maturty", r"unknown field; allowed: id"),
    # the group is required
    ({"customers": [{"id": "x", "maturity": 2}]}, "customers[0].group", r"missing data"),
    # an id with spaces
    ({"customers": [{**IT, "id": "it delivery"}]}, "customers[0].id", r"letters, digits"),
    # an unknown service id lists the catalog
    ({"services": {"pmo_magic": {"maturity": 3}}}, "services.pmo_magic",
     r"unknown service 'pmo_magic'; allowed: 1-26 or advice_to_executive_level"),
    # a service number outside 1-26
    ({"services": {27: {"maturity": 3}}}, "services.27", r"unknown service 27"),
    # service maturity outside 1-5
    ({"services": {16: {"maturity": 0}}}, "services.16.maturity", r"between 1 and 5"),
    # service maturity is a whole level
    ({"services": {16: {"maturity": 2.5}}}, "services.16.maturity", r"whole level"),
    # the same service by number and by id
    ({"services": {16: {"maturity": 3}, "data_analytics_and_reporting": {"maturity": 2}}},
     "services", r"the same service is listed twice"),
    # a service given without its mapping
    ({"services": {16: 3}}, "services.16", r"must be a mapping"),
    # an unknown competency lists the catalog
    ({"team": {"charisma": 3}}, "team.charisma", r"unknown field; allowed: accuracy"),
    # a competency level above 5
    ({"team": {"communication": 7}}, "team.communication", r"between 1\.0 and 5\.0"),
    # a coverage scope the guide does not name (p.119)
    ({"organization": {"scope": "global"}}, "organization.scope",
     r"allowed: enterprise, departmental, project"),
    # regulated is a boolean, not a word
    ({"organization": {"regulated": "yes"}}, "organization.regulated", r"true or false"),
    # a misspelt organization field
    ({"organization": {"industy": "banking"}}, "organization.industy",
     r"unknown field; allowed: industry"),
    # free text stays short
    ({"organization": {"reporting_line": "x" * 201}}, "organization.reporting_line",
     r"200"),
])
def test_bad_sections_name_the_field_and_what_is_allowed(sections: dict[str, Any], field: str,
                                                         match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        parse_profile(with_(**sections))
    assert info.value.field == field
