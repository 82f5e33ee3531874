"""Public API (find_times / first_time) and the `chat2crm time` command."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from extractor.types import BEIJING
from extractor.timex import TimeMention, find_times, first_time

ROOT = Path(__file__).resolve().parent.parent
REF = "2026-03-10T09:14:00+08:00"


def test_find_times_fields_and_order():
    text = "下周二到周四都行,月底前签合同,今晚八点前给我回复"
    ms = find_times(text, REF)
    assert [m.text for m in ms] == ["下周二到周四", "月底前", "今晚八点前"]
    assert all(isinstance(m, TimeMention) and text[m.start:m.end] == m.text for m in ms)
    assert [m.kind for m in ms] == ["interval", "deadline", "deadline"]
    assert ms[0].from_.date().isoformat() == "2026-03-17" and ms[0].to.date().isoformat() == "2026-03-19"
    assert ms[2].value == datetime(2026, 3, 10, 20, 0, tzinfo=BEIJING) and ms[2].has_time_of_day
    assert all(m.value.tzinfo is not None and 0 < m.confidence <= 1 and m.explain and m.rule for m in ms)


def test_first_time_shape_and_interval_value_is_from():
    got = first_time("下周二到周四都行", REF)
    assert set(got) == {"value", "grain", "from", "to"}
    assert got["value"] == got["from"] == "2026-03-17T00:00:00+08:00"
    assert first_time("您好", REF) == {"value": None, "grain": None, "from": None, "to": None}


def test_naive_ref_is_beijing_and_other_zones_resolve_on_beijing_wall_clock():
    assert first_time("明天上午十点", "2026-03-10T09:14:00")["value"] == "2026-03-11T10:00:00+08:00"
    utc = datetime(2026, 3, 10, 1, 14, tzinfo=timezone.utc)  # 09:14 in Beijing
    assert first_time("明天", utc)["value"] == "2026-03-11T00:00:00+08:00"
    # 17:00Z is already 01:00 on the 11th in Beijing: 明天 is the 12th (CONTRACT: Beijing wall-clock time)
    assert first_time("明天下午三点", "2026-03-10T17:00:00Z")["value"] == "2026-03-12T15:00:00+08:00"


def test_deictic_now_yields_to_a_real_date():
    assert first_time("现在先不考虑,下个月初再聊", REF)["value"].startswith("2026-04-01")
    assert first_time("现在", REF)["value"] == "2026-03-10T09:14:00+08:00"


def test_holiday_fallback_is_explained():
    (m,) = find_times("国庆后再说", "2027-09-20T10:00:00+08:00")
    assert m.value.date().isoformat() == "2027-10-08" and m.confidence < 0.8
    assert "固定日期规则" in m.explain


def _run(lines: list[str]) -> list[dict]:
    exe = ROOT / ".venv" / "bin" / "chat2crm"
    cmd = [str(exe), "time"] if exe.exists() else [sys.executable, "-m", "extractor.cli", "time"]
    proc = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(x) for x in proc.stdout.splitlines()]


def test_cli_one_line_per_input_and_bad_lines_go_on():
    out = _run([
        json.dumps({"id": "a", "text": "下周三让技术总监过来", "ref": REF}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "text": "明天", "ref": "yesterday"}),
        json.dumps({"id": 4, "text": "两点建议", "ref": REF}, ensure_ascii=False),
        json.dumps({"id": "e", "ref": REF}),
        "",
        json.dumps({"id": "g", "text": "國慶後再講", "ref": "2026-09-28T14:00:00"}, ensure_ascii=False),
    ])
    assert len(out) == 7
    assert out[5] == {"id": None, "error": "empty line", "line": 6}
    assert out[6]["value"] == "2026-10-08T00:00:00+08:00"
    assert out[0] == {"id": "a", "value": "2026-03-18T00:00:00+08:00", "grain": "day", "from": None, "to": None}
    assert out[1]["id"] is None and out[1]["line"] == 2 and "JSON" in out[1]["error"]
    assert out[2]["id"] == "c" and out[2]["line"] == 3 and "ref" in out[2]["error"]
    assert out[3] == {"id": 4, "value": None, "grain": None, "from": None, "to": None}
    assert out[4]["id"] == "e" and "text" in out[4]["error"]


def test_import_is_cheap():
    code = ("import sys, extractor.timex as t; "
            "print(any(m in sys.modules for m in ('cn2an', 'lunardate', 'opencc', 'jionlp', 'torch')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr
