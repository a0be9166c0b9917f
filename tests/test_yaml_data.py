"""The shipped YAML data reads the same with libyaml as with PyYAML's pure-Python loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advisor.yaml_data import SafeLoader, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(path for folder in ("advisor", "rules", "simulation", "scenarios")
                 for path in (ROOT / folder).rglob("*.yaml"))


def test_every_shipped_table_is_found() -> None:
    folders = {path.relative_to(ROOT).parts[0] for path in SHIPPED}
    assert folders == {"advisor", "rules", "simulation", "scenarios"}
    assert len(SHIPPED) >= 30


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_shipped_file_as_pure_python_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_the_loader_is_safe_and_prefers_libyaml() -> None:
    assert issubclass(SafeLoader, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    if yaml.__with_libyaml__:
        assert SafeLoader is yaml.CSafeLoader
    with pytest.raises(yaml.constructor.ConstructorError):
        parse_yaml("!!python/object/apply:os.system ['true']")
