"""Resolving: a candidate's parse (finder.py) + the message's own time → value, grain,
interval and a short Chinese explanation, following CONTRACT.md "Time conventions".

`resolve(parse, ref)` returns a Resolved or None when the parse names no real time
(2月30号, 25点). `ref` is an aware datetime; all arithmetic is Beijing wall clock.
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from . import holidays as H

WEEKDAYS = "一二三四五六日"
POD = {  # anchor hour for display, window [from, to) hours
    "凌晨": (3, 0, 6), "清晨": (7, 4, 12), "早晨": (9, 4, 12), "早上": (9, 4, 12), "一早": (9, 4, 12),
    "上午": (9, 4, 12), "中午": (12, 12, 14), "午后": (14, 12, 19), "下午": (14, 12, 19), "傍晚": (18, 17, 20),
    "晚上": (19, 18, 24), "晚间": (19, 18, 24), "夜里": (21, 18, 24), "半夜": (0, 0, 4),
}
AM_PODS = ("凌晨", "清晨", "早晨", "早上", "一早", "上午", "半夜")
PM_PODS = ("午后", "下午", "傍晚", "晚上", "晚间", "夜里")


@dataclass(slots=True)
class Resolved:
    kind: str
    value: datetime
    grain: str
    from_: datetime | None
    to: datetime | None
    has_time_of_day: bool
    confidence: float
    explain: str


class Invalid(Exception):
    pass


@lru_cache(maxsize=512)
def num(s) -> int:
    """Chinese or Arabic numeral → int (extractor.numerals: a plain-form fast path, then cn2an)."""
    if isinstance(s, int):
        return s
    s = str(s).strip()
    if s.isdigit():
        return int(s)
    if s in ("半",):
        raise Invalid(s)
    if s in ("几", "数"):
        return 3
    if s == "一两":
        return 2
    from extractor.numerals import to_number
    v = to_number(s.replace("〇", "零").replace("卅", "三十"))
    if v is None:
        raise Invalid(s)
    return int(v)


def _year(s: str) -> int:
    if s.isdigit():
        y = int(s)
        return y + (1900 if y >= 50 else 2000) if len(s) == 2 else y
    return num("".join(str("零一二三四五六七八九".index(c)) if c in "零一二三四五六七八九" else "0" for c in s.replace("〇", "零")))


def _wdname(d: date) -> str:
    return "周" + WEEKDAYS[d.weekday()]


def _dstr(d: date | datetime) -> str:
    return _dstr_day(d.date() if isinstance(d, datetime) else d)


@lru_cache(maxsize=2048)
def _dstr_day(dd: date) -> str:
    return f"{dd.isoformat()}({_wdname(dd)})"


def _mk(d: date, tz, h=0, m=0, s=0) -> datetime:
    return datetime.combine(d, time(h, m, s), tzinfo=tz)


def _add_months(d: date, n: int) -> date:
    y, mo = divmod(d.month - 1 + n, 12)
    y += d.year
    mo += 1
    return date(y, mo, min(d.day, _cal.monthrange(y, mo)[1]))


def _month_last(y: int, m: int) -> date:
    return date(y, m, _cal.monthrange(y, m)[1])


def _week_monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _unit(u: str) -> str:
    if u in ("天", "日"):
        return "day"
    u = u.lstrip("个") if u not in ("个月",) else u
    if u in ("周", "星期", "礼拜"):
        return "week"
    if u.endswith("月"):
        return "month"
    if u == "年":
        return "year"
    if "小时" in u or "钟头" in u or u in ("个钟", "钟"):
        return "hour"
    if u.startswith("分"):
        return "minute"
    if u.startswith("秒"):
        return "second"
    if "工作日" in u:
        return "workday"
    raise Invalid(u)


def _shift(dt: datetime, unit: str, n: float) -> datetime:
    if unit == "second":
        return dt + timedelta(seconds=n)
    if unit == "minute":
        return dt + timedelta(minutes=n)
    if unit == "hour":
        return dt + timedelta(hours=n)
    if unit == "day":
        return dt + timedelta(days=n)
    if unit == "week":
        return dt + timedelta(days=7 * n)
    if unit == "month":
        whole = int(n)
        d = _add_months(dt.date(), whole)
        out = datetime.combine(d, dt.timetz())
        if n != whole:
            out += timedelta(days=15)
        return out
    if unit == "year":
        whole = int(n)
        d = _add_months(dt.date(), 12 * whole)
        out = datetime.combine(d, dt.timetz())
        if n != whole:
            out = datetime.combine(_add_months(out.date(), 6), dt.timetz())
        return out
    raise Invalid(unit)


def _trunc(dt: datetime, unit: str) -> datetime:
    if unit == "second":
        return dt.replace(microsecond=0)
    if unit == "minute":
        return dt.replace(second=0, microsecond=0)
    if unit == "hour":
        return dt.replace(minute=0, second=0, microsecond=0)
    d = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    if unit == "year":
        return d.replace(month=1, day=1)
    return d


def _offset(o: dict, ref: datetime, ex_on: bool = True) -> Resolved:
    unit = _unit(o["unit"])
    raw = o["n"]
    half = raw.endswith("半")
    core = raw[:-1] if half and len(raw) > 1 else raw
    approx = len(core) == 2 and core[0] in "一两二三四五六七八九" and core[1] in "二三四五六七八九" and core != "一二"
    if approx:  # 两三天后: the nearer figure; 三四天内: the farther one (a deadline)
        core = core[1] if o["mode"] == "within" else core[0]
    n: float = 0.5 if raw == "半" else num(core) + (0.5 if half else 0)
    if n > 100000:
        raise Invalid(raw)
    mode = o["mode"]
    if unit == "workday":
        d = ref.date()
        k = int(n)
        while k > 0:
            d += timedelta(days=1)
            if H.is_workday(d):
                k -= 1
        v = _mk(d, ref.tzinfo)
        kind = "deadline" if mode == "within" else "point"
        return Resolved(kind, v, "day", None, None, False, 0.9, (f"消息时间 {_dstr(ref)},{int(n)}个工作日后即 {_dstr(v)}" if ex_on else ""))
    grain = "day" if unit == "week" and mode in ("after", "within") else unit
    sign = -1 if mode in ("before", "past") else 1
    tr = _trunc(ref, unit)
    if mode in ("after", "within", "before"):
        v = _shift(ref, unit, sign * n)
        if unit in ("day", "week", "month", "year"):
            v = _trunc(v, "day")
            grain = "day" if unit in ("day", "week") or mode != "before" else unit
        if sign > 0:
            f, t = _shift(tr, unit, 1), _shift(tr, unit, int(n) + 1) if n == int(n) else None
        else:
            f, t = _shift(tr, unit, -n), tr
        kind = "deadline" if mode == "within" else "point"
        word = {"after": "后", "within": "内", "before": "前"}[mode]
        return Resolved(kind, v, grain, f if n == int(n) else None, t if n == int(n) else None, unit in ("hour", "minute", "second"),
                        0.95 if not (o.get("soft") or approx) else 0.7,
                        (f"消息时间 {_dstr(ref)},{raw}{o['unit']}{word}即 {_dstr(v) if unit not in ('hour', 'minute', 'second') else v.strftime('%Y-%m-%d %H:%M')}" if ex_on else ""))
    # prefix forms: 下三天 (the next three days), 上两周 (the two weeks before this one)
    if n != int(n):
        raise Invalid(raw)
    if mode == "next":
        f, t = _shift(tr, unit, 1), _shift(tr, unit, int(n) + 1)
    else:
        f, t = _shift(tr, unit, -int(n)), tr
    return Resolved("interval", f, unit, f, t, unit in ("hour", "minute", "second"), 0.85,
                    (f"消息时间 {_dstr(ref)},{'接下来' if mode == 'next' else '之前'}{raw}{o['unit']}: {f.isoformat(timespec='minutes')} 起" if ex_on else ""))


def _next_holiday_day(name: str, ref_d: date) -> tuple[date, bool] | None:
    """The festival day itself (元旦 01-01, 春节 lunar 1/1 ...), next on/after ref."""
    for y in (ref_d.year, ref_d.year + 1):
        d = _festival(name, y)
        if d and d >= ref_d:
            return d, True
    return None


def _nth_wd(y: int, m: int, n: int, wd: int) -> date:
    d = date(y, m, 1)
    d += timedelta(days=(wd - 1 - d.weekday()) % 7)
    return d + timedelta(days=7 * (n - 1))


def _easter(y: int) -> date:
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    mo = (h + l_ - 7 * m + 114) // 31
    return date(y, mo, (h + l_ - 7 * m + 114) % 31 + 1)


def _orthodox_easter(y: int) -> date:
    a, b, c = y % 4, y % 7, y % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    mo, dd = divmod(d + e + 114, 31)
    return date(y, mo, dd + 1) + timedelta(days=13)  # Julian → Gregorian, 1900-2099


from .names import EASTER  # noqa: E402


FIXED = {"元旦": (1, 1), "阳历新年": (1, 1), "妇女节": (3, 8), "劳动节": (5, 1), "五一": (5, 1), "儿童节": (6, 1),
         "建军节": (8, 1), "圣诞": (12, 25), "平安夜": (12, 24), "愚人节": (4, 1), "万圣节": (10, 31), "情人节": (2, 14),
         "圣瓦伦丁节": (2, 14), "消费者权益日": (3, 15), "三一五": (3, 15), "315晚会": (3, 15), "澳门回归纪念日": (12, 20),
         "香港回归纪念日": (7, 1), "国庆": (10, 1), "十一": (10, 1), "双十一": (11, 11), "双11": (11, 11),
         "双十二": (12, 12), "双12": (12, 12), "教师节": (9, 10), "老板节": (10, 16), "清明": (4, 5)}
LUNAR = {"春节": (1, 1), "过年": (1, 1), "农历新年": (1, 1), "新春": (1, 1), "正月正时": (1, 1), "正月朔日": (1, 1),
         "元宵": (1, 15), "端午": (5, 5), "七夕": (7, 7), "中秋": (8, 15), "重阳": (9, 9), "腊八": (12, 8),
         "小年": (12, 23)}
STAT = {"元旦": "元旦", "春节": "春节", "过年": "春节", "年": "春节", "农历新年": "春节", "新春": "春节", "清明": "清明",
        "五一": "劳动节", "劳动节": "劳动节", "端午": "端午", "中秋": "中秋", "国庆": "国庆", "十一": "国庆"}


def _canon(name: str) -> str:
    n = name
    for pre in ("五一国际", "国际", "八一"):
        if n.startswith(pre) and len(n) > len(pre):
            n = n[len(pre):]
    if n.endswith("节") and n[:-1] in FIXED or n.endswith("节") and n[:-1] in LUNAR:
        n = n[:-1]
    if n in ("圣诞节",):
        n = "圣诞"
    if n == "大年三十":
        n = "除夕"
    return n


@lru_cache(maxsize=1024)
def _festival(name: str, y: int) -> date | None:
    if name in FIXED:
        m, d = FIXED[name]
        return date(y, m, d)
    if name in LUNAR:
        m, d = LUNAR[name]
        return H.lunar_to_solar(y, m, d)
    if name == "除夕":
        d = H.lunar_to_solar(y, 1, 1)
        return d - timedelta(days=1) if d else None
    if name in EASTER:
        return _easter(y) + timedelta(days=EASTER[name])
    if name.startswith("东正教") and name[3:] in EASTER:
        return _orthodox_easter(y) + timedelta(days=EASTER[name[3:]])

    if name == "母亲节":
        return _nth_wd(y, 5, 2, 7)
    if name == "父亲节":
        return _nth_wd(y, 6, 3, 7)
    if name == "感恩节":
        return _nth_wd(y, 11, 4, 4)
    return None


def _holiday(h: dict, ref: datetime, year: int | None = None, ex_on: bool = True) -> tuple[date, str, float, str]:
    """→ (day, grain, confidence, explanation)"""
    name = _canon(h["name"])
    suf = h["suf"]
    rd = ref.date()
    after = "后" in suf or "收假" in suf
    before = suf.endswith("前")
    if name in ("节", "年") or (name in STAT and (after or before)):
        stat = STAT.get(name)
        if stat is None:  # bare 节后 / 节前: the holiday under way or next to come
            cands = [(n, s, e, ok) for n, s, e, ok in H.all_periods_around(rd) if e >= rd]
            if not cands:
                raise Invalid(name)
            n0, s, e, ok = cands[0]
            label = (f"节({n0})" if ex_on else "")
        else:
            per = None
            for y in (rd.year - 1, rd.year, rd.year + 1):
                p = H.period(stat, y)
                if p and (p[1] >= rd if after or not before else p[0] > rd):
                    per = p
                    break
            if per is None:
                raise Invalid(name)
            s, e, ok = per
            label = stat
        conf = 0.9 if ok else 0.6
        note = "" if ok else "(该年放假安排缺失,按固定日期规则推算)"
        if after:
            d = H.first_workday_after(e)
            return d, "day", conf, (f"{label}假期 {s.isoformat()}~{e.isoformat()},节后第一个工作日 {_dstr(d)}{note}" if ex_on else "")
        if before:
            d = s - timedelta(days=1)
            return d, "day", conf, (f"{label}假期 {s.isoformat()} 开始,节前最后一天 {_dstr(d)}{note}" if ex_on else "")
        return s, "day", conf, (f"{label}假期 {s.isoformat()}~{e.isoformat()}{note}" if ex_on else "")
    if year is not None:
        d = _festival(name, year)
        got = (d, True) if d else None
    else:
        got = _next_holiday_day(name, rd)
    if got is None:
        raise Invalid(name)
    d = got[0]
    if before:
        d = d - timedelta(days=1)
    elif after:
        d = d + timedelta(days=1)
    return d, "day", 0.85, (f"消息时间 {_dstr(ref)},{h['name']}{suf}即 {_dstr(d)}" if ex_on else "")


def _lunar(lu: dict, ref: datetime, ex_on: bool = True) -> tuple[date, str]:
    dd = lu["d"]
    d = num(dd[1:]) if dd.startswith("初") else num(dd)
    from lunardate import LunarDate
    if lu["m"] is None:  # 初八 alone: this lunar month if not yet past, else the next one
        cur = (LunarDate.from_solar_date if hasattr(LunarDate, "from_solar_date") else LunarDate.fromSolarDate)(
            ref.year, ref.month, ref.day)
        for k in range(3):
            y, mo = cur.year + (cur.month - 1 + k) // 12, (cur.month - 1 + k) % 12 + 1
            s = H.lunar_to_solar(y, mo, d)
            if s and s >= ref.date():
                return s, (f"农历{mo}月{dd}即 {_dstr(s)}" if ex_on else "")
        raise Invalid(lu)
    m = lu["m"]
    m = {"正": 1, "冬": 11, "腊": 12}.get(m) or num(m)
    if not (1 <= m <= 12 and 1 <= d <= 30):
        raise Invalid(lu)
    from lunardate import LunarDate
    ly = (LunarDate.from_solar_date if hasattr(LunarDate, 'from_solar_date') else LunarDate.fromSolarDate)(ref.year, ref.month, ref.day).year
    for y in (ly - 1, ly, ly + 1):
        s = H.lunar_to_solar(y, m, d)
        if s and s >= ref.date():
            return s, (f"农历{lu['m']}月{dd}即 {_dstr(s)}" if ex_on else "")
    raise Invalid(lu)


def _clock(c: dict, pod: str | None, cantonese: bool) -> tuple[int, int, int, str, bool]:
    """→ (hour 0..24, minute, second, grain, next_day)"""
    h = num(c["h"])
    m = c.get("m", None)
    s = num(c["s"]) if c.get("s") else 0
    grain = "hour"
    if m is not None:
        if isinstance(m, str):
            mv = num(m)
            if c.get("mu") == "个字" or (cantonese and not c.get("mu") and len(m) == 1 and not m.isdigit() and mv < 12):
                mv *= 5
            elif not c.get("mu") and len(m) == 1 and not m.isdigit() and m != "十":
                raise Invalid(c)  # 两点五 without 分 outside Cantonese: a decimal, not 2:05
            m = mv
        grain = "minute"
    else:
        m = 0
    if c.get("s"):
        grain = "second"
    if h > 24 or m > 59 or (h == 24 and m):
        raise Invalid(c)
    ap = c.get("ap")
    if ap:
        if h > 12 or h == 0:
            raise Invalid(c)
        h = (h % 12) + (12 if ap == "p" else 0)
    elif pod in PM_PODS:
        if h < 12:
            h += 12
        elif h == 12 and pod in ("晚上", "晚间", "夜里"):
            h = 24
    elif pod == "中午":
        if h <= 3:
            h += 12
    elif pod in AM_PODS:
        if h == 12 and pod != "半夜":
            h = 0
        if h > 12:
            raise Invalid(c)
    elif 1 <= h <= 6 and not (c.get("colon") and len(str(c["h"])) == 2):
        h += 12  # business hours: bare 1-6 点 (and 2:30, but not 02:30) is the afternoon
    nd = False
    if h == 24:
        h, nd = 0, True
    return h, m, s, grain, nd


def _date_slots(p: dict, ref: datetime, ex_on: bool = True) -> tuple[date | None, str, str, datetime | None, datetime | None, float]:
    """Date part of a parse → (day, grain, explanation, from, to, confidence); day None = no date."""
    rd = ref.date()
    tz = ref.tzinfo
    conf = 0.95
    if "rd" in p:
        d = rd + timedelta(days=p["rd"])
        return d, "day", (f"消息时间 {_dstr(ref)},相对{'+' if p['rd'] >= 0 else ''}{p['rd']}天即 {_dstr(d)}" if ex_on else ""), None, None, conf
    if "week" in p:
        w = p["week"]
        rel, wd = w["rel"], w.get("wd")
        mon = _week_monday(rd)
        if wd is None:
            d = mon + timedelta(days=7 * rel)
            return d, "week", (f"消息时间 {_dstr(ref)},{'本' if rel == 0 else '下' * rel if rel > 0 else '上' * -rel}周一即 {_dstr(d)}" if ex_on else ""), None, None, conf
        if wd == "end":
            d = mon + timedelta(days=7 * (rel or 0) + 5)
            f = _mk(d - timedelta(days=1), tz, 18)
            return d, "day", (f"消息时间 {_dstr(ref)},周末取周六 {_dstr(d)}" if ex_on else ""), f, _mk(d + timedelta(days=2), tz), conf
        if rel is None:
            d = rd + timedelta(days=(wd - 1 - rd.weekday()) % 7)
            return d, "day", (f"消息时间 {_dstr(ref)},最近的周{WEEKDAYS[wd - 1]}即 {_dstr(d)}" if ex_on else ""), None, None, conf
        d = mon + timedelta(days=7 * rel + wd - 1)
        pre = {0: "本", 1: "下", 2: "下下", -1: "上", -2: "上上"}.get(rel, "")
        return d, "day", (f"消息时间 {_dstr(ref)},{pre}周{WEEKDAYS[wd - 1]}即 {_dstr(d)}" if ex_on else ""), None, None, conf
    if "hol" in p:
        yv = p.get("year")
        hy = None
        if yv:
            hy = rd.year + yv["rel"] if "rel" in yv else _year(yv["abs"])
        d, g, c, ex = _holiday(p["hol"], ref, hy, ex_on)
        return d, g, ex, None, None, c
    if "lunar" in p:
        d, ex = _lunar(p["lunar"], ref, ex_on)
        return d, "day", ex, None, None, 0.9
    # calendar slots
    y = None
    explicit_year = False
    if "year" in p:
        yv = p["year"]
        y = rd.year + yv["rel"] if "rel" in yv else _year(yv["abs"])
        explicit_year = True
        if not 1900 <= y <= 2200:
            raise Invalid(y)
    if "quarter" in p:
        q = p["quarter"]
        if "rel" in q:
            cq = (rd.month - 1) // 3 + q["rel"]
            yy, qq = rd.year + cq // 4, cq % 4 + 1
        else:
            qq = q["abs"]
            yy = y if y is not None else rd.year
            if y is None and _month_last(yy, qq * 3) < rd:
                yy += 1
        if p.get("qpart") in ("末", "底"):
            d = _month_last(yy, qq * 3)
            return d, "day", (f"消息时间 {_dstr(ref)},{yy}年第{qq}季度末即 {_dstr(d)}" if ex_on else ""), None, None, conf
        d = date(yy, 3 * qq - 2, 1)
        return d, "quarter", (f"消息时间 {_dstr(ref)},{yy}年第{qq}季度首日 {_dstr(d)}" if ex_on else ""), _mk(d, tz), _mk(_add_months(d, 3), tz), conf
    if "month" in p:
        mv = p["month"]
        if "rel" in mv:
            base = _add_months(rd.replace(day=1), mv["rel"])
            yy, mm = base.year, base.month
        else:
            mm = num(mv["abs"])
            if not 1 <= mm <= 12:
                raise Invalid(mm)
            yy = y if y is not None else rd.year
        if "day" in p:
            dd = num(p["day"]["abs"])
            if not 1 <= dd <= _cal.monthrange(yy, mm)[1]:
                raise Invalid(dd)
            d = date(yy, mm, dd)
            if y is None and "rel" not in mv:
                cw = p.get("check_wd")
                matched = False
                if cw and cw.get("wd") not in (None, "end"):
                    for yc in (yy, yy + 1, yy - 1):
                        try:
                            dc = date(yc, mm, dd)
                        except ValueError:
                            continue
                        if dc.isoweekday() == cw["wd"]:
                            d, matched = dc, True
                            break
                if not matched and d < rd:
                    try:
                        d = date(yy + 1, mm, dd)
                    except ValueError:
                        raise Invalid(dd) from None
            return d, "day", (f"消息时间 {_dstr(ref)},{mm}月{dd}日即 {_dstr(d)}" if ex_on else ""), None, None, conf if not p["day"].get("numeric") or p["day"].get("suffix") else 0.8
        if y is None and "rel" not in mv:
            last = _month_last(yy, mm)
            mp = p.get("mpart")
            if last < rd or (mp in ("初",) and date(yy, mm, 1) < rd and mm != rd.month and False):
                yy += 1
        if "mpart" in p:
            d = _mpart(p["mpart"], yy, mm)
            return d, "day", (f"消息时间 {_dstr(ref)},{yy}年{mm}月{p['mpart']}即 {_dstr(d)}" if ex_on else ""), None, None, conf
        if "nth" in p:
            d = _nth_wd(yy, mm, p["nth"]["n"], p["nth"]["wd"])
            if d.month != mm:
                raise Invalid(p)
            return d, "day", (f"{yy}年{mm}月第{p['nth']['n']}个周{WEEKDAYS[p['nth']['wd'] - 1]}即 {_dstr(d)}" if ex_on else ""), None, None, conf
        d = date(yy, mm, 1)
        return d, "month", (f"消息时间 {_dstr(ref)},{yy}年{mm}月" if ex_on else ""), _mk(d, tz), _mk(_add_months(d, 1), tz), conf
    if "ypart" in p or "half" in p:
        yy = y if y is not None else rd.year
        yp = p.get("ypart")
        if yp in ("底", "末"):
            d = date(yy, 12, 31)
            return d, "day", (f"消息时间 {_dstr(ref)},年底即 {_dstr(d)}" if ex_on else ""), None, None, conf
        if yp == "初":
            d = date(yy, 1, 1)
            return d, "month", (f"{yy}年初即 {_dstr(d)}" if ex_on else ""), None, None, 0.8
        if yp in ("上半年", "下半年"):
            d = date(yy, 1 if yp == "上半年" else 7, 1)
            return d, "month", (f"{yy}年{yp}自 {_dstr(d)} 起" if ex_on else ""), _mk(d, tz), _mk(_add_months(d, 6), tz), conf
    if y is not None:
        d = date(y, 1, 1)
        return d, "year", (f"消息时间 {_dstr(ref)},{y}年" if ex_on else ""), _mk(d, tz), _mk(date(y + 1, 1, 1), tz), conf
    if "day" in p:
        dd = num(p["day"]["abs"])
        if not 1 <= dd <= 31:
            raise Invalid(dd)
        yy, mm = rd.year, rd.month
        if dd < rd.day:
            mm += 1
            if mm == 13:
                yy, mm = yy + 1, 1
        for _ in range(3):  # 31号 in a 30-day month: the next month that has it
            if dd <= _cal.monthrange(yy, mm)[1]:
                break
            mm += 1
            if mm == 13:
                yy, mm = yy + 1, 1
        d = date(yy, mm, dd)
        return d, "day", (f"消息时间 {_dstr(ref)},{dd}号{'已过,顺延到下月' if d.month != rd.month else '在本月'}即 {_dstr(d)}" if ex_on else ""), None, None, conf
    if "mpart" in p:
        mp = p["mpart"]
        yy, mm = rd.year, rd.month
        d = _mpart(mp, yy, mm)
        if d < rd:
            b = _add_months(rd.replace(day=1), 1)
            d = _mpart(mp, b.year, b.month)
        return d, "day", (f"消息时间 {_dstr(ref)},{mp if len(mp) > 1 else '月' + mp}即 {_dstr(d)}" if ex_on else ""), None, None, conf
    return None, "", "", None, None, conf


def _mpart(mp: str, y: int, m: int) -> date:
    if mp in ("底", "末"):
        return _month_last(y, m)
    return date(y, m, {"初": 1, "上旬": 1, "中": 15, "中旬": 11, "下旬": 21}[mp])


def resolve(p: dict, ref: datetime, explain: bool = True) -> Resolved | None:
    """Values of a parse against `ref`; None when it is not a valid time (2月30号, 25点).
    explain=False skips building the Chinese explanation (left empty or partial): `chat2crm time`
    and first_time never show it."""
    try:
        return _resolve(p, ref, explain)
    except (Invalid, ValueError, OverflowError, KeyError, TypeError):
        return None


def _resolve(p: dict, ref: datetime, ex_on: bool = True) -> Resolved:
    tz = ref.tzinfo
    if "now" in p:
        return Resolved("point", ref.replace(microsecond=0), "second", None, None, False, 0.4,
                        (f"“{p['now']}”即消息时间 {ref.strftime('%Y-%m-%d %H:%M')}" if ex_on else ""))
    if "offset" in p:
        off = _offset(p["offset"], ref, ex_on)
        if "clock" not in p and "pod" not in p:
            return off
        d, grain, ex, f, t, conf = off.value.date(), "day", off.explain, None, None, off.confidence
    else:
        d, grain, ex, f, t, conf = _date_slots(p, ref, ex_on)
    pod = p.get("pod")
    clock = p.get("clock")
    has_tod = bool(pod or clock)
    kind = "point"
    if clock:
        h, m, s, cg, nd = _clock(clock, pod, bool(p.get("cantonese")))
        if d is None:
            d = ref.date()
            v = _mk(d, tz, h, m, s) + timedelta(days=nd)
            if v <= ref:
                v += timedelta(days=1)
                ex = (f"消息时间 {ref.strftime('%Y-%m-%d %H:%M')},{v.strftime('%H:%M')} 今天已过,取明天 {v.strftime('%Y-%m-%d %H:%M')}" if ex_on else "")
            else:
                ex = (f"消息时间 {ref.strftime('%Y-%m-%d %H:%M')},今天 {v.strftime('%H:%M')}" if ex_on else "")
        else:
            v = _mk(d, tz, h, m, s) + timedelta(days=nd)
            ex = (f"{ex} {v.strftime('%H:%M')}" if ex_on else "")
        grain, f, t = cg, None, None
    elif pod:
        anchor, wf, wt = POD[pod]
        if d is None:
            d = ref.date()
            if ref >= _mk(d, tz) + timedelta(hours=wt):
                d += timedelta(days=1)
            ex = (f"消息时间 {ref.strftime('%Y-%m-%d %H:%M')},{pod}指 {_dstr(d)}" if ex_on else "")
        else:
            ex = (f"{ex}{pod}" if ex_on else "")
        v = _mk(d, tz, anchor)
        f, t = _mk(d, tz) + timedelta(hours=wf), _mk(d, tz) + timedelta(hours=wt)
        grain = "day"
    else:
        if d is None:
            raise Invalid(p)
        v = _mk(d, tz)
    if "range_to" in p:
        q = dict(p["range_to"])
        for k in ("year", "month"):
            if k in p and k not in q and ("day" in q or "mpart" in q):
                q[k] = p[k]
        if "week" in q and q["week"]["rel"] is None and "week" in p and q["week"].get("wd") not in (None, "end"):
            q["week"] = {"rel": p["week"]["rel"] if p["week"]["rel"] is not None else 0, "wd": q["week"]["wd"]}
            if p["week"]["rel"] is None:
                q = None
        if q is not None and ("clock" in q or "pod" in q) and not any(k in q for k in ("rd", "week", "day", "month", "hol")):
            q.update({k: p[k] for k in ("rd", "week", "day", "month", "year", "hol") if k in p})
            if "pod" not in q and pod:
                q["pod"] = pod
        end = _resolve(q, ref, ex_on) if q is not None else None
        if end is not None and set(q) <= {"clock", "pod"} and not any(k in p for k in ("rd", "week", "day", "month", "hol")):
            ev = datetime.combine(v.date(), end.value.timetz())
            end.value = ev if ev >= v else ev + timedelta(days=1)
        if end is not None and end.value >= v:
            ex += (f",到 {end.value.strftime('%Y-%m-%d' if end.grain not in ('hour', 'minute') else '%Y-%m-%d %H:%M')} 止,取起点" if ex_on else "")
            return Resolved("interval", v, grain, v, end.to if end.to and end.grain in ("month", "year", "quarter") else end.value,
                            has_tod, conf, ex)
    if "deadline" in p:
        kind = "deadline"
        if p["deadline"] == "within" and t is not None and grain in ("week", "month", "quarter", "year"):
            v = t - timedelta(days=1)
            grain = "day"
        elif p["deadline"] == "within" and grain == "week":
            v = v + timedelta(days=6)
            grain = "day"
        ex += ",为截止时间"
        f = t = None
    return Resolved(kind, v, grain, f, t, has_tod, conf, ex)
