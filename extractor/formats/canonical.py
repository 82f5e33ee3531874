"""Canonical JSON (CONTRACT.md §2): one conversation object; Conversation.from_dict validates it."""
from __future__ import annotations

import json

from extractor.types import Conversation, InputError

from .common import KINDS, Caller


def loads_json(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg} (column {e.colno})", line=e.lineno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None


def parse(text: str, caller: Caller) -> Conversation:
    d = loads_json(text)
    if isinstance(d, list):
        raise InputError("expected one conversation object, got a JSON array "
                         "(several conversations: one per line with `extract --jsonl`)")
    if not isinstance(d, dict):
        raise InputError("a conversation must be a JSON object")
    return from_obj(d, caller)


def from_obj(d: dict, caller: Caller) -> Conversation:
    d = dict(d)
    # the caller fills what the file leaves out; an explicit reference time always wins
    if not d.get("conversation_id") and caller.conversation_id:
        d["conversation_id"] = caller.conversation_id
    if not d.get("rep") and (caller.rep or caller.rep_names):
        d["rep"] = caller.rep_dict()
    if not d.get("channel") and caller.channel:
        d["channel"] = caller.channel
    if d.get("customer_id") is None and caller.customer_id is not None:
        d["customer_id"] = caller.customer_id
    for key in ("known_customers", "known_contacts"):
        v = d.get(key)
        if v is not None and not isinstance(v, list):
            raise InputError("must be a list of strings", field=key)
        if not v and getattr(caller, key):
            d[key] = list(getattr(caller, key))
    cid = d.get("customer_id")
    if cid is not None and not isinstance(cid, (str, int)):
        raise InputError("customer_id must be a string", field="customer_id")
    msgs = d.get("messages")
    if isinstance(msgs, list):
        for i, m in enumerate(msgs):
            if isinstance(m, dict):
                k = m.get("kind")
                if k not in (None, "") and k not in KINDS:
                    raise InputError(f"unknown kind {k!r} (one of {', '.join(KINDS)})", field=f"messages[{i}].kind")
                nm = m.get("name")
                if nm is not None and not isinstance(nm, (str, int)):
                    raise InputError("name must be a string", field=f"messages[{i}].name")
    try:
        conv = Conversation.from_dict(d)
    except InputError:
        raise
    except (TypeError, ValueError, AttributeError, OverflowError) as e:
        raise InputError(f"malformed conversation: {e}") from None
    if caller.reference_time is not None:
        conv.reference_time = caller.reference_time
    if caller.channel and not d.get("channel"):
        conv.channel = caller.channel
    return conv
