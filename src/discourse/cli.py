"""The `discourse` command: thin typer wrappers over library functions.

Exit status: 0 success, 1 failure (a library error, reported in one line), 2 bad usage.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from discourse import __version__
from discourse.commands.common import err, out
from discourse.commands.common import fail as _fail
from discourse.commands.common import settings as _settings
from discourse.errors import DiscourseError

app = typer.Typer(
    name="discourse",
    help="Text mining for leadership discourse: ingest articles into clean, dated passages; tag their framing.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
)
def _version(value: bool) -> None:
    if value:
        out.print(f"discourse {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details to stderr.")] = False,
) -> None:
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # a run's log file may take INFO; the terminal does not
        handler.setLevel(level)
    if not verbose:  # parsers' own complaints about a bad file are in its reject reason already
        for noisy in ("pypdf", "trafilatura", "htmldate", "charset_normalizer"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def _summary_table(s: dict) -> Table:
    table = Table(title="discourse ingest", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("this run", justify="right")
    table.add_column("store total", justify="right")
    st = s["store"]
    table.add_row("files", f"{s['files_seen']} seen, {s['files_written']} written, "
                  f"{s['files_skipped_unchanged']} unchanged", str(st.get("files", "")))
    table.add_row("documents", str(s["documents"]), str(st.get("documents", "")))
    table.add_row("duplicates", str(s["duplicates"]), str(st.get("duplicates", "")))
    table.add_row("passages", str(s["passages"]), str(st.get("passages", "")))
    table.add_row("dated documents", "", str(st.get("dated", "")))
    reasons = sorted(set(s["rejects"]) | set(st.get("rejects", {})))
    for reason in reasons:
        table.add_row(f"rejects: {reason}", str(s["rejects"].get(reason, 0)), str(st["rejects"].get(reason, 0)))
    if not reasons:
        table.add_row("rejects", "0", "0")
    table.add_row("seconds", f"{s['seconds']:.2f}", "")
    return table


@app.command("ingest")
def ingest_cli(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to ingest (html/htm/xhtml, txt/md, pdf, docx).")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB store to create or update.")],
    config: Annotated[Path | None, typer.Option("--config", help="Settings TOML with an \\[ingest] table.")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="Override a setting: ingest.max_passage_words=100.")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Parser processes (one store writer).")] = 1,
) -> None:
    """Walk files and folders and load clean, dated, deduplicated passages into a DuckDB store.

    A sources.csv beside the files is read as their metadata manifest. Unchanged files are skipped on a rerun, changed files replace their rows, and bad files become rejects rows while the batch carries on.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from discourse.pipeline import ingest

    try:
        settings = _settings(config, set_)
        show = not (quiet or as_json) and err.is_terminal
        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      TextColumn("{task.description}"), console=err, disable=not show) as bar:
            task = bar.add_task("", total=None)

            def tick(source: str, n: int, total: int) -> None:
                bar.update(task, completed=n, total=total, description=Path(source).name[:40])

            summary = ingest(list(paths), db, settings.ingest, progress=tick,
                             command="discourse ingest " + " ".join(sys.argv[2:]), workers=workers)
    except DiscourseError as exc:
        raise _fail(exc) from exc
    data = summary.as_dict()
    if as_json:
        out.print_json(json.dumps(data))
    elif not quiet:
        out.print(_summary_table(data))
    if summary.interrupted:
        err.print("interrupted: files written so far are kept; run the same command again to finish")
        raise typer.Exit(code=130)


