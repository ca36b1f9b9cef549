import pytest

from discourse.ingest.segment import segment

SENT = "Leaders who listen learn what the front line already knows about the work. "


def _texts(text, **kw):
    return [(text[a:b], kind) for a, b, kind in segment(text, **kw)]


def test_short_paragraphs_are_passages_and_offsets_index_text():
    text = "First paragraph here.\n\nSecond one, a little longer than the first."
    spans = segment(text)
    assert [(a, b) for a, b, _ in spans] == [(0, 21), (23, len(text))]


def test_long_paragraph_is_chunked_on_sentence_boundaries():
    para = (SENT * 30).strip()
    spans = segment(para, max_words=50)
    assert len(spans) > 1
    for a, b, _ in spans:
        chunk = para[a:b]
        assert len(chunk.split()) <= 50
        assert chunk.endswith(".")  # whole sentences only
    assert " ".join(para[a:b] for a, b, _ in spans) == para


def test_sentence_longer_than_limit_is_split_on_words():
    para = " ".join(["word"] * 130) + "."
    spans = segment(para, max_words=50)
    assert [len(para[a:b].split()) for a, b, _ in spans] == [50, 50, 30]


def test_bullet_list_stays_with_short_lead_in():
    text = "Successful leaders share these habits:\n\n• they listen\n• they share credit\n• they let go"
    spans = _texts(text)
    assert len(spans) == 1 and spans[0][0].startswith("Successful") and spans[0][0].endswith("let go")


def test_reference_list_is_kept_and_marked():
    refs = ("• Peck E, Dickinson H. Performing leadership. Basingstoke: Palgrave; 2009.\n"
            "• Heifetz R. Leadership Without Easy Answers. Cambridge: Harvard University Press; 1994.\n"
            "• Moore MH. Creating public value. Cambridge: Harvard University Press; 1995.")
    text = "Body text that argues something about leadership.\n\n" + refs
    kinds = [kind for _, kind in _texts(text)]
    assert kinds == ["body", "reference"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n"])
def test_empty_text_gives_no_passages(text):
    assert segment(text) == []
