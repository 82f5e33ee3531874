"""The finder alone: spans and parse dicts, no dates computed."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from extractor.timex.finder import find_candidates


def _walk(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _walk(v)
    else:
        yield x


def test_merges_date_part_of_day_and_clock_into_one_candidate():
    (c,) = find_candidates("好的,那就下周三上午十点见")
    s, e, p = c
    assert "好的,那就下周三上午十点见"[s:e] == "下周三上午十点"
    assert p["week"] == {"rel": 1, "wd": 3}
    assert p["pod"] == "上午"
    assert p["clock"]["h"] == "十"


def test_parse_holds_no_computed_dates():
    for text in ("下周三上午十点", "国庆后第一个工作日", "3月15日下午两点半", "五天内", "正月十五"):
        for s, e, p in find_candidates(text):
            assert not any(isinstance(v, (date, datetime)) for v in _walk(p)), text


def test_traditional_forms_keep_original_offsets():
    text = "咁就下個禮拜三晏晝三點半"
    (c,) = find_candidates(text)
    assert text[c[0]:c[1]] == "下個禮拜三晏晝三點半"
    assert c[2]["week"] == {"rel": 1, "wd": 3}


def test_range_and_deadline_are_attached():
    (c,) = find_candidates("下周二到周四都可以")
    assert c[2]["range_to"]["week"]["wd"] == 4
    (d,) = find_candidates("今晚八点前回复")
    assert d[2]["deadline"] == "before" and d[2]["rd"] == 0


@pytest.mark.parametrize("text", [
    "两点建议", "三点意见", "快一点", "6号线", "1号车间", "八一路", "交期大概六周", "2-3天", "一到两个月",
    "一时半会儿", "一刻不停", "随时都行", "八台机床", "单价1.5万", "6.5折", "比例1:20", "周期太长",
])
def test_not_a_date(text):
    assert find_candidates(text) == []


def test_offsets_in_longer_message():
    text = "[00:01:23] 客户:嗯 这样 下周三下午两点你们过来,3号线出站就到"
    cands = find_candidates(text)
    assert [text[s:e] for s, e, _ in cands] == ["下周三下午两点"]


def test_empty_and_plain_text():
    assert find_candidates("") == []
    assert find_candidates("您好,报价单格式用你们模板") == []


def test_dispatched_scan_equals_a_full_alternation_scan():
    """The speed-ups (start characters, first-character dispatch) must not change what is
    found: the same atoms as one regex of every atom run with finditer over the whole text."""
    import json
    import re
    from pathlib import Path
    from extractor.timex import finder
    from extractor.timex.normalize import normalize
    texts = []
    for f in (Path(finder.__file__).parent / "corpus").rglob("*.jsonl"):
        texts += [json.loads(x)["text"] for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    bench = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "duckling_zh_time.jsonl"
    if bench.exists():
        texts += [json.loads(x)["text"] for x in bench.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts += ["下午三點半到五点", "2026-03-05 14:30", "Q3末", "初八 腊月二十三", "10/31/1974", "3pm", "5.1-5.5号",
              "双11前能发货吗", "明儿见", "今儿有空吗", "后儿再说", "双十二活动"]
    assert len(texts) > 700
    full_rx = re.compile("|".join(f"(?P<{n}>{p})" for n, p in finder._ATOMS))
    for t in texts:
        n = normalize(t)
        full = []
        for m in full_rx.finditer(n):
            p = finder._atom(m)
            if p:
                full.append((m.start(), m.end(), p))
        assert finder._scan_atoms(n) == full, t  # the key trigger loses nothing either
        assert all(finder._START.match(n, s) for s, _, _ in full), t
