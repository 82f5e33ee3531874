"""The resolver alone: parse dicts + reference time → values (no finder involved)."""
from __future__ import annotations

import json
from datetime import datetime

from extractor.types import BEIJING
from extractor.timex import holidays
from extractor.timex.resolver import num, resolve

REF = datetime(2026, 3, 10, 9, 14, tzinfo=BEIJING)  # a Tuesday


def test_next_week_weekday():
    r = resolve({"week": {"rel": 1, "wd": 3}}, REF)
    assert r.value == datetime(2026, 3, 18, tzinfo=BEIJING) and r.grain == "day"
    assert "2026-03-18" in r.explain and "2026-03-10" in r.explain


def test_bare_weekday_same_day_and_sunday_next_week():
    assert resolve({"week": {"rel": None, "wd": 2}}, REF).value.day == 10
    sunday = datetime(2026, 3, 15, 20, 0, tzinfo=BEIJING)
    assert resolve({"week": {"rel": 1, "wd": 1}}, sunday).value.day == 16


def test_invalid_dates_resolve_to_none():
    assert resolve({"month": {"abs": "2"}, "day": {"abs": "30", "suffix": True}}, REF) is None
    assert resolve({"clock": {"h": "25", "u": "点"}}, REF) is None


def test_clock_defaults():
    r = resolve({"clock": {"h": "两", "u": "点", "m": 30}}, REF)
    assert (r.value.hour, r.value.minute, r.grain) == (14, 30, "minute")
    r = resolve({"clock": {"h": "八", "u": "点"}}, REF)  # 08:00 already past → tomorrow
    assert (r.value.day, r.value.hour) == (11, 8)
    r = resolve({"pod": "下午"}, REF)
    assert (r.value.hour, r.grain, r.has_time_of_day) == (14, "day", True)


def test_numerals_through_cn2an():
    assert num("十五") == 15 and num("二十三") == 23 and num("廿") == 20 and num("7") == 7


def test_deadline_within_days():
    r = resolve({"offset": {"n": "五", "unit": "天", "mode": "within"}}, REF)
    assert r.kind == "deadline" and r.value == datetime(2026, 3, 15, tzinfo=BEIJING)


def test_holiday_with_make_up_day():
    ref = datetime(2025, 12, 20, 9, 0, tzinfo=BEIJING)
    r = resolve({"hol": {"name": "元旦", "suf": "后"}}, ref)
    assert r.value.date().isoformat() == "2026-01-04"  # a Sunday, but a 调休 working day
    assert r.confidence >= 0.85


def test_missing_year_falls_back_with_lower_confidence(tmp_path, monkeypatch):
    data = {"years": {"2026": {"holidays": [], "workdays": []}}}
    f = tmp_path / "h.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("CHAT2CRM_HOLIDAYS_FILE", str(f))
    ref = datetime(2027, 9, 20, 10, 0, tzinfo=BEIJING)
    r = resolve({"hol": {"name": "国庆", "suf": "后"}}, ref)
    assert r.value.date().isoformat() == "2027-10-08"
    assert r.confidence < 0.8 and "固定日期规则" in r.explain


def test_holiday_file_can_be_overridden(tmp_path, monkeypatch):
    data = {"years": {"2026": {"holidays": [{"name": "国庆", "start": "2026-10-01", "end": "2026-10-03"}],
                               "workdays": []}}}
    f = tmp_path / "override.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("CHAT2CRM_HOLIDAYS_FILE", str(f))
    ref = datetime(2026, 9, 28, 14, 0, tzinfo=BEIJING)
    r = resolve({"hol": {"name": "国庆", "suf": "后"}}, ref)
    assert r.value.date().isoformat() == "2026-10-05"  # 10-04 is a Sunday
    assert holidays.is_workday(r.value.date())


def test_shipped_calendar_covers_2004_to_2026():
    periods, work = holidays._load(str(holidays._DEFAULT))
    assert min(periods) == 2004 and max(periods) >= 2026
    assert ("春节", holidays.date(2026, 2, 15), holidays.date(2026, 2, 23)) in periods[2026]


def test_without_explanation_the_values_are_the_same():
    """first_time skips the explanation for speed; nothing else may change."""
    import json
    from pathlib import Path
    from extractor.timex import finder
    from extractor.timex.resolver import resolve
    from extractor.types import parse_time
    n = 0
    for f in (Path(finder.__file__).parent / "corpus").glob("*.jsonl"):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            ref = parse_time(case["ref"])
            for _, _, p in finder.find_candidates(case["text"]):
                a, b = resolve(p, ref), resolve(p, ref, explain=False)
                assert (a is None) == (b is None), case["text"]
                if a is not None:
                    n += 1
                    assert a.explain
                    assert (a.kind, a.value, a.grain, a.from_, a.to, a.confidence) == \
                        (b.kind, b.value, b.grain, b.from_, b.to, b.confidence), case["text"]
    assert n > 300
