"""Chinese numerals → int, with cn2an behind a small exact fast path.

cn2an (its "smart" mode) is the reference: it reads every form chat Chinese uses. Importing
it costs ~70 ms of regex compilation, a sixth of the CLI's start-up, while nearly every
numeral in sales chat is a plain one (三, 十五, 一百二十八, 两万五, 二〇二六). `cn_int` reads
those plain forms itself and returns None for anything else (点, 亿 with an abbreviated
tail, malformed strings); `to_number` then asks cn2an. `tests/test_numerals.py` checks on
every number to 120,000, on abbreviated chat forms and on random strings that the fast path
never disagrees with cn2an where it answers, and that what it declines cn2an refuses.
"""
from __future__ import annotations

import re
from functools import lru_cache

DIGIT = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
         "七": 7, "八": 8, "九": 9}
SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}


def _section(s: str, *, abbreviated: bool = True) -> int | None:
    """A number below 10,000 written with 千百十 (一千零八, 三百五十, 十五). With `abbreviated`,
    a bare digit after 百/千 takes the next lower unit (一百五 = 150), as at the end of a number;
    before 万 (七百九万) cn2an reads it otherwise, so there it is refused. None when not plain."""
    if not s:
        return None
    total, digit, last_unit, zero_seen = 0, None, 10_000, False
    for i, ch in enumerate(s):
        if ch in DIGIT:
            if digit is not None:  # two digits in a row inside a united number (一二百) → not plain
                return None
            d = DIGIT[ch]
            if d == 0:
                if zero_seen or i == 0 or last_unit in (10, 10_000):
                    return None
                zero_seen = True
                continue
            digit = d
        elif ch in SMALL_UNIT:
            u = SMALL_UNIT[ch]
            if u >= last_unit:
                return None
            if digit is None:
                if u == 10 and i == 0:  # 十五 = 15
                    digit = 1
                else:
                    return None
            if zero_seen and u * 10 == last_unit:  # 一千零百 is not a numeral
                return None
            total += digit * u
            digit, last_unit, zero_seen = None, u, False
        else:
            return None
    if digit is not None:
        if last_unit == 10_000:  # a single digit: the section is that digit
            total += digit
        elif zero_seen or last_unit == 10:  # 一百零五 / 二十五: the digit is units
            total += digit
        elif abbreviated:  # 一百五 = 150, 三千五 = 3500: the digit takes the next lower unit
            total += digit * (last_unit // 10)
        else:
            return None
    elif zero_seen and not abbreviated:  # 二千二百零万: cn2an refuses it
        return None
    return total  # a trailing 零 at the end adds nothing (一百零 = 100, as cn2an reads it)


def cn_int(s: str) -> int | None:
    """The plain forms: a string of digits read one by one (二〇二六, 三三三一), or sections
    joined by 万 (两万五 = 25,000, 三十五万八 = 358,000, 一万零五 = 10,005). None otherwise."""
    if not s:
        return None
    if all(ch in DIGIT for ch in s):
        if len(s) == 1:
            return DIGIT[s]
        if any(ch in "两幺" for ch in s):  # 两两 / 幺幺: leave to cn2an
            return None
        return int("".join(str(DIGIT[ch]) for ch in s))
    if "亿" in s or "点" in s or "〇" in s:  # 〇 inside a united number: cn2an has its own views
        return None
    if s.count("万") > 1:
        return None
    if "万" in s:
        hi, lo = s.split("万")
        h = _section(hi, abbreviated=False)
        if h is None or h == 0:
            return None
        if not lo:
            return h * 10_000
        if len(lo) == 1 and lo in DIGIT and DIGIT[lo] > 0:  # 两万五 = 25,000
            return h * 10_000 + DIGIT[lo] * 1000
        if lo == "零":  # 两万零 = 20,000
            return h * 10_000
        if lo[0] in "零〇":
            rest = _section(lo[1:])
            if rest is None or rest == 0 or rest >= 1000 or lo[1:2] in "零〇":
                return None
            return h * 10_000 + rest
        rest = _section(lo)
        if rest is None or rest < 1000:  # 三万五十 is not plain
            return None
        return h * 10_000 + rest
    return _section(s)


def fast_number(s: str) -> float | None:
    """cn_int, and decimals said with 点 (一点五 = 1.5, 零点零三 = 0.03, 两点 = 2). None otherwise."""
    if "点" not in s:
        v = cn_int(s)
        return None if v is None else float(v)
    head, _, frac = s.partition("点")
    ip = cn_int(head)
    if ip is None or not all(ch in DIGIT and ch != "幺" for ch in frac):
        return None
    return float(f"{ip}.{''.join(str(DIGIT[ch]) for ch in frac)}") if frac else float(ip)


_D = "一二两三四五六七八九"
# two digits before a unit (三四百: a range, read by the amounts module digit by digit), a 十 before
# a bigger unit (五十千), a 百 with one digit (百五)
_NOT_NUMERAL = re.compile(rf"[{_D}][{_D}][十百千]|[{_D}]十[百千]|百[{_D}]")


def not_a_numeral(s: str) -> bool:
    """Strings cn2an always refuses, said often in chat (一点点 'a little', 点两下, a lone 百,
    五一百 from 五一 + 百万): answered without importing it."""
    return (not s or s.count("点") > 1 or s.startswith("点") or len(s) == 1 and s in "百千万亿"
            or _NOT_NUMERAL.fullmatch(s) is not None)


@lru_cache(maxsize=4096)
def to_number(s: str) -> float | None:
    """Any numeral cn2an's smart mode reads (1.5万, 一亿二…), fast path first; None when it is
    not a numeral."""
    v = fast_number(s)
    if v is not None:
        return v
    if not_a_numeral(s):
        return None
    try:
        import cn2an
        return float(cn2an.cn2an(s, "smart"))
    except Exception:  # noqa: BLE001 - cn2an raises bare ValueError/KeyError on junk
        return None
