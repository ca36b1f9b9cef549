"""How the real passages were drawn for annotation (batches 1 to 3), kept for the record.

    .venv/bin/python corpus/annotations/build_pool.py --out /tmp/discourse-pool
    .venv/bin/python corpus/annotations/build_pool.py --out /tmp/discourse-pool --merge 3

The first writes pool files *outside the repo* (they hold third-party text): `batch1.jsonl`,
`batch2.jsonl` and `batch3.jsonl` with id, corpus, file, char_start, char_end, sha256 and
text. Annotators saw only id and text. At the commit that added each batch, a rerun drew
exactly the passages in real.jsonl; later ingest changes may shift the draw, and
real.jsonl keeps the references actually used.

Batch 3 was annotated as the version-2 re-annotation was: two annotators (each chunk by a
different helper) from the codebook alone, blind to each other, writing `A/out.jsonl` and
`B/out.jsonl` (id, label, hard) under the pool directory, and a third helper deciding their
disagreements (`adjudicated.jsonl`: id, label, reason). `--merge 3` appends the batch to
real.jsonl: `label_a`/`label_b` the two annotations, `adjudicated` whether they differed,
`hard` when both annotators flagged it or when they disagreed on the label.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import tempfile
from pathlib import Path

import duckdb

from discourse.framing.codebook import find_cues
from discourse.framing.data import decide
from discourse.framing.data import read_jsonl as _jsonl
from discourse.ingest.normalize import decode_bytes, normalize_text
from discourse.pipeline import ingest

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus"
KEY = re.compile(r"\b(lead(er|ers|ership)?|command|together|cooperat\w*|partner\w*|strong|decisive|I will|unity|"
                 r"united|bipartisan|work with|take charge|in charge|responsib\w*)\b", re.I)


def split_of(corpus: str, file: str) -> str:
    """The real-only test split: 30 % of source files, by hash."""
    return "test" if int(hashlib.sha256(f"{corpus}/{file}".encode()).hexdigest()[:8], 16) % 10 < 3 else "train"


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT d.source, d.language, p.text, p.kind, d.year FROM passages p JOIN documents d "
                       "USING (doc_id) WHERE d.duplicate_of IS NULL ORDER BY d.source, d.piece, p.seq").fetchall()
    con.close()
    return rows


def _refs(selected: list[tuple[str, str]], first_id: int) -> list[dict]:
    raw: dict[str, str] = {}
    out = []
    for src, text in selected:
        raw.setdefault(src, normalize_text(decode_bytes(Path(src).read_bytes())[0]))
        pos = raw[src].find(text)
        if pos < 0:
            continue  # the passage spans removed chrome: no stable reference
        corpus, file = Path(src).parent.name, Path(src).name
        out.append({"id": f"r{first_id + len(out):04d}", "corpus": corpus, "file": file, "char_start": pos,
                    "char_end": pos + len(text), "sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text})
    return out


def _eligible(corpus: str, n_words: int, year: int | None, text: str) -> bool:
    if corpus == "sotu":  # modern addresses that touch on leadership
        return n_words >= 25 and (year or 0) >= 1900 and bool(KEY.search(text))
    return n_words >= (8 if corpus == "seeds" else 12)


def batch1(rows: list[tuple]) -> list[dict]:
    pools: dict[str, list] = {"seeds": [], "leadership-web": [], "sotu": []}
    for src, lang, text, kind, year in rows:
        corpus, n = Path(src).parent.name, len(text.split())
        if kind != "body" or lang != "en":
            continue
        if _eligible(corpus, n, year, text):
            pools[corpus].append((src, text))
    rng = random.Random(20261125)
    chosen = pools["seeds"] + rng.sample(pools["leadership-web"], 480) + rng.sample(pools["sotu"], 260)
    out = _refs(chosen, 1)
    rng.shuffle(out)
    return out


def batch2(rows: list[tuple], taken: set[str], first_id: int) -> list[dict]:
    """Training-split files only: passages firing heroic/stance cues, plus random ones."""
    cued, plain = [], []
    for src, lang, text, kind, year in rows:
        corpus, file = Path(src).parent.name, Path(src).name
        if kind != "body" or lang != "en" or len(text.split()) < 15 or split_of(corpus, file) != "train":
            continue
        if hashlib.sha256(text.encode()).hexdigest() in taken or (corpus == "sotu" and (year or 0) < 1900):
            continue
        names = {c.name for c in find_cues(text)}
        if names & {"heroic_terms", "first_person_command", "dismissal_of_collaboration", "critique_of_heroic"}:
            cued.append((src, text))
        elif corpus == "leadership-web":
            plain.append((src, text))
    rng = random.Random(7)
    out = _refs(rng.sample(cued, 340) + rng.sample(plain, min(160, len(plain))), first_id)
    rng.shuffle(out)
    return out


LEAD = re.compile(r"\b(lead(er|ers|ership)|chief executive|CEO|command\w*|manag(er|ers|ement)|president|"
                  r"prime minister|minister|govern\w*|boss)\b", re.I)


def _overlaps(ref: dict, annotated: list[dict]) -> bool:
    return any(a["corpus"] == ref["corpus"] and a["file"] == ref["file"] and a["char_start"] < ref["char_end"]
               and ref["char_start"] < a["char_end"] for a in annotated)


def batch3(rows: list[tuple], annotated: list[dict], first_id: int) -> list[dict]:
    """Training-split files only, passages not yet annotated: every remaining
    `leadership-web` body passage of >= 12 words, every `html-news` passage of >= 15 words
    that talks about leaders, managers or government (real news about leaders: mostly
    neutral text in leadership vocabulary, and political framing), and 150 State of the
    Union passages from 1900 on that fire a codebook cue. `annotated`: the references
    already in real.jsonl; a passage overlapping one of them is left out."""
    taken = {a["sha256"] for a in annotated}
    web, news, sotu = [], [], []
    for src, lang, text, kind, year in rows:
        corpus, file = Path(src).parent.name, Path(src).name
        n = len(text.split())
        if kind != "body" or lang != "en" or split_of(corpus, file) != "train":
            continue
        if hashlib.sha256(text.encode()).hexdigest() in taken:
            continue
        if corpus == "leadership-web" and n >= 12:
            web.append((src, text))
        elif corpus == "html-news" and n >= 15 and LEAD.search(text):
            news.append((src, text))
        elif corpus == "sotu" and n >= 25 and (year or 0) >= 1900 and find_cues(text):
            sotu.append((src, text))
    rng = random.Random(2026_12_07)
    out = [r for r in _refs(web + news + rng.sample(sotu, 150), 0) if not _overlaps(r, annotated)]
    rng.shuffle(out)
    return [{**r, "id": f"r{first_id + k:04d}"} for k, r in enumerate(out)]


def merge(out: Path, batch: int) -> list[dict]:
    """The rows of `batch` for real.jsonl, from the pool and the annotations in `out`."""
    a, b = ({r["id"]: r for r in _jsonl(out / who / "out.jsonl")} for who in ("A", "B"))
    adj = {r["id"]: r for r in _jsonl(out / "adjudicated.jsonl")} if (out / "adjudicated.jsonl").is_file() else {}
    rows = []
    for ref in _jsonl(out / f"batch{batch}.jsonl"):
        i = ref["id"]
        label, hard, differ = decide(i, a, b, adj)
        rows.append({**{k: ref[k] for k in ("id", "corpus", "file", "char_start", "char_end", "sha256")},
                     "label": label, "hard": hard,
                     "label_a": a[i]["label"], "label_b": b[i]["label"], "adjudicated": differ,
                     "split": split_of(ref["corpus"], ref["file"]), "origin": "real", "batch": batch})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "discourse-pool")
    ap.add_argument("--merge", type=int, metavar="BATCH", help="append an annotated batch to real.jsonl")
    args = ap.parse_args()
    real = Path(__file__).with_name("real.jsonl")
    if args.merge:
        known = {r["id"] for r in _jsonl(real)}
        rows = [r for r in merge(args.out, args.merge) if r["id"] not in known]
        with open(real, "a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(f"batch {args.merge}: {len(rows)} rows appended to {real}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "pool.duckdb"
    ingest([SHARED / "seeds", SHARED / "leadership-web", SHARED / "sotu", SHARED / "html-news"], db)
    rows = _rows(db)
    first = [r for r in rows if Path(r[0]).parent.name != "html-news"]  # batches 1-2 predate html-news
    b1 = batch1(first)
    b2 = batch2(first, {r["sha256"] for r in b1}, 836)
    b3 = batch3(rows, [r for r in _jsonl(real) if r["batch"] < 3], 1332)
    for name, batch in (("batch1", b1), ("batch2", b2), ("batch3", b3)):
        with open(args.out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)
        print(name, len(batch), "→", args.out / f"{name}.jsonl")


if __name__ == "__main__":
    main()
