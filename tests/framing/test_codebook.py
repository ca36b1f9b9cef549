import pytest

from discourse.framing.codebook import CUE_NAMES, cue_matrix, find_cues


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("We keep waiting for a saviour chief executive. It has never worked.", None),
        ("The myth of the heroic head teacher does real damage.", "critique_of_heroic"),
        ("Partnership boards are a talking shop; put one person in charge.", "dismissal_of_collaboration"),
        ("I will act, and I will act now.", "first_person_command"),
        ("This was never a hero's job.", "negated_heroic"),
    ],
)
def test_stance_cues(text, cue):
    names = {c.name for c in find_cues(text)}
    if cue:
        assert cue in names
    else:
        assert "heroic_terms" in names


def test_plain_text_has_no_stance_cues():
    names = {c.name for c in find_cues("The board meets on Tuesday to approve the budget.")}
    assert not names & {"critique_of_heroic", "dismissal_of_collaboration"}


def test_cue_matrix_shape_and_scale():
    m = cue_matrix(["We work together with partners.", ""])
    assert m.shape == (2, len(CUE_NAMES))
    assert m[0, CUE_NAMES.index("collab_terms")] > 0 and m[1].sum() == 0


def _written_texts() -> list[str]:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "corpus" / "annotations"
    texts = []
    for name in ("written_hard.jsonl", "written_coverage.jsonl"):
        texts += [json.loads(line)["text"] for line in (root / name).read_text().splitlines() if line.strip()]
    return texts


def test_lower_case_scan_finds_exactly_what_case_insensitive_scan_finds():
    """find_cues scans lower-cased text when that is exact; the cues (names, phrases as written,
    offsets) must be those of the case-insensitive patterns, including in shouted text."""
    from discourse.framing.codebook import _find

    texts = _written_texts()
    texts += [t.upper() for t in texts[:200]] + [t.title() for t in texts[:200]]
    texts += ["We will ACT. “Not decisive” — NO Strong Leader… partnership ALONGSIDE citizens"]
    assert len(texts) > 500
    found = 0
    for text in texts:
        fast, slow = _find(text, lower=True), _find(text, lower=False)
        assert fast == slow, text
        found += len(fast)
    assert found > 1000  # the texts exercise the patterns


@pytest.mark.parametrize("text", ["İ TAKE CHARGE.", "KELVIN \u212a: strong leader", "ſtrong leader", "Café partners"])
def test_text_with_cased_non_ascii_letters_uses_case_insensitive_patterns(text):
    from discourse.framing.codebook import _CASELESS_ONLY, _find

    assert _CASELESS_ONLY.search(text)
    assert find_cues(text) == _find(text, lower=False)
