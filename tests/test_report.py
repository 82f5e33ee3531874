"""eval/report.py: files written, and every number in the Markdown is the scorer's."""
from __future__ import annotations

import re

import pytest

from eval import report
from eval.scoring import FIELDS, keyword_baseline, score

PNGS = ("confusion_stage.png", "confusion_key_obstacle.png", "confusion_industry.png", "reliability.png",
        "pr_curves.png")


def conv(cid, gold, texts=("你好", "价格太贵了 下周三再说")):
    return {"conversation_id": cid, "channel": "wechat", "rep": {"id": "r", "name": "张伟"},
            "messages": [{"id": f"m{i + 1}", "speaker": "customer", "time": f"2026-03-10T09:0{i}:00+08:00", "text": t}
                         for i, t in enumerate(texts)], "gold": gold}


def sug(field, value, conf, text="价格"):
    return {"field": field, "value": value, "confidence": conf, "reason": "r", "source": "rules",
            "evidence": [{"message_id": "m2", "start": 0, "end": 2, "text": text}]}


def synthetic():
    convs = [
        conv("c1", {"stage": "商务谈判", "tag": ["价格讨论", "异议"], "key_obstacle": {"category": "价格", "detail": "贵"},
                    "industry": "汽车"}),
        conv("c2", {"stage": "需求确认", "tag": ["客户明确需求"], "next_follow_up": "2026-03-18"}),
        conv("c3", {"industry": "模具", "decision_role": ["老板"]}),
        conv("c4", {}),
    ]
    preds = [
        {"model_version": "t1", "suggestions": [sug("stage", "商务谈判", 0.91), sug("tag", "价格讨论", 0.83),
                                                sug("tag", "竞品对比", 0.55),
                                                sug("key_obstacle", {"category": "价格", "detail": "贵"}, 0.71),
                                                sug("industry", "汽车", 0.97)]},
        {"model_version": "t1", "suggestions": [sug("stage", "方案确认", 0.62), sug("next_follow_up", "2026-03-18", 1.0)]},
        {"model_version": "t1", "suggestions": [sug("industry", "通用机械", 0.58), sug("decision_role", "老板", 0.88)]},
        {"model_version": "t1", "suggestions": [sug("budget", {"min": 10, "max": 10}, 0.35)]},
    ]
    return convs, preds


