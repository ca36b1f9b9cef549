"""The report stage: store tables + model card → `report.html`, charts (PNG, SVG) and the
tables behind them (CSV), published into the output folder by rename."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd

from discourse import __version__
from discourse.config import ReportSettings, TrendSettings

__all__ = ["build_report", "headlines", "model_summary"]


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%"


def headlines(moves: pd.DataFrame, limit: int = 5) -> list[str]:
    """Plain-words sentences for the largest movements, each with its interval and a
    warning when the interval includes no change."""
    if moves.empty:
        return ["The corpus spans too few periods to compare first and last years."]
    lines = []
    framing = moves[(moves["what"] == "framing") & moves["level"].isin(["heroic", "collaborative"])]
    topics = moves[moves["what"] == "topic"].reindex(moves[moves["what"] == "topic"]["change"].abs().sort_values(ascending=False).index)
    for _, m in pd.concat([framing, topics.head(limit - len(framing))]).iterrows():
        thing = f"{m['level']} framing" if m["what"] == "framing" else f"the topic “{m['level']}”"
        verb = "rose" if m["change"] > 0 else "fell" if m["change"] < 0 else "held"
        sentence = (f"The share of passages with {thing} {verb} from {_pct(m['share_first'])} in {m['first_from']}–{m['first_to']} "
                    f"to {_pct(m['share_last'])} in {m['last_from']}–{m['last_to']} ({m['change'] * 100:+.1f} points; "
                    f"95% interval {m['ci_low'] * 100:+.1f} to {m['ci_high'] * 100:+.1f}).")
        sentence += "" if m["clear"] else " The interval includes no change, so this movement is not established."
        cp = m.get("changepoint_year")
        r2 = m.get("step_r2")
        if cp is not None and not (isinstance(cp, float) and math.isnan(cp)) and r2 is not None and r2 == r2:
            sentence += (f" The best single break in the yearly series falls in {int(cp)}; a step there explains "
                         f"{r2:.0%} of the year-to-year variation.")
        lines.append(sentence)
    return lines


def model_summary(model_id: str, models_dir: Path | None = None) -> dict:
    """Validity figures of the labelling model and its baselines from the model's report."""
    from discourse.framing.persist import DEFAULT_MODEL_DIR

    folder = Path(models_dir or DEFAULT_MODEL_DIR)
    name = model_id.rsplit("-", 1)[0]
    report = json.loads((folder / "report.json").read_text()) if (folder / "report.json").exists() else {"models": {}}
    comparison = []
    for other, entry in report.get("models", {}).items():
        test = entry.get("test", {})
        comparison.append({"name": other, "macro_f1": test.get("macro_f1"), "hard_accuracy": test.get("hard_accuracy"),
                           "ece": test.get("ece")})
    mine = report.get("models", {}).get(name, {}).get("test", {})
    macro, hard = mine.get("macro_f1"), mine.get("hard_accuracy")
    return {"name": name, "id": model_id, "macro_f1": macro, "hard_accuracy": hard, "n": mine.get("n"),
            "hard_n": mine.get("hard_n"), "abstain_below": mine.get("abstain_below", 0.5), "comparison": comparison,
            "target_met": bool(macro is not None and hard is not None and macro >= 0.80 and hard >= 0.70)}


def _corpus(store) -> dict:
    summary = store.summary()
    docs = store.document_frame()
    docs["folder"] = docs["source"].map(lambda s: Path(s).parent.name)
    sources = [{"folder": f, "documents": len(g), "year_min": _int(g["year"].min()), "year_max": _int(g["year"].max())}
               for f, g in docs.groupby("folder")]
    return {**summary, "sources": sources, "year_min": _int(docs["year"].min()), "year_max": _int(docs["year"].max())}


def _int(v) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else int(v)


def _topic_framing(store, model_id: str, keep: list[int]) -> pd.DataFrame:
    labels = store.label_frame(model_id)[1][["passage_id", "label"]]
    joined = store.table("passage_topics")[["passage_id", "topic_id"]].merge(labels, on="passage_id")
    joined = joined[joined["topic_id"].isin(keep)]
    names = dict(zip(store.table("topics")["topic_id"], store.table("topics")["label"], strict=True))
    table = joined.groupby(["topic_id", "label"]).size().rename("n_passages").reset_index()
    table["share"] = table["n_passages"] / table.groupby("topic_id")["n_passages"].transform("sum")
    table["topic"] = table["topic_id"].astype(str) + " " + table["topic_id"].map(names)
    return table.rename(columns={"label": "framing"})[["topic_id", "topic", "framing", "n_passages", "share"]]


def _exemplars(table: pd.DataFrame, keep: list[int]) -> list[dict]:
    groups = []
    for (topic_id, framing), g in table[table["topic_id"].isin(keep)].groupby(["topic_id", "framing"], sort=True):
        items = []
        for row in g.sort_values("rank").to_dict(orient="records"):
            try:
                row["evidence"] = json.loads(row["evidence"])[:4] if row["evidence"] else []
            except (TypeError, ValueError):
                row["evidence"] = []
            row["year"] = _int(row["year"])
            items.append(row)
        groups.append({"topic_id": topic_id, "topic_label": g["topic_label"].iloc[0], "framing": framing, "passages": items})
    return groups


def build_report(db: str | Path, out: str | Path, settings: ReportSettings | None = None, manifest: dict | None = None,
                 trend_settings: TrendSettings | None = None) -> dict:
    """Write `out/report.html` with `out/charts/` (PNG, SVG, CSV per chart). Returns counts."""
    from discourse.pipeline.analysis import _publish, _scratch
    from discourse.report import build_charts, render_html, save_static
    from discourse.store import Store

    s = settings or ReportSettings()
    out = Path(out)
    with Store(db, read_only=True) as store:
        meta = store.table("trend_meta").iloc[0]
        trend_cfg = json.loads(meta["report"]).get("settings", {})
        topics = store.table("topics")
        keep = topics[topics["topic_id"] != -1].sort_values("size", ascending=False)["topic_id"].head(s.max_topics).tolist()
        charts = build_charts(store.table("trend_framing_year"), store.table("trend_topic_year"),
                              _topic_framing(store, meta["model_id"], keep), store.table("trend_moves"), keep)
        quality = json.loads(store.table("topic_quality").iloc[0]["report"])
        moves = store.table("trend_moves")
        context = {
            "title": s.title, "subtitle": s.subtitle, "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "headlines": headlines(moves), "moves": moves.to_dict(orient="records"),
            "topics": topics.to_dict(orient="records"), "quality": quality,
            "exemplars": _exemplars(store.table("trend_exemplars"), keep), "corpus": _corpus(store),
            "model": model_summary(meta["model_id"]), "trends": trend_cfg or (trend_settings or TrendSettings()).model_dump(),
            "manifest": manifest or {"versions": {"discourse": __version__}},
            "manifest_json": json.dumps(manifest or {"note": "built by `discourse report`, outside a pipeline run"},
                                        indent=2, sort_keys=True, default=str),
        }
    html = render_html(context, charts)
    tmp = _scratch(out / "report")
    (tmp / "report.html").write_text(html, encoding="utf-8")
    files = save_static(charts, tmp / "charts") if s.static_charts else []
    if (tmp / "charts").exists():
        _publish(tmp / "charts", out / "charts")  # the charts folder first, then the page
    (tmp / "report.html").replace(out / "report.html")
    tmp.rmdir()
    return {"report": str(out / "report.html"), "charts": len(charts), "files": len(files) + 1, "bytes": len(html)}
