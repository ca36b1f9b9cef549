"""How the real passages were drawn for annotation (batches 1 and 2), kept for the record.

    .venv/bin/python corpus/annotations/build_pool.py --out /tmp/discourse-pool

Writes pool files *outside the repo* (they hold third-party text): `batch1.jsonl` and
`batch2.jsonl` with id, corpus, file, char_start, char_end, sha256 and text. Annotators
saw only id and text. At the commit that added it, a rerun drew exactly the 835 + 496
passages in real.jsonl; later ingest changes may shift the draw, and real.jsonl keeps the
references actually used.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "discourse-pool")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "pool.duckdb"
    ingest([SHARED / "seeds", SHARED / "leadership-web", SHARED / "sotu"], db)
    rows = _rows(db)
    b1 = batch1(rows)
    b2 = batch2(rows, {r["sha256"] for r in b1}, 836)
    for name, batch in (("batch1", b1), ("batch2", b2)):
        with open(args.out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)
        print(name, len(batch), "→", args.out / f"{name}.jsonl")


if __name__ == "__main__":
    main()