@app.command("clean")
def clean_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Files to clean.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for <input stem>.txt files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Write the cleaned main text of each input to OUT/<stem>.txt: check cleaning without a database.

    Every piece of a file is written in order (its title line first), separated by blank lines. Folders are walked.
    """
    from discourse.pipeline import clean_paths

    try:
        results = clean_paths(list(inputs), out_dir)
    except DiscourseError as exc:
        raise _fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(results))
    else:
        for r in results:
            if r["output"]:
                out.print(escape(f"{r['input']} → {r['output']} ({r['chars']:,} chars)"), highlight=False)
            else:
                err.print(f"[yellow]rejected[/yellow] {escape(r['input'])}: {r['reason']}: {escape(str(r['detail']))}", highlight=False)
    if results and not any(r["output"] for r in results):
        raise typer.Exit(code=1)


_MODEL = typer.Option("--model", help="Framing model: default (chosen by `discourse train`), tuned, minilm, hybrid, tfidf or fast (static embeddings).")
_MODELS_DIR = typer.Option("--models-dir", help="Folder of saved framing models.")


def _predictor(model: str, models_dir: Path | None):
    from discourse.framing.persist import DEFAULT_MODEL_DIR
    from discourse.framing.predict import load_predictor

    if model not in ("default", "tuned", "minilm", "tfidf", "hybrid", "fast"):
        raise typer.BadParameter(f"unknown model {model!r}; choose tuned, minilm, hybrid, tfidf or fast", param_hint="--model")
    return load_predictor(model, models_dir or DEFAULT_MODEL_DIR)


@app.command("train")
def train_cli(
    annotations: Annotated[Path, typer.Option("--annotations", help="Annotation folder.")] = Path("corpus/annotations"),
    shared: Annotated[Path, typer.Option("--shared", help="Real corpora the references point into.")] = Path("../shared/corpus"),
    out_dir: Annotated[Path, typer.Option("--out", help="Where the models and MODEL_CARD.md go.")] = Path("models/framing"),
    model: Annotated[list[str], typer.Option("--model", help="Model(s) to train.")] = ["tuned", "minilm", "hybrid", "tfidf", "fast"],  # noqa: B006
    seed: Annotated[int, typer.Option("--seed", help="Random seed (splits, folds, solver).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the training report as JSON.")] = False,
) -> None:
    """Train the framing models from the annotation set and write the model card.

    Real passages are resolved from ../shared/corpus; the real test split is used only for the reported metrics.
    """
    from discourse.pipeline.framing import train

    try:
        report = train(annotations, shared, out_dir, tuple(model), seed, ["discourse " + " ".join(sys.argv[1:])])
    except DiscourseError as exc:
        raise _fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(report))
        return
    table = Table(title=f"framing models → {out_dir}")
    for col in ("model", "macro-F1", "hard acc.", "ECE", "n test"):
        table.add_column(col, justify="right" if col != "model" else "left")
    for name, m in report["models"].items():
        t = m["test"]
        table.add_row(name, f"{t['macro_f1']:.3f}", f"{t.get('hard_accuracy', float('nan')):.3f}", f"{t['ece']:.3f}", str(t["n"]))
    out.print(table)


@app.command("evaluate")
def evaluate_cli(
    data: Annotated[Path, typer.Argument(help="Labelled JSON lines: {text, label[, hard]}.")],
    model: Annotated[str, _MODEL] = "default",
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print metrics as JSON.")] = False,
) -> None:
    """Per-class precision/recall/F1, macro-F1, hard-case accuracy, ECE and confusion matrix on a labelled file."""
    from discourse.framing.data import read_jsonl
    from discourse.framing.evaluate import metrics

    try:
        rows = read_jsonl(data)
        predictor = _predictor(model, models_dir)
        hard = [bool(r.get("hard")) for r in rows] if any("hard" in r for r in rows) else None
        m = metrics(predictor.classes, [r["label"] for r in rows], predictor.predict_proba([r["text"] for r in rows]),
                    hard, abstain_below=predictor.abstain_below)
    except (DiscourseError, OSError) as exc:
        raise _fail(exc) from exc
    except KeyError as exc:
        raise _fail(DiscourseError(f"{data}: every line needs {exc}")) from exc
    if as_json:
        out.print_json(json.dumps(m))
        return
    table = Table(title=f"{predictor.model_id} on {data} (n={m['n']})")
    for col in ("class", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="right" if col != "class" else "left")
    for c, v in m["per_class"].items():
        table.add_row(c, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"]))
    out.print(table)
    out.print(f"macro-F1 {m['macro_f1']:.3f} · accuracy {m['accuracy']:.3f} · ECE {m['ece']:.3f}"
              + (f" · hard-case accuracy {m['hard_accuracy']:.3f} (n={m['hard_n']})" if "hard_n" in m else ""))
    labels = m["confusion"]["labels"]
    cm = Table(title="confusion (rows true, columns predicted)")
    cm.add_column("")
    for lab in labels:
        cm.add_column(lab, justify="right")
    for lab, row in zip(labels, m["confusion"]["matrix"], strict=True):
        cm.add_row(lab, *map(str, row))
    out.print(cm)


@app.command("classify")
def classify_cli(
    inp: Annotated[str, typer.Argument(help="JSON lines {id, text}; - for stdin.")],
    out_path: Annotated[str, typer.Option("--out", help="Output JSON lines; - for stdout.")] = "-",
    model: Annotated[str, _MODEL] = "default",
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
) -> None:
    """Label each {id, text} line: {id, label, probs, evidence}, in input order."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from discourse.pipeline.framing import classify_jsonl

    try:
        predictor = _predictor(model, models_dir)
        show = out_path != "-" and err.is_terminal
        with Progress(SpinnerColumn(), TextColumn("classify {task.completed} lines"), console=err, disable=not show) as bar:
            task = bar.add_task("", total=None)
            counts = classify_jsonl(inp, out_path, predictor, progress=lambda n: bar.update(task, completed=n))
    except (DiscourseError, OSError) as exc:
        raise _fail(exc) from exc
    if out_path != "-":
        err.print(f"{counts['lines']} lines → {out_path} ({counts['errors']} errors) with {predictor.model_id}")


