"""Hostile inputs, written at test time (no committed binaries).

`write_corpus(root)` writes every case under `root` and returns the list of `Case`s: the
file's path relative to `root`, what it tests, and the outcome ingestion must give it
(`document`, `duplicate`, or the `rejects.reason`). Manifest problems are listed in
`MANIFEST_PROBLEMS`. Everything is deterministic (seeded), so two calls write the same bytes.

The zip bomb is built from one compressed block repeated, so it inflates to 3 GiB while
the test holds about 3 MB; the 30 MB text file is written paragraph by paragraph.
"""

from __future__ import annotations

import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BIG_FILE", "docx_bytes", "zip_bomb", "MANIFEST_PROBLEMS", "PASSWD_MARKERS", "Case", "prose", "write_corpus"]

# Lines of /etc/passwd (and of the canary file beside the corpus) that must never reach a passage.
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "CANARY-SECRET-7f3a")
BIG_FILE = "big-30mb.txt"
BOMB_BYTES = 3 * 1024**3  # what the zip bombs inflate to


@dataclass(frozen=True, slots=True)
class Case:
    name: str  # path relative to the corpus root
    group: str  # table section in docs/RELIABILITY.md
    what: str  # the hostile input, in words
    expect: str  # "document", "duplicate", or a rejects.reason
    behaviour: str  # what ingestion does, in words


# -- text ---------------------------------------------------------------------------------
_SUBJECTS = ("The council", "A new director", "Our chief executive", "The partnership board",
             "Frontline staff", "The health trust", "Every head teacher", "The mayor",
             "Local charities", "The review panel", "Two ward members", "The housing team",
             "Volunteers", "The finance officer", "Parents", "The regional manager")
_VERBS = ("decided", "argued", "showed", "learned", "insisted", "proposed", "found",
          "explained", "agreed", "noted", "admitted", "doubted", "wrote", "reported")
_OBJECTS = ("that shared decisions last longer", "that one leader cannot carry a service",
            "that budgets should follow trust", "that the plan belonged to everyone",
            "that carers knew the answers first", "that command works in a crisis",
            "that meetings had grown too long", "that data should be open to residents",
            "that schools could share staff", "that funding must be fair and visible",
            "that a single hero rarely fixes a system", "that the rota needed rewriting",
            "that neighbours plan better together", "that the board had lost its nerve")
_WHERE = ("towns", "wards", "cases", "schools", "rounds", "clinics", "libraries", "depots")


def prose(seed: int, paragraphs: int = 4) -> str:
    """English paragraphs, different for every seed (so no two files are near duplicates)."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        out.append(" ".join(
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} in "
            f"{rng.randint(2, 9999)} {rng.choice(_WHERE)} during week {rng.randint(1, 52)}."
            for _ in range(rng.randint(4, 7))))
    return "\n\n".join(out)


def _html(body_html: str, title: str = "A hostile page", head: str = "", prolog: str = "<!DOCTYPE html>") -> str:
    return (f"{prolog}\n<html lang=\"en\"><head><title>{title}</title>{head}</head><body>"
            f"<article><h1>{title}</h1>{body_html}</article></body></html>")


def _paras_html(seed: int) -> str:
    return "".join(f"<p>{p}</p>" for p in prose(seed).split("\n\n"))


_LOL = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
_LAUGHS = f'<!DOCTYPE html [<!ENTITY lol0 "lol">{_LOL}]>'


def _xxe(canary_url: str, passwd: Path) -> str:
    return (f'<!DOCTYPE html [<!ENTITY file SYSTEM "file://{passwd}">'
            f'<!ENTITY etc SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "{canary_url}/entity">'
            f'<!ENTITY % pe SYSTEM "{canary_url}/dtd"> %pe;]>')


# -- binary formats -----------------------------------------------------------------------
def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for para in text.split("\n\n"):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _docx_with_xml(base: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of the DOCX `base` with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def _document_xml(body: str, doctype: str = "") -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>{doctype}'
            f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>').encode()


def _w_paras(text: str) -> str:
    return "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in text.split("\n\n"))


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already-deflated members (name, raw deflate data, crc, declared size).
    The declared size is written as given, so it can lie."""
    body, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        offset, encoded = len(body), name.encode()
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        body += encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset)
        central += encoded
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    return bytes(body + central + eocd)


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip_bomb(base_docx: bytes, lie: str = "") -> bytes:
    """`base_docx` whose word/document.xml inflates to BOMB_BYTES (a valid start, then
    spaces). Built from one full-flushed compressed block repeated: ~3 MB in memory.
    `lie="small"` declares 10 kB for it; `lie="plausible"` declares twice its compressed
    size, which passes a compressed-versus-declared check (both with a wrong CRC, which is
    only checked at the end of the data)."""
    head = _document_xml("")[:-len("</w:body></w:document>")]
    chunk = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    repeats = (BOMB_BYTES - len(head)) // len(chunk)
    data = first + block * repeats + tail
    size = len(head) + repeats * len(chunk)
    members = []
    with zipfile.ZipFile(io.BytesIO(base_docx)) as zf:
        for info in zf.infolist():
            if info.filename == "word/document.xml":
                declared = {"small": 10_000, "plausible": 2 * len(data)}.get(lie, size)
                members.append((info.filename, data, 0, declared))
            else:
                raw = zf.read(info.filename)
                members.append((info.filename, _deflate(raw), zlib.crc32(raw), len(raw)))
    return _raw_zip(members)


