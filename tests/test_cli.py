"""The `discourse` command: help, version, exit codes, JSON, and the README tour."""

import json
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from discourse import __version__
from discourse.cli import app
from tests.conftest import REPO, SAMPLE

runner = CliRunner()
COMMANDS = sorted(c.name for c in app.registered_commands)


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_readme(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    doc = next(c for c in app.registered_commands if c.name == command).callback.__doc__
    assert doc and doc.strip()
    assert f"discourse {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_bad_usage_exits_2(tmp_path):
    assert runner.invoke(app, ["ingest", str(tmp_path)]).exit_code == 2  # --db missing
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_library_error_exits_1_with_one_line(tmp_path):
    result = runner.invoke(app, ["ingest", str(SAMPLE / "text"), "--db", str(tmp_path / "x.duckdb"),
                                 "--set", "ingest.max_passage_words=5"])
    assert result.exit_code == 1
    assert "max_passage_words" in result.output and "Traceback" not in result.output


def test_ingest_json_summary(tmp_path):
    result = runner.invoke(app, ["ingest", str(SAMPLE / "office"), "--db", str(tmp_path / "x.duckdb"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == 2 and data["store"]["passages"] == data["passages"] > 0


def test_clean_writes_stem_files(tmp_path):
    result = runner.invoke(app, ["clean", str(SAMPLE / "html" / "h01-ravensfield-turnaround.html"),
                                 str(SAMPLE / "office" / "o02-quillfield-ceo-letter.docx"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h01-ravensfield-turnaround.txt",
                                                          "o02-quillfield-ceo-letter.txt"]


def test_clean_of_only_bad_input_exits_1(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = runner.invoke(app, ["clean", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "empty" in result.output


def test_cli_import_is_light():
    """`discourse` must start fast: no heavy backends imported just to parse arguments."""
    code = ("import sys, discourse.cli; heavy = {'torch', 'bertopic', 'umap', 'hdbscan', "
            "'sentence_transformers', 'dask', 'spacy', 'trafilatura', 'sklearn'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_readme_set_up_is_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set-up.*?```(?:bash|sh)?\n(.*?)```", readme, re.S)
    assert block, "README needs a Set-up section with one code block"
    commands = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands == ["make demo", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
