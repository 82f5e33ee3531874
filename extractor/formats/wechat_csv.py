"""WeChatMsg (留痕) CSV export.

Header `localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender`
(UTF-8 with BOM). Type 1 text, 3 image, 34 voice, 43 video, 47 sticker, 49 app (SubType 57 = a
quote/reply: its own text is kept; other app messages get empty text), 50 VoIP, 10000 system
(speaker `other`, its notice text kept, kind `system`). IsSender 1 = the rep (the exporting account).
"""
from __future__ import annotations

import csv
import html
import re

from extractor.types import InputError, Message, parse_time

from .common import Caller, from_epoch

COLUMNS = ["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
           "StrContent", "StrTime", "Remark", "NickName", "Sender"]
REQUIRED = ("Type", "IsSender", "StrContent")
TYPE_KIND = {1: "text", 3: "image", 34: "voice", 43: "video", 47: "image", 49: "other", 50: "other",
             10000: "system", 10002: "system"}
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def looks_like(first_line: str) -> bool:
    cols = [c.strip().strip('"') for c in first_line.lstrip("\ufeff").split(",")]
    return sum(c in COLUMNS for c in cols) >= 5 and "StrContent" in cols


def parse(text: str, caller: Caller) -> list[Message]:
    try:
        rows = list(csv.reader(text.splitlines(keepends=True), strict=True))
    except csv.Error as e:
        raise InputError(f"malformed CSV: {e}") from None
    if not rows:
        raise InputError("empty CSV", line=1)
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing or ("CreateTime" not in header and "StrTime" not in header):
        raise InputError(f"not a WeChatMsg CSV header: missing column(s) "
                         f"{', '.join(missing or ['CreateTime/StrTime'])}", line=1)
    col = {h: i for i, h in enumerate(header)}
    out: list[tuple] = []
    seen: set[str] = set()
    # line numbers: csv rows may span lines (quoted newlines); track physical lines
    physical = _row_lines(text)
    for r, row in enumerate(rows[1:], 1):
        ln = physical[r] if r < len(physical) else r + 1
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"expected {len(header)} columns, got {len(row)}", line=ln)

        def get(name, default=""):
            i = col.get(name)
            return row[i] if i is not None else default

        try:
            typ = int(get("Type").strip())
        except ValueError:
            raise InputError(f"Type must be a number, got {get('Type')!r}", line=ln, field="Type") from None
        sub = get("SubType").strip()
        is_sender = get("IsSender").strip()
        if is_sender not in ("0", "1"):
            raise InputError(f"IsSender must be 0 or 1, got {is_sender!r}", line=ln, field="IsSender")
        ct = get("CreateTime").strip()
        if ct:
            t = from_epoch(ct, ms=len(ct.split(".")[0]) >= 13, line=ln, field="CreateTime")
        else:
            st = get("StrTime").strip()
            try:
                t = parse_time(st, "StrTime")
            except InputError:
                raise InputError(f"bad time {st!r}", line=ln, field="StrTime") from None
        content = get("StrContent")
        kind = TYPE_KIND.get(typ, "other")
        if typ == 49:
            if sub == "57":
                kind, content = "text", _quote_text(content)
            else:
                content = ""
        elif kind not in ("text", "system"):
            content = ""
        if typ in (10000, 10002):
            speaker, name = "other", "系统"
        elif is_sender == "1":
            speaker = "rep"  # the export's own account; its Remark/NickName are the rep's
            name = caller.rep_name or get("Remark").strip() or get("NickName").strip() or "我"
        else:
            sender = get("Sender").strip()
            talker = get("TalkerId").strip()
            speaker = "customer"
            name = (caller.names.get(sender) or caller.names.get(talker) or get("Remark").strip()
                    or get("NickName").strip() or sender or talker or None)
            if sender and sender in caller.all_rep_userids():
                speaker, name = "rep", caller.rep_name or name
        mid = get("localId").strip() or f"m{r}"
        if mid in seen:
            raise InputError(f"duplicate localId {mid!r}", line=ln, field="localId")
        seen.add(mid)
        out.append((t, r, Message(id=mid, speaker=speaker, time=t, text=content, name=name, kind=kind)))
    out.sort(key=lambda x: (x[0], x[1]))
    return [m for _t, _r, m in out]


def _quote_text(content: str) -> str:
    c = content.strip()
    if c.startswith("<"):
        m = _TITLE.search(c)
        return html.unescape(m.group(1)).strip() if m else ""
    return content


def _row_lines(text: str) -> list[int]:
    """Physical line number at which each CSV record starts."""
    starts: list[int] = []
    line = 1
    in_quote = False
    at_start = True
    for ch in text:
        if at_start:
            starts.append(line)
            at_start = False
        if ch == '"':
            in_quote = not in_quote
        elif ch == "\n":
            line += 1
            if not in_quote:
                at_start = True
    return starts