def md_table(md: str, header_start: str) -> list[list[str]]:
    lines = md.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[i + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


@pytest.fixture
def fake_metrics(monkeypatch):
    cur = {"version": "v-new", "dev_conversations": 30,
           "dev": {"micro_p": 0.9, "micro_r": 0.8, "micro_f1": 0.847, "tag_p": 0.88, "ece": 0.02,
                   "per_field": {f: {"f1": 0.8} for f in FIELDS}}}
    prev = {"version": "v-old", "dev": {"micro_p": 0.85, "micro_r": 0.75, "micro_f1": 0.797, "tag_p": 0.8, "ece": 0.05,
                                        "per_field": {f: {"f1": 0.7} for f in FIELDS}}}
    monkeypatch.setattr(report, "load_metrics", lambda: (cur, prev))
    return cur, prev


def test_report_files_and_numbers_equal_the_scorer(tmp_path, fake_metrics):
    convs, preds = synthetic()
    sc = score(convs, preds)
    base = score(convs, [keyword_baseline(c) for c in convs])
    path = report.write_report(tmp_path / "r", "synthetic.jsonl", convs, preds, sc, base, rerun=False)
    assert path == tmp_path / "r" / "report.md"
    for png in PNGS:
        data = (tmp_path / "r" / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
        assert f"({png})" in path.read_text(encoding="utf-8")
    md = path.read_text(encoding="utf-8")

    rows = {r[0]: r for r in md_table(md, "| field | TP |")}
    for f in FIELDS + [None]:
        r = rows["**micro**" if f is None else f]
        p, rc, f1 = sc.prf(f)
        assert r[4:7] == [f"{p:.3f}", f"{rc:.3f}", f"{f1:.3f}"]
        if f is not None:
            assert [int(x) for x in r[1:4]] == [sc.tp[f], sc.fp[f], sc.fn[f]]

    summary = {r[0]: r[1:] for r in md_table(md, "| metric |")}
    assert summary["micro F1"] == [f"{sc.prf()[2]:.3f}", f"{base.prf()[2]:.3f}"]
    assert summary["ECE (10 bins)"][0] == f"{sc.ece():.3f}"
    assert f"**{sc.ece():.3f}**" in md
    assert summary["emitted suggestions"][0] == str(len(sc.judged))

    bins = md_table(md, "| bin |")
    assert sum(int(b[1]) for b in bins) == len(sc.judged)
    # recompute ECE from the printed bins: the same number the scorer gives
    n = len(sc.judged)
    ece = sum(int(b[1]) / n * abs(float(b[3]) - float(b[2])) for b in bins if int(b[1]))
    assert ece == pytest.approx(sc.ece(), abs=2e-3)

    sec = md[md.index("### stage"):]
    head = next(line for line in sec.splitlines() if line.startswith("| gold"))
    labels = md_table(sec, "| gold")
    stage = {r[0]: r[1:] for r in labels}
    cols = [c.strip() for c in head.strip("|").split("|")][1:]
    assert stage["商务谈判"][cols.index("商务谈判")] == "1"
    assert stage["需求确认"][cols.index("方案确认")] == "1"
    assert stage["—"][cols.index("—")] == "2"
    assert len(labels) == len(cols)

    versions = {r[0]: r[1:] for r in md_table(md, "| dev metric |")}
    assert versions["micro_f1"] == ["0.847", "0.797", "+0.050"]
    assert "previous v-old" in md and "current v-new" in md

    pr = {r[0]: r for r in md_table(md, "| field | threshold |")}
    for f in FIELDS:
        p, rc, _ = sc.prf(f)
        assert pr[f][3:5] == [f"{p:.3f}", f"{rc:.3f}"]


def test_pr_curve_and_bins_follow_the_scorer():
    convs, preds = synthetic()
    sc = score(convs, preds)
    curve = report.pr_curve(sc.judged, "tag", sc.tp["tag"] + sc.fn["tag"])
    assert [round(t, 2) for t, _, _ in curve] == [0.83, 0.55]
    assert curve[-1][1:] == pytest.approx(sc.prf("tag")[:2])  # lowest threshold = everything emitted
    bins = report.reliability_bins(sc.judged)
    assert sum(b["n"] for b in bins) == len(sc.judged)
    assert bins[9]["n"] == sum(j.confidence >= 0.9 for j in sc.judged)  # 1.0 falls in the last bin


def test_report_without_baseline_or_metrics(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "load_metrics", lambda: (None, None))
    convs, preds = synthetic()
    sc = score(convs, preds)
    path = report.write_report(tmp_path, "x", convs, preds, sc, None, rerun=False)
    md = path.read_text(encoding="utf-8")
    assert "keyword baseline" not in md and "no trained model" in md


def test_report_through_chat2crm_eval(tmp_path, capsys):
    """The real pipeline on a few corpus conversations, thresholds-off rerun included."""
    from extractor.cli import main as chat2crm
    from labeling.corpus import load
    from labeling.io import write_jsonl
    convs = load("dev")[:6]
    if not convs:
        pytest.skip("no corpus dev split")
    gold = write_jsonl(tmp_path / "g.jsonl", convs)
    rc = chat2crm(["eval", str(gold), "--report", str(tmp_path / "rep")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    micro = re.search(r"^micro\s+\|\s+([\d.]+)\s*([\d.]+)\s*([\d.]+)", out, re.M)
    assert micro, out
    assert f"| micro F1 | {float(micro.group(3)):.3f} |" in md
    assert "Extractor rerun with thresholds off" in md
    for png in PNGS:
        assert (tmp_path / "rep" / png).stat().st_size > 2000
