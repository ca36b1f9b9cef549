"""Wiring stages to the store. For now: the ingest stage (files → store).

Each input file is processed by the pure `discourse.ingest` functions and written, with its
dedupe decisions, in a store transaction that holds whole files (a few dozen at most), so a
crash loses at most the files in flight, Ctrl-C none that were parsed, and a rerun skips
every file whose bytes are unchanged.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import logging
import os
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from discourse import __version__
from discourse.config import IngestSettings
from discourse.errors import SkipError
from discourse.ingest.dedupe import NearDuplicateIndex
from discourse.ingest.metadata import MANIFEST_NAME, ManifestRow, read_manifest
from discourse.ingest.process import FileResult, process_bytes, read_input, source_name
from discourse.records import Reject, SkipReason
from discourse.store import Store

__all__ = ["IngestSummary", "InputFile", "clean_paths", "ingest", "iter_inputs"]

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    source: str
    row: ManifestRow | None
    root: Path | None = None  # the folder walked to find it (None: named on the command line)


@dataclass(slots=True)
class IngestSummary:
    run_id: str
    files_seen: int = 0
    files_skipped_unchanged: int = 0
    files_written: int = 0
    documents: int = 0
    passages: int = 0
    duplicates: int = 0
    rejects: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: bool = False
    store: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "files_seen": self.files_seen,
            "files_skipped_unchanged": self.files_skipped_unchanged,
            "files_written": self.files_written, "documents": self.documents,
            "passages": self.passages, "duplicates": self.duplicates,
            "rejects": dict(sorted(self.rejects.items())), "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted, "store": self.store,
        }


def _walk(root: Path) -> Iterator[Path]:
    """Files under `root`, sorted; links to folders are yielded (to be recorded as refused)
    rather than followed."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in links)
        for name in sorted(filenames + links):
            if not name.startswith(".") and name != MANIFEST_NAME:
                yield Path(dirpath) / name


def iter_inputs(paths: list[str | Path], manifest_problems: dict[str, list[str]] | None = None) -> Iterator[InputFile]:
    """Files under `paths` (sorted, hidden files skipped), each with its manifest row."""
    manifests: dict[Path, dict[str, ManifestRow]] = {}
    for given in paths:
        root = Path(given)
        files = [root] if not root.is_dir() else _walk(root)
        for path in files:
            folder = path.parent
            if folder not in manifests:
                manifests[folder], problems = read_manifest(folder)
                if problems and manifest_problems is not None:
                    manifest_problems[str(folder / MANIFEST_NAME)] = problems
            yield InputFile(path, source_name(path), manifests[folder].get(path.name),
                            root if root.is_dir() else None)


class _Dedupe:
    """Exact (normalised-text hash) and near (MinHash LSH) duplicate memory for one run,
    loaded once from the store and kept in step with every write."""

    def __init__(self, store: Store, settings: IngestSettings) -> None:
        self.index = NearDuplicateIndex(settings.near_duplicate_threshold, settings.minhash_permutations)
        for doc_id, sig in store.signatures().items():
            self.index.add(doc_id, sig)
        self.by_hash: dict[str, tuple[str, str]] = store.document_hashes()  # sha -> (doc_id, source)

    def forget(self, source: str, doc_ids: list[str]) -> None:
        """Drop a changed file's old documents before its new version is compared."""
        for doc_id in doc_ids:
            self.index.remove(doc_id)
        if doc_ids:
            self.by_hash = {k: v for k, v in self.by_hash.items() if v[1] != source}

    def mark(self, result: FileResult) -> FileResult:
        """Set `duplicate_of` on documents that repeat an earlier one; drop their passages."""
        docs, passages, sigs = [], list(result.passages), dict(result.signatures)
        for doc in result.documents:
            hit = self.by_hash.get(doc.sha256)
            dup = hit[0] if hit else None
            if dup is None and (near := self.index.query(sigs[doc.doc_id])):
                dup = near[0]
            if dup:
                doc = replace(doc, duplicate_of=dup)
                passages = [p for p in passages if p.doc_id != doc.doc_id]
                sigs.pop(doc.doc_id, None)
            else:
                self.by_hash[doc.sha256] = (doc.doc_id, result.source)
                self.index.add(doc.doc_id, sigs[doc.doc_id])
            docs.append(doc)
        return replace(result, documents=docs, passages=passages, signatures=sigs)


