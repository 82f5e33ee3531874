"""The one vocabulary every layer shares: conversations in, suggestions out.

`Conversation`/`Message` are the canonical input of CONTRACT.md section 2;
`Suggestion`/`Evidence` the output of section 3. The extractor makes them, the api
stores and serves them, labeling turns decisions on them into labels, eval scores them.
Offsets are half-open code-point offsets into the *original* message text.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field as dc_field
from datetime import datetime, timedelta, timezone
from typing import Any

BEIJING = timezone(timedelta(hours=8))

SPEAKERS = ("rep", "customer", "other")
CHANNELS = ("wechat", "wecom", "call", "other")
SINGLE_FIELDS = ("customer_name", "contact", "stage", "next_follow_up", "key_obstacle", "budget", "industry")
MULTI_FIELDS = ("tag", "decision_role")
FIELDS = SINGLE_FIELDS + MULTI_FIELDS
STAGES = ("初步接触", "需求确认", "方案确认", "商务谈判", "合同签署", "回款")
OBSTACLES = ("价格", "决策", "技术", "竞品", "交期", "付款", "法务", "时机")
INDUSTRIES = ("汽车", "新能源", "3C电子", "医疗器械", "航空航天", "模具", "通用机械", "其他")
ROLES = ("采购", "技术", "老板", "财务", "法务")
TAGS = ("价格讨论", "竞品对比", "客户明确需求", "回款跟进", "异议")


class InputError(ValueError):
    """Bad input: the message names the line and/or field at fault. CLI exit code 2."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        self.line, self.field, self.detail = line, field, message
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


