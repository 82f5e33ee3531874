"""Raw inputs → one speaker-resolved timeline (`Conversation`).

    conv, fmt = parse_input(content, "auto", rep={"id": "rep-12", "name": "丁雅琴"})
    conv, fmt = load_file("chat.txt", rep_names=["丁雅琴"])

Formats: canonical JSON ("json"), WeChat text export ("wechat"), WeChatMsg CSV
("wechat_csv"), WeCom archive JSON lines ("wecom"), call transcript ("transcript").
Bad input raises `InputError` naming the line/field; there is never a partial result.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from extractor.types import Conversation, InputError

from . import canonical, transcript, wechat_csv, wechat_txt, wecom
from .common import Caller, decode

FORMATS = ("json", "wechat", "wechat_csv", "wecom", "transcript")
ALIASES = {"csv": "wechat_csv", "wechatmsg": "wechat_csv", "txt": "wechat", "jsonl": "wecom",
           "call": "transcript", "canonical": "json"}
CHANNEL = {"wechat": "wechat", "wechat_csv": "wechat", "wecom": "wecom", "transcript": "call"}
_CALLER_EXTRA = ("customer_id", "known_customers", "known_contacts")

__all__ = ["FORMATS", "parse_input", "load_file", "detect_format", "decode"]


def detect_format(content: str | bytes) -> str:
    """Which of FORMATS `content` is; InputError when none fits."""
    text = decode(content)[0] if not isinstance(content, str) else content.lstrip("\ufeff")
    return _detect(text)


def _detect(text: str) -> str:
    lines = text.splitlines()
    first_i = next((i for i, l in enumerate(lines) if l.strip()), None)
    if first_i is None:
        raise InputError("empty input: no text")
    first = lines[first_i].strip()
    if transcript.looks_like(first):
        return "transcript"
    if first.startswith(("{", "[")):
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            if "messages" in obj or "conversation_id" in obj:
                return "json"
            if wecom.looks_like(obj):
                return "wecom"
        if isinstance(obj, list) and obj and all(wecom.looks_like(o) for o in obj):
            return "wecom"
        try:
            one = json.loads(first)
        except (json.JSONDecodeError, RecursionError):
            one = None
        if wecom.looks_like(one):
            return "wecom"
        if isinstance(one, dict) and ("chatdata" in one or "encrypt_chat_msg" in one):
            return "wecom"  # the reader explains that it needs decrypting
        if isinstance(one, dict) and "messages" in one:
            raise InputError("several canonical conversations (JSON lines); "
                             "give one conversation, or use `extract --jsonl`", line=first_i + 1)
        if obj is None and one is None:
            try:
                json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(f"looks like JSON but is not valid JSON: {e.msg} (column {e.colno})",
                                 line=e.lineno) from None
        raise InputError("JSON, but neither a conversation (conversation_id, messages) "
                         "nor WeCom archive messages (msgid, msgtime, msgtype)", line=first_i + 1)
    if wechat_csv.looks_like(first):
        return "wechat_csv"
    if wechat_txt.match_header(first.rstrip()):
        return "wechat"
    snippet = first if len(first) <= 40 else first[:40] + "…"
    raise InputError(f"cannot tell the format from {snippet!r}: expected canonical JSON, a WeChat export "
                     "(`姓名 YYYY-MM-DD HH:MM:SS`), a WeChatMsg CSV, WeCom archive JSON lines or a call "
                     "transcript (`[hh:mm:ss] 销售:…`); pass the format explicitly", line=first_i + 1)


def parse_input(content: str | bytes, fmt: str = "auto", *, conversation_id: str | None = None,
                rep: dict | None = None, rep_names: list[str] | None = None,
                rep_userids: list[str] | None = None, names: dict | None = None,
                start_time: str | datetime | None = None, channel: str | None = None,
                reference_time=None, **extra) -> tuple[Conversation, str]:
    """Parse raw `content` into a Conversation; returns it and the format used.

    `extra` accepts customer_id, known_customers and known_contacts (what an HTTP payload
    may carry next to `content`); anything else is an InputError naming the key.
    """
    for k in extra:
        if k not in _CALLER_EXTRA:
            raise InputError(f"unknown option {k!r}", field=k)
    if not isinstance(fmt, str):
        raise InputError("format must be a string", field="format")
    fmt = ALIASES.get(fmt.strip().lower(), fmt.strip().lower()) or "auto"
    if fmt not in FORMATS + ("auto",):
        raise InputError(f"unknown format {fmt!r} (auto, {', '.join(FORMATS)})", field="format")
    caller = Caller.make(conversation_id=conversation_id, rep=rep, rep_names=rep_names, rep_userids=rep_userids,
                         names=names, start_time=start_time, channel=channel, reference_time=reference_time,
                         **extra)
    text, _enc = decode(content)
    if not text.strip():
        raise InputError("empty input: no text", line=1)
    if fmt == "auto":
        fmt = _detect(text)
    try:
        if fmt == "json":
            conv = canonical.parse(text, caller)
        else:
            if fmt == "wechat":
                msgs, _rep = wechat_txt.parse(text, caller)
            elif fmt == "wechat_csv":
                msgs = wechat_csv.parse(text, caller)
            elif fmt == "wecom":
                msgs = wecom.parse(text, caller)
            else:
                msgs = transcript.parse(text, caller)
            conv = caller.build(msgs, CHANNEL[fmt], text)
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{fmt}: input nested too deeply") from None
    return conv, fmt


def load_file(path: str | os.PathLike, fmt: str = "auto", **caller) -> tuple[Conversation, str]:
    """Read a file (bytes; UTF-8 with or without BOM, or GB18030) and parse it.

    conversation_id defaults to the file stem.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, not a file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror or e})") from None
    caller.setdefault("conversation_id", p.stem or None)
    if caller.get("conversation_id") is None:
        caller.pop("conversation_id")
    try:
        return parse_input(data, fmt, **caller)
    except InputError as e:
        raise InputError(f"{p}: {e}") from None
