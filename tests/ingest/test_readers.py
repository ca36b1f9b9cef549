import io
import zipfile
from pathlib import Path

import pytest

from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.readers import read_file_bytes, reader_for
from discourse.ingest.readers.html import html_text_to_paragraphs
from discourse.ingest.readers.pdf import reflow_lines
from tests.conftest import SAMPLE

S = IngestSettings()
BODY = ("Leadership in the borough is now shared between the council, the health trust and "
        "eleven community groups, who plan the budget together every spring.")

PAGE = f"""<!doctype html><html lang="en"><head><title>Shared budget | Borough News</title>
<meta property="article:published_time" content="2016-04-05T09:00:00+00:00">
<meta name="author" content="Ann Lee"></head><body>
<nav><ul><li>Home</li><li>News</li><li>Contact</li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<article><h1>Shared budget</h1><p>{BODY}</p><p>{BODY.replace('eleven', 'twelve')}</p></article>
<section id="comments"><h2>2 comments</h2><p>Great piece, I run one of the groups.</p></section>
<footer>© 2016 Borough News. Privacy policy</footer></body></html>"""


def test_reader_for_rejects_unknown_types(tmp_path):
    assert reader_for(tmp_path / "a.HTM") == "reader.html.v1"
    with pytest.raises(SkipError, match="unsupported-type"):
        reader_for(tmp_path / "a.xlsx")


def test_html_reader_extracts_main_text_metadata_and_no_comments(tmp_path):
    raw = read_file_bytes(tmp_path / "a.html", PAGE.encode(), S)
    assert BODY in raw.text
    assert "Great piece" not in raw.text and "cookies" not in raw.text
    assert raw.published == "2016-04-05" and raw.year_source == "html-meta"
    assert raw.author == "Ann Lee"


def test_html_reader_rejects_png_renamed_html(tmp_path):
    with pytest.raises(SkipError, match="binary"):
        read_file_bytes(tmp_path / "a.html", b"\x89PNG\r\n\x1a\n" + bytes(300), S)


def test_html_paragraphs_keep_lists_with_lead_in():
    text = "Intro.\nWe agreed three things:\n- share data\n- share staff\nAfter."
    assert html_text_to_paragraphs(text) == "Intro.\n\nWe agreed three things:\n- share data\n- share staff\n\nAfter."


def test_txt_reader_decodes_cp1252_and_unwraps_markdown(tmp_path):
    raw = read_file_bytes(tmp_path / "a.md", "# Title\n\n*By Ann Lee*\n\nIt’s shared.".encode("cp1252"), S)
    assert raw.text.split() == ["Title", "By", "Ann", "Lee", "It’s", "shared."]


def test_pdf_reader_reads_sample_pdf():
    path = SAMPLE / "office" / "o01-marrowby-leadership-review.pdf"
    raw = read_file_bytes(path, path.read_bytes(), S)
    assert raw.fmt == "pdf" and raw.published == "2010-11-15" and raw.year_source == "file-meta"
    assert "This review was commissioned by the Council’s Standards and Governance Committee" in raw.text


def test_pdf_reader_rejects_encrypted_and_malformed(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(SkipError, match="encrypted"):
        read_file_bytes(tmp_path / "a.pdf", buf.getvalue(), S)
    with pytest.raises(SkipError, match="parse-error"):
        read_file_bytes(tmp_path / "b.pdf", b"%PDF-1.4\n1 0 obj << broken", S)


def test_reflow_joins_wrapped_lines_and_mends_hyphens():
    lines = ["The board agreed that the chief executive would share decision-",
             "making with the heads of service from April onwards, and report",
             "back in six months.",
             "- first item",
             "- second item"]
    assert reflow_lines(lines) == ("The board agreed that the chief executive would share decision-making "
                                   "with the heads of service from April onwards, and report back in six "
                                   "months.\n\n- first item\n- second item")


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("A letter", style="Title")
    d.add_paragraph("We made three changes:")
    d.add_paragraph("closed a site", style="List Bullet")
    d.add_paragraph("hired a new team", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_reader_keeps_list_with_lead_in(tmp_path):
    raw = read_file_bytes(tmp_path / "a.docx", _docx_bytes(), S)
    assert raw.text == "A letter\n\nWe made three changes:\n- closed a site\n- hired a new team"


def test_docx_reader_rejects_broken_and_oversized(tmp_path):
    data = _docx_bytes()
    with pytest.raises(SkipError, match="parse-error"):
        read_file_bytes(tmp_path / "a.docx", data[: len(data) // 2], S)
    with pytest.raises(SkipError, match="too-large"):
        read_file_bytes(tmp_path / "a.docx", data, IngestSettings(max_unzipped_bytes=1000))
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "not word")
    with pytest.raises(SkipError, match="not a Word document"):
        read_file_bytes(tmp_path / "a.docx", other.getvalue(), S)


def _docx_peak(data: bytes) -> tuple[str, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        read_file_bytes(Path("bomb.docx"), data, S)
        reason = "read"
    except SkipError as exc:
        reason = exc.reason
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return reason, peak


@pytest.mark.parametrize(("lie", "reason"), [("", "too-large"), ("small", "parse-error"), ("plausible", "parse-error")])
def test_docx_zip_bombs_are_refused_within_bounded_memory(lie, reason):
    # regression: with a forged declared size, zipfile's one-shot read inflated up to 2 GiB
    # (the 'plausible' bomb passes the compressed-versus-declared check, so it tests the
    # 1 MiB-at-a-time inflation)
    from tests.hostile.generate import docx_bytes, prose, zip_bomb

    got, peak = _docx_peak(zip_bomb(docx_bytes(prose(1)), lie=lie))
    assert got == reason and peak < 100 * 2**20, (got, peak)


def test_docx_inflated_size_is_counted_not_declared():
    from tests.hostile.generate import docx_bytes, prose

    data = docx_bytes(prose(2, 40))
    with pytest.raises(SkipError, match=r"too-large: .*ingest.max_unzipped_bytes"):
        read_file_bytes(Path("a.docx"), data, IngestSettings(max_unzipped_bytes=20_000))
    assert "during week" in read_file_bytes(Path("a.docx"), data, S).text
