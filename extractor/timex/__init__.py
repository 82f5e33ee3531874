"""Chinese time expressions in business chat: find spans, resolve them against the
message's own time (CONTRACT.md "Time conventions"; docs/time-conventions.md).

    find_times(text, ref) -> list[TimeMention]      every mention, sorted by start
    first_time(text, ref) -> dict                   the `chat2crm time` line fields

Finding (`finder.find_candidates`: spans + a small parse dict) and resolving
(`resolver.resolve`: parse + reference time → values) are separate and tested separately.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from extractor.types import BEIJING, parse_time

__all__ = ["TimeMention", "find_times", "first_time"]


@dataclass(slots=True)
class TimeMention:
    start: int
    end: int
    text: str
    kind: str  # point | interval | deadline
    value: datetime
    grain: str  # year|quarter|month|week|day|hour|minute|second
    from_: datetime | None
    to: datetime | None
    has_time_of_day: bool
    confidence: float
    explain: str
    rule: str


def _rule(p: dict) -> str:
    for k, name in (("offset", "offset"), ("now", "now"), ("hol", "holiday"), ("lunar", "lunar"),
                    ("range_to", "range"), ("deadline", "deadline"), ("week", "week"), ("rd", "relative-day"),
                    ("quarter", "quarter"), ("mpart", "month-part"), ("day", "date"), ("month", "month"),
                    ("ypart", "year-part"), ("year", "year"), ("clock", "clock"), ("pod", "part-of-day")):
        if k in p:
            return name
    return "other"


def _ref(ref: datetime | str) -> datetime:
    """The reference time as Beijing wall-clock time (a UTC ref at 17:00 is 01:00 next day in Beijing)."""
    if isinstance(ref, datetime) and ref.tzinfo is not None:
        return ref.astimezone(BEIJING)
    return parse_time(ref, "ref")


def find_times(text: str, ref: datetime | str) -> list[TimeMention]:
    """Every time expression in `text`, resolved against `ref` (the message's own time)."""
    from .finder import candidates
    from .resolver import resolve
    if not isinstance(text, str) or not text:
        return []
    r = _ref(ref)
    # Beijing wall clock: resolve on the ref's own wall clock, keep its offset
    out: list[TimeMention] = []
    for s, e, p in candidates(text):
        res = resolve(p, r)
        if res is None:
            continue
        out.append(TimeMention(s, e, text[s:e], res.kind, res.value, res.grain, res.from_, res.to,
                               res.has_time_of_day, res.confidence, res.explain, _rule(p)))
    return out


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    # whole seconds (always, from the resolver): isoformat() gives the same text, faster
    return dt.isoformat() if not dt.microsecond else dt.isoformat(timespec="seconds")


def pick_first(mentions: list[TimeMention]) -> TimeMention | None:
    """The first mention, skipping low-confidence deictic ones (现在/目前) when a real one follows."""
    for m in mentions:
        if m.confidence >= 0.5:
            return m
    return mentions[0] if mentions else None


_impl = None


def _load_impl() -> None:
    """Import finder/resolver on first use (keeps `import extractor.timex` cheap)."""
    global _impl
    from .finder import candidates
    from .resolver import resolve
    _impl = (candidates, resolve)


def first_time(text: str, ref: datetime | str) -> dict:
    """The `chat2crm time` line for `text`: {"value", "grain", "from", "to"} (ISO or null).

    Same choice as pick_first(find_times(...)), but resolves candidates only until the
    first confident one."""
    if _impl is None:
        _load_impl()
    candidates, resolve = _impl
    best = None
    if isinstance(text, str) and text:
        cands = candidates(text)
        if cands:
            r = _ref(ref)
            for _, _, p in cands:
                res = resolve(p, r, False)
                if res is None:
                    continue
                if best is None:
                    best = res
                if res.confidence >= 0.5:
                    best = res
                    break
    if best is None:
        return {"value": None, "grain": None, "from": None, "to": None}
    value = best.from_ if best.kind == "interval" and best.from_ is not None else best.value
    return {"value": _iso(value), "grain": best.grain, "from": _iso(best.from_), "to": _iso(best.to)}
