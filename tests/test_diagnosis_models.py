"""The diagnosis message classifiers: stored test metrics, artifact ↔ corpus hash, hard cases, fallback."""
from __future__ import annotations

import json

import pytest

import models.actions as A


def test_stored_metrics_meet_targets_and_beat_baseline():
    m = json.loads(A.METRICS.read_text(encoding="utf-8"))
    assert m["corpus_sha256"] == A.corpus_hash()
    t, b = m["test"], m["test_keyword_baseline"]
    assert t["action_macro_f1"] >= 0.90 and t["sentiment_accuracy"] >= 0.85
    assert t["action_macro_f1"] > b["action_macro_f1"] and t["sentiment_accuracy"] > b["sentiment_accuracy"]


def test_corpus_shape():
    rows = A.read_corpus()
    rep = [r for r in rows if r["speaker"] == "rep"]
    cus = [r for r in rows if r["speaker"] == "customer"]
    assert len(rep) >= 1200 and len(cus) >= 800
    assert {r["label"] for r in rep} == set(A.REP_LABELS) and {r["label"] for r in cus} == {-1, 0, 1}
    for group in (rep, cus):
        assert sum(r["split"] == "test" for r in group) >= 0.2 * len(group)
    # the split is by pattern: no pattern has variants in two splits
    split_of = {}
    for r in rows:
        assert split_of.setdefault(r["template"], r["split"]) == r["split"]
    assert len({r["id"] for r in rows}) == len(rows)


def test_artifact_loads_and_classifies():
    m = A.load_models()
    assert m.meta["corpus_sha256"] == A.corpus_hash()
    acts = m.rep_actions(["你们一个班大概几个人操作", "明天几点方便?", "好的 收到"], ["", "", ""])
    assert acts[0] == "需求挖掘" and acts[2] == "其他"
    s = m.customer_sentiment(["挑不出毛病", "行，我们内部再商量商量", "一个班三个人"])
    assert s == [1, -1, 0]
    assert m.customer_objection(["太贵了 比大族贵了十几万", "一个月大概两千件"]) == [True, False]


def test_keyword_baseline_interface():
    k = A.load_models("keywords")
    assert k.rep_actions(["你们一个月多少量"]) == ["需求挖掘"]
    assert k.customer_sentiment(["可以 挺满意"]) == [1]


def test_retrains_when_artifact_is_stale(tmp_path, monkeypatch):
    monkeypatch.setattr(A, "ARTIFACT", tmp_path / "missing.pkl")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(A, "_CACHE", {})
    m = A.load_models()
    assert m.meta["corpus_sha256"] == A.corpus_hash()
    assert list((tmp_path / "chat2crm" / "models").glob("actions-*.pkl"))
    assert m.customer_sentiment(["挑不出毛病"]) == [1]