@app.command("score")
def score_cli(
    path: Annotated[str, typer.Argument(help="A document (html, txt, md, pdf, docx) or - for stdin.")],
    model: Annotated[str, _MODEL] = "default",
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Clean and segment one document, label every passage and summarise its framing."""
    from discourse.pipeline.framing import score_document

    try:
        result = score_document(path, lambda: _predictor(model, models_dir))  # model loads after the file reads
    except DiscourseError as exc:
        raise _fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=escape(f"{result['title'] or path} ({result['model']})"), show_lines=False)
    for col in ("#", "label", "conf.", "evidence", "passage"):
        table.add_column(col, overflow="fold")
    for r in result["passages"]:
        table.add_row(f"{r['piece']}.{r['seq']}", r["label"], f"{max(r['probs'].values()):.2f}",
                      escape("; ".join(e["text"] for e in r["evidence"][:2])),
                      escape(r["text"][:70] + ("…" if len(r["text"]) > 70 else "")))
    out.print(table)
    shares = " · ".join(f"{c} {v:.0%}" for c, v in result["shares"].items())
    out.print(f"document framing (weighted by passage length): {shares}")
    for key in ("most_heroic", "most_collaborative"):
        r = result[key]
        out.print(f"{key.replace('_', ' ')}: [{r['probs'][key.split('_')[1]]:.2f}] {escape(r['text'][:160])}",
                  highlight=False)


@app.command("label")
def label_cli(
    db: Annotated[Path, typer.Option("--db", help="DuckDB store made by `discourse ingest`.")],
    model: Annotated[str, _MODEL] = "default",
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print counts as JSON.")] = False,
) -> None:
    """Write framing labels and probabilities for every passage into the store's labels table (incremental)."""
    from discourse.pipeline.framing import label_store

    if not db.exists():
        raise _fail(DiscourseError(f"store {db} does not exist; run `discourse ingest … --db {db}` first"))
    try:
        result = label_store(db, _predictor(model, models_dir))
    except DiscourseError as exc:
        raise _fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(result))
    else:
        out.print(f"labelled {result['labelled_now']} passages now, {result['labelled_total']} in all, with {result['model']}")


_KEYS = {"h": "heroic", "c": "collaborative", "n": "neutral"}


@app.command("annotate")
def annotate_cli(
    db: Annotated[Path, typer.Option("--db", help="DuckDB store made by `discourse ingest`.")],
    out_path: Annotated[Path, typer.Option("--out", help="JSON lines of answers (appended; resumes).")],
    model: Annotated[str, _MODEL] = "default",
    models_dir: Annotated[Path | None, _MODELS_DIR] = None,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Passages per round.")] = 25,
) -> None:
    """Label the passages the model is least sure about: h/c/n (upper case = hard case), s skip, q quit.

    Uncertainty sampling with one passage per document per round; every answer is saved before the next question, and a rerun resumes where it stopped.
    """
    import datetime as dt

    from rich.panel import Panel

    from discourse.pipeline.framing import annotation_queue, read_done, save_answer

    try:
        predictor = _predictor(model, models_dir)
        done = read_done(out_path)
        queue = annotation_queue(db, predictor, done, batch)
    except DiscourseError as exc:
        raise _fail(exc) from exc
    answered = 0
    for item in queue:
        guess = max(item["probs"], key=item["probs"].get)
        out.print(Panel(escape(item["text"]), title=f"{item['passage_id']}  model: {guess} "
                        + " ".join(f"{c[:4]} {p:.2f}" for c, p in item["probs"].items())))
        key = typer.prompt("h heroic · c collaborative · n neutral (upper case: hard) · s skip · q quit", default="s")
        if key.strip().lower() == "q":
            break
        label = _KEYS.get(key.strip().lower())
        if label is None:
            continue
        save_answer(out_path, {"passage_id": item["passage_id"], "doc_id": item["doc_id"], "text": item["text"],
                               "label": label, "hard": key.strip().isupper(), "model": predictor.model_id,
                               "probs": item["probs"], "annotated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
        answered += 1
    out.print(f"{answered} answers saved to {out_path} ({len(done) + answered} in all)")


def _register() -> None:
    from discourse.commands.analysis import topics_cli, trends_cli
    from discourse.commands.run import report_cli, run_cli

    app.command("topics")(topics_cli)
    app.command("trends")(trends_cli)
    app.command("report")(report_cli)
    app.command("run")(run_cli)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
