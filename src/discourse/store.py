"""The DuckDB store: the only module with SQL.

Tables: documents, passages, rejects, runs (the issue's contract), plus files (one row per
input file: its content hash, so reruns skip unchanged files); `documents.minhash` holds
each kept document's near-duplicate signature. Every input file is written in one transaction: a crash loses at most the
file in hand. A lock file beside the database stops two writers at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from discourse.errors import StoreError, StoreLockedError
from discourse.records import FileResult, Reject

__all__ = ["ANALYSIS_TABLES", "Store"]

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, piece INTEGER NOT NULL,
    title VARCHAR, author VARCHAR, published VARCHAR, year INTEGER, year_source VARCHAR,
    language VARCHAR, text VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, duplicate_of VARCHAR,
    url VARCHAR, doc_type VARCHAR, fmt VARCHAR, minhash UBIGINT[]);
CREATE TABLE IF NOT EXISTS passages (
    passage_id VARCHAR PRIMARY KEY, doc_id VARCHAR NOT NULL, seq INTEGER NOT NULL,
    text VARCHAR NOT NULL, char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
    kind VARCHAR NOT NULL DEFAULT 'body');
CREATE TABLE IF NOT EXISTS rejects (
    source VARCHAR NOT NULL, reason VARCHAR NOT NULL, detail VARCHAR, run_id VARCHAR,
    recorded TIMESTAMP);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, started TIMESTAMP NOT NULL, finished TIMESTAMP,
    command VARCHAR, counts JSON, status VARCHAR, version VARCHAR);
CREATE TABLE IF NOT EXISTS labels (
    passage_id VARCHAR NOT NULL, model_id VARCHAR NOT NULL, label VARCHAR NOT NULL,
    p_collaborative DOUBLE, p_heroic DOUBLE, p_neutral DOUBLE, evidence JSON, labelled TIMESTAMP,
    PRIMARY KEY (passage_id, model_id));
CREATE TABLE IF NOT EXISTS embeddings (
    text_key VARCHAR NOT NULL, embedder VARCHAR NOT NULL, vector FLOAT[] NOT NULL,
    PRIMARY KEY (text_key, embedder));
CREATE TABLE IF NOT EXISTS stages (
    stage VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, run_id VARCHAR, finished TIMESTAMP,
    seconds DOUBLE, rows JSON);
CREATE TABLE IF NOT EXISTS files (
    source VARCHAR PRIMARY KEY, file_sha256 VARCHAR NOT NULL, size BIGINT,
    status VARCHAR NOT NULL, run_id VARCHAR, ingested TIMESTAMP);
"""
_CORE_TABLES = {"documents", "passages", "rejects", "runs", "files", "labels", "embeddings", "stages"}
# analysis tables, each with what to run when it is missing
ANALYSIS_TABLES = {
    "topics": "run `discourse topics` first",
    "passage_topics": "run `discourse topics` first",
    "topic_terms_by_year": "run `discourse topics` first",
    "topic_quality": "run `discourse topics` first",
    "trend_topic_year": "run `discourse trends` first",
    "trend_framing_year": "run `discourse trends` first",
    "trend_topic_framing_year": "run `discourse trends` first",
    "trend_moves": "run `discourse trends` first",
    "trend_exemplars": "run `discourse trends` first",
    "trend_meta": "run `discourse trends` first",
}
_DOC_COLS = [
    "doc_id", "source", "piece", "title", "author", "published", "year", "year_source",
    "language", "text", "sha256", "duplicate_of", "url", "doc_type", "fmt",
]
_PAS_COLS = ["passage_id", "doc_id", "seq", "text", "char_start", "char_end", "kind"]




def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0]


def _lock_info(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096) or b"{}")
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


_HELD: dict[tuple[int, Path], list[int]] = {}  # (pid, lock file) -> [fd, depth]: locks held here


def _forget_inherited_locks() -> None:
    """In a forked child: close the parent's lock descriptors. The parent still holds its
    locks; the child must not keep them alive after the parent dies."""
    for fd, _depth in _HELD.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_inherited_locks)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _in_use(path: Path, info: dict) -> StoreLockedError:
    return StoreLockedError(f"store {path} is in use by PID {info.get('pid', '?')} ({info.get('command', '?')}, "
                            f"since {info.get('since', '?')}); wait for it to finish or stop it")


def _legacy_holder(info: dict) -> bool:
    """A lock file from a discourse that locked by PID file alone (no flock to test): it
    is honoured while its PID lives."""
    pid = info.get("pid")
    return "lock" not in info and isinstance(pid, int) and pid != os.getpid() and _pid_alive(pid)