def _pdf_bytes(lines: list[str], title: str = "A report") -> bytes:
    """A one-page PDF with text lines (Helvetica), written by hand."""
    content = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(
        "(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for ln in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /CreationDate (D:20190304120000Z) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _encrypted_pdf(plain: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _png() -> bytes:
    raw = b"".join(b"\x00" + bytes([x % 256, 0, 0]) * 8 for x in range(8))
    ihdr = struct.pack(">2I5B", 8, 8, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _write_big(path: Path, size: int = 30_000_000) -> None:
    pool = [prose(10_000 + i, paragraphs=1) for i in range(300)]
    written, i = 0, 0
    with path.open("w", encoding="utf-8") as fh:
        while written < size:
            para = pool[i % len(pool)] + "\n\n"
            fh.write(para)
            written += len(para)
            i += 1


# -- non-English text (written for these tests) ------------------------------------------
_FRENCH = ("La mairie a décidé que les décisions partagées durent plus longtemps. Les "
           "associations du quartier ont préparé le budget avec les agents, et chacun a pu "
           "dire ce qui comptait pour lui. Personne ne croit plus au chef providentiel.\n\n"
           "Le conseil a publié ses comptes chaque mois, et les habitants ont posé des "
           "questions difficiles sur les écoles, les bibliothèques et les transports.")
_GERMAN = ("Der Stadtrat hat beschlossen, dass gemeinsame Entscheidungen länger halten. Die "
           "Vereine im Viertel haben den Haushalt mit den Mitarbeitern vorbereitet, und jeder "
           "konnte sagen, was ihm wichtig war.\n\nNiemand glaubt mehr an den einen Helden an "
           "der Spitze; die Schulen teilen sich inzwischen Personal und Räume.")
_CHINESE = ("市议会决定，共同做出的决定会更持久。社区团体与工作人员一起准备了预算，每个人都可以"
            "说出自己关心的事情。\n\n没有人再相信一位英雄式的领导者能够拯救一切；学校之间开始共享"
            "教师和教室，居民也参与了每月的公开会议。")
_RUSSIAN = ("Городской совет решил, что совместные решения держатся дольше. Местные "
            "организации готовили бюджет вместе с сотрудниками, и каждый мог сказать, что для "
            "него важно.\n\nНикто больше не верит в одного героя наверху; школы делят учителей "
            "и классы, а жители приходят на открытые собрания каждый месяц.")


# -- the cases ----------------------------------------------------------------------------
Writer = Callable[[Path, "_Ctx"], None]


@dataclass(frozen=True, slots=True)
class _Ctx:
    canary_url: str
    canary_file: Path
    docx: bytes
    pdf: bytes


def _text(s: str, encoding: str = "utf-8") -> Writer:
    return lambda p, ctx: p.write_bytes(s.encode(encoding))


def _bytes(b: bytes) -> Writer:
    return lambda p, ctx: p.write_bytes(b)


def _random_bytes(seed: int, n: int = 8192) -> bytes:
    return random.Random(seed).randbytes(n)


_CURLY = ("The board’s “shared plan” – agreed in March – gave each café owner a vote. "
          + prose(21, 2))
_LATIN = ("Une réunion à la mairie: the café, the crèche and the élite schools all sent "
          "someone. " + prose(22, 2))


def _mixed_encodings() -> bytes:
    return ("It’s a “shared” plan. " + prose(23, 1) + "\n\n").encode("utf-8") + \
        ("The council’s café – “open to all” – " + prose(24, 1)).encode("cp1252")


_WRITERS: dict[str, tuple[str, str, str, str, Writer]] = {}


def _case(name: str, group: str, what: str, expect: str, behaviour: str, writer: Writer) -> None:
    _WRITERS[name] = (group, what, expect, behaviour, writer)


# empty and binary
_case("empty.txt", "empty and binary", "empty file", "empty", "rejected: empty", _bytes(b""))
_case("whitespace.txt", "empty and binary", "whitespace only", "empty", "rejected: empty",
      _bytes(b" \n\t\r\n  \n"))
for _seed, (_ext, _reason) in enumerate((("txt", "binary"), ("html", "binary"), ("pdf", "parse-error"),
                                         ("docx", "parse-error"))):
    _case(f"random-bytes.{_ext}", "empty and binary", f"8 kB of random bytes named .{_ext}", _reason,
          f"rejected: {_reason}", _bytes(_random_bytes(_seed)))
_case("png-renamed.html", "empty and binary", "a PNG image renamed .html", "binary",
      "rejected: binary (magic bytes)", _bytes(_png()))
_case("image.png", "empty and binary", "a PNG image", "unsupported-type",
      "rejected: unsupported-type", _bytes(_png()))
_case("README.txt", "empty and binary", "folder documentation", "ignored",
      "recorded as ignored (ingest.ignore_names)", _text(prose(25, 1)))
_case("replacement-chars.txt", "encodings", "valid UTF-8 that is mostly U+FFFD (unrepairable)",
      "undecodable", "rejected: undecodable", _text(("\ufffd" * 30 + " word ") * 200))
# encodings
_case("cp1252.txt", "encodings", "cp1252 with curly quotes and dashes", "document",
      "decoded as cp1252; quotes kept", _text(_CURLY, "cp1252"))
_case("latin-1.txt", "encodings", "latin-1 accented text", "document", "decoded; accents kept",
      _text(_LATIN, "latin-1"))
_case("utf-16-bom.txt", "encodings", "UTF-16 with BOM", "document", "decoded by its BOM",
      _text(prose(26), "utf-16"))
_case("mixed-encodings.txt", "encodings", "UTF-8 then cp1252 in one file", "document",
      "repaired: both halves read right", _bytes(_mixed_encodings()))
_case("mojibake.txt", "encodings", "mojibake (“â€™”, “Ã©”) in UTF-8", "document",
      "repaired by ftfy", _text("The boardâ€™s plan â€“ agreed in March â€“ gave each cafÃ© owner a vote. "
            + prose(28, 2).replace("'", "â€™")))
_case("nul-control.txt", "encodings", "NUL, BEL, ESC and other control characters", "document",
      "control characters dropped",
      _text(prose(27).replace(". ", ".\x00 ", 3).replace(" the ", " the\x07\x1b[31m ", 3) + "\x0c\x1f"))
_case("utf-16-no-bom.txt", "encodings", "UTF-16-LE without a BOM (a NUL after every letter)",
      "document", "decoded as UTF-16", _text(prose(29), "utf-16-le"))
# HTML
_case("deep-nesting.html", "HTML", "HTML nested 5,000 elements deep", "no-text",
      "rejected: no-text (libxml2 stops at depth 256, above the text); no crash, no deep recursion", _text(_html("<div>" * 5000 + _paras_html(30) + "</div>" * 5000)))
_case("unclosed-tags.html", "HTML", "unclosed tags everywhere", "document", "parsed; text kept",
      _text("<html><head><title>Unclosed tags</title><body><div><article><h2>Unclosed<p>"
            + prose(31).replace("\n\n", "<p>").replace(". ", ". <b>", 1) + "<li>one<li>two"))
_case("script-payload.html", "HTML", "<script>, onerror and javascript: payloads", "document",
      "scripts and handlers dropped from the text",
      _text(_html("<script>alert('SCRIPT-PAYLOAD')</script><img src=x onerror=\"alert('ONERROR-PAYLOAD')\">"
                  + _paras_html(32) + "<a href=\"javascript:alert('JS-URL')\">x</a>"
                  + "<style>body{background:url(javascript:alert(1))}</style>")))
_case("billion-laughs.xhtml", "entities", "billion-laughs entities in XHTML", "document",
      "entities not expanded",
      _text(_html(_paras_html(33) + "<p>&lol9;</p>", prolog='<?xml version="1.0"?>' + _LAUGHS)))
_case("billion-laughs.html", "entities", "billion-laughs entities in HTML", "document",
      "entities not expanded", _text(_html(_paras_html(34) + "<p>&lol9;</p>", prolog=_LAUGHS)))
# writers that need the canary
_WRITERS_CTX: dict[str, tuple[str, str, str, str, Writer]] = {}


def _ctx_case(name: str, group: str, what: str, expect: str, behaviour: str, writer: Writer) -> None:
    _WRITERS_CTX[name] = (group, what, expect, behaviour, writer)


_ctx_case("external-entities.xhtml", "entities",
          "external entities (file:///etc/passwd, a local file, http://) and remote images", "document",
          "nothing fetched or read",
          lambda p, ctx: p.write_text(_html(
              _paras_html(35) + "<p>&etc; &file; &net;</p>"
              + f"<img src=\"{ctx.canary_url}/img.png\"><iframe src=\"{ctx.canary_url}/frame\"></iframe>",
              head=f"<link rel=\"stylesheet\" href=\"{ctx.canary_url}/css\">"
                   f"<script src=\"{ctx.canary_url}/js\"></script>",
              prolog='<?xml version="1.0"?>' + _xxe(ctx.canary_url, ctx.canary_file)), encoding="utf-8"))
_ctx_case("docx-billion-laughs.docx", "entities", "billion-laughs entities inside word/document.xml",
          "parse-error", "rejected: parse-error (libxml2 refuses the amplification); nothing expanded",
          lambda p, ctx: p.write_bytes(_docx_with_xml(ctx.docx, {"word/document.xml": _document_xml(
              _w_paras(prose(36)) + "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>",
              _LAUGHS.replace("html", "w:document"))})))
_ctx_case("docx-external-entities.docx", "entities",
          "external entities (file, http) inside word/document.xml", "document", "nothing fetched or read",
          lambda p, ctx: p.write_bytes(_docx_with_xml(ctx.docx, {"word/document.xml": _document_xml(
              _w_paras(prose(37)) + "<w:p><w:r><w:t>&etc; &file; &net;</w:t></w:r></w:p>",
              _xxe(ctx.canary_url, ctx.canary_file).replace("html", "w:document"))})))
_ctx_case("docx-zip-bomb.docx", "archives", "DOCX whose document.xml inflates to 3 GiB", "too-large",
          "rejected: too-large, before inflating", lambda p, ctx: p.write_bytes(zip_bomb(ctx.docx)))
_ctx_case("docx-zip-bomb-lying.docx", "archives",
          "zip bomb whose header claims 10 kB (inflates to 3 GiB)", "parse-error",
          "rejected: parse-error (declared size smaller than the compressed data)",
          lambda p, ctx: p.write_bytes(zip_bomb(ctx.docx, lie="small")))
_ctx_case("docx-zip-bomb-plausible.docx", "archives",
          "zip bomb whose header claims a plausible 6 MB (inflates to 3 GiB)", "parse-error",
          "rejected: parse-error (inflated 1 MiB at a time, stopped at the declared size, bad CRC)",
          lambda p, ctx: p.write_bytes(zip_bomb(ctx.docx, lie="plausible")))
_ctx_case("truncated.docx", "archives", "a DOCX cut in half", "parse-error", "rejected: parse-error",
          lambda p, ctx: p.write_bytes(ctx.docx[: len(ctx.docx) // 2]))
_ctx_case("good.docx", "archives", "a valid DOCX (control)", "document", "read",
          lambda p, ctx: p.write_bytes(ctx.docx))
_ctx_case("encrypted.pdf", "PDF", "a password-protected PDF", "encrypted", "rejected: encrypted",
          lambda p, ctx: p.write_bytes(_encrypted_pdf(ctx.pdf)))
_ctx_case("malformed.pdf", "PDF", "a PDF header followed by garbage", "parse-error",
          "rejected: parse-error", lambda p, ctx: p.write_bytes(b"%PDF-1.7\n" + _random_bytes(7, 4000)))
_ctx_case("truncated.pdf", "PDF", "a PDF cut before its objects end", "parse-error",
          "rejected: parse-error", lambda p, ctx: p.write_bytes(ctx.pdf[:120]))
_ctx_case("good.pdf", "PDF", "a valid PDF (control)", "document", "read",
          lambda p, ctx: p.write_bytes(ctx.pdf))
# size
_case(BIG_FILE, "size", "a 30 MB text file", "document", "read in under 2 GiB",
      lambda p, ctx: _write_big(p))
# names
_case("name with spaces.txt", "file names", "spaces in the name", "document", "read",
      _text(prose(40)))
_case("ünïcødé 名前 файл.txt", "file names", "unicode in the name", "document", "read", _text(prose(41)))
_case("-leading-dash.txt", "file names", "a leading dash (looks like an option)", "document", "read",
      _text(prose(42)))
_case("--help.txt", "file names", "a name that is an option", "document", "read", _text(prose(43)))
_case("new\nline.txt", "file names", "a newline in the name", "document", "read", _text(prose(44)))
_case("markup-brackets.txt", "file names", "text holding console markup: [/] [bold] [link=x]",
      "document", "read; shown literally by score", _text("Rich [/] text [bold]kept[/bold] [link=x]. " + prose(46)))
_case("brackets[/]name.txt", "file names", "a path that reads as console markup ('[/]')", "document",
      "read; errors and titles show it literally", _text(prose(47)))
# duplicates
_case("dup-1-original.txt", "duplicates", "an article", "document", "read", _text(prose(50, 6)))
_case("dup-2-exact-copy.txt", "duplicates", "the same article again", "duplicate",
      "recorded with duplicate_of, no passages", _text(prose(50, 6)))
_case("dup-3-near-copy.txt", "duplicates", "the article with one word changed", "duplicate",
      "recorded with duplicate_of, no passages", _text(prose(50, 6).replace("The ", "A ", 1)))
# languages
for _lang, _body in (("fr", _FRENCH), ("de", _GERMAN), ("zh", _CHINESE), ("ru", _RUSSIAN)):
    _case(f"lang-{_lang}.txt", "languages", f"text in {_lang}", "document",
          f"read; language {_lang}; not split into pieces", _text(_body))
# manifest folders
_case("manifest/dated.txt", "manifest", "listed with year 2015", "document", "year 2015 from the manifest",
      _text(prose(60)))
_case("manifest/bad-year.txt", "manifest", "listed with year 20015", "document",
      "year ignored (bad-manifest reject), file read", _text(prose(61)))
_case("manifest/circa.txt", "manifest", "listed with year 'circa 1999'", "document",
      "year ignored (bad-manifest reject), file read", _text(prose(62)))
_case("manifest/short-row.txt", "manifest", "a row with missing cells", "document", "read",
      _text(prose(63)))
_case("manifest-no-file-column/listed.txt", "manifest", "beside a sources.csv with no 'file' column",
      "document", "manifest refused (bad-manifest reject), file read", _text(prose(64)))
_case("manifest-garbage/listed.txt", "manifest", "beside a sources.csv of random bytes", "document",
      "manifest refused (bad-manifest reject), file read", _text(prose(65)))

MANIFESTS: dict[str, bytes] = {
    "manifest/sources.csv": (
        b"file,title,author,year,url\n"
        b"dated.txt,Dated piece,Ann Lee,2015,\n"
        b"bad-year.txt,,,20015,\n"
        b"circa.txt,,,circa 1999,\n"
        b"../../etc/passwd,Passwords,,2001,\n"
        b"short-row.txt,Only a title\n"),
    "manifest-no-file-column/sources.csv": b"name,year\nlisted.txt,2001\n",
    "manifest-garbage/sources.csv": _random_bytes(99, 2000),
}
# (manifest, what the problem line must say)
MANIFEST_PROBLEMS = [
    ("manifest/sources.csv", "year '20015'"),
    ("manifest/sources.csv", "year 'circa 1999'"),
    ("manifest/sources.csv", "'../../etc/passwd' is not a plain name"),
    ("manifest-no-file-column/sources.csv", "no 'file' column"),
    ("manifest-garbage/sources.csv", "cannot read"),
]


def _symlinks(root: Path, canary: Path) -> list[Case]:
    os.symlink("loop-b.txt", root / "loop-a.txt")
    os.symlink("loop-a.txt", root / "loop-b.txt")
    os.symlink("self-loop.txt", root / "self-loop.txt")
    os.symlink("/etc/passwd", root / "passwd-link.txt")
    os.symlink(canary, root / "canary-link.txt")
    os.symlink("dup-1-original.txt", root / "dup-4-inside-link.txt")
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "parent-loop")
    loop = "rejected: unreadable (symlink loop)"
    out = "rejected: symlink (points outside the folder)"
    return [
        Case("loop-a.txt", "symlinks", "symlink loop a → b → a", "unreadable", loop),
        Case("loop-b.txt", "symlinks", "symlink loop b → a → b", "unreadable", loop),
        Case("self-loop.txt", "symlinks", "symlink to itself", "unreadable", loop),
        Case("passwd-link.txt", "symlinks", "symlink to /etc/passwd", "symlink", out),
        Case("canary-link.txt", "symlinks", "symlink to a file outside the folder", "symlink", out),
        Case("dup-4-inside-link.txt", "symlinks", "symlink to a file in the folder", "duplicate",
             "read; a duplicate of its target"),
        Case("sub/parent-loop", "symlinks", "symlink to a parent folder (a walk loop)", "symlink",
             "rejected: symlink (folders are not followed)"),
    ]


def _odd_files(root: Path) -> list[Case]:
    os.mkfifo(root / "fifo.txt")
    bad = os.fsencode(str(root)) + b"/bad-name-\xff\xfe.txt"
    with open(bad, "wb") as fh:
        fh.write(prose(45).encode())
    return [
        Case("fifo.txt", "file names", "a named pipe (reading would block)", "unreadable",
             "rejected: unreadable (not a regular file)"),
        Case(os.fsdecode(b"bad-name-\xff\xfe.txt"), "file names", "a name that is not valid UTF-8",
             "document", "read; source stored with the bad bytes escaped"),
    ]


def write_corpus(root: Path, canary_url: str = "http://127.0.0.1:9") -> list[Case]:
    """Write every hostile input under `root` (created) and return the cases."""
    root.mkdir(parents=True, exist_ok=True)
    canary = root.parent / "outside-canary.txt"
    canary.write_text("CANARY-SECRET-7f3a: this file is outside the corpus and must never be read.\n" * 3)
    ctx = _Ctx(canary_url, canary, docx_bytes(prose(70)), _pdf_bytes(
        [ln for p in prose(71, 3).split("\n\n") for ln in _wrap(p, 90)], "A hostile report"))
    cases = []
    for table in (_WRITERS, _WRITERS_CTX):
        for name, (group, what, expect, behaviour, writer) in table.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            writer(path, ctx)
            cases.append(Case(name, group, what, expect, behaviour))
    for name, data in MANIFESTS.items():
        (root / name).write_bytes(data)
    cases += _symlinks(root, canary)
    cases += _odd_files(root)
    return cases


def _wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return [*lines, cur] if cur else lines

