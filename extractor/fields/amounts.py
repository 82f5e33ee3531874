"""Money amounts in chat Chinese: 两百万, 150w, 80个w, 1.5个亿, 一百二十到一百三十万, 12.5万."""
from __future__ import annotations

import re
from functools import lru_cache

NUM = r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千点]+)"
UNIT = r"(?:个)?(?:w|W|万|千|k|K|亿|个亿)"
AMOUNT = re.compile(
    rf"(?P<a>{NUM})\s*(?P<ua>{UNIT})?\s*(?:块|元)?\s*(?:(?:到|至|-|~|～|—)\s*(?P<b>{NUM})\s*(?P<ub>{UNIT})?)?\s*(?P<cur>块钱|块|元|人民币)?")

UNIT_VALUE = {"w": 10_000, "万": 10_000, "千": 1_000, "k": 1_000, "亿": 100_000_000}


@lru_cache(maxsize=4096)
def _num(s: str) -> float | None:
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        return float(s)
    try:
        import cn2an
        return float(cn2an.cn2an(s, "smart"))
    except Exception:  # noqa: BLE001 - not a number
        return None


def _unit(u: str | None) -> int | None:
    if not u:
        return None
    u = u.replace("个", "").lower()
    return UNIT_VALUE.get(u)


def parse_amount(m: re.Match) -> tuple[int, int] | None:
    a, b = _num(m.group("a")), _num(m.group("b")) if m.group("b") else None
    ua, ub = _unit(m.group("ua")), _unit(m.group("ub"))
    if a is None:
        return None
    if b is not None:
        ua = ua or ub
        ub = ub or ua
        if ua is None and not m.group("cur"):
            return None
        lo, hi = a * (ua or 1), b * (ub or 1)
    else:
        if ua is None and not m.group("cur"):
            return None
        lo = hi = a * (ua or 1)
    if lo > hi:
        lo, hi = hi, lo
    if hi < 1000:  # 3块钱 is not a B2B budget
        return None
    return int(round(lo)), int(round(hi))


def find_amounts(text: str):
    """Yield (start, end, (min, max)) for every money amount in the text."""
    for m in AMOUNT.finditer(text):
        if not m.group("a") or not (m.group("ua") or m.group("ub") or m.group("cur")):
            continue
        v = parse_amount(m)
        if v:
            yield m.start(), m.end(), v
