"""`discourse classify`, `score`, `label`, `evaluate` with the shipped default model."""

import json
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from discourse.cli import app
from discourse.framing.persist import DEFAULT_MODEL_DIR
from tests.conftest import REPO, SAMPLE, shared_dir

runner = CliRunner()
# written by us for these tests
HEROIC = ("Within a week of arriving, the new chief executive had sacked half the board, set three "
          "targets and told every manager they would answer to her personally. By Christmas the trust "
          "was out of special measures, and everyone knew whose grip had done it.")
COLLAB = ("The plan was written by the carers themselves. The council, two charities and the health "
          "board shared the budget and the decisions; our job as leaders was to listen, build trust and "
          "get out of the way.")
CRITIQUE = ("We keep waiting for a saviour chief executive to ride in and fix everything. It has never "
            "worked: every heroic turnaround here collapsed within two years. What lasts is leadership "
            "shared across the staff, partners and communities who do the work.")


def _score_stdin(text: str, *args: str):
    return subprocess.run([sys.executable, "-m", "discourse.cli", "score", "-", "--json", *args],
                          input=text.encode(), capture_output=True, cwd=REPO, timeout=120)


def test_shipped_model_exists():
    assert (DEFAULT_MODEL_DIR / "manifest.json").is_file() and (DEFAULT_MODEL_DIR / "MODEL_CARD.md").is_file()


@pytest.mark.parametrize(("text", "label"), [(HEROIC, "heroic"), (COLLAB, "collaborative"), (CRITIQUE, "collaborative")])
def test_score_stdin_labels_clear_cases(text, label):
    result = _score_stdin(text)
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    top = max(data["shares"], key=data["shares"].get)
    assert top == label
    assert data["passages"] and all(p["evidence"] is not None for p in data["passages"])


def test_score_critique_shows_stance_rule():
    data = json.loads(_score_stdin(CRITIQUE).stdout)
    kinds = {e["kind"] for p in data["passages"] for e in p["evidence"]}
    assert "stance-rule" in kinds


def test_score_empty_input_is_one_line_error():
    result = _score_stdin("")
    assert result.returncode == 1
    err = result.stderr.decode().strip()
    assert "empty" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_score_long_document(tmp_path):
    doc = tmp_path / "long.txt"
    doc.write_text("\n\n".join([COLLAB, HEROIC, "The budget was approved on Tuesday."] * 400), encoding="utf-8")
    result = runner.invoke(app, ["score", str(doc), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["passages"]) >= 1000 and abs(sum(data["shares"].values()) - 1) < 0.01


def test_score_each_seed():
    seeds = shared_dir("seeds")
    for path in sorted(seeds.glob("*.txt")):
        result = runner.invoke(app, ["score", str(path), "--json"])
        assert result.exit_code == 0, (path, result.output)
        assert json.loads(result.output)["passages"]


def test_classify_round_trips_ids_and_order(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": "b", "text": HEROIC}, {"id": 7, "text": COLLAB}, {"id": "bad"}, {"id": "a", "text": ""}]
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", str(inp), "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["b", 7, "bad", "a", None]
    assert got[0]["label"] == "heroic" and got[1]["label"] == "collaborative"
    assert got[2]["label"] is None and "text" in got[2]["error"] and "line 5" in got[4]["error"]
    assert set(got[0]["probs"]) == {"heroic", "collaborative", "neutral"}


def test_classify_stdin_to_stdout():
    line = json.dumps({"id": 1, "text": COLLAB})
    result = subprocess.run([sys.executable, "-m", "discourse.cli", "classify", "-"], input=line.encode(),
                            capture_output=True, cwd=REPO, timeout=120)
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == 1


def test_label_store_is_incremental(tmp_path):
    db = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(SAMPLE / "office"), "--db", str(db), "-q"]).exit_code == 0
    first = runner.invoke(app, ["label", "--db", str(db), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["labelled_now"] > 0
    again = json.loads(runner.invoke(app, ["label", "--db", str(db), "--json"]).output)
    assert again["labelled_now"] == 0
    con = duckdb.connect(str(db), read_only=True)
    n_pass = con.execute("SELECT count(*) FROM passages WHERE kind = 'body'").fetchone()[0]
    n_lab, bad = con.execute("SELECT count(*), count(*) FILTER (WHERE abs(p_heroic + p_collaborative + p_neutral - 1) > 1e-3) FROM labels").fetchone()
    con.close()
    assert n_lab == n_pass and bad == 0


def test_evaluate_prints_metrics(tmp_path):
    data = tmp_path / "gold.jsonl"
    data.write_text("\n".join(json.dumps({"text": t, "label": lab, "hard": h}) for t, lab, h in
                              [(HEROIC, "heroic", False), (COLLAB, "collaborative", False), (CRITIQUE, "collaborative", True)]))
    result = runner.invoke(app, ["evaluate", str(data), "--json"])
    assert result.exit_code == 0, result.output
    m = json.loads(result.output)
    assert m["n"] == 3 and "hard_accuracy" in m and len(m["confusion"]["matrix"]) == 3


def test_annotate_saves_each_answer_and_resumes(tmp_path):
    db, out = tmp_path / "s.duckdb", tmp_path / "labels.jsonl"
    assert runner.invoke(app, ["ingest", str(SAMPLE / "text"), "--db", str(db), "-q"]).exit_code == 0
    first = runner.invoke(app, ["annotate", "--db", str(db), "--out", str(out), "--batch", "5"], input="h\nC\ns\nq\n")
    assert first.exit_code == 0, first.output
    saved = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["label"], r["hard"]) for r in saved] == [("heroic", False), ("collaborative", True)]
    assert len({r["doc_id"] for r in saved}) == 2  # one passage per document in a round
    second = runner.invoke(app, ["annotate", "--db", str(db), "--out", str(out), "--batch", "5"], input="n\nq\n")
    assert second.exit_code == 0
    again = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(again) == 3 and again[2]["passage_id"] not in {r["passage_id"] for r in saved}


def test_score_shows_markup_literally_and_errors_stay_one_line(tmp_path):
    # regression: '[/]' in a passage or path raised rich's MarkupError (a traceback), '[bold]'
    # vanished from the output, and long error lines were wrapped onto several lines
    folder = tmp_path / ("a-long-folder-name-" * 6 + "[")
    folder.mkdir()
    doc = folder / "]doc.txt"
    doc.write_text(f"Markup [/] and [bold]brackets[/bold] stay. {COLLAB}", encoding="utf-8")
    ok = runner.invoke(app, ["score", str(doc), "--model", "tfidf"])
    assert ok.exit_code == 0 and "[/]" in ok.stdout and "[bold]" in ok.stdout, ok.stderr
    for path in (folder / "]missing.txt", folder):
        bad = runner.invoke(app, ["score", str(path)])
        assert bad.exit_code == 1 and isinstance(bad.exception, SystemExit)
        assert len(bad.stderr.strip().splitlines()) == 1 and "unreadable" in bad.stderr
        assert str(path) in bad.stderr


def test_score_refuses_a_bad_file_before_loading_the_model(tmp_path):
    from discourse.pipeline.framing import score_document

    (tmp_path / "e.txt").write_text("")
    with pytest.raises(Exception, match="empty"):
        score_document(tmp_path / "e.txt", lambda: pytest.fail("model loaded for an unreadable file"))
