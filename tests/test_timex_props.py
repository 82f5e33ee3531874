"""Property tests: no input makes the time resolver raise; offsets and values are valid."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from extractor.types import BEIJING
from extractor.timex import find_times, first_time

PIECES = ["下周", "下下周", "周", "星期", "礼拜", "禮拜", "週", "三", "日", "天", "末", "号", "號", "日", "月", "年", "点",
          "點", "半", "一刻", "三刻", "上午", "下午", "晚上", "中午", "今", "明", "后", "後", "前", "内", "之前", "到", "至",
          "-", ".", "/", ":", "2月30号", "25点", "13月", "99号", "0点", "24:00", "99999999999天后", "十万年后",
          "一二三四五六七八九十", "两", "廿", "卅", "〇", "零", "百", "千", "万", "正月", "腊月", "三十", "初", "节后", "年前",
          "国庆", "十一", "春节", "Q", "Q9", "季度", "上半年", "旬", "😀", "🙏🏻", "[捂脸]", "\n", " ", "，", "、", "(",
          "2026", "1999", "9999", "3", "12", "31", "4.15", "1/3", "pm", "AM", "个", "工作日", "小时", "分钟", "秒"]

texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=10).map("".join),
)
refs = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31)).map(
    lambda d: d.replace(tzinfo=BEIJING))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, refs)
def test_never_raises_and_offsets_are_valid(text, ref):
    ms = find_times(text, ref)
    last = -1
    for m in ms:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= last
        last = m.start
        assert m.value.tzinfo is not None
        assert m.grain in ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
        assert m.kind in ("point", "interval", "deadline")
        assert 0.0 < m.confidence <= 1.0
        if m.kind == "interval":
            assert m.from_ is not None and m.to is not None and m.from_ <= m.to
    line = first_time(text, ref)
    assert set(line) == {"value", "grain", "from", "to"}
    if line["value"] is not None:
        datetime.fromisoformat(line["value"])


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=15), st.integers(min_value=1, max_value=40), refs)
def test_month_day_is_resolved_iff_valid(m, d, ref):
    got = first_time(f"客户说{m}月{d}号过来", ref)
    valid = m <= 12 and d <= 31
    if got["value"] is not None:
        v = datetime.fromisoformat(got["value"])
        assert valid and (v.month, v.day) == (m, d)
        assert v.date() >= ref.date()  # no year given: this year if not past, else next year
        assert v.year - ref.year in (0, 1)
    elif valid and d <= 28:
        raise AssertionError(f"{m}月{d}号 not resolved")
