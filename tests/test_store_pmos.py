"""Several PMOs per organization (migration 0002), on SQLite and on a real PostgreSQL: the data
migration moves older cycles to a default PMO, and each PMO keeps its own cycles and history."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from advisor.errors import InputError
from api.store import ConflictError, NotFoundError, Store
from api.store.engine import alembic_config, make_engine, migrate

CRISIS_LIKE = {"fact.pmo_exists": True, "fact.age_months": 48,
               "executive_support.funding": 2, "stakeholder_support.participation": 2,
               "autonomy.mandate_clear": 2, "delivery_performance.on_time_budget": 3}


def test_upgrading_0001_moves_every_cycle_to_a_default_pmo(database_url):
    engine = make_engine(database_url)
    migrate(engine, "0001")
    with engine.begin() as c:
        c.execute(text("INSERT INTO organizations (id, name, pmo_name, created_at) VALUES "
                       "(1, 'Acme', 'Acme PMO', '2026-01-01T00:00:00+00:00'), "
                       "(2, 'Beta', NULL, '2026-01-02T00:00:00+00:00')"))
        for cid, org, number, status in ((1, 1, 1, "closed"), (2, 1, 2, "open"),
                                         (3, 2, 1, "open")):
            c.execute(text(
                "INSERT INTO cycles (id, organization_id, number, status, version, "
                "questionnaire_version, created_at) VALUES (:id, :org, :n, :status, 1, '1', "
                "'2026-02-01T00:00:00+00:00')"), {"id": cid, "org": org, "n": number,
                                                   "status": status})
    migrate(engine, "0002")
    with engine.connect() as c:
        pmos = c.execute(text("SELECT organization_id, name, is_default FROM pmos "
                              "ORDER BY organization_id")).all()
        cycles = c.execute(text("SELECT cycles.id, pmos.organization_id, pmos.name FROM cycles "
                                "JOIN pmos ON pmos.id = cycles.pmo_id ORDER BY cycles.id")).all()
    engine.dispose()
    assert [tuple(p) for p in pmos] == [(1, "Acme PMO", True), (2, "PMO", True)]
    assert [tuple(r) for r in cycles] == [(1, 1, "Acme PMO"), (2, 1, "Acme PMO"), (3, 2, "PMO")]
    # the store works on the migrated database: the old cycles are the default PMO's
    opened = Store(database_url)
    try:
        assert [c.number for c in opened.cycles("Acme")] == [1, 2]
        assert opened.pmo("Beta").name == "PMO"
    finally:
        opened.close()


def test_a_new_organization_has_one_default_pmo(store):
    store.create_organization("Acme", pmo_name="Acme EPMO")
    (pmo,) = store.pmos("Acme")
    assert (pmo.name, pmo.default) == ("Acme EPMO", True)
    store.create_organization("Beta")
    assert store.pmo("Beta").name == "PMO"


def test_pmo_names_are_unique_within_an_organization_and_scopes_are_the_guides(store):
    store.create_organization("Acme")
    store.create_pmo("Acme", "IT PMO", scope="departmental")
    with pytest.raises(ConflictError):
        store.create_pmo("Acme", "IT PMO")
    with pytest.raises(InputError) as caught:
        store.create_pmo("Acme", "Ops PMO", scope="galactic")
    assert caught.value.field == "scope"
    with pytest.raises(NotFoundError):
        store.cycles("Acme", pmo="No such PMO")


def test_each_pmo_has_its_own_open_cycle_trends_and_history(store):
    store.create_organization("Acme")
    it = store.create_pmo("Acme", "IT PMO", scope="departmental")
    store.create_cycle("Acme")  # the default PMO's cycle 1
    store.create_cycle("Acme", pmo="IT PMO")  # numbers count per organization: 2
    store.answer("Acme", 2, "ann", CRISIS_LIKE)
    store.close_cycle("Acme", 2)
    store.create_cycle("Acme", pmo=it.id)
    store.answer("Acme", 3, "ann", {**CRISIS_LIKE, "executive_support.funding": 4})
    closed = store.close_cycle("Acme", 3)
    # the trend compares with the IT PMO's previous cycle, not the default PMO's open one
    assert closed.combined["trends"]["executive_support"] == "rising"
    assert [c.number for c in store.cycles("Acme", pmo="IT PMO")] == [2, 3]
    assert [c.number for c in store.cycles("Acme")] == [1]
    history = store.history("Acme", pmo="IT PMO")
    assert history.pmo.name == "IT PMO" and history.scenario_path == [
        c.scenario for c in store.cycles("Acme", pmo="IT PMO")]
    assert store.history("Acme").cycles == []
    assert store.latest_closed("Acme", pmo="IT PMO") == 3
    with pytest.raises(NotFoundError):
        store.latest_closed("Acme")
    with pytest.raises(NotFoundError):
        store.cycle("Acme", 1, pmo="IT PMO")


def test_export_import_keeps_the_pmos(store):
    store.create_organization("Acme")
    store.create_pmo("Acme", "IT PMO")
    store.create_cycle("Acme", pmo="IT PMO")
    before = store.dump()
    store.wipe()
    store.load(before)
    assert store.dump() == before
    assert store.cycles("Acme", pmo="IT PMO")[0].number == 1


def test_an_export_from_before_pmos_loads_with_default_pmos(store):
    store.create_organization("Acme", pmo_name="Acme PMO")
    store.create_cycle("Acme")
    old = store.dump()
    old["format"] = "pmo-advisor-memory/1"
    for org in old["organizations"]:
        del org["pmos"]
        for cycle in org["cycles"]:
            del cycle["pmo_id"]
    store.wipe()
    store.load(old)
    assert store.pmo("Acme").name == "Acme PMO"
    assert [c.number for c in store.cycles("Acme")] == [1]


def test_an_export_moves_between_sqlite_and_postgresql_unchanged(tmp_path, postgres_url):
    from api.store.sheets import load_example

    lite, pg = Store(f"sqlite:///{tmp_path / 'memory.sqlite3'}"), Store(postgres_url)
    try:
        load_example(lite)
        lite.create_pmo("Northwind Freight", "Warehouse PMO", scope="departmental")
        lite.create_cycle("Northwind Freight", pmo="Warehouse PMO")
        lite.answer("Northwind Freight", 4, "ann", {**CRISIS_LIKE, "autonomy.mandate_clear":
                                                    "dont_know", "customer.outcomes": [3, 14]},
                    role="customer")
        lite.add_simulation_run("Northwind Freight", 3, "plan", 7, {"p_thriving": 0.25})
        exported = lite.dump()
        pg.load(exported)
        assert pg.dump() == exported
        assert pg.history("Northwind Freight") == lite.history("Northwind Freight")
        lite.wipe()
        lite.load(pg.dump())  # and back
        assert lite.dump() == exported
        # both continue numbering after the loaded rows
        assert pg.create_pmo("Northwind Freight", "Ops PMO").id == \
            lite.create_pmo("Northwind Freight", "Ops PMO").id
    finally:
        lite.close()
        pg.close()


def test_0002_downgrades_to_0001_and_upgrades_again(database_url):
    engine = make_engine(database_url)
    try:
        migrate(engine, "0002")
        with engine.begin() as c:
            c.execute(text("INSERT INTO organizations (id, name, created_at) VALUES "
                           "(1, 'Acme', '2026-01-01T00:00:00+00:00')"))
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        with engine.connect() as c:
            columns = {r[1] if engine.dialect.name == "sqlite" else r[0] for r in c.execute(text(
                "PRAGMA table_info(cycles)" if engine.dialect.name == "sqlite" else
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'cycles'"))}
        assert "pmo_id" not in columns
        migrate(engine, "0002")
        with engine.connect() as c:
            assert c.execute(text("SELECT name FROM pmos")).scalar_one() == "PMO"
    finally:
        engine.dispose()