def _process_guarded(item: InputFile, data: bytes, file_sha: str, settings: IngestSettings) -> FileResult:
    """process_bytes, with any unexpected error turned into a recorded reject (a bug in one
    file's handling must not stop the batch; the traceback goes to the log)."""
    try:
        return process_bytes(item.source, item.path, data, item.row, settings)
    except (MemoryError, RecursionError, Exception) as exc:  # noqa: BLE001
        logger.exception("unexpected error on %s", item.source)
        return FileResult(item.source, file_sha, len(data), rejects=[Reject(
            item.source, SkipReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc} (please report)")])


def _read(item: InputFile, stored_hash: str | None, settings: IngestSettings) -> FileResult | None:
    """Process one input file; None when its bytes are unchanged since the last ingest."""
    if any(fnmatch.fnmatch(item.path.name, pattern) for pattern in settings.ignore_names):
        if stored_hash == "ignored":
            return None
        return FileResult(item.source, "ignored", 0, rejects=[Reject(
            item.source, SkipReason.IGNORED, "folder documentation, not an article (setting ingest.ignore_names)")])
    try:
        data = read_input(item.path, settings, item.root)
    except SkipError as exc:
        key = f"{exc.reason}:{exc.detail}"  # stands in for the content hash of a refused file
        if stored_hash == key:
            return None
        return FileResult(item.source, key, 0, rejects=[Reject(item.source, SkipReason(exc.reason), exc.detail)])
    file_sha = hashlib.sha256(data).hexdigest()
    if stored_hash == file_sha:
        return None
    return _process_guarded(item, data, file_sha, settings)


class _Writer(threading.Thread):
    """The single store writer. Files arrive in input order through a short queue; they are
    deduplicated in that order and committed together, several files per transaction (see
    `Store.write_files`), while the next ones are parsed. A batch is written when it holds
    `BATCH_FILES` files or `BATCH_CHARS` characters of passages, when no file has come for
    `BATCH_SECONDS`, and at the end (on Ctrl-C too)."""

    BATCH_FILES = 32
    BATCH_CHARS = 4_000_000
    BATCH_SECONDS = 1.0

    def __init__(self, store: Store, dedupe: _Dedupe, run_id: str, summary: IngestSummary) -> None:
        super().__init__(name="discourse-store-writer", daemon=True)
        self.store, self.dedupe, self.run_id, self.summary = store, dedupe, run_id, summary
        self.jobs: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        finished = False
        while not finished:
            batch, chars = [], 0
            job = self.jobs.get()
            deadline = time.monotonic() + self.BATCH_SECONDS
            while job is not None:
                batch.append(job)
                chars += sum(len(p.text) for p in job[0].passages)
                if len(batch) >= self.BATCH_FILES or chars >= self.BATCH_CHARS:
                    break
                try:
                    job = self.jobs.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
            else:
                finished = True
            if batch and self.error is None:
                try:
                    self._write(batch)
                except BaseException as exc:  # handed to the main thread, which re-raises
                    self.error = exc

    def _write(self, batch: list[tuple[FileResult, str | None]]) -> None:
        results, known = [], set()
        for result, stored_hash in batch:
            old_ids = self.store.doc_ids_for(result.source) if stored_hash is not None else []
            self.dedupe.forget(result.source, old_ids)  # a changed file replaces its old rows
            results.append(self.dedupe.mark(result))
            if stored_hash is not None or old_ids:
                known.add(result.source)
        self.store.write_files(results, self.run_id, known)
        s = self.summary
        for result in results:
            s.files_written += 1
            s.documents += sum(d.duplicate_of is None for d in result.documents)
            s.duplicates += sum(d.duplicate_of is not None for d in result.documents)
            s.passages += len(result.passages)
            s.rejects.update(str(r.reason) for r in result.rejects)

    def put(self, result: FileResult, stored_hash: str | None) -> None:
        self._check()
        self.jobs.put((result, stored_hash))

    def close(self) -> None:
        """Write what is queued, stop, and re-raise a write error."""
        self.jobs.put(None)
        self.join()
        self._check()

    def _check(self) -> None:
        if self.error is not None:
            raise self.error


def _read_job(job: tuple[InputFile, str | None, IngestSettings]) -> FileResult | None:
    return _read(*job)


@contextlib.contextmanager
def _parsers(workers: int, executor=None) -> Iterator:
    """The executor that parses files: the one given (a pipeline's; its local process pool
    is forked here, before the store or any thread exists), or a local one of `workers`.
    A local pool is closed when parsing ends: later stages do not use it, and after parsing
    the html-news pages each of its idle processes still held about 0.45 GB (RSS), which a
    pipeline kept through labelling and topics."""
    from discourse.pipeline.executors import LocalExecutor

    executor = executor or LocalExecutor(workers)
    executor.start_pool()
    try:
        yield executor
    finally:
        if not executor.distributed:
            executor.close()


def _ingest_files(items: list[InputFile], store: Store, settings: IngestSettings, run_id: str,
                  summary: IngestSummary, progress: Progress | None, parsers) -> None:
    stored = store.file_hashes()
    writer = _Writer(store, _Dedupe(store, settings), run_id, summary)
    writer.start()
    jobs = ((item, stored.get(item.source), settings) for item in items)
    results = parsers.imap(_read_job, jobs)
    try:
        for n, (item, result) in enumerate(zip(items, results, strict=True), start=1):
            summary.files_seen += 1
            if result is None:
                summary.files_skipped_unchanged += 1
            else:
                writer.put(result, stored.get(item.source))
            if progress:
                progress(item.source, n, len(items))
    finally:
        writer.close()  # on Ctrl-C too: files already parsed are written, then we stop


def ingest(paths: list[str | Path], db: str | Path, settings: IngestSettings | None = None,
           progress: Progress | None = None, command: str = "discourse ingest",
           workers: int = 1, executor=None) -> IngestSummary:
    """Ingest files and folders into the DuckDB store at `db`; return what was done.

    Safe to rerun: unchanged files are skipped, changed files replace their rows. A
    KeyboardInterrupt stops after the files already parsed are written; a hard kill loses
    at most the files in flight (the writer's batch: up to `_Writer.BATCH_FILES` files or
    one second of work, plus two queued and one per parser process). `workers` > 1 parses files in that many processes; the results,
    written by the one store writer in input order, are the same as with one. An
    `executor` (see `pipeline.executors`, e.g. Dask) parses instead, with the same results.
    """
    settings = settings or IngestSettings()
    started = time.perf_counter()
    run_id = uuid.uuid4().hex[:12]
    summary = IngestSummary(run_id)
    problems: dict[str, list[str]] = {}
    missing = [p for p in paths if not Path(p).exists()]
    items = list(iter_inputs([p for p in paths if p not in missing], problems))
    with _parsers(workers, executor) as parsers, Store(db, command=command) as store:
        store.start_run(run_id, command, __version__)
        status = "ok"
        try:
            _ingest_files(items, store, settings, run_id, summary, progress, parsers)
            for source in map(source_name, missing):
                store.replace_rejects(source, [Reject(source, SkipReason.UNREADABLE, "path does not exist")], run_id)
                summary.rejects[str(SkipReason.UNREADABLE)] += 1
            for source, lines in problems.items():
                store.replace_rejects(source, [Reject(source, SkipReason.BAD_MANIFEST, p) for p in lines], run_id)
                summary.rejects[str(SkipReason.BAD_MANIFEST)] += len(lines)
        except KeyboardInterrupt:
            status, summary.interrupted = "interrupted", True
            logger.warning("interrupted: every file before the one in hand is saved; rerun to finish")
        summary.seconds = time.perf_counter() - started
        summary.store = store.summary()
        store.finish_run(run_id, summary.as_dict(), status)
    return summary


def clean_paths(inputs: list[str | Path], out_dir: str | Path,
                settings: IngestSettings | None = None) -> list[dict]:
    """Clean each input file (folders are walked) into `out_dir/<stem>.txt`."""
    from discourse.errors import SkipError
    from discourse.ingest.process import clean_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    results = []
    for item in iter_inputs(list(inputs)):
        try:
            text = clean_file(item.path, settings)
        except SkipError as exc:
            results.append({"input": item.source, "output": None, "reason": exc.reason, "detail": exc.detail})
            continue
        except OSError as exc:
            results.append({"input": item.source, "output": None, "reason": "unreadable", "detail": str(exc)})
            continue
        stem, n = item.path.stem, 2
        while stem in used:
            stem, n = f"{item.path.stem}-{n}", n + 1
        used.add(stem)
        target = out_dir / f"{stem}.txt"
        tmp = target.with_suffix(".txt.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        results.append({"input": item.source, "output": str(target), "chars": len(text)})
    return results
