"""Trends: document-bootstrap intervals, change-points, what moved, exemplars, contracts."""

import numpy as np
import pandas as pd
import pytest

from discourse.config import TrendSettings
from discourse.errors import TrendError
from discourse.trends import bootstrap_shares, changepoint, compute_trends

S = TrendSettings(bootstrap=400)


def _shift_corpus(change_year=2010, years=range(2000, 2020), docs_per_year=6, seed=1):
    """Documents of 4 passages; before `change_year` 75 % heroic, from it 75 % collaborative."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        p_heroic = 0.75 if y < change_year else 0.15
        for d in range(docs_per_year):
            for k in range(4):
                r = rng.random()
                label = "heroic" if r < p_heroic else ("collaborative" if r < 0.9 else "neutral")
                rows.append({"passage_id": f"{y}-{d}-{k}", "doc_id": f"{y}-{d}", "year": y, "label": label,
                             "text": f"passage {k}", "topic_id": k % 2, "similarity": 0.5 + 0.1 * k})
    return pd.DataFrame(rows)


def _tables(df, settings=S):
    labels = df[["passage_id", "label"]].assign(
        p_heroic=np.where(df["label"] == "heroic", 0.9, 0.05), p_collaborative=np.where(df["label"] == "collaborative", 0.9, 0.05),
        p_neutral=np.where(df["label"] == "neutral", 0.9, 0.05), evidence="[]")
    docs = df[["doc_id"]].drop_duplicates().assign(title=lambda d: "Title " + d["doc_id"], author="A. Writer")
    topics = pd.DataFrame({"topic_id": [0, 1], "label": ["alpha · beta", "gamma · delta"]})
    terms = pd.DataFrame({"topic_id": [0], "year": [2000], "terms": ["alpha, beta"], "frequency": [3]})
    return compute_trends(df[["passage_id", "doc_id", "text", "year"]], docs, labels,
                          df[["passage_id", "topic_id", "similarity"]], topics, terms, settings)


def test_framing_shift_is_found_as_a_change_point_within_a_year():
    t = _tables(_shift_corpus(change_year=2010))
    moves = t["trend_moves"].set_index(["what", "level"])
    heroic = moves.loc[("framing", "heroic")]
    assert abs(heroic["changepoint_year"] - 2010) <= 1
    assert heroic["change"] < -0.4 and heroic["ci_high"] < 0 and heroic["clear"]
    assert moves.loc[("framing", "collaborative")]["change"] > 0.4


def test_csv_contract_columns_come_first_in_order():
    t = _tables(_shift_corpus())
    assert list(t["trend_topic_year"].columns[:7]) == ["topic_id", "label", "year", "n_passages", "share", "ci_low", "ci_high"]
    assert list(t["trend_framing_year"].columns[:6]) == ["year", "label", "n_docs", "share", "ci_low", "ci_high"]


def test_intervals_contain_the_estimate_and_widen_as_documents_shrink():
    # (with 4 or fewer documents the bootstrap itself under-states spread: such cells are
    # flagged low_n, which is what the flag is for)
    df = _shift_corpus(years=[2000], docs_per_year=80, change_year=3000)
    rng = np.random.default_rng(0)
    widths = []
    for n in (80, 20, 6):
        sub = df[df["doc_id"].isin([f"2000-{d}" for d in range(n)])]
        t = bootstrap_shares(sub, ["year"], "label", ["heroic", "collaborative", "neutral"], S, rng)
        row = t[t["label"] == "heroic"].iloc[0]
        assert row["ci_low"] <= row["share"] <= row["ci_high"]
        assert row["n_docs"] == n and bool(row["low_n"]) == (n < S.min_docs)
        widths.append(row["ci_high"] - row["ci_low"])
    assert widths[0] < widths[1] < widths[2]


def test_bootstrap_resamples_documents_not_passages():
    """Two documents, one all heroic, one all collaborative, 50 passages each: resampling
    passages would give a tight interval around 0.5; resampling documents cannot."""
    rows = [{"doc_id": d, "year": 2000, "label": lab} for d, lab in (("a", "heroic"), ("b", "collaborative")) for _ in range(50)]
    t = bootstrap_shares(pd.DataFrame(rows), ["year"], "label", ["heroic", "collaborative"], S, np.random.default_rng(0))
    heroic = t[t["label"] == "heroic"].iloc[0]
    assert heroic["share"] == 0.5 and heroic["ci_low"] == 0.0 and heroic["ci_high"] == 1.0


def test_empty_cells_are_rows_with_zero_share_and_flagged():
    t = _tables(_shift_corpus(docs_per_year=2))
    fy = t["trend_framing_year"]
    assert len(fy) == 20 * 3 and fy["low_n"].all()
    assert (fy.groupby("year")["share"].sum().round(9) == 1.0).all()


def test_exemplars_are_distinct_documents_ranked_by_score():
    ex = _tables(_shift_corpus())["trend_exemplars"]
    for _, cell in ex.groupby(["topic_id", "framing"]):
        assert len(cell) <= S.exemplars and cell["doc_id"].is_unique
        assert list(cell["score"]) == sorted(cell["score"], reverse=True)
    assert {"title", "author", "year", "text", "evidence"} <= set(ex.columns)


def test_short_series_gets_no_change_point():
    assert changepoint(np.arange(4), np.array([0.1, 0.1, 0.9, 0.9]), np.ones(4), 6) is None
    cp = changepoint(np.arange(2000, 2008), np.array([0.1] * 3 + [0.9] * 5), np.ones(8), 6)
    assert cp["changepoint_year"] == 2003 and cp["step_r2"] == pytest.approx(1.0)


def test_decade_bins_and_no_dated_passages():
    t = _tables(_shift_corpus(), TrendSettings(bootstrap=200, year_bin=10))
    assert set(t["trend_framing_year"]["year"]) == {2000, 2010}
    df = _shift_corpus().assign(year=None)
    with pytest.raises(TrendError, match="dated"):
        _tables(df)


def test_short_series_still_has_the_change_point_columns_empty():
    """Regression: with too few periods for a change-point the columns were missing and
    the report template failed (found by the full-run kill test)."""
    moves = _tables(_shift_corpus(years=range(2000, 2004)))["trend_moves"]
    assert {"changepoint_year", "share_before", "share_after", "step_r2"} <= set(moves.columns)
    assert moves["changepoint_year"].isna().all()
