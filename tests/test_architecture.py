"""Import rules from GUIDE.md: leaves import nothing from discourse; stages don't import
each other; nothing imports the CLI."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "discourse"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("discourse"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("discourse")}
    return found


def _module(path: Path) -> str:
    return "discourse." + ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")


MODULES = {_module(p): _imports(p) for p in SRC.rglob("*.py")}


@pytest.mark.parametrize("leaf", ["discourse.records", "discourse.errors"])
def test_leaves_import_nothing_from_discourse(leaf):
    assert MODULES[leaf] <= {"discourse"}


def test_config_imports_only_errors():
    assert MODULES["discourse.config"] <= {"discourse.errors"}


def test_store_imports_only_leaves():
    assert MODULES["discourse.store"] <= {"discourse.records", "discourse.errors", "discourse.config"}


def test_ingest_does_not_touch_store_pipeline_or_cli():
    for name, deps in MODULES.items():
        if name.startswith("discourse.ingest"):
            assert not {d for d in deps if d.split(".")[1:2] and d.split(".")[1] in {"store", "pipeline", "cli"}}, name


def test_nothing_imports_cli():
    assert not [name for name, deps in MODULES.items() if "discourse.cli" in deps and name != "discourse.cli"]
