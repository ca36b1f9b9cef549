"""Framing wired to inputs and outputs: JSONL in/out, one document scored, the store's
`labels` table filled incrementally."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from discourse.config import IngestSettings
from discourse.errors import DiscourseError

if TYPE_CHECKING:
    from discourse.ingest.process import FileResult

__all__ = ["annotation_queue", "classify_jsonl", "label_store", "read_document", "read_done", "resolver",
           "save_answer", "score_document", "train"]

Progress = Callable[[int], None]
logger = logging.getLogger(__name__)


@contextmanager
def _open(path: str | Path, mode: str) -> Iterator[IO[str]]:
    if str(path) == "-":
        yield sys.stdin if "r" in mode else sys.stdout
        return
    if "w" in mode:  # write beside, then rename: a crash never leaves half an output file
        tmp = Path(str(path) + ".tmp")
        with open(tmp, mode, encoding="utf-8") as fh:
            yield fh
        tmp.replace(path)
    else:
        with open(path, mode, encoding="utf-8") as fh:
            yield fh


def _records(fh: IO[str]) -> Iterator[tuple[int, dict | None, str | None]]:
    for n, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, None, f"line {n}: not valid JSON ({exc.msg})"
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            yield n, rec if isinstance(rec, dict) else None, f"line {n}: needs a string 'text'"
            continue
        yield n, rec, None


def classify_jsonl(inp: str | Path, out: str | Path, predictor, batch: int = 64,
                   progress: Progress | None = None) -> dict:
    """Label every `{"id", "text"}` line of `inp` into `out` (`-` = stdin/stdout), in input
    order. A bad line gives an output line with `label: null` and an `error`; the rest go on."""
    counts = {"lines": 0, "errors": 0}
    with _open(inp, "r") as src, _open(out, "w") as dst:
        pending: list[tuple[dict | None, str | None]] = []

        def flush() -> None:
            good = [rec for rec, err in pending if err is None]
            preds = iter(predictor.predict([rec["text"] for rec in good]))
            for rec, err in pending:
                rid = rec.get("id") if rec else None
                row = {"id": rid, "label": None, "probs": None, "evidence": [], "error": err} if err else {"id": rid, **next(preds)}
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
            counts["lines"] += len(pending)
            counts["errors"] += sum(err is not None for _, err in pending)
            if progress:
                progress(counts["lines"])
            pending.clear()

        for _, rec, err in _records(src):
            pending.append((rec, err))
            if len(pending) >= batch:
                flush()
        flush()
    return counts


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """Control characters (newlines in a file name, say) shown escaped: an error is one line."""
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)


def _document_bytes(path: str | Path, settings: IngestSettings) -> tuple[Path, bytes]:
    """(name that picks the reader, bytes), with ingest's checks (size, regular file)."""
    from discourse.errors import SkipError
    from discourse.ingest.process import read_input
    from discourse.records import SkipReason

    if str(path) == "-":
        data = sys.stdin.buffer.read(settings.max_file_bytes + 1)
        if len(data) > settings.max_file_bytes:
            raise SkipError(SkipReason.TOO_LARGE, f"more than {settings.max_file_bytes:,} bytes "
                                                  "(setting ingest.max_file_bytes)")
        return Path("stdin.html" if data.lstrip()[:1] == b"<" else "stdin.txt"), data
    return Path(path), read_input(Path(path), settings)


def read_document(path: str | Path, settings: IngestSettings | None = None) -> FileResult:
    """One document (`-` for stdin) read, cleaned and segmented as ingest would, returned as
    a `FileResult` with passages; a `DiscourseError` (one line) when it cannot be scored."""
    from discourse.errors import SkipError
    from discourse.ingest.process import process_bytes, source_name

    settings = settings or IngestSettings()
    shown = _one_line(source_name(path))
    try:
        name, data = _document_bytes(path, settings)
        result = process_bytes(source_name(path), name, data, None, settings)
    except SkipError as exc:
        raise DiscourseError(_one_line(f"score: {shown}: {exc.reason}: {exc.detail}")) from exc
    except (MemoryError, RecursionError, Exception) as exc:  # a bug on one input: say so in one line
        logger.info("unexpected error on %s", shown, exc_info=True)
        raise DiscourseError(_one_line(f"score: {shown}: internal-error: {type(exc).__name__}: {exc} "
                                       "(please report; -v shows the traceback)")) from exc
    if not result.passages:
        reason = result.rejects[0] if result.rejects else None
        raise DiscourseError(_one_line(f"score: {shown}: " + (f"{reason.reason}: {reason.detail}"
                                                                 if reason else "no passages")))
    return result


def score_document(path: str | Path, predictor, settings: IngestSettings | None = None) -> dict:
    """Clean and segment one document, label each passage and summarise the document:
    framing shares weighted by passage length (probabilities, so uncertain passages count
    by how likely each framing is), and its most heroic and most collaborative passages.

    `predictor` may be a zero-argument loader; it is then called only once the document
    has been read, so an unreadable file fails at once, without loading a model."""
    result = read_document(path, settings)
    if not hasattr(predictor, "predict"):
        predictor = predictor()
    passages = [p for p in result.passages if p.kind == "body"] or result.passages
    preds = predictor.predict([p.text for p in passages])
    rows = [{"piece": next(d.piece for d in result.documents if d.doc_id == p.doc_id), "seq": p.seq,
             "char_start": p.char_start, "text": p.text, **pred} for p, pred in zip(passages, preds, strict=True)]
    weights = [len(p.text) for p in passages]
    total = sum(weights)
    shares = {c: round(sum(w * r["probs"][c] for w, r in zip(weights, rows, strict=True)) / total, 4)
              for c in predictor.classes}
    best = {c: max(rows, key=lambda r, c=c: r["probs"][c]) for c in ("heroic", "collaborative")}
    doc = result.documents[0]
    return {"source": str(path), "title": doc.title, "author": doc.author, "year": doc.year,
            "model": predictor.model_id, "passages": rows, "shares": shares,
            "most_heroic": best["heroic"], "most_collaborative": best["collaborative"]}


