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
