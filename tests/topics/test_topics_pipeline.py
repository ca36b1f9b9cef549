"""`discourse topics` then `discourse trends` on the sample corpus (hash embedder, TF-IDF labels)."""

import json
import shutil

import pandas as pd
from typer.testing import CliRunner

from discourse.cli import app
from discourse.store import Store

FAST = ["--set", "topics.embedder=hash", "--set", "topics.reduction=pca", "--set", "topics.clustering=kmeans",
        "--set", "topics.kmeans.n_clusters=5"]


def test_topics_then_trends_write_tables_and_contract_csvs(labelled_sample, tmp_path, hash_embedder):
    db = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample, db)
    runner = CliRunner()
    r = runner.invoke(app, ["topics", "--db", str(db), "--json", "--seeds", "2", *FAST])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["topics"] == 5 and summary["embedded_now"] == summary["passages"] > 200
    assert (tmp_path / "s-topics" / "model" / "topics.json").exists()  # BERTopic safetensors folder
    assert not list((tmp_path / "s-topics" / "model").glob("*.pkl")) and not list((tmp_path / "s-topics").glob("*.pickle"))
    calls = hash_embedder.calls
    r = runner.invoke(app, ["topics", "--db", str(db), "--json", *FAST])  # embeddings come from the store
    assert r.exit_code == 0 and json.loads(r.output)["embedded_now"] == 0 and hash_embedder.calls == calls

    out = tmp_path / "trends"
    r = runner.invoke(app, ["trends", "--db", str(db), "--out", str(out), "--set", "trends.bootstrap=200"])
    assert r.exit_code == 0, r.output
    tot = pd.read_csv(out / "topics_over_time.csv")
    assert list(tot.columns[:7]) == ["topic_id", "label", "year", "n_passages", "share", "ci_low", "ci_high"]
    fby = pd.read_csv(out / "framing_by_year.csv")
    assert list(fby.columns[:6]) == ["year", "label", "n_docs", "share", "ci_low", "ci_high"]
    assert (fby["ci_low"] <= fby["share"]).all() and (fby["share"] <= fby["ci_high"]).all()
    with Store(db, read_only=True) as store:
        assert len(store.table("passage_topics")) == summary["passages"]
        for name in ("trend_topic_year", "trend_framing_year", "trend_topic_framing_year", "trend_moves", "trend_exemplars"):
            assert len(store.table(name)) > 0, name


def test_trends_without_topics_says_what_to_run(labelled_sample, tmp_path):
    db = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample, db)
    r = CliRunner().invoke(app, ["trends", "--db", str(db)])
    assert r.exit_code == 1 and "discourse topics" in r.output


def test_topics_on_missing_store_is_one_line_error(tmp_path):
    r = CliRunner().invoke(app, ["topics", "--db", str(tmp_path / "nope.duckdb")])
    assert r.exit_code == 1 and "discourse ingest" in r.output


def test_a_failed_topics_run_is_recorded_as_failed(labelled_sample, tmp_path, hash_embedder):
    db = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample, db)
    r = CliRunner().invoke(app, ["topics", "--db", str(db), *FAST, "--set", "topics.clustering=hdbscan",
                                 "--set", "topics.hdbscan.min_cluster_size=5000"])
    assert r.exit_code == 1 and "min_cluster_size" in r.output
    with Store(db, read_only=True) as store:
        status = store.query("SELECT status, counts FROM runs WHERE command = 'discourse topics'")
    assert status[-1][0] == "failed" and "min_cluster_size" in status[-1][1]
    assert not (tmp_path / "s-topics").exists()  # nothing half-published


def test_store_counts_what_is_left_to_embed_and_label(labelled_sample, tmp_path):
    db = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample, db)
    with Store(db) as store:
        missing = store.count_missing_embeddings("hash")
        batches = list(store.iter_missing_embeddings("hash", 7))
        assert missing == sum(map(len, batches)) > 0 and all(len(b) == 7 for b in batches[:-1])
        lengths = [len(t) for b in batches for _, t in b]
        assert lengths == sorted(lengths)  # shortest first: little padding in encoder batches
        store.write_embeddings("hash", [k for k, _ in batches[0][:5]], [[0.0] * 4] * 5)
        assert store.count_missing_embeddings("hash") == missing - 5
        pending = store.iter_unlabelled("tfidf-nonexistent", 10)
        first = next(pending)
        store.write_embeddings("hash", [k for k, _ in batches[1]], [[0.0] * 4] * len(batches[1]))  # writes between pages
        rest = [row for b in pending for row in b]
        ids = [i for i, _ in first + rest]
        assert store.count_unlabelled("tfidf-nonexistent") == len(ids) == len(set(ids)) and ids == sorted(ids)
