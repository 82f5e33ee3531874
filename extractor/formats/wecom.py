"""WeCom 会话内容存档: decrypted message objects, one JSON object per line.

`{"msgid","action":"send|recall|switch","from","tolist","roomid","msgtime"(ms),"msgtype",…}`.
Text comes from `text.content`, `markdown.content`, `mixed.item[].content` and
`chatrecord.item[].content`; every other msgtype is kept with empty text and a kind. A recall
keeps the recall record and blanks the recalled message (kind `revoked`), so a withdrawn
"预算最多90万" never reaches the extractor. `switch`, `agree`, `disagree` are `other` notices.
"""
from __future__ import annotations

import json

from extractor.types import InputError, Message

from .common import Caller, from_epoch

KIND = {
    "image": "image", "emotion": "image", "voice": "voice", "meeting_voice_call": "voice",
    "video": "video", "sphfeed": "video", "file": "file", "revoke": "system",
    "agree": "other", "disagree": "other",
}
TEXT_TYPES = ("text", "markdown", "mixed", "chatrecord")


def looks_like(obj) -> bool:
    return isinstance(obj, dict) and "msgid" in obj and ("msgtime" in obj or obj.get("action") == "switch"
                                                         or "msgtype" in obj or "time" in obj)


def parse(text: str, caller: Caller) -> list[Message]:
    objs: list[tuple[int, dict]] = []
    stripped = text.strip()
    if stripped.startswith("["):  # a JSON array of message objects is accepted too
        try:
            arr = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON: {e.msg}", line=e.lineno) from None
        if not isinstance(arr, list):
            raise InputError("expected a JSON array of messages", line=1)
        objs = [(i, o) for i, o in enumerate(arr, 1)]
    else:
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"invalid JSON: {e.msg} (column {e.colno})", line=i) from None
            except RecursionError:
                raise InputError("invalid JSON: nested too deeply", line=i) from None
            objs.append((i, o))
    if isinstance(objs and objs[0][1], dict) and "chatdata" in objs[0][1]:
        raise InputError("this is the encrypted GetChatData envelope; decrypt the messages first", line=objs[0][0])

    rep_ids = set(caller.all_rep_userids())
    senders = {o.get("from") for _ln, o in objs if isinstance(o, dict) and isinstance(o.get("from"), str)}
    if not rep_ids & senders and not caller.rep_userids:
        internal = {s for s in senders if s and not s.startswith(("wm", "wo", "wb"))}
        if len(internal) == 1:  # a 1:1 archive: the one employee is the rep
            rep_ids = internal
        elif len(internal) > 1:
            raise InputError("cannot tell which employee is the rep: pass the rep's WeCom userid "
                             f"(rep_userids or rep.id; employees here: {', '.join(sorted(internal))})",
                             field="rep_userids")
    rep_name = caller.rep_name
    rows: list[tuple[int, int, Message]] = []
    by_id: dict[str, Message] = {}
    recalls: list[tuple[int, str]] = []
    for n, (ln, o) in enumerate(objs):
        if not isinstance(o, dict):
            raise InputError("expected a JSON object (one WeCom message per line)", line=ln)
        if "encrypt_chat_msg" in o:
            raise InputError("encrypted chatdata record; decrypt it with the WeCom Finance SDK first", line=ln)
        mid = o.get("msgid")
        if not isinstance(mid, (str, int)) or str(mid) == "":
            raise InputError("missing msgid", line=ln, field="msgid")
        mid = str(mid)
        action = o.get("action") or "send"
        if action == "switch":
            t = from_epoch(_need(o, "time", ln), ms=True, line=ln, field="time")
            user = o.get("user")
            m = Message(id=mid, speaker="other", time=t, text="", name=_name(user, caller) if user else None,
                        kind="other")
        else:
            if action not in ("send", "recall"):
                raise InputError(f"unknown action {action!r} (send, recall or switch)", line=ln, field="action")
            t = from_epoch(_need(o, "msgtime", ln), ms=True, line=ln, field="msgtime")
            sender = _need(o, "from", ln)
            if not isinstance(sender, str) or not sender:
                raise InputError("from must be a userid string", line=ln, field="from")
            msgtype = _need(o, "msgtype", ln)
            if not isinstance(msgtype, str):
                raise InputError("msgtype must be a string", line=ln, field="msgtype")
            text_, kind = _content(o, msgtype, ln)
            if msgtype in ("agree", "disagree"):
                speaker = "other"
            elif sender in rep_ids:
                speaker = "rep"
            elif sender.startswith(("wm", "wo")):
                speaker = "customer"
            else:  # wb… bots and other internal userids
                speaker = "other"
            name = caller.names.get(sender) or (rep_name if speaker == "rep" and rep_name else sender)
            if action == "recall" or msgtype == "revoke":
                pre = (o.get("revoke") or {}).get("pre_msgid") if isinstance(o.get("revoke"), dict) else None
                if pre:
                    recalls.append((ln, str(pre)))
                text_, kind = "", "system"
            m = Message(id=mid, speaker=speaker, time=t, text=text_, name=name, kind=kind)
        if mid in by_id:
            continue  # the archive API can return a message twice on overlapping pulls
        by_id[mid] = m
        rows.append((int(t.timestamp()), n, m))
    for _ln, pre in recalls:
        target = by_id.get(pre)
        if target is not None:
            target.text, target.kind = "", "revoked"
    rows.sort(key=lambda x: (x[0], x[1]))
    return [m for _t, _n, m in rows]


