"""Call transcript: `[00:01:23] 销售:…` / `[01:23] 客户:…`, offsets from the call start.

Speaker labels 销售/坐席/客服/Rep/Agent/Sales → rep (shown with the rep's name);
客户/Customer/Client → customer (name 客户). A line without a timestamp continues the
previous utterance (joined with "\\n"). The call's start time must come from the caller.
"""
from __future__ import annotations

import re
from datetime import timedelta

from extractor.types import InputError, Message

from .common import Caller

REP_LABELS = {"销售", "坐席", "客服", "销售顾问", "rep", "agent", "sales", "seller"}
CUSTOMER_LABELS = {"客户", "顾客", "customer", "client"}
LINE = re.compile(
    r"^\s*[\[【(（]\s*(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,3}):(?P<s>\d{2})(?:[.,]\d{1,3})?\s*[\]】)）]\s*"
    r"(?P<label>[^:：\s]{1,20})\s*[:：]\s?(?P<text>.*)$")


def looks_like(line: str) -> bool:
    m = LINE.match(line)
    return bool(m and _role(m.group("label")) is not None)


def _role(label: str) -> str | None:
    low = label.strip().lower()
    if low in REP_LABELS:
        return "rep"
    if low in CUSTOMER_LABELS:
        return "customer"
    return None


def parse(text: str, caller: Caller) -> list[Message]:
    if caller.start_time is None:
        raise InputError("a call transcript needs the call's start time (start_time, ISO 8601)",
                         field="start_time")
    msgs: list[Message] = []
    rep_name = caller.rep_name
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        m = LINE.match(line)
        if m:
            label = m.group("label")
            role = _role(label)
            if role is None:
                raise InputError(f"unknown speaker label {label!r} (expected 销售/坐席/客服/Rep or 客户/Customer)",
                                 line=i)
            h, mi, s = int(m.group("h") or 0), int(m.group("m")), int(m.group("s"))
            if s >= 60 or (m.group("h") is not None and mi >= 60):
                raise InputError(f"bad timestamp {line.split(']')[0].strip()}]", line=i)
            t = caller.start_time + timedelta(hours=h, minutes=mi, seconds=s)
            name = (rep_name or label) if role == "rep" else caller.names.get(label, "客户")
            msgs.append(Message(id=f"m{len(msgs) + 1}", speaker=role, time=t, text=m.group("text").strip(),
                                name=name))
        elif msgs:
            msgs[-1].text = (msgs[-1].text + "\n" + line.strip()) if msgs[-1].text else line.strip()
        else:
            raise InputError("expected `[hh:mm:ss] 销售:…` or `[hh:mm:ss] 客户:…` on the first line", line=i)
    return msgs
