"""The hostile inputs through `discourse score FILE`: each refused category gives one line on
stderr and exit status 1, never a traceback; hostile names and text that are readable are
scored and shown literally."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from discourse.cli import app
from tests.hostile.conftest import run_measured
from tests.hostile.generate import write_corpus
from tests.hostile.ledger import check_counts

runner = CliRunner()
# Refused by score as by ingest; 'ignored' and 'symlink' are walk rules (a file named on
# the command line is read), so those are not errors for score.
_NOT_ERRORS = {"document", "duplicate", "ignored", "symlink"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, canary):
    root = tmp_path_factory.mktemp("score") / "in"
    return root, write_corpus(root, canary[0])


def _error_cases(cases):
    return [c for c in cases if c.expect not in _NOT_ERRORS] + [c for c in cases if c.name == "sub/parent-loop"]


def _one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, (result.exit_code, result.stdout[-500:], result.stderr[-500:])
    assert isinstance(result.exception, SystemExit), result.exception  # no exception escaped
    assert len(lines) == 1 and lines[0].startswith("error: score: "), lines
    return lines[0]


def test_every_refused_category_is_one_line_exit_1(corpus, canary):
    root, cases = corpus
    results = {c.name: runner.invoke(app, ["score", str(root / c.name)]) for c in _error_cases(cases)}
    tracebacks = sum(not isinstance(r.exception, SystemExit) or "Traceback" in r.stderr for r in results.values())
    check_counts({"score runs on refused inputs (each: one line, exit 1)": len(results),
                  "score tracebacks": tracebacks})
    checked = set()
    for case in _error_cases(cases):
        line = _one_line_error(results[case.name])
        reason = "unreadable" if case.name == "sub/parent-loop" else case.expect
        assert f": {reason}: " in line, (case.name, line)
        checked.add(case.expect)
    assert canary[1] == []
    assert checked >= {"empty", "binary", "undecodable", "parse-error", "too-large", "encrypted",
                       "unsupported-type", "no-text", "unreadable"}


def test_score_limits_come_from_ingest_settings(corpus, tmp_path):
    """score reads through ingest's `read_input`: the size limit applies before reading."""
    from discourse.config import IngestSettings
    from discourse.errors import DiscourseError
    from discourse.pipeline.framing import score_document

    root, _ = corpus
    with pytest.raises(DiscourseError, match=r"too-large: .*ingest.max_file_bytes"):
        score_document(root / "dup-1-original.txt", lambda: pytest.fail("model loaded for a refused file"),
                       IngestSettings(max_file_bytes=100))


@pytest.mark.slow
def test_real_stderr_of_a_subprocess_is_one_line(corpus):
    """The same through a real process: stderr is exactly one line, exit status 1."""
    root, _ = corpus
    for name in ("random-bytes.docx", "docx-zip-bomb-plausible.docx", "new\nline.txt.missing"):
        status, out, err, _, _ = run_measured([sys.executable, "-m", "discourse.cli", "score", str(root / name)],
                                              timeout=120)
        assert status == 1 and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1 and err.startswith("error: score: "), err


@pytest.mark.slow
@pytest.mark.parametrize("name", ["markup-brackets.txt", "brackets[/]name.txt", "new\nline.txt", "nul-control.txt"])
def test_readable_hostile_documents_are_scored_and_shown_literally(corpus, name):
    root, _ = corpus
    result = runner.invoke(app, ["score", str(root / name), "--model", "tfidf"])
    assert result.exit_code == 0, (result.stderr, result.exception)
    if name == "markup-brackets.txt":
        assert "[/]" in result.stdout and "[bold]" in result.stdout


def test_clean_prints_hostile_paths_literally(corpus, tmp_path):
    root, _ = corpus
    result = runner.invoke(app, ["clean", str(root / "brackets[/]name.txt"), str(root / "empty.txt"),
                                 "--out", str(tmp_path / "out")])
    # one file cleaned (exit 0: only an all-rejected batch fails), the other reported; both named literally
    assert result.exit_code == 0 and result.exception is None
    assert "brackets[/]name.txt" in result.stdout and "empty.txt" in result.stderr
