"""WeChat text export (WeChatMsg TXT and the common copy-paste form).

    姓名 2026-03-10 09:12:33        (also `2026-03-10 09:12:33 姓名`, as WeChatMsg writes it)
    message line
    more lines of the same message
    <blank line>

`[图片]` `[语音]` `[视频]` `[表情包]` `[文件]` (alone in a message) become empty text with a kind;
a quoted message (`引用:name:content`, WeChatMsg's form) is dropped from the text, so the
quoted words are never attributed to the person who quoted them.
"""
from __future__ import annotations

import re

from extractor.types import InputError, Message, parse_time

from .common import Caller

_TS = r"(?P<date>\d{4}-\d{1,2}-\d{1,2})[ T](?P<clock>\d{1,2}:\d{2}:\d{2})"
HEADER_NAME_FIRST = re.compile(rf"^(?P<name>\S.*?)[ \t]+{_TS}[ \t]*$")
HEADER_TIME_FIRST = re.compile(rf"^{_TS}[ \t]+(?P<name>\S.*?)[ \t]*$")

PLACEHOLDERS = {
    "[图片]": "image", "[语音]": "voice", "[视频]": "video", "[表情包]": "image", "[动画表情]": "image",
    "[文件]": "file", "[位置]": "other", "[名片]": "other", "[链接]": "other", "[音视频通话]": "other",
    "[视频通话]": "other", "[语音通话]": "other", "[红包]": "other", "[转账]": "other", "[小程序]": "other",
    "[聊天记录]": "other", "[音乐分享]": "other",
}
_QUOTE = re.compile(r"^(?:引用|「?引用)[:：]")


def match_header(line: str):
    m = HEADER_TIME_FIRST.match(line)
    if m:  # WeChatMsg's form; a system notice is written as `time notice` with no body
        return m
    m = HEADER_NAME_FIRST.match(line)
    if m and len(m.group("name").strip()) <= 40:
        return m
    return None


def parse(text: str, caller: Caller) -> tuple[list[Message], str]:
    lines = text.splitlines()
    blocks: list[tuple[int, str, str, list[str], bool]] = []  # (line_no, name, time, body, time-first)
    for i, raw in enumerate(lines, 1):
        line = raw.rstrip()
        m = match_header(line)
        if m:
            blocks.append((i, m.group("name").strip(), f"{m.group('date')} {m.group('clock')}", [],
                           m.re is HEADER_TIME_FIRST))
        elif blocks:
            blocks[-1][3].append(line)
        elif line.strip():
            raise InputError("expected a message header `姓名 YYYY-MM-DD HH:MM:SS` before the first message",
                             line=i)
    if not blocks:
        raise InputError("no WeChat message header (`姓名 YYYY-MM-DD HH:MM:SS`) found", line=1)

    for b in blocks:
        while b[3] and not b[3][-1].strip():
            b[3].pop()
    # WeChatMsg writes system notices (添加好友, 撤回) as a bare `time notice` line
    notices = {id(b) for b in blocks if b[4] and not b[3]}
    rep_name = _resolve_rep({b[1] for b in blocks if id(b) not in notices}, caller)
    messages: list[Message] = []
    for n, blk in enumerate(blocks, 1):
        line_no, name, ts, body, _tf = blk
        try:
            t = parse_time(ts.replace(" ", "T"), "time")
        except InputError:
            raise InputError(f"bad date/time {ts!r} in header", line=line_no) from None
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        kind = "text"
        for j, bl in enumerate(body):  # 引用:… and what follows is the quoted message
            if _QUOTE.match(bl.strip()):
                body = body[:j]
                while body and not body[-1].strip():
                    body.pop()
                break
        content = "\n".join(body)
        if id(blk) in notices:
            messages.append(Message(id=f"m{n}", speaker="other", time=t, text=name, name="系统", kind="system"))
            continue
        if content.strip() in PLACEHOLDERS:
            kind, content = PLACEHOLDERS[content.strip()], ""
        elif content.lstrip().startswith(("[链接]", "[音乐分享]", "[小程序]", "[位置]")):
            kind, content = "other", ""
        elif not body:
            kind = "other"
        speaker = "rep" if name == rep_name else "customer"
        shown = caller.names.get(name) or (caller.rep_name if speaker == "rep" else None) or name
        messages.append(Message(id=f"m{n}", speaker=speaker, time=t, text=content, name=shown, kind=kind))
    return messages, rep_name


def _resolve_rep(speakers: set[str], caller: Caller) -> str:
    wanted = caller.all_rep_names()
    # also names the caller maps to the rep's name
    rn = caller.rep_name
    if rn:
        wanted += [k for k, v in caller.names.items() if v == rn]
    for w in wanted:
        if w in speakers:
            return w
    if not wanted:
        raise InputError("cannot tell which speaker is the rep: pass the rep's name "
                         f"(rep_names or rep.name; speakers here: {', '.join(sorted(speakers))})",
                         field="rep_names")
    # guess: a unique speaker whose display name contains the rep's name or is contained in it
    cands = {s for s in speakers for w in wanted if len(w) >= 2 and len(s) >= 2 and (w in s or s in w)}
    if len(cands) == 1:
        return cands.pop()
    if len(speakers) <= 1:
        return wanted[0]  # only the customer spoke
    raise InputError(f"the rep's name {wanted[0]!r} is none of the speakers "
                     f"({', '.join(sorted(speakers))}); pass the rep's display name in rep_names",
                     field="rep_names")
