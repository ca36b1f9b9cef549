import hashlib
import json
from pathlib import Path

import pytest

from discourse.errors import DiscourseError
from discourse.framing.data import check_reference, load_annotations
from tests.conftest import SHARED, shared_dir

TEXT = "The council, the charities and residents lead this work together."


def _ref(id_: str, text: str, **extra) -> dict:
    return {"id": id_, "corpus": "seeds", "file": "a.txt", "char_start": 0, "char_end": len(text),
            "sha256": hashlib.sha256(text.encode()).hexdigest(), "label": "collaborative", "hard": False,
            "split": "test", **extra}


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_real_references_resolve_with_their_version_1_label_and_changed_text_is_skipped(tmp_path):
    _write(tmp_path / "written_x.jsonl", [{"id": "w1", "text": "Put one person in charge.", "label": "heroic", "hard": True}])
    _write(tmp_path / "real.jsonl", [_ref("r1", TEXT, label_v1="neutral", hard_v1=True), _ref("r2", TEXT),
                                     _ref("r3", "text that is no longer in the file")])
    examples = {e.id: e for e in load_annotations(tmp_path, resolve=lambda r: check_reference(r, TEXT))}
    assert set(examples) == {"w1", "r1", "r2"}  # r3's hash does not match the file's text
    assert (examples["r1"].label, examples["r1"].label_v1, examples["r1"].hard, examples["r1"].hard_v1) == \
        ("collaborative", "neutral", False, True)
    assert examples["r2"].label_v1 is None and examples["r2"].hard_v1 is None
    assert examples["r1"].source == "seeds/a.txt" and examples["w1"].origin == "written"
    assert [e.id for e in load_annotations(tmp_path)] == ["w1"]  # no resolver: written passages only


def test_a_written_record_without_a_valid_label_is_refused_with_its_number(tmp_path):
    _write(tmp_path / "written_x.jsonl", [{"id": "w1", "text": "fine", "label": "heroic"},
                                          {"id": "w2", "text": "bad", "label": "heroics"}])
    with pytest.raises(DiscourseError, match="record 2"):
        load_annotations(tmp_path)


ANNOTATIONS = Path(__file__).resolve().parents[2] / "corpus" / "annotations"


def _shipped_real() -> list[dict]:
    return [json.loads(line) for line in (ANNOTATIONS / "real.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_shipped_real_annotations_are_references_split_by_source_file():
    rows = _shipped_real()
    assert len({r["id"] for r in rows}) == len(rows) >= 500
    assert not any("text" in r for r in rows)  # third-party text stays in ../shared
    for r in rows:  # the split is a hash of the source file (build_pool.split_of): no file in both splits
        test = int(hashlib.sha256(f"{r['corpus']}/{r['file']}".encode()).hexdigest()[:8], 16) % 10 < 3
        assert r["split"] == ("test" if test else "train"), r["id"]
    assert {r["split"] for r in rows if r["batch"] > 1} == {"train"}  # later batches never touch the test split


def test_every_shipped_reference_resolves_against_shared_and_the_set_meets_the_issue_minima():
    from discourse.pipeline.framing import resolver

    shared_dir("seeds")
    examples = load_annotations(ANNOTATIONS, resolver(SHARED))
    real = [e for e in examples if e.origin == "real"]
    assert len(real) == len(_shipped_real())  # no reference skipped: offsets and hashes still match
    assert len(examples) >= 1500 and len(real) >= 500 and sum(e.hard for e in examples) >= 300
    assert {e.split for e in real} == {"train", "test"} and {e.split for e in examples if e.origin == "written"} == {"train"}


def test_two_annotations_are_decided_by_agreement_or_the_adjudicator_and_disagreement_is_hard():
    from discourse.framing.data import decide

    a = {"p1": {"label": "heroic", "hard": True}, "p2": {"label": "neutral", "hard": False}}
    b = {"p1": {"label": "heroic", "hard": False}, "p2": {"label": "collaborative", "hard": False}}
    assert decide("p1", a, b, {}) == ("heroic", False, False)  # agreed, flagged by one only
    assert decide("p2", a, b, {"p2": {"label": "neutral"}}) == ("neutral", True, True)
    with pytest.raises(DiscourseError, match="no adjudication"):
        decide("p2", a, b, {})
    with pytest.raises(DiscourseError, match="p3 is missing"):
        decide("p3", a, b, {})
