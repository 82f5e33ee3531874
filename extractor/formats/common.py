"""Shared pieces of the format readers: decoding, caller context, building the Conversation."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from extractor.types import BEIJING, CHANNELS, Conversation, InputError, Message, parse_time

KINDS = ("text", "image", "voice", "video", "file", "revoked", "system", "other")


def decode(content: str | bytes) -> tuple[str, str]:
    """Bytes → text. UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030 (GBK exports).

    Returns (text, encoding). Binary junk → InputError.
    """
    if isinstance(content, str):
        text, enc = content, "str"
    elif isinstance(content, (bytes, bytearray, memoryview)):
        raw = bytes(content)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                text, enc = raw.decode("utf-16"), "utf-16"
            except UnicodeDecodeError as e:
                raise InputError(f"not valid UTF-16 text (byte {e.start})") from None
        else:
            try:
                text, enc = raw.decode("utf-8-sig"), "utf-8"
            except UnicodeDecodeError as e:
                try:
                    text, enc = raw.decode("gb18030"), "gb18030"
                except UnicodeDecodeError:
                    raise InputError(
                        f"not text: invalid UTF-8 at byte {e.start} and not GB18030/GBK either") from None
    else:
        raise InputError(f"content must be text or bytes, got {type(content).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_binary(text)
    return text, enc


def _check_binary(text: str) -> None:
    sample = text[:4096]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f\v") or c == "\ufffd")
    if "\x00" in sample or (sample and bad > max(2, len(sample) // 100)):
        line = text.count("\n", 0, next((i for i, c in enumerate(sample)
                                           if (ord(c) < 32 and c not in "\t\n\r\f\v") or c == "\ufffd"), 0)) + 1
        raise InputError("binary data, not a chat export (control characters)", line=line)


@dataclass
class Caller:
    """What the caller knows that the raw file does not say."""

    conversation_id: str | None = None
    rep: dict | None = None
    rep_names: list[str] = field(default_factory=list)
    rep_userids: list[str] = field(default_factory=list)
    names: dict = field(default_factory=dict)
    start_time: datetime | None = None
    channel: str | None = None
    reference_time: datetime | None = None
    customer_id: str | None = None
    known_customers: list[str] = field(default_factory=list)
    known_contacts: list[str] = field(default_factory=list)

    @classmethod
    def make(cls, *, conversation_id=None, rep=None, rep_names=None, rep_userids=None, names=None,
             start_time=None, channel=None, reference_time=None, customer_id=None,
             known_customers=None, known_contacts=None) -> "Caller":
        if conversation_id is not None and (not isinstance(conversation_id, str) or not conversation_id.strip()):
            raise InputError("conversation_id must be a non-empty string", field="conversation_id")
        if rep is not None:
            if not isinstance(rep, dict):
                raise InputError("rep must be an object like {\"id\": …, \"name\": …}", field="rep")
            rep = dict(rep)
        rep_names = _str_list(rep_names, "rep_names")
        rep_userids = _str_list(rep_userids, "rep_userids")
        if names is None:
            names = {}
        if not isinstance(names, dict):
            raise InputError("names must map ids to display names", field="names")
        if channel is not None and channel not in CHANNELS:
            raise InputError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})", field="channel")
        if customer_id is not None and not isinstance(customer_id, (str, int)):
            raise InputError("customer_id must be a string", field="customer_id")
        return cls(
            conversation_id=conversation_id.strip() if conversation_id else None,
            rep=rep, rep_names=rep_names, rep_userids=rep_userids,
            names={str(k): str(v) for k, v in names.items()},
            start_time=parse_time(start_time, "start_time") if start_time not in (None, "") else None,
            channel=channel,
            reference_time=parse_time(reference_time, "reference_time") if reference_time not in (None, "") else None,
            customer_id=str(customer_id) if customer_id is not None else None,
            known_customers=_str_list(known_customers, "known_customers"),
            known_contacts=_str_list(known_contacts, "known_contacts"),
        )

    # -- the rep ---------------------------------------------------------------------------
    @property
    def rep_name(self) -> str | None:
        if self.rep and isinstance(self.rep.get("name"), str) and self.rep["name"].strip():
            return self.rep["name"].strip()
        return self.rep_names[0] if self.rep_names else None

    def all_rep_names(self) -> list[str]:
        out = list(self.rep_names)
        if self.rep and isinstance(self.rep.get("name"), str) and self.rep["name"].strip():
            out.append(self.rep["name"].strip())
        return [n for n in out if n]

    def all_rep_userids(self) -> list[str]:
        out = list(self.rep_userids)
        if self.rep and self.rep.get("id") not in (None, ""):
            out.append(str(self.rep["id"]))
        return out

    def rep_dict(self) -> dict:
        if self.rep:
            return self.rep
        if self.rep_names:
            return {"name": self.rep_names[0]}
        return {}

    def default_id(self, text: str) -> str:
        return self.conversation_id or "conv-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    def build(self, messages: list[Message], channel: str, text: str) -> Conversation:
        if not messages:
            raise InputError("no messages found")
        return Conversation(
            conversation_id=self.default_id(text), messages=messages,
            channel=self.channel or channel, rep=self.rep_dict(), customer_id=self.customer_id,
            reference_time=self.reference_time or messages[-1].time,
            known_customers=list(self.known_customers), known_contacts=list(self.known_contacts))


def _str_list(v, name: str) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v.strip()] if v.strip() else []
    if not isinstance(v, (list, tuple, set)):
        raise InputError("must be a list of strings", field=name)
    out = []
    for x in v:
        if not isinstance(x, (str, int)):
            raise InputError("must be a list of strings", field=name)
        if str(x).strip():
            out.append(str(x).strip())
    return out


def from_epoch(value, *, ms: bool, line: int, field: str) -> datetime:
    """Epoch seconds/milliseconds → Beijing time, cut to whole seconds."""
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            value = value.strip()
            v = int(value) if value.lstrip("-").isdigit() else float(value)
        elif isinstance(value, (int, float)):
            v = value
        else:
            raise ValueError
        secs = int(v // 1000) if ms else int(v)
        return datetime.fromtimestamp(secs, BEIJING)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"not an epoch time in {'milliseconds' if ms else 'seconds'}: {value!r}",
                         line=line, field=field) from None
