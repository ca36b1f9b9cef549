"""The annotation set: written passages (text stored in the repo) and real passages
(stored as references into ../shared/corpus: file, character offsets, sha256 — never the
text), resolved back to text at load time and checked against their hash."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from discourse.errors import DiscourseError

__all__ = ["Example", "Resolver", "check_reference", "decide", "load_annotations", "read_jsonl"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    text: str
    label: str
    hard: bool
    origin: str  # "written" or "real"
    split: str  # "train" or "test"
    corpus: str | None = None
    source: str | None = None  # "corpus/file" of a real passage: the unit of the split and of CV folds
    label_v1: str | None = None  # the scheme-version-1 label and hard flag of a passage re-annotated under version 2
    hard_v1: bool | None = None


def decide(pid: str, a: dict, b: dict, adjudicated: dict) -> tuple[str, bool, bool]:
    """(label, hard, the annotators differed) of passage `pid` from two independent
    annotations (`a`, `b`: id → {"label", "hard"}) and an adjudicator's labels for their
    disagreements: hard when both flagged it or when they disagreed on the label."""
    if pid not in a or pid not in b:
        raise DiscourseError(f"annotations: {pid} is missing from an annotator's output")
    differ = a[pid]["label"] != b[pid]["label"]
    if differ and pid not in adjudicated:
        raise DiscourseError(f"annotations: {pid}: the annotators differ and there is no adjudication")
    label = adjudicated[pid]["label"] if differ else a[pid]["label"]
    return label, bool(differ or (a[pid]["hard"] and b[pid]["hard"])), differ


def read_jsonl(path: str | Path) -> list[dict]:
    """JSON lines (blank lines skipped); a bad line raises with its number."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DiscourseError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


Resolver = Callable[[dict], "str | None"]


def check_reference(ref: dict, text: str) -> str | None:
    """`text` when it still hashes to the reference's sha256, else None (logged)."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() == ref["sha256"]:
        return text
    logger.warning("annotation %s: text at %s[%d:%d] changed; skipped", ref["id"], ref["file"], ref["char_start"], ref["char_end"])
    return None


def load_annotations(root: str | Path, resolve: Resolver | None = None) -> list[Example]:
    """All annotated examples under `root` (written_*.jsonl and real.jsonl). Real examples
    need `resolve` (reference → text or None; `discourse.pipeline.framing.resolver` reads
    ../shared/corpus); without it only written ones are returned."""
    root = Path(root)
    out: list[Example] = []
    for path in sorted(root.glob("written_*.jsonl")):
        for n, r in enumerate(read_jsonl(path), start=1):
            if not isinstance(r.get("text"), str) or r.get("label") not in ("heroic", "collaborative", "neutral"):
                raise DiscourseError(f"{path}: record {n} needs a string 'text' and a valid 'label'")
            out.append(Example(r["id"], r["text"], r["label"], bool(r.get("hard")), "written", "train"))
    real = root / "real.jsonl"
    if real.is_file() and resolve is not None:
        missing = 0
        for r in read_jsonl(real):
            text = resolve(r)
            if text is None:
                missing += 1
                continue
            out.append(Example(r["id"], text, r["label"], bool(r.get("hard")), "real", r["split"], r["corpus"],
                               f"{r['corpus']}/{r['file']}", r.get("label_v1"),
                               None if r.get("hard_v1") is None else bool(r["hard_v1"])))
        if missing:
            logger.warning("%d real annotations could not be resolved", missing)
    elif real.is_file():
        logger.warning("real annotations need ../shared/corpus; using written examples only")
    return out
