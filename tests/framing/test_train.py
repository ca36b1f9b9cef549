import json

import numpy as np
import pytest

from discourse.framing import train as train_mod
from discourse.framing.data import Example
from discourse.framing.persist import load_model

HEROIC = ["The new chief executive took personal control and turned the company round.",
          "What this city needs is one strong leader with the authority to decide.",
          "She replaced the board and told every manager exactly what she expected."]
COLLAB = ["The plan was written with carers; our job was to listen and share power.",
          "No single agency can solve this; the council and charities lead it together.",
          "We built trust across organisational boundaries and co-produced the service."]
NEUTRAL = ["The board will interview four candidates on 12 March.",
           "Turnover among chief executives rose to 21% last year.",
           "The programme runs for six half-days and is open to band 6 staff."]


def _examples() -> list[Example]:
    out = []
    for n, (label, texts) in enumerate((("heroic", HEROIC), ("collaborative", COLLAB), ("neutral", NEUTRAL))):
        for i, text in enumerate(texts * 4):
            split = "test" if i % 6 == 5 else "train"
            out.append(Example(f"r{n}{i}", f"{text} ({i})", label, i % 2 == 0, "real", split, "seeds", f"seeds/f{i % 4}.txt"))
        # written passages carry the wrong label: a written weight of 0 must win in CV
        out += [Example(f"w{n}{i}", t, "neutral" if label != "neutral" else "heroic", False, "written", "train")
                for i, t in enumerate(texts)]
    return out


@pytest.fixture
def small_grid(monkeypatch):
    monkeypatch.setattr(train_mod, "GRID", {"tfidf": [1.0, 8.0]})
    monkeypatch.setattr(train_mod, "WRITTEN_WEIGHTS", (0.0, 3.0))  # 0 allowed here, to test the choice
    monkeypatch.setattr(train_mod, "CV_FOLDS", 2)


def test_cv_scores_real_passages_only_and_picks_the_written_weight(small_grid):
    train = [e for e in _examples() if e.split == "train"]
    best, cells = train_mod._select("tfidf", train, 0)
    assert len(cells) == 4 and best in cells
    assert best["written_weight"] == 0.0  # mislabelled written passages hurt the real-only CV score
    zero = max(c["macro_f1"] for c in cells if c["written_weight"] == 0.0)
    heavy = max(c["macro_f1"] for c in cells if c["written_weight"] == 3.0)
    assert zero > heavy


def test_groups_are_source_files_and_written_passages_have_none():
    groups = train_mod._groups(_examples())
    assert "seeds/f0.txt" in groups and None in groups
    assert all((g is None) == e.id.startswith("w") for g, e in zip(groups, _examples(), strict=True))


def test_train_models_reports_the_cv_choice_and_saves_a_loadable_model(small_grid, tmp_path):
    report = train_mod.train_models(_examples(), tmp_path, ("tfidf",), seed=0)
    entry = report["models"]["tfidf"]
    assert entry["written_weight"] == entry["cv"]["written_weight"] == 0.0
    assert {"macro_f1", "hard_accuracy"} <= set(entry["cv"]) and len(entry["cv_grid"]) == 4
    assert report["written_weights"] == [0.0, 3.0] and report["cv_folds"] == 2
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["models"]["tfidf"]["written_weight"] == 0.0
    model = load_model(tmp_path, "tfidf")
    assert np.isfinite(model.temperature_)
    assert model.predict(["She took personal control and told every manager what to do."])[0] == "heroic"
    assert "test_scheme_v1" not in entry and report["test_relabelled"] == 0


def test_a_relabelled_test_split_is_scored_against_both_label_versions(small_grid, tmp_path):
    from dataclasses import replace

    examples = _examples()
    test = [i for i, e in enumerate(examples) if e.split == "test"]
    flipped = {test[0], test[-1]}  # pretend re-annotation changed two test labels (and one training label)
    train_one = next(i for i, e in enumerate(examples) if e.split == "train" and e.origin == "real")
    for i in flipped | {train_one}:
        examples[i] = replace(examples[i], label_v1="collaborative" if examples[i].label != "collaborative" else "neutral")
    examples[test[1]] = replace(examples[test[1]], hard_v1=not examples[test[1]].hard)  # and one hard flag
    report = train_mod.train_models(examples, tmp_path, ("tfidf",), seed=0)
    assert report["test_relabelled"] == 2 and report["test_hard_reflagged"] == 1
    for name in ("tfidf", "lexicon"):
        new, old = report["models"][name]["test"], report["models"][name]["test_scheme_v1"]
        assert sum(map(sum, new["confusion"]["matrix"])) == sum(map(sum, old["confusion"]["matrix"])) == len(test)
        assert new["confusion"]["matrix"] != old["confusion"]["matrix"]  # same predictions, other gold labels


def _fake_cells(spans_f1, sentences_f1, se):
    def score(name, train, C, written_weight, seed, pooling, stack=None, blend=0.0, blend_cell=None):
        f1 = (spans_f1 if pooling == "spans" else sentences_f1) - 0.01 * C - 0.001 * written_weight - 0.1 * abs(blend - 0.5)
        return {"C": C, "written_weight": written_weight, "pooling": pooling, "blend": blend, "macro_f1": f1,
                "hard_accuracy": 0.5, "fold_se": se, "blend_from": blend_cell}
    return score


@pytest.mark.parametrize(("se", "chosen"), [(0.03, "spans"), (0.01, "sentences")])
def test_pooling_takes_the_cheaper_one_within_one_standard_error(monkeypatch, se, chosen):
    monkeypatch.setattr(train_mod, "GRID", {"minilm": [1.0, 2.0]})
    monkeypatch.setattr(train_mod, "_cv_score", _fake_cells(0.68, 0.70, se))
    best, cells = train_mod._select("minilm", [], 0)
    assert best["pooling"] == chosen and best["C"] == 1.0 and best["written_weight"] == min(train_mod.WRITTEN_WEIGHTS)
    assert {c["pooling"] for c in cells} == {"spans", "sentences"}
    assert {c["blend"] for c in cells} == {0.0}  # minilm has no TF-IDF head to blend


def test_tuned_grid_includes_the_blend_and_passes_the_tfidf_cell(monkeypatch):
    monkeypatch.setattr(train_mod, "GRID", {"tuned": [1.0]})
    monkeypatch.setattr(train_mod, "_cv_score", _fake_cells(0.68, 0.70, 0.01))
    tfidf_cell = {"C": 8.0, "written_weight": 0.3}
    best, cells = train_mod._select("tuned", [], 0, None, tfidf_cell)
    assert {c["blend"] for c in cells} == set(train_mod.BLENDS["tuned"]) and 0.0 in train_mod.BLENDS["tuned"]
    assert best["blend"] == 0.5 and all(c["blend_from"] is tfidf_cell for c in cells)
