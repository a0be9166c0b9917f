"""Nothing runs at import beyond definitions: importing any module reads no shipped data.

A module that reads the catalog, the rule tables or the shipped documents when it is imported
makes every import slow, every worker process pay for it before it forks, and a broken data
file break modules that never use it. Data is read on first use and cached instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Run in a fresh interpreter (nothing imported, nothing cached): watch every file opened and
#: every catalog load while importing each module of the four packages, then check the watch
#: itself by loading the catalog on purpose.
WATCH = r"""
import builtins, importlib, io, json, os, pkgutil, sys, traceback
from pathlib import Path

root = Path(sys.argv[1])
packages = ("advisor", "rules", "simulation", "api")
current, seen = ["-"], []
real_open = io.open

def where():
    # the innermost module body of ours being run: the line that reads at import
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename).resolve()
        if frame.name == "<module>" and root in path.parents and path.is_file():
            return f"{path.relative_to(root)}:{frame.lineno}"
    return current[0]

def watching_open(file, *args, **kwargs):
    try:
        path = Path(os.fspath(file)).resolve()
    except TypeError:
        path = None
    if (path is not None and root in path.parents and path.is_file()
            and path.relative_to(root).parts[0] in (*packages, "scenarios")
            and path.suffix not in (".py", ".pyc")):
        seen.append([where(), str(path.relative_to(root))])
    return real_open(file, *args, **kwargs)

io.open = builtins.open = watching_open
import advisor.catalog as catalog
real_load = catalog.load_catalog

def watching_load():
    seen.append([where(), "load_catalog()"])
    return real_load()

catalog.load_catalog = watching_load
modules = []
for name in packages:
    current[0] = name
    importlib.import_module(name)
    for info in pkgutil.walk_packages(importlib.import_module(name).__path__, name + "."):
        # __main__ runs the command line; Alembic's migration scripts run inside Alembic;
        # simulation.worker reads the tables on purpose: a forkserver imports it to prepare
        # the workers it forks (a forkserver can only import)
        if (info.name.endswith("__main__") or info.name.startswith("api.store.migrations")
                or info.name == "simulation.worker"):
            continue
        current[0] = info.name
        importlib.import_module(info.name)
        modules.append(info.name)
at_import = list(seen)
current[0] = "(on purpose)"
catalog.load_catalog()
print(json.dumps({"modules": modules, "at_import": at_import, "after": seen[len(at_import):]}))
"""


@pytest.mark.slow      # a fresh interpreter imports all ~150 modules: about 5 s
def test_importing_every_module_reads_no_catalog_or_data_file() -> None:
    done = subprocess.run([sys.executable, "-c", WATCH, str(ROOT)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert len(report["modules"]) > 100           # every module was imported
    assert report["at_import"] == []               # [file:line that read, what it read]
    # the watch sees what it is meant to: a catalog load and its data files
    assert ["(on purpose)", "load_catalog()"] in report["after"]
    assert any(path.startswith("advisor/data/") for _, path in report["after"])