def parse_time(value: Any, field: str = "time") -> datetime:
    """ISO 8601 → aware datetime; a time without an offset is Beijing time."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value.strip():
        s = value.strip().replace(" ", "T", 1) if "T" not in value else value.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            raise InputError(f"not an ISO 8601 time: {value!r}", field=field) from None
    else:
        raise InputError(f"expected an ISO 8601 time string, got {value!r}", field=field)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    # times are read as Beijing wall-clock time (CONTRACT: 明天 after 17:00Z is a Beijing day)
    return dt.astimezone(BEIJING)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


@dataclass(slots=True)
class Message:
    id: str
    speaker: str  # rep | customer | other
    time: datetime
    text: str = ""
    name: str | None = None
    kind: str = "text"  # text | image | voice | video | file | revoked | system | other

    def to_dict(self) -> dict:
        # `kind` stays internal: the canonical shape (CONTRACT.md section 2) has no such key
        return {"id": self.id, "speaker": self.speaker, "name": self.name, "time": iso(self.time), "text": self.text}


@dataclass(slots=True)
class Conversation:
    conversation_id: str
    messages: list[Message]
    channel: str = "other"
    rep: dict = dc_field(default_factory=dict)
    customer_id: str | None = None
    reference_time: datetime | None = None
    # optional caller context: known CRM names to fuzzy-match against
    known_customers: list[str] = dc_field(default_factory=list)
    known_contacts: list[str] = dc_field(default_factory=list)

    @property
    def ref(self) -> datetime:
        if self.reference_time is not None:
            return self.reference_time
        return self.messages[-1].time if self.messages else datetime.now(BEIJING)

    @classmethod
    def from_dict(cls, d: Any) -> "Conversation":
        if not isinstance(d, dict):
            raise InputError("a conversation must be a JSON object")
        cid = d.get("conversation_id")
        if not isinstance(cid, str) or not cid.strip():
            raise InputError("missing or empty conversation_id", field="conversation_id")
        channel = d.get("channel", "other") or "other"
        if channel not in CHANNELS:
            raise InputError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})", field="channel")
        rep = d.get("rep") or {}
        if not isinstance(rep, dict):
            raise InputError("rep must be an object with id and name", field="rep")
        msgs_in = d.get("messages")
        if not isinstance(msgs_in, list):
            raise InputError("messages must be a list", field="messages")
        msgs: list[Message] = []
        seen: set[str] = set()
        for i, m in enumerate(msgs_in):
            path = f"messages[{i}]"
            if not isinstance(m, dict):
                raise InputError("a message must be an object", field=path)
            mid = m.get("id")
            if not isinstance(mid, (str, int)) or str(mid) == "":
                raise InputError("missing message id", field=f"{path}.id")
            mid = str(mid)
            if mid in seen:
                raise InputError(f"duplicate message id {mid!r}", field=f"{path}.id")
            seen.add(mid)
            sp = m.get("speaker")
            if sp not in SPEAKERS:
                raise InputError(f"speaker must be rep, customer or other, got {sp!r}", field=f"{path}.speaker")
            text = m.get("text")
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise InputError("text must be a string", field=f"{path}.text")
            if m.get("time") in (None, ""):
                t = None  # filled from a neighbour below (a system notice without a time)
            else:
                t = parse_time(m.get("time"), f"{path}.time")
            name = m.get("name")
            msgs.append(Message(id=mid, speaker=sp, time=t, text=text,
                                name=str(name) if name is not None else None, kind=m.get("kind") or "text"))
        if msgs and any(m.time is None for m in msgs):
            known = [m.time for m in msgs if m.time is not None]
            fallback = parse_time(d["reference_time"], "reference_time") if d.get("reference_time") else None
            if not known and fallback is None:
                raise InputError("no message has a time (and no reference_time)", field="messages[0].time")
            last = known[0] if known else fallback
            for m in msgs:  # a message without a time takes the previous message's time
                if m.time is None:
                    m.time = last
                last = m.time
        ref = d.get("reference_time")
        return cls(
            conversation_id=cid.strip(), messages=msgs, channel=channel, rep=rep,
            customer_id=d.get("customer_id"),
            reference_time=parse_time(ref, "reference_time") if ref else None,
            known_customers=[str(x) for x in d.get("known_customers") or []],
            known_contacts=[str(x) for x in d.get("known_contacts") or []],
        )

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"conversation_id": self.conversation_id, "channel": self.channel, "rep": self.rep}
        if self.customer_id is not None:
            d["customer_id"] = self.customer_id
        d["reference_time"] = iso(self.ref)
        d["messages"] = [m.to_dict() for m in self.messages]
        return d

    def message(self, mid: str) -> Message | None:
        for m in self.messages:
            if m.id == mid:
                return m
        return None


@dataclass(slots=True)
class Evidence:
    message_id: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"message_id": self.message_id, "start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def of(cls, msg: Message, start: int, end: int) -> "Evidence":
        """Evidence whose text is, by construction, msg.text[start:end]."""
        start = max(0, min(start, len(msg.text)))
        end = max(start, min(end, len(msg.text)))
        return cls(msg.id, start, end, msg.text[start:end])


@dataclass(slots=True)
class Suggestion:
    field: str
    value: Any
    confidence: float
    evidence: list[Evidence]
    reason: str
    source: str  # the component that made it (Rasa-style stamp)
    actions: list[str] = dc_field(default_factory=list)
    id: str = ""
    # raw score before calibration and model features: kept for training, not serialised
    score: float | None = None
    features: dict = dc_field(default_factory=dict)

    def make_id(self, conversation_id: str) -> str:
        key = json.dumps([conversation_id, self.field, self.value], ensure_ascii=False, sort_keys=True)
        self.id = "sg-" + hashlib.sha1(key.encode()).hexdigest()[:16]
        return self.id

    def to_dict(self) -> dict:
        d = {"id": self.id, "field": self.field, "value": self.value, "confidence": round(float(self.confidence), 4),
             "evidence": [e.to_dict() for e in self.evidence], "reason": self.reason, "source": self.source}
        if self.actions:
            d["actions"] = list(self.actions)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Suggestion":
        return cls(field=d["field"], value=d.get("value"), confidence=float(d.get("confidence", 0)),
                   evidence=[Evidence(e["message_id"], int(e["start"]), int(e["end"]), e.get("text", ""))
                             for e in d.get("evidence") or []],
                   reason=d.get("reason", ""), source=d.get("source", ""), actions=list(d.get("actions") or []),
                   id=d.get("id", ""))


@dataclass(slots=True)
class ExtractionResult:
    conversation_id: str
    model_version: str
    suggestions: list[Suggestion]
    input_format: str | None = None

    def to_dict(self) -> dict:
        return {"conversation_id": self.conversation_id, "model_version": self.model_version,
                "suggestions": [s.to_dict() for s in self.suggestions]}
