"""What the endpoints do, behind HTTP: store extractions, rank queues, apply decisions.

Write policy: only a decision (accept/edit) or a person's manual write changes a record
field; each write bumps that field's version and records its provenance; a decision
made against a stale version of a single-valued field is refused (409) with both
values so a person merges by hand. Multi-valued fields (tag, decision_role) are sets:
accepting adds the value, which commutes with other writes, so no version check.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import Principal
from api.errors import APIError
from api.pii import mask_obj
from api.settings import Settings
from extractor.types import (FIELDS, INDUSTRIES, MULTI_FIELDS, OBSTACLES, ROLES as PARTY_ROLES, STAGES, TAGS,
                             Conversation, InputError, Suggestion)
from labeling.store.models import (ConversationRow, Event, IdempotentAnswer, Label, Outbox, RecordField,
                                   SuggestionRow, utcnow)

# how much a rep gains from confirming a field: the queue shows confidence x importance first
FIELD_IMPORTANCE = {"stage": 1.0, "next_follow_up": 1.0, "key_obstacle": 0.9, "budget": 0.9, "contact": 0.8,
                    "customer_name": 0.7, "decision_role": 0.6, "industry": 0.5, "tag": 0.4}


def canonical_hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def record_key_of(customer_id: str | None, conversation_id: str) -> str:
    return customer_id if customer_id else f"conv:{conversation_id}"


def iso_utc(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # SQLite hands back naive datetimes; we only ever store UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat()


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- input

def parse_conversation(payload: Any) -> tuple[Conversation, str | None]:
    if not isinstance(payload, dict):
        raise APIError(422, "invalid_input", "the body must be a JSON object: a conversation or {format, content}")
    try:
        if "content" in payload and "messages" not in payload:
            if not isinstance(payload.get("content"), str):
                raise InputError("content must be a string", field="content")
            try:
                from extractor.formats import parse_input
            except ImportError:
                raise APIError(503, "formats_unavailable",
                               "raw input formats are not available in this build; post a canonical conversation")
            caller = {k: v for k, v in payload.items() if k not in ("format", "content")}
            conv, fmt = parse_input(payload["content"], payload.get("format") or "auto", **caller)
            _check_ids(conv)
            return conv, fmt
        conv = Conversation.from_dict(payload)
        _check_ids(conv)
        return conv, None
    except InputError as e:
        raise APIError(422, "invalid_input", str(e)) from None
    except (TypeError, ValueError, KeyError) as e:
        raise APIError(422, "invalid_input", f"cannot read the conversation: {e}") from None


def _check_ids(conv: Conversation) -> None:
    """Types and lengths the store relies on (the shared parser is lenient about these)."""
    def bad(field: str, msg: str):
        raise APIError(422, "invalid_input", f"field '{field}': {msg}")

    if len(conv.conversation_id) > 200:
        bad("conversation_id", "at most 200 characters")
    if conv.customer_id is not None and (not isinstance(conv.customer_id, str) or len(conv.customer_id) > 200):
        bad("customer_id", "must be a string of at most 200 characters")
    if conv.customer_id == "":
        conv.customer_id = None
    rep = conv.rep or {}
    for k, limit in (("id", 128), ("name", 200), ("team", 128)):
        v = rep.get(k)
        if v is None:
            continue
        if isinstance(v, int) and not isinstance(v, bool) and k == "id":
            rep[k] = v = str(v)
        if not isinstance(v, str) or len(v) > limit:
            bad(f"rep.{k}", f"must be a string of at most {limit} characters")
    if rep.get("id") == "":
        rep.pop("id")
    for i, m in enumerate(conv.messages):
        if len(m.id) > 200:
            bad(f"messages[{i}].id", "at most 200 characters")
        if m.name is not None and len(m.name) > 200:
            bad(f"messages[{i}].name", "at most 200 characters")
        if not isinstance(m.kind, str):
            bad(f"messages[{i}].kind", "must be a string")


def check_limits(conv: Conversation, settings: Settings) -> None:
    if len(conv.messages) > settings.max_messages:
        raise APIError(413, "conversation_too_long",
                       f"{len(conv.messages)} messages; at most {settings.max_messages} per request: split the conversation")
    for i, m in enumerate(conv.messages):
        if len(m.text) > settings.max_message_chars:
            raise APIError(413, "message_too_long",
                           f"messages[{i}] (id {m.id!r}) has {len(m.text)} characters; at most {settings.max_message_chars}")


def validate_value(field: str, value: Any) -> Any:
    """Checks a value a person typed against the contract's field vocabulary (422 if wrong)."""
    def bad(msg: str):
        raise APIError(422, "invalid_value", f"value for {field}: {msg}")

    if value is None:
        bad("missing")
    if field in ("stage",) and value not in STAGES:
        bad(f"one of {' '.join(STAGES)}")
    if field == "industry" and value not in INDUSTRIES:
        bad(f"one of {' '.join(INDUSTRIES)}")
    if field == "tag" and value not in TAGS:
        bad(f"one of {' '.join(TAGS)}")
    if field == "decision_role" and value not in PARTY_ROLES:
        bad(f"one of {' '.join(PARTY_ROLES)}")
    if field == "customer_name" and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        bad("a non-empty company name")
    if field == "next_follow_up" and (not isinstance(value, str)
                                      or not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?", value)):
        bad("YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    if field == "next_follow_up":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            bad("not a real date")
    if field == "contact" and not (isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"]
                                   and (value.get("title") is None or isinstance(value.get("title"), str))):
        bad('{"name": str, "title": str or null}')
    if field == "key_obstacle" and not (isinstance(value, dict) and value.get("category") in OBSTACLES
                                        and isinstance(value.get("detail", ""), str)):
        bad(f'{{"category": one of {" ".join(OBSTACLES)}, "detail": str}}')
    if field == "budget":
        ok = (isinstance(value, dict) and all(isinstance(value.get(k), int) and not isinstance(value.get(k), bool)
                                              and value.get(k) >= 0 for k in ("min", "max"))
              and value["min"] <= value["max"])
        if not ok:
            bad('{"min": int, "max": int} in yuan, min <= max')
    if field not in FIELDS:
        bad("unknown field")
    return value


# ---------------------------------------------------------------- visibility

_MONEY = re.compile(r"[￥¥$]\s*\d[\d,.]*\s*[万千百亿kKwW]?|\d[\d,.]*\s*(?:万|千|百万|亿|元|块|k|K|w|W)+"
                    r"|[零〇一二两三四五六七八九十百千几]+\s*(?:万|亿|千块|千元)+(?:元|块)?|预算")


class Redactor:
    """Applies a role's hidden fields to one conversation's suggestions and messages."""

    def __init__(self, hidden: set[str], rows: list[SuggestionRow]):
        self.hidden = hidden
        self.spans: dict[str, list[tuple[int, int]]] = {}
        self.strings: set[str] = set()
        if not hidden:
            return
        for r in rows:
            if r.field in hidden:
                for e in r.evidence or []:
                    self.spans.setdefault(e["message_id"], []).append((e["start"], e["end"]))
                    if e.get("text"):
                        self.strings.add(e["text"])
                for v in (r.value.values() if isinstance(r.value, dict) else [r.value]):
                    if v is not None and str(v):
                        self.strings.add(str(v))

    def active(self) -> bool:
        return bool(self.hidden)

    def text(self, mid: str, text: str) -> str:
        if not self.hidden or not text:
            return text
        chars = list(text)
        spans = list(self.spans.get(mid, []))
        if "budget" in self.hidden:
            spans += [m.span() for m in _MONEY.finditer(text)]
        for s in self.strings:
            start = text.find(s)
            while s and start >= 0:
                spans.append((start, start + len(s)))
                start = text.find(s, start + 1)
        for a, b in spans:
            for i in range(max(0, a), min(len(chars), b)):
                chars[i] = "*"
        return "".join(chars)

    def free_text(self, text: str) -> str:
        return self.text("\x00", text)


def hidden_for(p: Principal, settings: Settings) -> set[str]:
    return set(settings.hidden_fields.get(p.role, []))


# ---------------------------------------------------------------- extraction

def _suggestion_dict(row: SuggestionRow, red: Redactor | None = None, msgs: dict[str, str] | None = None) -> dict:
    ev = []
    for e in row.evidence or []:
        e = dict(e)
        if red is not None and red.active() and msgs is not None and e["message_id"] in msgs:
            e["text"] = red.text(e["message_id"], msgs[e["message_id"]])[e["start"]:e["end"]]
        ev.append(e)
    d = {"id": row.id, "field": row.field, "value": row.value, "confidence": round(float(row.confidence), 4),
         "evidence": ev, "reason": red.free_text(row.reason) if red is not None else row.reason,
         "source": row.source}
    if row.actions:
        d["actions"] = list(row.actions)
    return d


def extraction_response(conv_row: ConversationRow, rows: list[SuggestionRow], p: Principal, settings: Settings) -> dict:
    hidden = hidden_for(p, settings)
    red = Redactor(hidden, rows)
    msgs = {m["id"]: m.get("text") or "" for m in conv_row.payload.get("messages", [])}
    out = {"conversation_id": conv_row.conversation_id, "model_version": conv_row.model_version,
           "suggestions": [_suggestion_dict(r, red, msgs) for r in rows if r.field not in hidden]}
    if conv_row.input_format:
        out["input_format"] = conv_row.input_format
    return out


def stored_suggestions(session: Session, conversation_id: str) -> list[SuggestionRow]:
    return list(session.scalars(select(SuggestionRow).where(SuggestionRow.conversation_id == conversation_id,
                                                            SuggestionRow.status != "superseded")
                                .order_by(SuggestionRow.position)))


def find_replay(session: Session, conv_id: str, content_hash: str) -> ConversationRow | None:
    row = session.get(ConversationRow, conv_id)
    return row if row is not None and row.content_hash == content_hash else None


def store_extraction(session: Session, settings: Settings, conv: Conversation, fmt: str | None, result: Any,
                     content_hash: str) -> tuple[ConversationRow, list[SuggestionRow]]:
    mask = mask_obj if settings.mask_pii else (lambda x: x)
    now = utcnow()
    rkey = record_key_of(conv.customer_id, conv.conversation_id)
    rep_id = (conv.rep or {}).get("id")
    team = (conv.rep or {}).get("team")
    payload = mask(conv.to_dict())
    payload["rep"] = dict(conv.rep or {})
    row = session.get(ConversationRow, conv.conversation_id)
    if row is None:
        row = ConversationRow(conversation_id=conv.conversation_id, created_at=now, revision=1)
        session.add(row)
    else:
        row.revision = (row.revision or 1) + 1
    row.content_hash, row.rep_id, row.team, row.customer_id = content_hash, rep_id, team, conv.customer_id
    row.channel, row.ref_time, row.payload = conv.channel, conv.ref, payload
    row.model_version, row.input_format, row.updated_at = result.model_version, fmt, now
    session.flush()

    versions = {f.field: f.version for f in session.scalars(select(RecordField).where(RecordField.record_key == rkey))}
    keep: list[str] = []
    rows: list[SuggestionRow] = []
    for pos, s in enumerate(result.suggestions):
        if isinstance(s, dict):
            s = Suggestion.from_dict(s)
        if s.field not in FIELDS or not s.reason:
            continue  # the contract: no reason, no suggestion
        if not s.id:
            s.make_id(conv.conversation_id)
        ev = [e.to_dict() for e in s.evidence]
        sr = session.get(SuggestionRow, s.id)
        if sr is None:
            sr = SuggestionRow(id=s.id, conversation_id=conv.conversation_id, status="pending", created_at=now,
                               base_version=versions.get(s.field, 0))
            session.add(sr)
        if sr.status in ("pending", "superseded"):
            sr.status = "pending"
            sr.rep_id, sr.record_key, sr.field, sr.value = rep_id, rkey, s.field, mask(s.value)
            sr.confidence = float(s.confidence)
            sr.priority = float(s.confidence) * FIELD_IMPORTANCE.get(s.field, 0.5)
            sr.evidence, sr.reason, sr.source = mask(ev), mask(s.reason), s.source or ""
            sr.actions, sr.model_version, sr.position = list(s.actions or []), result.model_version, pos
            sr.base_version = versions.get(s.field, 0)
        keep.append(s.id)
        rows.append(sr)
    # a new revision of the conversation replaces what is still pending from the old one
    session.execute(update(SuggestionRow).where(SuggestionRow.conversation_id == conv.conversation_id,
                                                SuggestionRow.status == "pending",
                                                SuggestionRow.id.not_in(keep or [""]))
                    .values(status="superseded"))
    return row, rows


# ---------------------------------------------------------------- queue

def queue_item(row: SuggestionRow, conv_row: ConversationRow | None, rf: RecordField | None, red: Redactor) -> dict:
    msgs = {m["id"]: m for m in (conv_row.payload.get("messages", []) if conv_row else [])}
    texts = {k: (m.get("text") or "") for k, m in msgs.items()}
    d = _suggestion_dict(row, red, texts)
    shown_ids = []
    for e in row.evidence or []:
        if e["message_id"] not in shown_ids:
            shown_ids.append(e["message_id"])
    d.update({
        "conversation_id": row.conversation_id, "customer_id": row.record_key, "rep_id": row.rep_id,
        "model_version": row.model_version, "status": row.status,
        "created_at": iso_utc(row.created_at),
        "record_version": rf.version if rf else 0,
        "current_value": rf.value if rf else None,
        "multi_valued": row.field in MULTI_FIELDS,
        "messages": [{"id": mid, "speaker": msgs[mid].get("speaker"), "name": msgs[mid].get("name"),
                      "time": msgs[mid].get("time"), "text": red.text(mid, texts[mid])}
                     for mid in shown_ids if mid in msgs],
    })
    return d


def list_queue(session: Session, settings: Settings, p: Principal, rep_id: str | None, status: str,
               limit: int, conversation_id: str | None = None) -> list[dict]:
    hidden = hidden_for(p, settings)
    q = select(SuggestionRow)
    if rep_id is not None:
        q = q.where(SuggestionRow.rep_id == rep_id)
    if status != "all":
        q = q.where(SuggestionRow.status == status)
    if conversation_id:
        q = q.where(SuggestionRow.conversation_id == conversation_id)
    if hidden:
        q = q.where(SuggestionRow.field.not_in(sorted(hidden)))
    q = q.order_by(SuggestionRow.priority.desc(), SuggestionRow.created_at.desc(), SuggestionRow.id).limit(limit)
    rows = list(session.scalars(q))
    convs = {c.conversation_id: c for c in session.scalars(
        select(ConversationRow).where(ConversationRow.conversation_id.in_({r.conversation_id for r in rows})))} if rows else {}
    keys = {(r.record_key, r.field) for r in rows}
    rfs = {}
    if keys:
        for rf in session.scalars(select(RecordField).where(RecordField.record_key.in_({k for k, _ in keys}))):
            rfs[(rf.record_key, rf.field)] = rf
    redactors: dict[str, Redactor] = {}
    out = []
    for r in rows:
        if hidden and r.conversation_id not in redactors:
            redactors[r.conversation_id] = Redactor(hidden, list(session.scalars(
                select(SuggestionRow).where(SuggestionRow.conversation_id == r.conversation_id))))
        red = redactors.get(r.conversation_id) or Redactor(set(), [])
        out.append(queue_item(r, convs.get(r.conversation_id), rfs.get((r.record_key, r.field)), red))
    return out


# ---------------------------------------------------------------- writes

def _event_id(record_key: str, field: str, version: int) -> str:
    return "ev-" + hashlib.sha1(f"{record_key}\x1f{field}\x1f{version}".encode()).hexdigest()[:24]


def _serialize_event(ev: Event) -> dict:
    return {"id": ev.event_id, "cursor": str(ev.seq), "type": ev.type, "customer_id": ev.record_key,
            "field": ev.field, "value": ev.value, "previous_value": ev.previous_value, "version": ev.version,
            "suggestion_id": ev.suggestion_id, "message_id": ev.message_id, "decision": ev.decision,
            "actor": ev.actor, "time": iso_utc(ev.created_at)}


def _lock_events(session: Session) -> None:
    # PostgreSQL: serialise event-producing transactions so `seq` order is commit order and a
    # consumer polling with after=CURSOR never skips an event committed late.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(__import__("sqlalchemy").func.pg_advisory_xact_lock(4242002)))


def write_field(session: Session, settings: Settings, *, record_key: str, field: str, new_value: Any,
                expected_version: int | None, origin: str, actor: str, key_id: str | None,
                suggestion_id: str | None = None, message_id: str | None = None,
                proposed_extra: dict | None = None) -> tuple[RecordField, Event | None]:
    """Writes one field (set-add for multi-valued fields); raises 409 on a stale single-valued write."""
    _lock_events(session)
    rf = session.get(RecordField, (record_key, field), with_for_update=True)
    cur_version = rf.version if rf else 0
    multi = field in MULTI_FIELDS
    if not multi and expected_version is not None and expected_version != cur_version:
        raise APIError(409, "stale_record",
                       f"the record's {field} changed since (version {expected_version} → {cur_version}); "
                       "merge by hand and resend with the current record_version",
                       extra={"current": {"value": rf.value if rf else None, "version": cur_version,
                                          "origin": rf.origin if rf else None, "set_by": rf.set_by if rf else None},
                              "proposed": {"value": new_value, "record_version": expected_version,
                                           **(proposed_extra or {})}})
    prev = rf.value if rf else None
    prov = {"origin": origin, "suggestion_id": suggestion_id, "message_id": message_id, "set_by": actor,
            "key_id": key_id, "at": utcnow().isoformat()}
    if multi:
        cur = list(prev or [])
        items = new_value if isinstance(new_value, list) else [new_value]
        added = [v for v in items if v not in cur]
        if not added:
            return rf, None  # already in the set: nothing changes, no event
        value = sorted(cur + added, key=_j)
    else:
        if rf is not None and _j(prev) == _j(new_value) and rf.version > 0:
            # same value again: record the confirmation, no new version, no event
            return rf, None
        value = new_value
    if rf is None:
        rf = RecordField(record_key=record_key, field=field, version=0, provenance={})
        session.add(rf)
    provenance = dict(rf.provenance or {})
    if multi:
        for v in (new_value if isinstance(new_value, list) else [new_value]):
            provenance[_j(v)] = prov
    else:
        provenance = prov
    rf.value, rf.version, rf.origin = value, cur_version + 1, origin
    rf.suggestion_id, rf.message_id, rf.set_by, rf.set_by_key = suggestion_id, message_id, actor, key_id
    rf.provenance, rf.updated_at = provenance, utcnow()
    ev = Event(event_id=_event_id(record_key, field, rf.version), record_key=record_key, field=field, value=value,
               previous_value=prev, version=rf.version, suggestion_id=suggestion_id, message_id=message_id,
               decision=origin, actor=actor, created_at=utcnow())
    session.add(ev)
    if settings.webhook_url:
        session.add(Outbox(event_id=ev.event_id, url=settings.webhook_url, next_attempt_at=utcnow()))
    session.flush()
    return rf, ev


def decide(session: Session, settings: Settings, p: Principal, sid: str, decision: str, value: Any,
           record_version: int | None, idem_key: str | None, raw_body: dict) -> tuple[int, dict]:
    req_hash = canonical_hash({"sid": sid, "body": raw_body})
    if idem_key:
        prior = session.get(IdempotentAnswer, (p.key_id, idem_key))
        if prior is not None:
            if prior.request_hash != req_hash:
                raise APIError(422, "idempotency_key_reused",
                               "this Idempotency-Key was used for a different request")
            return prior.status_code, prior.body
    row = session.get(SuggestionRow, sid)
    hidden = hidden_for(p, settings)
    if row is None or row.field in hidden:
        raise APIError(404, "not_found", f"no suggestion {sid!r}")
    if p.role in ("rep",) or (p.role == "channel" and p.rep_id):
        if row.rep_id != p.rep_id:
            raise APIError(403, "forbidden", "this suggestion is in another rep's queue")
    if row.status != "pending":
        raise APIError(409, "already_decided", f"suggestion {sid} is already {row.status}",
                       extra={"status": row.status})
    if decision == "edit":
        final = validate_value(row.field, value)
    elif decision == "accept":
        if value is not None and _j(value) != _j(row.value):
            raise APIError(422, "invalid_request", "accept takes the suggested value; send decision 'edit' to change it")
        final = row.value
    else:
        final = None
    msgs = None
    if hidden:  # the conversation is needed only to redact what this role must not see
        conv_row = session.get(ConversationRow, row.conversation_id)
        msgs = {m["id"]: (m.get("text") or "") for m in (conv_row.payload.get("messages", []) if conv_row else [])}
    shown = _suggestion_dict(row, Redactor(hidden, [row]) if hidden else None, msgs)
    shown.update({"model_version": row.model_version, "conversation_id": row.conversation_id})
    expected = record_version if record_version is not None else row.base_version
    message_id = (row.evidence or [{}])[0].get("message_id") if row.evidence else None
    rf = ev = None
    if decision in ("accept", "edit"):
        rf, ev = write_field(session, settings, record_key=row.record_key, field=row.field, new_value=final,
                             expected_version=expected, origin=decision, actor=p.who, key_id=p.key_id,
                             suggestion_id=row.id, message_id=message_id,
                             proposed_extra={"suggestion_id": row.id, "decision": decision})
    now = utcnow()
    status = {"accept": "accepted", "edit": "edited", "reject": "rejected"}[decision]
    res = session.execute(update(SuggestionRow).where(SuggestionRow.id == sid, SuggestionRow.status == "pending")
                          .values(status=status, decided_at=now))
    if res.rowcount != 1:
        raise APIError(409, "already_decided", f"suggestion {sid} was decided concurrently")
    lab = Label(suggestion_id=row.id, conversation_id=row.conversation_id, record_key=row.record_key, field=row.field,
                shown=shown, shown_value=row.value, confidence=row.confidence, model_version=row.model_version,
                decision=decision, final_value=final, decided_by=p.who, decided_by_key=p.key_id,
                decided_by_role=p.role, decided_at=now)
    session.add(lab)
    session.flush()
    body = {"suggestion_id": row.id, "decision": decision, "status": status, "label_id": lab.id,
            "record": ({"customer_id": row.record_key, "field": row.field, "value": rf.value, "version": rf.version}
                       if rf is not None else None),
            "event_id": ev.event_id if ev is not None else None}
    if idem_key:
        session.add(IdempotentAnswer(key_id=p.key_id, idem_key=idem_key, request_hash=req_hash, status_code=200,
                                     body=body))
    return 200, body


def with_retry(session: Session, fn, attempts: int = 3):
    """Runs fn(session) in a transaction; retries on integrity races (PostgreSQL concurrent inserts)."""
    for i in range(attempts):
        try:
            out = fn(session)
            session.commit()
            return out
        except IntegrityError:
            session.rollback()
            if i == attempts - 1:
                raise APIError(409, "conflict", "a concurrent request changed the same data; retry")
        except BaseException:
            session.rollback()
            raise


def serialize_event(ev: Event) -> dict:
    return _serialize_event(ev)


def record_view(session: Session, record_key: str, hidden: set[str]) -> dict:
    fields = {}
    for rf in session.scalars(select(RecordField).where(RecordField.record_key == record_key)):
        if rf.field in hidden:
            continue
        fields[rf.field] = {"value": rf.value, "version": rf.version, "origin": rf.origin,
                            "suggestion_id": rf.suggestion_id, "message_id": rf.message_id, "set_by": rf.set_by,
                            "updated_at": iso_utc(rf.updated_at),
                            "provenance": rf.provenance}
    return {"customer_id": record_key, "fields": fields}


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
