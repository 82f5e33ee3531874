"""Money amounts in chat Chinese.

Handles the forms reps and customers actually type: 两百万, 150w, 80个w, 1.5个亿,
一百二十到一百三十万 (the unit said once for both ends), approximate ranges said with
two neighbouring digits (七八十万 → 70–80万, 两三百万, 一百五六十万), 来/多/出头
(两百来万 → about 2,000,000), and the slang 个 for 万 (八十到一百个). Numerals go through
extractor.numerals (plain forms read directly, the rest by cn2an). `find_amounts(text, assume_wan=False)` yields (start, end, (min, max), has_unit).
"""
from __future__ import annotations

import re
from functools import lru_cache

DIG = "零〇一二两三四五六七八九"
CN = rf"[{DIG}十百千点]+"
NUM = rf"(?:[0-9]+(?:\.[0-9]+)?|{CN})"
APPROX = r"(?:来|多|出头|左右|上下)?"
UNIT = r"(?:个亿|亿|个w|个W|w|W|百万|万|千|k|K|个)"
AMOUNT = re.compile(
    rf"(?P<a>{NUM}){APPROX}\s*(?P<ua>{UNIT})?\s*(?:块|元)?\s*"
    rf"(?:(?:到|至|-|~|～|—|－)\s*(?P<b>{NUM}){APPROX}\s*(?P<ub>{UNIT})?)?\s*(?P<cur>块钱|块|元|人民币)?")

MEASURE_UNIT = re.compile(r"\s*(?:微米|丝|度(?!过)|℃|兆帕|MPa|mpa|帕|ppm|PPM|mm|MM|um|μm|cm|公里|千米|千瓦|kW|kw|KW|瓦|伏|V\b|安(?!装|排|全)|A\b|"
                          r"升(?!级)|L\b|赫兹|Hz|转(?!账|过|给|到)|rpm|dB|分贝|%|％|吨/|公斤/|米/|平方|立方)")
UNIT_VALUE = {"w": 10_000, "百万": 1_000_000, "万": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}
NEIGHBOURS = re.compile(rf"([{DIG[2:]}])([{DIG[2:]}])(?=[十百千万]|$)")
VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}


@lru_cache(maxsize=4096)
def _num(s: str) -> tuple[float, float] | None:
    """A numeral → (low, high); two neighbouring digits make a range (七八十 → 70, 80)."""
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        return float(s), float(s)
    m = NEIGHBOURS.search(s)
    if m and VALUE.get(m.group(2), -9) - VALUE.get(m.group(1), -9) == 1:
        lo = _cn(s[:m.start()] + m.group(1) + s[m.end():])
        hi = _cn(s[:m.start()] + m.group(2) + s[m.end():])
        if lo is not None and hi is not None:
            return lo, hi
    v = _cn(s)
    return None if v is None else (v, v)


def _cn(s: str) -> float | None:
    if not s or s in ("点", "十点"):
        return None
    from extractor.numerals import to_number
    return to_number(s)


def _unit(u: str | None, assume_wan: bool) -> int | None:
    if not u:
        return None
    u = u.lower()
    if u == "个":
        return 10_000 if assume_wan else None
    return UNIT_VALUE.get(u.replace("个", ""))


def find_amounts(text: str, *, assume_wan: bool = False):
    """Yield (start, end, (min, max), has_unit) for money amounts in the text.

    With assume_wan (a budget statement), a bare number from 10 to 9999 is read in 万
    (一百到一百二 → 1,000,000–1,200,000), as B2B equipment budgets are said."""
    for m in AMOUNT.finditer(text):
        a = _num(m.group("a"))
        if a is None:
            continue
        b = _num(m.group("b")) if m.group("b") else None
        ua, ub = _unit(m.group("ua"), assume_wan), _unit(m.group("ub"), assume_wan)
        has_unit = bool(ua or ub or m.group("cur"))
        if m.group("ua") == "个" and (not assume_wan or a[1] < 10):
            continue  # 3个以内 counts things; 八十个 (= 80万) needs a number in the tens at least
        if b is not None:
            ua = ua or ub
            ub = ub or ua
            lo, hi = a[0] * (ua or 1), b[1] * (ub or 1)
        else:
            lo, hi = a[0] * (ua or 1), a[1] * (ua or 1)
        if not has_unit:
            if not assume_wan or not (10 <= max(lo, hi) <= 9999):
                continue
            lo, hi = lo * 10_000, hi * 10_000
        if lo > hi:
            lo, hi = hi, lo
        if hi < 1000:
            continue
        after = text[m.end():]
        if re.match(r"\s*(?:台|件|人|套|条|天|年|月|周|个月|小时|分钟|秒|次|家|倍|点|号|米|毫米|公斤|吨|平|片|只|把|班|元/|块/)", after) \
                and not has_unit:
            continue
        if MEASURE_UNIT.match(after) and not (m.group("ua") or m.group("ub") or m.group("cur")):
            continue  # 10微米 / 200度 / 1.5兆帕 / 120ppm: a measurement, never money
        if re.match(r"(?:件|只(?![能要有是])|片|套(?!餐)|颗|支(?!付|持)|pcs|PCS)", after) and not m.group("cur"):
            continue  # 一年四十来万只 / 10万件: a count of parts, not money
        if text[m.start() - 1:m.start()] == "几":
            continue  # 几十万: too vague to be an amount
        after_unit = text[m.end("ua"):] if m.group("ua") else ""
        if m.group("ua") == "个" and re.match(r"[\u4e00-\u9fa5]", after_unit) and not re.match(r"(?:吧|左右|上下|以内|之内|的样子|这样)", after_unit):
            continue  # 一个班 / 两个人: 个 is a measure word here, not 万
        yield m.start(), m.end(), (int(round(lo)), int(round(hi))), has_unit
