import hashlib
import json

import pytest

from discourse.errors import DiscourseError
from discourse.framing.data import check_reference, load_annotations

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
