import pytest

from discourse.errors import SkipError
from discourse.ingest.normalize import decode_bytes, normalize_text, paragraphs, sniff_binary

CURLY = "The chief executive’s “open door” – really."


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (CURLY.encode("utf-8"), "utf-8"),
        (CURLY.encode("cp1252"), None),
        ("\ufeff".encode() + CURLY.encode("utf-8"), "utf-8-sig"),
        (CURLY.encode("utf-16"), "utf-16-le"),
    ],
)
def test_decode_bytes_recovers_text(data, codec):
    text, used = decode_bytes(data)
    assert normalize_text(text) == CURLY
    if codec:
        assert used == codec


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \n", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
        (bytes([0, 1, 2, 3, 4, 5, 6, 7, 14, 15, 16, 17, 18, 19, 20]) * 300, "binary"),
    ],
)
def test_decode_bytes_rejects_non_text(data, reason):
    with pytest.raises(SkipError, match=reason):
        decode_bytes(data)


def test_random_bytes_are_rejected_not_decoded_as_garbage():
    import random

    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(5000))
    with pytest.raises(SkipError):
        decode_bytes(data)


def test_sniff_binary_names_format():
    assert sniff_binary(b"%PDF-1.7 ...") == "a PDF file"
    assert sniff_binary(b"<html>") is None


def test_normalize_repairs_mojibake_and_keeps_curly_quotes():
    broken = "It isnâ€™t a threat"  # UTF-8 read as cp1252
    assert normalize_text(broken) == "It isn’t a threat"
    assert normalize_text("“quoted”") == "“quoted”"


def test_normalize_drops_controls_and_collapses_space():
    raw = "Lead\x00ers\x07 need\u00a0\u00a0 trust.\r\n\r\n\r\n\r\nNext\u200b para.  "
    assert normalize_text(raw) == "Leaders need trust.\n\nNext para."


def test_paragraphs_split_on_blank_lines():
    assert paragraphs("a\nb\n\nc\n\n\n") == ["a\nb", "c"]


def test_utf16_without_bom_is_decoded_not_called_binary():
    # regression: NUL bytes are valid UTF-8, so UTF-8 "won" and the text was refused as binary
    text, codec = decode_bytes("Leaders share the budget with the wards.".encode("utf-16-le"))
    assert codec == "utf-16-le" and text == "Leaders share the budget with the wards."


def test_file_mixing_utf8_and_cp1252_lines_is_read_right():
    # regression: charset-normalizer guessed mac_roman and gave "It‚Äôs"
    data = "It’s a “shared” plan.\n".encode() + "The council’s café – “open to all”.\n".encode("cp1252")
    text, codec = decode_bytes(data)
    assert codec == "utf-8+cp1252" and text == "It’s a “shared” plan.\nThe council’s café – “open to all”.\n"


def test_terminal_escape_sequences_are_dropped_whole():
    # regression: only ESC was dropped, leaving "[31m" in the text
    assert normalize_text("a \x1b[31mred\x1b[0m word\x1b]0;title\x07 end") == "a red word end"
