"""What a worker process needs before its first replication, prepared once in the forkserver
that forks the workers of a local pool (``--executor processes``) and of the Dask cluster started
here (``--executor dask`` without a scheduler).

A forkserver can only *import* modules before it forks, so importing this module does the work:
it imports the model and reads every data table a replication reads (the catalog, the
strategies, the diagnosis tables, the shocks, the dynamics and the life cycle), and it builds the
engine's memos for the diagnosis (the signing code ``rules/memo.py`` generates). It never builds
the rules engine: each worker builds its own after its fork (``rules/gateway.py``).

Measured on 2 cores: without it every worker spent about 0.3 s importing the model and reading
the tables before its first replication, and a Dask worker (spawned, so importing Dask too)
about 0.7 s; the forkserver does it once, while the parent is still starting.
"""

from __future__ import annotations

import os
from typing import Any

from advisor.catalog import load_catalog
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import get_gateway
from simulation.dynamics import load_dynamics
from simulation.lifecycle import load_lifecycle
from simulation.runner import run_many  # noqa: F401 - imported for the workers
from simulation.shocks import load_shocks
from simulation.strategies import load_strategies

__all__ = ["prepare", "status"]

_TABLES = (load_catalog, load_strategies, load_shocks, load_dynamics, load_lifecycle,
           load_diagnosis_table)


def prepare() -> None:
    """Read the tables and build the diagnosis' memos (each cached for the process)."""
    for load in _TABLES:
        load()
    table = load_diagnosis_table()
    table.ensure_registered()
    get_gateway().prepare_memos(table.name, (None, table.scoring))


def status() -> dict[str, Any]:
    """What this process has ready: its pid, whether the tables are read and the diagnosis'
    memos built, and whether it has built its engine (a task, for the tests to ask a worker)."""
    gateway = get_gateway()
    name = load_diagnosis_table().name if load_diagnosis_table.cache_info().currsize else None
    return {"pid": os.getpid(),
            "tables": all(load.cache_info().currsize for load in _TABLES),
            "memos": name is not None and gateway.has_memo(name),
            "engine": gateway.engine_built}


try:
    prepare()
except Exception:  # noqa: BLE001, S110 - a broken table: the first task that reads it reports
    pass           # it, as it would have without this module (a forkserver would just die)