def _flock(lock: Path, store: Path) -> int:
    """A descriptor of `lock` holding its exclusive flock, or StoreLockedError naming the
    holder. The kernel drops a flock when its process dies, however it dies, so a lock
    file left by a killed run is stale by construction; and two runs racing for it cannot
    both win (a PID file checked, then created, let them)."""
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"store {store}: cannot create its lock file {lock} ({exc.strerror or exc}); "
                             "choose a --db in a writable folder") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            info = _lock_info(fd)
            os.close(fd)
            raise _in_use(store, info) from None
        try:  # still the file at the path? (a closing holder unlinks it while holding it)
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
    raise StoreLockedError(f"store {store}: its lock file keeps changing; another run is starting, try again")


class Store:
    """A DuckDB file holding one corpus. Use as a context manager."""

    def __init__(self, path: str | Path, *, read_only: bool = False, command: str = "") -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.command = command
        self._lock = self.path.with_name(self.path.name + ".lock")
        self._locked = False
        self.con = None

    # -- opening, locking -------------------------------------------------
    def _take_lock(self) -> None:
        """Hold an exclusive flock on FILE.duckdb.lock while the store is open; re-entrant
        within one process (the same store opened again, e.g. by a later stage)."""
        key = (os.getpid(), self._lock.resolve())
        if held := _HELD.get(key):
            held[1] += 1
            self._locked = True
            return
        fd = _flock(self._lock, self.path)
        info = _lock_info(fd)
        if _legacy_holder(info):
            os.close(fd)
            raise _in_use(self.path, info)
        if info.get("pid"):
            logger.info("store %s: took over the lock left by PID %s, which is gone", self.path, info["pid"])
        mine = {"pid": os.getpid(), "command": self.command, "since": _now().isoformat(), "lock": "flock"}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(mine).encode(), 0)
        _HELD[key] = [fd, 1]
        self._locked = True

    def _release_lock(self) -> None:
        """Give back this object's hold (once: a read-only store, or a second close, must
        not release a hold taken by another opener in this process)."""
        key = (os.getpid(), self._lock.resolve())
        held = _HELD.get(key)
        if not (self._locked and held):
            return
        self._locked = False
        held[1] -= 1
        if held[1] == 0:
            del _HELD[key]
            with contextlib.suppress(OSError):
                self._lock.unlink()  # while still holding it; see _flock
            os.close(held[0])

    @contextmanager
    def held(self) -> Iterator[Store]:
        """Hold the store's lock (no connection) for a sequence of stages."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            yield self
        finally:
            self._release_lock()

    def open(self) -> Store:
        import duckdb

        if self.read_only and not self.path.exists():
            raise StoreError(f"store {self.path} does not exist; run `discourse ingest` first")
        if not self.read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"store {self.path}: cannot create its folder ({exc.strerror or exc}); "
                                 "choose a --db in a writable folder") from exc
            self._take_lock()
        try:
            self.con = duckdb.connect(str(self.path), read_only=self.read_only)
            if not self.read_only:
                self.con.execute(_SCHEMA)
        except duckdb.Error as exc:
            if self.con is None and not self.read_only:
                self._release_lock()
            self.close()
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        return self

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        self._release_lock()

    def __enter__(self) -> Store:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads --------------------------------------------------------------
    def file_hash(self, source: str) -> str | None:
        row = self.con.execute("SELECT file_sha256 FROM files WHERE source = ?", [source]).fetchone()
        return row[0] if row else None

    def file_hashes(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT source, file_sha256 FROM files").fetchall())

    def document_hashes(self) -> dict[str, tuple[str, str]]:
        """sha256 → (doc_id, source) of every document that is not itself a duplicate."""
        rows = self.con.execute(
            "SELECT sha256, min(doc_id), min(source) FROM documents WHERE duplicate_of IS NULL GROUP BY sha256"
        ).fetchall()
        return {sha: (doc_id, source) for sha, doc_id, source in rows}

    def signatures(self) -> dict[str, np.ndarray]:
        rows = self.con.execute(
            "SELECT doc_id, minhash FROM documents WHERE duplicate_of IS NULL AND minhash IS NOT NULL"
        ).fetchall()
        return {doc_id: np.asarray(sig, dtype=np.uint64) for doc_id, sig in rows}

    def doc_ids_for(self, source: str) -> list[str]:
        rows = self.con.execute("SELECT doc_id FROM documents WHERE source = ?", [source]).fetchall()
        return [r[0] for r in rows]

    def table(self, name: str):
        if name not in _CORE_TABLES | set(ANALYSIS_TABLES):
            raise StoreError(f"no table {name!r} in the store")
        if not self.has_table(name):
            raise StoreError(f"table {name!r} is not in {self.path} yet; {ANALYSIS_TABLES.get(name, 'run its stage')}")
        return self.con.execute(f"SELECT * FROM {name}").df()

    def has_table(self, name: str) -> bool:
        return bool(self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0])

    def corpus_passages(self) -> pd.DataFrame:
        """Body passages of kept documents with their document's year, ordered by id;
        `text_key` is the sha256 of the text (the embedding cache key)."""
        return self.con.execute(
            "SELECT p.passage_id, p.doc_id, p.text, d.year, sha256(p.text) AS text_key "
            "FROM passages p JOIN documents d USING (doc_id) "
            "WHERE p.kind = 'body' AND d.duplicate_of IS NULL ORDER BY p.passage_id").df()

    def document_frame(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT doc_id, source, piece, title, author, year, url FROM documents "
            "WHERE duplicate_of IS NULL ORDER BY doc_id").df()

    def label_frame(self, model_id: str | None = None) -> tuple[str, pd.DataFrame]:
        """Labels of one model (default: the most recently written), as (model_id, frame)."""
        if model_id is None:
            rows = self.con.execute(
                "SELECT model_id FROM labels GROUP BY model_id ORDER BY max(labelled) DESC LIMIT 1").fetchall()
            if not rows:
                raise StoreError(f"no labels in {self.path}; run `discourse label --db {self.path}` first")
            model_id = rows[0][0]
        frame = self.con.execute(
            "SELECT passage_id, label, p_collaborative, p_heroic, p_neutral, evidence FROM labels "
            "WHERE model_id = ? ORDER BY passage_id", [model_id]).df()
        return model_id, frame

    def state(self) -> dict[str, Any]:
        """Digests of what later stages read: the passage set, the labels, the last topic
        and trend runs (a pipeline stage reruns when one of its inputs' digests changes)."""
        one = lambda sql: self.con.execute(sql).fetchall()[0]  # noqa: E731
        out: dict[str, Any] = {
            "passages": list(one("SELECT count(*), md5(coalesce(string_agg(p.passage_id, ',' ORDER BY p.passage_id), '')) "
                                 "FROM passages p JOIN documents d USING (doc_id) WHERE p.kind = 'body' AND d.duplicate_of IS NULL")),
            "labels": [list(r) for r in self.con.execute(
                "SELECT model_id, count(*), md5(string_agg(passage_id || label, ',' ORDER BY passage_id)) FROM labels "
                "GROUP BY model_id ORDER BY model_id").fetchall()],
        }
        out["corpus"] = self.summary()
        for key, table in (("topics_run", "topic_quality"), ("trends_run", "trend_meta")):
            out[key] = one(f"SELECT max(run_id) FROM {table}")[0] if self.has_table(table) else None
        return out

    def stage_record(self, stage: str) -> dict | None:
        rows = self.con.execute("SELECT fingerprint, run_id, rows FROM stages WHERE stage = ?", [stage]).fetchall()
        if not rows:
            return None
        fingerprint, run_id, counts = rows[0]
        return {"fingerprint": fingerprint, "run_id": run_id, "rows": json.loads(counts) if counts else {}}

    def record_stage(self, stage: str, fingerprint: str, run_id: str, seconds: float, rows: dict) -> None:
        self.con.execute("INSERT OR REPLACE INTO stages VALUES (?, ?, ?, ?, ?, ?)",
                         [stage, fingerprint, run_id, _now(), seconds, json.dumps(rows, sort_keys=True, default=str)])

    # -- embedding cache (keyed by sha256 of the passage text) ---------------
    _MISSING = ("FROM (SELECT sha256(p.text) AS k, p.text FROM passages p JOIN documents d USING (doc_id) "
                "WHERE p.kind = 'body' AND d.duplicate_of IS NULL) q WHERE NOT EXISTS "
                "(SELECT 1 FROM embeddings e WHERE e.embedder = ? AND e.text_key = q.k)")

    def iter_missing_embeddings(self, embedder: str, batch: int) -> Iterator[list[tuple[str, str]]]:
        """Batches of (text_key, text) with no cached embedding, shortest texts first (so the
        encoder's batches carry little padding). The pending set is computed once into a
        temporary table and paged through, not re-scanned per batch (that grew with the
        square of the corpus); Python holds one batch at a time."""
        yield from self._paged(f"SELECT k AS id, any_value(text) AS text {self._MISSING} GROUP BY k",
                               [embedder], "length(text), id", batch)

    def _paged(self, select: str, params: list, order: str, batch: int) -> Iterator[list[tuple[str, str]]]:
        table = f"_pending_{os.getpid()}_{id(self)}"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT row_number() OVER (ORDER BY {order}) "
                         f"AS rn, id, text FROM ({select})", params)
        try:
            last = 0
            while rows := self.con.execute(f"SELECT rn, id, text FROM {table} WHERE rn > ? ORDER BY rn LIMIT ?",
                                           [last, batch]).fetchall():
                last = rows[-1][0]
                yield [(i, t) for _, i, t in rows]
        finally:
            with contextlib.suppress(Exception):
                self.con.execute(f"DROP TABLE IF EXISTS {table}")

    def count_missing_embeddings(self, embedder: str) -> int:
        return self.con.execute(f"SELECT count(DISTINCT k) {self._MISSING}", [embedder]).fetchall()[0][0]

    def embeddings_for(self, embedder: str, keys: list[str]) -> dict[str, np.ndarray]:
        if not keys:
            return {}
        table = self.con.sql(
            "SELECT text_key, vector FROM embeddings WHERE embedder = ? AND text_key IN (SELECT unnest(?))",
            params=[embedder, list(keys)]).to_arrow_table()
        if table.num_rows == 0:
            return {}
        flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        matrix = flat.astype(np.float32).reshape(table.num_rows, -1)
        return dict(zip(table.column("text_key").to_pylist(), matrix, strict=True))

    def write_embeddings(self, embedder: str, keys: list[str], vectors: np.ndarray) -> None:
        """Cache vectors (one transaction; keys already cached are left as they are)."""
        if not keys:
            return
        import pyarrow as pa

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        batch = pa.table({"text_key": pa.array(list(keys), pa.string()),
                          "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), vectors.shape[1])})
        self.con.register("_new_vectors", batch)  # Arrow in, no Python float lists
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("INSERT OR IGNORE INTO embeddings SELECT text_key, ?, vector::FLOAT[] FROM _new_vectors",
                             [embedder])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.unregister("_new_vectors")

    # -- analysis tables (topics, trends): replaced whole, atomically --------
    def replace_tables(self, frames: dict[str, pd.DataFrame]) -> None:
        """Replace each named analysis table by its frame, all in one transaction: a crash
        leaves the previous tables, never a mix."""
        unknown = set(frames) - set(ANALYSIS_TABLES)
        if unknown:
            raise StoreError(f"not analysis tables: {sorted(unknown)}")
        self.con.execute("BEGIN TRANSACTION")
        try:
            for name, frame in frames.items():
                self.con.register("_frame", frame)
                self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame")
                self.con.unregister("_frame")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    # -- writes -------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        """One transaction. A DuckDB failure (disk full, file made read-only) becomes a
        StoreError saying what was being written; earlier commits are untouched."""
        import duckdb

        try:
            self.con.execute("BEGIN TRANSACTION")
            yield
            self.con.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(Exception):
                self.con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise StoreError(f"store {self.path}: writing {what} failed ({_first_line(exc)}); what was "
                                 "committed before is kept; free disk space or fix permissions, then rerun") from exc
            raise

    def _delete_source(self, source: str) -> None:
        ids = self.doc_ids_for(source)
        if ids:
            self.con.execute("DELETE FROM passages WHERE list_contains(?, doc_id)", [ids])
            self.con.execute("DELETE FROM documents WHERE source = ?", [source])
        self.con.execute("DELETE FROM rejects WHERE source = ? OR starts_with(source, ?)", [source, source + "#"])
        self.con.execute("DELETE FROM files WHERE source = ?", [source])

    def write_files(self, results: list[FileResult], run_id: str, known: set[str]) -> None:
        """Replace everything recorded for each file's source, all in one transaction (one
        insert per table: a transaction and a statement cost about a millisecond each here,
        which per file was a quarter of a single-process ingest). Sources in `known` may
        have rows already and are deleted first; the others are taken to be new."""
        if not results:
            return
        what = results[0].source if len(results) == 1 else f"{len(results)} files from {results[0].source}"
        now = _now()
        with self._transaction(f"the rows of {what}"):
            for result in results:
                if result.source in known:
                    self._delete_source(result.source)
            self._append("documents", [*_DOC_COLS, "minhash"],
                         [[*(getattr(d, c) for c in _DOC_COLS), r.signatures.get(d.doc_id)]
                          for r in results for d in r.documents])
            self._append("passages", _PAS_COLS, [[getattr(p, c) for c in _PAS_COLS] for r in results for p in r.passages])
            self._insert_rejects([x for r in results for x in r.rejects], run_id)
            self._append("files", ["source", "file_sha256", "size", "status", "run_id", "ingested"],
                         [[r.source, r.file_sha256, r.size, "ok" if r.documents else "rejected", run_id, now]
                          for r in results])

    def _append(self, table: str, cols: list[str], rows: list[list]) -> None:
        """Insert rows with one statement: each column bound as a list and UNNESTed
        (measured faster here than Arrow registration or executemany)."""
        if not rows:
            return
        columns = [list(c) for c in zip(*rows, strict=True)]
        if "minhash" in cols:
            i = cols.index("minhash")
            columns[i] = [None if sig is None else sig.tolist() for sig in columns[i]]
        select = ", ".join("unnest(?)" for _ in cols)
        self.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select}", columns)

    def _insert_rejects(self, rejects: list[Reject], run_id: str) -> None:
        self._append("rejects", ["source", "reason", "detail", "run_id", "recorded"],
                     [[r.source, str(r.reason), r.detail, run_id, _now()] for r in rejects])

    def replace_rejects(self, source: str, rejects: list[Reject], run_id: str) -> None:
        """Record rejects that belong to no input file (e.g. manifest problems)."""
        with self._transaction(f"the rejects of {source}"):
            self.con.execute("DELETE FROM rejects WHERE source = ?", [source])
            self._insert_rejects(rejects, run_id)

    def start_run(self, run_id: str, command: str, version: str) -> None:
        with self._transaction("the run record"):
            self.con.execute(
                "INSERT INTO runs (run_id, started, command, status, version) VALUES (?, ?, ?, 'running', ?)",
                [run_id, _now(), command, version],
            )

    def finish_run(self, run_id: str, counts: dict[str, Any], status: str) -> None:
        with self._transaction("the run record"):
            self.con.execute(
                "UPDATE runs SET finished = ?, counts = ?, status = ? WHERE run_id = ?",
                [_now(), json.dumps(counts, sort_keys=True), status, run_id],
            )

    _UNLABELLED = ("FROM passages p JOIN documents d USING (doc_id) WHERE p.kind = 'body' AND "
                   "d.duplicate_of IS NULL AND NOT EXISTS (SELECT 1 FROM labels l "
                   "WHERE l.passage_id = p.passage_id AND l.model_id = ?)")

    def iter_unlabelled(self, model_id: str, batch: int) -> Iterator[list[tuple[str, str]]]:
        """Batches of (passage_id, text) not yet labelled by `model_id`, in passage order,
        from one scan of the corpus (see `iter_missing_embeddings`)."""
        yield from self._paged(f"SELECT p.passage_id AS id, p.text AS text {self._UNLABELLED}", [model_id],
                               "id", batch)

    def count_unlabelled(self, model_id: str) -> int:
        return self.con.execute(f"SELECT count(*) {self._UNLABELLED}", [model_id]).fetchall()[0][0]

    def write_labels(self, model_id: str, rows: list[dict]) -> None:
        """Insert one batch of labels in one transaction (rows: passage_id, label, probs, evidence)."""
        now = _now()
        with self._transaction(f"{len(rows)} labels"):
            self._append("labels", ["passage_id", "model_id", "label", "p_collaborative", "p_heroic",
                                    "p_neutral", "evidence", "labelled"],
                         [[r["passage_id"], model_id, r["label"], r["probs"].get("collaborative"),
                           r["probs"].get("heroic"), r["probs"].get("neutral"), json.dumps(r["evidence"]), now]
                          for r in rows])

    def summary(self) -> dict[str, Any]:
        one = lambda sql: self.con.execute(sql).fetchone()[0]  # noqa: E731
        reasons = self.con.execute(
            "SELECT reason, count(*) FROM rejects GROUP BY reason ORDER BY reason"
        ).fetchall()
        return {
            "files": one("SELECT count(*) FROM files"),
            "documents": one("SELECT count(*) FROM documents WHERE duplicate_of IS NULL"),
            "duplicates": one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"),
            "passages": one("SELECT count(*) FROM passages"),
            "dated": one("SELECT count(*) FROM documents WHERE year IS NOT NULL AND duplicate_of IS NULL"),
            "rejects": dict(reasons),
        }