def label_store(db: str | Path, predictor, batch: int = 256,
                progress: Callable[[str, int, int | None], None] | None = None,
                command: str = "discourse label", executor=None) -> dict:
    """Label every body passage of the store not yet labelled by this model; each batch
    commits on its own, so a rerun after a crash continues where it stopped. Passages are
    embedded first (cached in the store, shared with `discourse topics`; on the executor's
    workers when it is distributed), then classified here."""
    from discourse.pipeline.embeddings import StoreEncoder, embed_store, get_embedder
    from discourse.store import Store

    done = 0
    with Store(db, command=command) as store:
        if predictor.embedder:
            tick = (lambda n, total: progress("embed", n, total)) if progress else None
            embed_store(store, predictor.embedder, progress=tick, executor=executor,
                        spans=predictor.pooling == "spans")
            predictor.use_encoder(StoreEncoder(store, get_embedder(predictor.embedder), predictor.embedder))
        todo = store.count_unlabelled(predictor.model_id) if progress else None
        for rows in store.iter_unlabelled(predictor.model_id, batch):
            preds = predictor.predict([text for _, text in rows])
            store.write_labels(predictor.model_id, [{"passage_id": pid, **p} for (pid, _), p in zip(rows, preds, strict=True)])
            done += len(rows)
            if progress:
                progress("label", done, todo)
        total = store.query("SELECT count(*) FROM labels WHERE model_id = ?", [predictor.model_id])[0][0]
    return {"model": predictor.model_id, "labelled_now": done, "labelled_total": total}


def resolver(shared: str | Path):
    """Reference → text for real annotations: the source file under `shared`, decoded and
    normalised exactly as ingest does, sliced at the stored offsets, hash-checked."""
    from discourse.framing.data import check_reference
    from discourse.ingest.normalize import decode_bytes, normalize_text

    shared, cache = Path(shared), {}

    def resolve(ref: dict) -> str | None:
        path = shared / ref["corpus"] / ref["file"]
        if not path.is_file():
            return None
        if path not in cache:
            cache[path] = normalize_text(decode_bytes(path.read_bytes())[0])
        return check_reference(ref, cache[path][ref["char_start"]:ref["char_end"]])

    return resolve


def train(annotations: str | Path, shared: str | Path, out: str | Path,
          models: tuple[str, ...] = ("tuned", "minilm", "hybrid", "tfidf", "fast"), seed: int = 0, commands: list[str] | None = None) -> dict:
    """Load the annotation set (real passages resolved from `shared`), train and evaluate
    the models, save them to `out` and write its MODEL_CARD.md."""
    from discourse.framing.card import write_model_card
    from discourse.framing.data import load_annotations
    from discourse.framing.train import train_models

    if not Path(shared).is_dir():
        raise DiscourseError(f"train: {shared} not found; the real annotations are read from ../shared/corpus")
    examples = load_annotations(annotations, resolver(shared))
    report = train_models(examples, out, models, seed)
    write_model_card(report, out, commands or [f"discourse train --seed {seed}"])
    return report


def annotation_queue(db: str | Path, predictor, done: set[str], limit: int = 50,
                     pool: int = 2000) -> list[dict]:
    """Passages to annotate next: the ones the model is least sure about (entropy of its
    probabilities), at most one per document, skipping passages in `done`. Reads the store
    only."""
    import numpy as np

    from discourse.store import Store

    with Store(db, read_only=True) as store:
        rows = store.query(
            "SELECT p.passage_id, p.doc_id, p.text FROM passages p JOIN documents d USING (doc_id) "
            "WHERE p.kind = 'body' AND d.duplicate_of IS NULL ORDER BY hash(p.passage_id) LIMIT ?",
            [pool + len(done)])
    rows = [r for r in rows if r[0] not in done][:pool]
    if not rows:
        return []
    proba = predictor.predict_proba([r[2] for r in rows])
    entropy = -(proba * np.log(proba + 1e-12)).sum(axis=1)
    picked, docs = [], set()
    for i in np.argsort(-entropy):
        pid, doc, text = rows[i]
        if doc in docs:
            continue  # diversity: one passage per document per round
        docs.add(doc)
        picked.append({"passage_id": pid, "doc_id": doc, "text": text,
                       "probs": {c: round(float(p), 4) for c, p in zip(predictor.classes, proba[i], strict=True)}})
        if len(picked) >= limit:
            break
    return picked


def read_done(out: str | Path) -> set[str]:
    """Passage ids already annotated in `out` (so a session resumes where it stopped)."""
    path = Path(out)
    if not path.is_file():
        return set()
    done = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            done.add(json.loads(line)["passage_id"])
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut by a crash: that answer is asked again
    return done


def save_answer(out: str | Path, record: dict) -> None:
    """Append one answer and flush it to disk before the next question."""
    import os

    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
