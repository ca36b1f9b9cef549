import json

import pytest

from discourse.framing.card import write_model_card


def _test(f1: float, hard: float) -> dict:
    per = {c: {"f1": f1} for c in ("heroic", "collaborative", "neutral")}
    return {"macro_f1": f1, "hard_accuracy": hard, "ece": 0.05, "accuracy": 0.8, "per_class": per, "abstain_below": 0.5,
            "abstain_rate": 0.1, "accuracy_when_answered": 0.85,
            "confusion": {"labels": ["collaborative", "heroic", "neutral"], "matrix": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}


def _report(hybrid: tuple[float, float], tfidf: tuple[float, float]) -> dict:
    summary = {"n": 3, "by_origin": {}, "by_label": {}, "hard": 1, "real_by_corpus": {}}
    cv = {"C": 1.0, "written_weight": 0.0, "macro_f1": 0.68, "hard_accuracy": 0.61, "fold_se": 0.01, "pooling": "sentences"}
    grid = [cv, {**cv, "pooling": "spans", "macro_f1": 0.66}]
    model = {"C": 1.0, "written_weight": 0.0, "pooling": "sentences", "cv": cv, "cv_grid": grid, "temperature": 1.1}
    return {"scheme_version": "1", "default": "hybrid", "train": summary, "test": summary, "written_weights": [0.0, 1.0],
            "cv_folds": 5, "models": {"hybrid": {**model, "test": _test(*hybrid)},
                                      "tfidf": {**model, "pooling": "passage", "test": _test(*tfidf)},
                                      "lexicon": {"test": _test(0.5, 0.3)}}}


@pytest.mark.parametrize("hybrid, tfidf, met", [((0.82, 0.72), (0.75, 0.6), True), ((0.79, 0.72), (0.75, 0.6), False),
                                                ((0.82, 0.69), (0.75, 0.6), False), ((0.82, 0.72), (0.83, 0.6), False)])
def test_card_says_target_met_only_when_it_is(tmp_path, hybrid, tfidf, met):
    (tmp_path / "manifest.json").write_text(json.dumps({"labels": ["collaborative", "heroic", "neutral"], "models": {}}))
    text = write_model_card(_report(hybrid, tfidf), tmp_path, ["discourse train --seed 0"]).read_text()
    assert ("**Target met**" in text) is met and ("**Target not met yet**" in text) is not met
    assert "| hybrid | sentences | 1.0 | 0.0 | – | 0.680 ± 0.010 | 0.610 | spans: 0.660 |" in text


def test_card_shows_the_chosen_blend_and_what_the_others_scored(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"labels": ["collaborative", "heroic", "neutral"], "models": {}}))
    report = _report((0.7, 0.5), (0.6, 0.5))
    cv = {**report["models"]["hybrid"]["cv"], "pooling": "passage", "blend": 0.5}
    grid = [cv, {**cv, "blend": 0.0, "macro_f1": 0.65}, {**cv, "blend": 0.0, "C": 4.0, "macro_f1": 0.66}]
    report["models"]["hybrid"].update(pooling="passage", blend=0.5, cv=cv, cv_grid=grid)
    text = write_model_card(report, tmp_path, ["discourse train --seed 0"]).read_text()
    assert "| hybrid | passage | 1.0 | 0.0 | 0.5 | 0.680 ± 0.010 | 0.610 | blend 0.0: 0.660 |" in text
    assert "grouped by source file" in text and "Disclosure" in text


def test_card_scores_the_old_labels_too_only_when_the_test_split_was_relabelled(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"labels": ["collaborative", "heroic", "neutral"], "models": {}}))
    report = _report((0.7, 0.5), (0.6, 0.5))
    plain = write_model_card(report, tmp_path, ["discourse train --seed 0"]).read_text()
    assert "scheme-version-1 labels" not in plain
    report["test_relabelled"] = 7
    for name, f1 in (("hybrid", 0.65), ("tfidf", 0.55), ("lexicon", 0.45)):
        report["models"][name]["test_scheme_v1"] = _test(f1, 0.4)
    text = write_model_card(report, tmp_path, ["discourse train --seed 0"]).read_text()
    old = text.split("scheme-version-1 labels and hard flags (7 of its passages changed label and 0 changed", 1)[1]
    old = old.split("###", 1)[0]
    assert "| hybrid | 0.650 | 0.400 |" in old and "| lexicon | 0.450 | 0.400 |" in old
    assert "| hybrid | 0.700 |" in text.split("scheme-version-1 labels", 1)[0]  # the current labels' table is unchanged


def test_a_card_rendered_from_the_saved_report_reads_like_the_one_train_wrote(tmp_path):
    """report.json is saved with sorted keys; re-rendering the card from it must not reorder
    its tables or counts (the test tables, the CV table and the confusion matrices)."""
    (tmp_path / "manifest.json").write_text(json.dumps({"labels": ["collaborative", "heroic", "neutral"], "models": {}}))
    report = _report((0.7, 0.5), (0.6, 0.5))
    report["train"] = {**report["train"], "by_origin": {"written": 2, "real": 1}, "by_label": {"neutral": 2, "heroic": 1}}
    fresh = write_model_card(report, tmp_path, ["discourse train --seed 0"]).read_text()
    reloaded = write_model_card(json.loads(json.dumps(report, sort_keys=True)), tmp_path, ["discourse train --seed 0"]).read_text()
    assert reloaded == fresh
    assert fresh.index("| hybrid | sentences") < fresh.index("| tfidf | –")  # the fixed row order, not alphabetical
    assert fresh.index("### hybrid: confusion") < fresh.index("### tfidf: confusion") and "### lexicon" not in fresh
    assert "{'real': 1, 'written': 2}" in fresh