def _need(o: dict, key: str, ln: int):
    if key not in o or o[key] is None:
        raise InputError(f"missing {key}", line=ln, field=key)
    return o[key]


def _name(user, caller: Caller) -> str:
    user = str(user)
    if user in caller.all_rep_userids() and caller.rep_name:
        return caller.names.get(user) or caller.rep_name
    return caller.names.get(user, user)


def _content(o: dict, msgtype: str, ln: int) -> tuple[str, str]:
    if msgtype not in TEXT_TYPES:
        return "", KIND.get(msgtype, "other")
    payload = o.get(msgtype)
    if msgtype in ("text", "markdown"):
        if not isinstance(payload, dict) or not isinstance(payload.get("content"), str):
            if msgtype == "markdown" and isinstance(payload, dict) and isinstance(payload.get("info"), dict):
                payload = payload["info"]  # some SDK versions nest it under info
            if not isinstance(payload, dict) or not isinstance(payload.get("content"), str):
                raise InputError(f"{msgtype} message without {msgtype}.content", line=ln, field=f"{msgtype}.content")
        return payload["content"], "text"
    # mixed / chatrecord: a list of items
    if not isinstance(payload, dict) or not isinstance(payload.get("item"), list):
        raise InputError(f"{msgtype} message without {msgtype}.item list", line=ln, field=f"{msgtype}.item")
    parts: list[str] = []
    for j, it in enumerate(payload["item"]):
        if not isinstance(it, dict):
            raise InputError("item must be an object", line=ln, field=f"{msgtype}.item[{j}]")
        parts.extend(_item_text(it, ln, f"{msgtype}.item[{j}]"))
    return "\n".join(p for p in parts if p), "text"


def _item_text(it: dict, ln: int, path: str) -> list[str]:
    """Text of one mixed/chatrecord item; its content is a JSON string (or object)."""
    typ = str(it.get("type") or "")
    c = it.get("content")
    if isinstance(c, str):
        s = c.strip()
        if s.startswith("{"):
            try:
                c = json.loads(s)
            except json.JSONDecodeError:
                return [c]  # plain text that happens to start with a brace
        else:
            return [c] if typ in ("", "text", "ChatRecordText", "markdown") or "text" in typ.lower() else []
    if isinstance(c, dict):
        if isinstance(c.get("content"), str):
            low = typ.lower()
            if not typ or "text" in low or "markdown" in low:
                return [c["content"]]
            return []
        if isinstance(c.get("item"), list):  # a nested chat record
            out: list[str] = []
            for k, sub in enumerate(c["item"]):
                if isinstance(sub, dict):
                    out.extend(_item_text(sub, ln, f"{path}.item[{k}]"))
            return out
        return []
    if c is None:
        return []
    raise InputError("item content must be a string", line=ln, field=f"{path}.content")
