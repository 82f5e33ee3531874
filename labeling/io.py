"""Label import and export: the project's JSONL, gold-corpus JSONL, Label Studio JSON, doccano JSONL.

Two shapes live inside the project:

* a **label record** — one rep/annotator decision on one suggestion::

    {"conversation_id", "suggestion": {field, value, confidence, evidence, reason, source, model_version},
     "decision": "accept"|"reject"|"edit", "final_value", "who", "when"}

* a **gold conversation** — a canonical conversation plus ``gold`` / ``gold_evidence`` (the
  corpus format `chat2crm train`/`eval` read). Labels aggregate into one per conversation
  with Prodigy semantics: accept/edit make a positive, a reject is "not this value" (kept
  under ``negatives``, never a claim that the field is empty), an unanswered suggestion is
  unknown and leaves no trace. Gold made from labels is therefore *partial*
  (``"partial": true`` and ``"labelled"`` lists the fields a person decided).

Offsets inside the project are Python code points into a message's text. Label Studio
and doccano work on one rendered text per conversation (``m1 客户: …`` lines) and
count UTF-16 code units (JavaScript); exports convert to ``offsets="utf16"`` by default
and imports convert back (``offsets="codepoint"`` for tools that count code points).

Every reader raises `InputError` naming the line/task and field at fault; every writer
writes a temporary file and renames it, so a failed run never leaves a partial file.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from extractor.types import (FIELDS, INDUSTRIES, MULTI_FIELDS, OBSTACLES, ROLES, STAGES, TAGS, Conversation,
                             InputError)

DECISIONS = ("accept", "reject", "edit")
OFFSET_UNITS = ("utf16", "codepoint")
SPEAKER_LABEL = {"rep": "销售", "customer": "客户", "other": "其他"}
# fields whose value is one word of a closed vocabulary: a span label "field:value" says it all
VOCAB = {"stage": STAGES, "industry": INDUSTRIES, "tag": TAGS, "decision_role": ROLES}
# fields whose value a span label cannot carry (Label Studio: per-region textarea; doccano: "values")
FREE_FIELDS = ("customer_name", "contact", "next_follow_up", "budget", "key_obstacle")
GOLD_ONLY_KEYS = ("gold", "gold_evidence", "notes", "negatives", "labelled", "partial", "label_source")


# ------------------------------------------------------------------ files

def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write `text` to a temp file next to `path`, then rename: never a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def write_jsonl(path: str | Path, rows: Iterable[dict]) -> Path:
    return atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None


def read_jsonl(path: str | Path) -> list[tuple[int, Any]]:
    """(line number, parsed object) for every non-blank line."""
    out = []
    for i, line in enumerate(_read_text(path).lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((i, json.loads(line)))
        except json.JSONDecodeError as e:
            raise InputError(f"{path}: invalid JSON ({e.msg}, column {e.colno})", line=i) from None
    return out


def strip_gold(conv: dict) -> dict:
    return {k: v for k, v in conv.items() if k not in GOLD_ONLY_KEYS}


def load_conversations(paths: Iterable[str | Path]) -> dict[str, dict]:
    """conversation_id → canonical conversation dict (gold keys kept), from JSONL files."""
    out: dict[str, dict] = {}
    for p in paths:
        for i, d in read_jsonl(p):
            try:
                Conversation.from_dict(strip_gold(d) if isinstance(d, dict) else d)
            except InputError as e:
                raise InputError(f"{p}: {e.detail}", line=i, field=e.field) from None
            out[d["conversation_id"].strip()] = d
    return out


# ------------------------------------------------------------------ offsets

def cp_to_utf16(text: str, cp: int) -> int:
    """Code-point offset → UTF-16 code-unit offset (astral characters count 2)."""
    return cp + sum(1 for ch in text[:cp] if ord(ch) > 0xFFFF)


def utf16_to_cp(text: str, u: int) -> int:
    """UTF-16 code-unit offset → code-point offset; ValueError if it falls inside a surrogate pair."""
    if u < 0:
        raise ValueError(f"negative offset {u}")
    n = 0
    for i, ch in enumerate(text):
        if n == u:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > u:
            raise ValueError(f"offset {u} splits the surrogate pair of {ch!r}")
    if n == u:
        return len(text)
    raise ValueError(f"offset {u} is past the end of the text ({n} UTF-16 units)")


def _to_unit(text: str, cp: int, unit: str) -> int:
    return cp_to_utf16(text, cp) if unit == "utf16" else cp


def _from_unit(text: str, off: Any, unit: str, where: str, fld: str) -> int:
    if not isinstance(off, int) or isinstance(off, bool):
        raise InputError(f"{where}: offset must be an integer, got {off!r}", field=fld)
    if unit == "utf16":
        try:
            return utf16_to_cp(text, off)
        except ValueError as e:
            raise InputError(f"{where}: {e}", field=fld) from None
    if not 0 <= off <= len(text):
        raise InputError(f"{where}: offset {off} outside the text (0..{len(text)})", field=fld)
    return off


def _check_unit(unit: str) -> str:
    if unit not in OFFSET_UNITS:
        raise InputError(f"offset unit must be one of {', '.join(OFFSET_UNITS)}, got {unit!r}", field="offsets")
    return unit


# ------------------------------------------------------------------ rendering

@dataclass
class Rendered:
    """One conversation as the single text annotation tools show, with message offsets (code points)."""
    text: str
    spans: list[tuple[str, int, int]]  # (message id, start, end) of each message's text inside `text`

    def to_global(self, message_id: str, start: int, end: int) -> tuple[int, int]:
        for mid, s, e in self.spans:
            if mid == message_id:
                if not 0 <= start <= end <= e - s:
                    raise ValueError(f"span {start}..{end} outside message {message_id!r}")
                return s + start, s + end
        raise ValueError(f"no message {message_id!r}")

    def to_local(self, start: int, end: int) -> tuple[str, int, int]:
        for mid, s, e in self.spans:
            if s <= start and end <= e and start <= end:
                return mid, start - s, end - s
        raise ValueError(f"span {start}..{end} is not inside one message's text")


def render(conv: dict) -> Rendered:
    """`m1 客户: text` lines joined by newlines (a message's own newlines stay inside its span)."""
    parts, spans, pos = [], [], 0
    for m in conv.get("messages") or []:
        prefix = f"{m['id']} {SPEAKER_LABEL.get(m.get('speaker'), '其他')}: "
        text = m.get("text") or ""
        if parts:
            parts.append("\n")
            pos += 1
        parts.append(prefix + text)
        spans.append((str(m["id"]), pos + len(prefix), pos + len(prefix) + len(text)))
        pos += len(prefix) + len(text)
    return Rendered("".join(parts), spans)


# ------------------------------------------------------------------ values

def value_key(fld: str, value: Any) -> str:
    """A hashable, canonical key of a field value (key_obstacle by category, as the scorer matches)."""
    if fld == "key_obstacle" and isinstance(value, dict):
        return str(value.get("category"))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def span_label(fld: str, value: Any) -> str:
    if fld in VOCAB:
        return f"{fld}:{value}"
    if fld == "key_obstacle" and isinstance(value, dict) and value.get("category"):
        return f"key_obstacle:{value['category']}"
    return fld


def check_value(fld: str, value: Any, where: str = "") -> None:
    """InputError unless `value` is a valid value of `fld` (CONTRACT.md section 3)."""
    from labeling.validate_corpus import check_gold
    if fld not in FIELDS:
        raise InputError(f"{where}unknown field {fld!r} (one of {', '.join(FIELDS)})", field="field")
    errs = check_gold({fld: [value] if fld in MULTI_FIELDS else value})
    if errs:
        raise InputError(f"{where}{errs[0]}", field=fld)


def parse_span_label(label: Any, where: str) -> tuple[str, str | None]:
    """'tag:价格讨论' → ('tag', '价格讨论'); 'next_follow_up' → ('next_follow_up', None); bare tag words → tag."""
    if not isinstance(label, str) or not label:
        raise InputError(f"{where}: a label must be a non-empty string, got {label!r}", field="labels")
    if label in TAGS:
        return "tag", label
    fld, _, val = label.partition(":")
    if fld not in FIELDS:
        raise InputError(f"{where}: unknown label {label!r} (field or field:value, e.g. tag:价格讨论)", field="labels")
    if fld in VOCAB:
        if val not in VOCAB[fld]:
            raise InputError(f"{where}: {label!r}: {fld} value must be one of {', '.join(VOCAB[fld])}", field="labels")
        return fld, val
    if fld == "key_obstacle" and val:
        if val not in OBSTACLES:
            raise InputError(f"{where}: {label!r}: category must be one of {', '.join(OBSTACLES)}", field="labels")
        return fld, val
    if val:
        raise InputError(f"{where}: {label!r}: {fld} takes its value from the span or a value note, not the label",
                         field="labels")
    return fld, None


def value_from(fld: str, label_val: str | None, note: Any, span_text: str, where: str) -> Any:
    """A field value from a span label, an optional value note (JSON or plain) and the span's text."""
    if note is not None:
        v = note
        if isinstance(note, str):
            try:
                v = json.loads(note)
            except json.JSONDecodeError:
                v = note
        if fld == "key_obstacle" and isinstance(v, str):
            v = {"category": label_val, "detail": v}
        if fld == "contact" and isinstance(v, str):
            v = {"name": v, "title": None}
        if fld == "budget" and isinstance(v, (int, float)) and not isinstance(v, bool):
            v = {"min": int(v), "max": int(v)}
    elif label_val is not None:
        v = {"category": label_val, "detail": span_text} if fld == "key_obstacle" else label_val
    elif fld == "customer_name":
        v = span_text
    elif fld == "contact":
        v = {"name": span_text, "title": None}
    else:
        raise InputError(f"{where}: a {fld} span needs its value (Label Studio: a 'value' textarea on the region; "
                         f"doccano: the record's 'values')", field=fld)
    check_value(fld, v, f"{where}: ")
    return v


# ------------------------------------------------------------------ label records

def _ev_list(ev: Any, where: str) -> list[dict]:
    if ev is None:
        return []
    if not isinstance(ev, list):
        raise InputError(f"{where}: evidence must be a list", field="suggestion.evidence")
    out = []
    for j, e in enumerate(ev):
        f = f"suggestion.evidence[{j}]"
        if not isinstance(e, dict) or not isinstance(e.get("message_id"), str):
            raise InputError(f"{where}: evidence needs message_id, start, end, text", field=f)
        for k in ("start", "end"):
            if not isinstance(e.get(k), int) or isinstance(e.get(k), bool) or e[k] < 0:
                raise InputError(f"{where}: {k} must be a non-negative integer", field=f"{f}.{k}")
        if e["end"] < e["start"]:
            raise InputError(f"{where}: end before start", field=f)
        out.append({"message_id": e["message_id"], "start": e["start"], "end": e["end"], "text": str(e.get("text", ""))})
    return out


def normalize_record(d: Any, where: str = "") -> dict:
    """Validate one label record (project shape, or the label store's export shape) and return it canonical."""
    where = where or "record"
    if not isinstance(d, dict):
        raise InputError(f"{where}: a label record must be a JSON object")
    if "shown" in d and "suggestion" not in d:  # labeling.store.label_to_dict shape
        shown = dict(d.get("shown") or {})
        shown.setdefault("field", d.get("field"))
        shown.setdefault("value", d.get("shown_value"))
        shown.setdefault("confidence", d.get("confidence"))
        shown.setdefault("model_version", d.get("model_version"))
        d = {"conversation_id": d.get("conversation_id"), "suggestion": shown, "decision": d.get("decision"),
             "final_value": d.get("final_value"), "who": d.get("who"), "when": d.get("when")}
    cid = d.get("conversation_id")
    if not isinstance(cid, str) or not cid.strip():
        raise InputError(f"{where}: missing conversation_id", field="conversation_id")
    s = d.get("suggestion")
    if not isinstance(s, dict):
        raise InputError(f"{where}: suggestion must be an object", field="suggestion")
    fld = s.get("field")
    if fld not in FIELDS:
        raise InputError(f"{where}: unknown field {fld!r} (one of {', '.join(FIELDS)})", field="suggestion.field")
    dec = d.get("decision")
    if dec not in DECISIONS:
        raise InputError(f"{where}: decision must be accept, reject or edit, got {dec!r}", field="decision")
    conf = s.get("confidence")
    if conf is not None and (not isinstance(conf, (int, float)) or isinstance(conf, bool) or not 0 <= conf <= 1):
        raise InputError(f"{where}: confidence must be a number in 0..1, got {conf!r}", field="suggestion.confidence")
    check_value(fld, s.get("value"), f"{where}: suggestion: ")
    final = d.get("final_value")
    if dec == "accept":
        final = s.get("value") if final is None else final
    if dec == "edit":
        if final is None:
            raise InputError(f"{where}: an edit needs final_value", field="final_value")
    if dec in ("accept", "edit"):
        check_value(fld, final, f"{where}: final_value: ")
    if dec == "reject":
        final = None
    when = d.get("when")
    if when is not None and not isinstance(when, str):
        raise InputError(f"{where}: when must be an ISO time string", field="when")
    who = d.get("who")
    sug = {"field": fld, "value": s.get("value"), "confidence": None if conf is None else float(conf),
           "evidence": _ev_list(s.get("evidence"), where), "reason": str(s.get("reason") or ""),
           "source": str(s.get("source") or ""), "model_version": str(s.get("model_version") or "")}
    if s.get("id"):
        sug["id"] = str(s["id"])
    return {"conversation_id": cid.strip(), "suggestion": sug, "decision": dec, "final_value": final,
            "who": None if who is None else str(who), "when": when}


def read_labels_jsonl(path: str | Path) -> list[dict]:
    out = []
    for i, d in read_jsonl(path):
        try:
            out.append(normalize_record(d, f"{path}"))
        except InputError as e:
            raise InputError(e.detail, line=i, field=e.field) from None
    return out


def write_labels_jsonl(path: str | Path, records: Iterable[dict]) -> Path:
    return write_jsonl(path, (normalize_record(r) for r in records))


def check_evidence(records: list[dict], convs: dict[str, dict]) -> None:
    """Every evidence span names an existing message and equals its text slice."""
    for i, r in enumerate(records, 1):
        conv = convs.get(r["conversation_id"])
        if conv is None:
            continue
        texts = {str(m["id"]): m.get("text") or "" for m in conv.get("messages") or []}
        for j, e in enumerate(r["suggestion"]["evidence"]):
            t = texts.get(e["message_id"])
            f = f"suggestion.evidence[{j}]"
            if t is None:
                raise InputError(f"conversation {r['conversation_id']!r} has no message {e['message_id']!r}",
                                 line=i, field=f)
            if t[e["start"]:e["end"]] != e["text"]:
                raise InputError(f"evidence text {e['text']!r} != message text[{e['start']}:{e['end']}] "
                                 f"{t[e['start']:e['end']]!r}", line=i, field=f)


# ------------------------------------------------------------------ labels ↔ gold

def _when_key(r: dict) -> str:
    return str(r.get("when") or "")


def aggregate(records: list[dict], convs: dict[str, dict], *, source: str = "labels") -> list[dict]:
    """Label records → one partial gold conversation per conversation (Prodigy semantics).

    accept/edit: the final value is a positive (an edit also makes the shown value a
    negative); reject: the shown value is a negative, nothing else is implied; the latest
    decision on a value wins; a single-valued field keeps its latest positive. Fields
    nobody decided are absent from ``labelled``: unknown, not empty.
    """
    by_conv: "OrderedDict[str, list[dict]]" = OrderedDict()
    for r in records:
        by_conv.setdefault(r["conversation_id"], []).append(r)
    out = []
    for cid, recs in by_conv.items():
        conv = convs.get(cid)
        if conv is None:
            raise InputError(f"no conversation text for {cid!r}: pass the conversations (--conversations FILE)",
                             field="conversation_id")
        # (field, value key) → (when, polarity, value, evidence)
        verdict: dict[tuple[str, str], tuple[str, bool, Any, list[dict]]] = {}
        labelled: set[str] = set()
        for r in sorted(recs, key=_when_key):  # stable: equal times keep file order
            s, fld = r["suggestion"], r["suggestion"]["field"]
            labelled.add(fld)
            if r["decision"] in ("reject", "edit"):
                if not (r["decision"] == "edit" and value_key(fld, r["final_value"]) == value_key(fld, s["value"])):
                    verdict[(fld, value_key(fld, s["value"]))] = (_when_key(r), False, s["value"], s["evidence"])
            if r["decision"] in ("accept", "edit"):
                verdict[(fld, value_key(fld, r["final_value"]))] = (_when_key(r), True, r["final_value"], s["evidence"])
        gold: dict[str, Any] = {}
        gold_ev: dict[str, list[str]] = {}
        negatives: dict[str, list[Any]] = {}
        latest_single: dict[str, str] = {}
        for (fld, _k), (when, pos, value, ev) in verdict.items():
            mids = list(dict.fromkeys(e["message_id"] for e in ev))
            if not pos:
                negatives.setdefault(fld, []).append(value)
            elif fld in MULTI_FIELDS:
                gold.setdefault(fld, []).append(value)
                if mids:
                    gold_ev[f"{fld}:{value}"] = mids
            elif fld not in latest_single or when >= latest_single[fld]:
                latest_single[fld] = when
                gold[fld] = value
                if mids:
                    gold_ev[fld] = mids
                else:
                    gold_ev.pop(fld, None)
        rec = strip_gold(conv)
        rec.update({"gold": gold, "gold_evidence": gold_ev, "negatives": negatives,
                    "labelled": sorted(labelled, key=FIELDS.index), "partial": True, "label_source": source,
                    "notes": f"{len(recs)} decision(s) from {source}; fields not in 'labelled' are unknown"})
        out.append(rec)
    return out


def gold_to_records(conv: dict, *, who: str | None = "gold", when: str | None = None) -> list[dict]:
    """A gold conversation → accept records (one per value; evidence = whole messages of gold_evidence)
    and reject records for its ``negatives``. Inverse of `aggregate` up to evidence granularity."""
    gold = conv.get("gold") or {}
    ev = conv.get("gold_evidence") or {}
    texts = {str(m["id"]): m.get("text") or "" for m in conv.get("messages") or []}

    def evidence(key: str) -> list[dict]:
        out = []
        for mid in ev.get(key) or []:
            t = texts.get(mid)
            if t:
                out.append({"message_id": mid, "start": 0, "end": len(t), "text": t})
        return out

    def rec(fld, value, decision, key):
        return {"conversation_id": conv["conversation_id"],
                "suggestion": {"field": fld, "value": value, "confidence": None, "evidence": evidence(key),
                               "reason": "", "source": "gold", "model_version": ""},
                "decision": decision, "final_value": value if decision == "accept" else None, "who": who, "when": when}

    out = []
    for fld in FIELDS:
        if fld not in gold:
            continue
        if fld in MULTI_FIELDS:
            out.extend(rec(fld, v, "accept", f"{fld}:{v}") for v in gold[fld])
        else:
            out.append(rec(fld, gold[fld], "accept", fld))
    for fld, vals in (conv.get("negatives") or {}).items():
        out.extend(rec(fld, v, "reject", "") for v in vals)
    return out


# ------------------------------------------------------------------ items (the tools' view of a conversation)

@dataclass
class Item:
    """One field value on one conversation, with its evidence (code points, per message)."""
    field: str
    value: Any
    evidence: list[dict]
    confidence: float | None = None
    region_ids: tuple[str, ...] = ()


def _items_from_record_side(records: list[dict], side: str) -> list[Item]:
    """side='shown': what was suggested; side='final': the positives after the decisions."""
    out = []
    for r in records:
        s = r["suggestion"]
        if side == "shown":
            out.append(Item(s["field"], s["value"], s["evidence"], s.get("confidence")))
        elif r["decision"] in ("accept", "edit"):
            out.append(Item(s["field"], r["final_value"], s["evidence"], s.get("confidence")))
    return out


def _gold_items(conv: dict) -> list[Item]:
    return _items_from_record_side([normalize_record(r) for r in gold_to_records(conv)], "final")


# ------------------------------------------------------------------ Label Studio

def _region_results(rendered: Rendered, items: list[Item], unit: str, ids: list[str], *, with_score: bool,
                    choices: bool = True) -> list[dict]:
    """Span results (one per evidence; region id `ids[n]` + 'e' + k), a per-region 'value' textarea for
    free-valued fields, and one `choices` result per categorical field."""
    out = []
    for n, it in enumerate(items):
        label = span_label(it.field, it.value)
        for k, e in enumerate(it.evidence):
            s, t = rendered.to_global(e["message_id"], e["start"], e["end"])
            rid = f"{ids[n]}e{k}"
            r = {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": _to_unit(rendered.text, s, unit), "end": _to_unit(rendered.text, t, unit),
                           "text": rendered.text[s:t], "labels": [label]}}
            if with_score and it.confidence is not None:
                r["score"] = round(float(it.confidence), 4)
            out.append(r)
            if it.field in FREE_FIELDS:
                out.append({"id": rid, "from_name": "value", "to_name": "text", "type": "textarea",
                            "value": {"start": r["value"]["start"], "end": r["value"]["end"],
                                      "text": [json.dumps(it.value, ensure_ascii=False)]}})
    if choices:
        for fld in ("tag", "decision_role", "stage", "industry"):
            vals = list(dict.fromkeys(it.value for it in items if it.field == fld))
            if vals:
                out.append({"id": f"{ids[0] if ids else 'c'}-{fld}", "from_name": fld, "to_name": "text",
                            "type": "choices", "value": {"choices": vals}})
    return out


def to_labelstudio(convs: list[dict], records: list[dict] | None = None, *, offsets: str = "utf16",
                   predictions: dict[str, dict] | None = None) -> list[dict]:
    """Label Studio tasks. Annotations: the labelled positives (from `records` if given, else each
    conversation's gold); predictions: the suggestions as shown (records) or an extraction output per
    conversation id (`predictions`). A rejected suggestion is a prediction with no counterpart in
    the annotation, which is how `from_labelstudio` reads it back; an accepted or edited one keeps
    the prediction's region ids."""
    _check_unit(offsets)
    recs_by: dict[str, list[dict]] = {}
    for r in records or []:
        recs_by.setdefault(r["conversation_id"], []).append(r)
    tasks = []
    for conv in convs:
        cid = conv["conversation_id"]
        rd = render(conv)
        data = {"text": rd.text, "conversation_id": cid, "messages": conv.get("messages", []),
                "conversation_meta": conversation_meta(conv), "offsets": offsets}
        task: dict[str, Any] = {"data": data, "annotations": [], "predictions": []}
        if records is not None:
            recs = recs_by.get(cid, [])
            if recs:
                shown = _items_from_record_side(recs, "shown")
                confs = [it.confidence for it in shown if it.confidence is not None]
                ids = [f"r{n}" for n in range(len(recs))]
                task["predictions"].append({
                    "model_version": next((r["suggestion"]["model_version"] for r in recs
                                           if r["suggestion"]["model_version"]), "unknown"),
                    "score": round(min(confs), 4) if confs else None,
                    "result": _region_results(rd, shown, offsets, ids, with_score=True)})
                finals = [(f"r{n}", Item(r["suggestion"]["field"], r["final_value"], r["suggestion"]["evidence"]))
                          for n, r in enumerate(recs) if r["decision"] in ("accept", "edit")]
                result = _region_results(rd, [it for _, it in finals], offsets, [i for i, _ in finals],
                                         with_score=False)
                last = max(recs, key=_when_key)
                task["annotations"].append({"result": result, "completed_by": last.get("who"),
                                            "created_at": last.get("when"), "was_cancelled": False,
                                            "ground_truth": False})
        elif conv.get("gold") is not None:
            items = _gold_items(conv)
            task["annotations"].append({"result": _region_results(rd, items, offsets, [f"g{n}" for n in range(len(items))],
                                                                  with_score=False),
                                        "completed_by": "gold", "was_cancelled": False, "ground_truth": True})
        pred = (predictions or {}).get(cid)
        if pred and pred.get("suggestions"):
            items = [Item(s["field"], s["value"], s.get("evidence") or [], s.get("confidence"))
                     for s in pred["suggestions"]]
            confs = [it.confidence for it in items if it.confidence is not None]
            task["predictions"].append({"model_version": pred.get("model_version", "unknown"),
                                        "score": round(min(confs), 4) if confs else None,
                                        "result": _region_results(rd, items, offsets,
                                                                  [f"x{n}" for n in range(len(items))],
                                                                  with_score=True)})
        tasks.append(task)
    return tasks


def _parse_results(results: Any, rd: Rendered, unit: str, where: str) -> list[Item]:
    if not isinstance(results, list):
        raise InputError(f"{where}: result must be a list", field="result")
    notes: dict[str, Any] = {}
    for j, r in enumerate(results):
        if isinstance(r, dict) and r.get("type") == "textarea":
            v = (r.get("value") or {}).get("text")
            if isinstance(v, list):
                v = v[0] if v else None
            notes[str(r.get("id"))] = v
    items: dict[tuple[str, str], Item] = {}
    choice_vals: list[tuple[str, str]] = []
    for j, r in enumerate(results):
        w = f"{where} result[{j}]"
        if not isinstance(r, dict):
            raise InputError(f"{w}: a result must be an object", field="result")
        typ = r.get("type")
        val = r.get("value")
        if typ == "textarea":
            continue
        if not isinstance(val, dict):
            raise InputError(f"{w}: missing value object", field="value")
        if typ == "choices":
            fld = r.get("from_name")
            ch = val.get("choices")
            if not isinstance(ch, list):
                raise InputError(f"{w}: choices must be a list", field="value.choices")
            for c in ch:
                f2, v2 = parse_span_label(c if fld in (None, "tag", "tags") else f"{fld}:{c}", w)
                if v2 is None:
                    raise InputError(f"{w}: choice {c!r} has no value", field="value.choices")
                choice_vals.append((f2, v2))
            continue
        if typ not in ("labels", "hypertextlabels"):
            raise InputError(f"{w}: unsupported result type {typ!r} (labels, choices, textarea)", field="type")
        labels = val.get("labels")
        if not isinstance(labels, list) or len(labels) != 1:
            raise InputError(f"{w}: a span needs exactly one label", field="value.labels")
        fld, lv = parse_span_label(labels[0], w)
        s = _from_unit(rd.text, val.get("start"), unit, w, "value.start")
        e = _from_unit(rd.text, val.get("end"), unit, w, "value.end")
        if "text" in val and val["text"] != rd.text[s:e]:
            hint = " (wrong offset unit? try the other --offsets)" if unit in OFFSET_UNITS else ""
            raise InputError(f"{w}: span text {val['text']!r} != rendered text[{s}:{e}] {rd.text[s:e]!r}{hint}",
                             field="value.text")
        try:
            mid, ls, le = rd.to_local(s, e)
        except ValueError as ex:
            raise InputError(f"{w}: {ex}", field="value") from None
        value = value_from(fld, lv, notes.get(str(r.get("id"))), rd.text[s:e], w)
        key = (fld, value_key(fld, value))
        ev = {"message_id": mid, "start": ls, "end": le, "text": rd.text[s:e]}
        it = items.get(key)
        if it is None:
            items[key] = Item(fld, value, [ev], r.get("score"), (str(r.get("id")),))
        else:
            if ev not in it.evidence:
                it.evidence.append(ev)
            it.region_ids += (str(r.get("id")),)
    for fld, v in choice_vals:
        if fld == "key_obstacle":
            raise InputError(f"{where}: key_obstacle needs a span with its detail, not a choice", field="choices")
        items.setdefault((fld, value_key(fld, v)), Item(fld, v, []))
    return list(items.values())


def conversation_meta(conv: dict) -> dict:
    """The canonical conversation's keys other than its id and messages (channel, rep, reference_time…)."""
    return {k: v for k, v in strip_gold(conv).items() if k not in ("conversation_id", "messages")}


def _conv_from_task(task: dict, where: str) -> dict:
    data = task.get("data")
    if not isinstance(data, dict):
        raise InputError(f"{where}: missing data object", field="data")
    msgs = data.get("messages")
    cid = data.get("conversation_id")
    if not isinstance(msgs, list) or not isinstance(cid, str):
        raise InputError(f"{where}: data needs conversation_id and messages", field="data")
    meta = data.get("conversation_meta") or {}
    if not isinstance(meta, dict):
        raise InputError(f"{where}: conversation_meta must be an object", field="data.conversation_meta")
    conv = {"conversation_id": cid, **{k: v for k, v in meta.items() if k not in ("conversation_id", "messages")},
            "messages": msgs}
    try:
        Conversation.from_dict(conv)
    except InputError as e:
        raise InputError(f"{where}: {e.detail}", field=f"data.{e.field}" if e.field else "data") from None
    if "text" in data and data["text"] != render(conv).text:
        raise InputError(f"{where}: data.text is not the rendering of data.messages", field="data.text")
    return conv


def from_labelstudio(obj: Any, *, offsets: str = "utf16", source: str = "labelstudio") -> tuple[list[dict], list[dict]]:
    """Label Studio export (a list of tasks, or one task) → (label records, conversations).

    The latest non-cancelled annotation of a task (a ground-truth one first) is the person's
    answer. Each predicted value is accepted if the annotation keeps it, edited if the
    annotation changed it (same region id, or a single-valued field given another value),
    rejected if the annotation dropped it. Annotated values no prediction made become
    accepts of a `manual` suggestion. Tasks without an annotation give no labels (unknown).
    """
    _check_unit(offsets)
    tasks = obj if isinstance(obj, list) else [obj]
    records, convs = [], []
    for ti, task in enumerate(tasks):
        where = f"task {ti}" + (f" (id {task.get('id')})" if isinstance(task, dict) and task.get("id") is not None else "")
        if not isinstance(task, dict):
            raise InputError(f"{where}: a task must be an object")
        conv = _conv_from_task(task, where)
        convs.append(conv)
        rd = render(conv)
        anns = task.get("annotations") or task.get("completions") or []
        if not isinstance(anns, list):
            raise InputError(f"{where}: annotations must be a list", field="annotations")
        anns = [a for a in anns if isinstance(a, dict) and not a.get("was_cancelled")]
        if not anns:
            continue
        ann = sorted(anns, key=lambda a: (bool(a.get("ground_truth")), str(a.get("updated_at") or a.get("created_at") or "")))[-1]
        final = _parse_results(ann.get("result"), rd, offsets, f"{where} annotation")
        preds = task.get("predictions") or []
        if not isinstance(preds, list):
            raise InputError(f"{where}: predictions must be a list", field="predictions")
        shown: list[tuple[Item, str]] = []
        for pi, p in enumerate(preds):
            if not isinstance(p, dict):
                raise InputError(f"{where} prediction {pi}: must be an object", field="predictions")
            for it in _parse_results(p.get("result"), rd, offsets, f"{where} prediction {pi}"):
                shown.append((it, str(p.get("model_version") or "")))
        who = ann.get("completed_by")
        if isinstance(who, dict):
            who = who.get("email") or who.get("id")
        when = ann.get("updated_at") or ann.get("created_at")
        used: set[int] = set()
        cid = conv["conversation_id"]

        def rec(it: Item, mv: str, decision: str, final_value, src: str):
            return normalize_record({"conversation_id": cid, "suggestion": {
                "field": it.field, "value": it.value, "confidence": it.confidence, "evidence": it.evidence,
                "reason": "", "source": src, "model_version": mv}, "decision": decision,
                "final_value": final_value, "who": who, "when": when}, where)

        # match predictions to the annotation in passes: region id, then same value, then (single-valued
        # fields) any other value of the field = an edit; what is left of the prediction is a reject
        match: dict[int, int] = {}
        passes = (
            lambda it, f: f.field == it.field and bool(set(f.region_ids) & set(it.region_ids)),
            lambda it, f: f.field == it.field and value_key(f.field, f.value) == value_key(it.field, it.value),
            lambda it, f: f.field == it.field and it.field not in MULTI_FIELDS,
        )
        for pn, ok in enumerate(passes):
            for si, (it, _mv) in enumerate(shown):
                if si in match:
                    continue
                for i, f in enumerate(final):
                    if ok(it, f) and (pn == 1 or i not in used):
                        match[si] = i
                        used.add(i)
                        break
        for si, (it, mv) in enumerate(shown):
            if si not in match:
                records.append(rec(it, mv, "reject", None, source))
                continue
            f = final[match[si]]
            same = value_key(f.field, f.value) == value_key(it.field, it.value) and \
                (f.field != "key_obstacle" or f.value == it.value)
            records.append(rec(it, mv, "accept" if same else "edit", f.value, source))
        for i, f in enumerate(final):
            if i not in used:
                records.append(rec(f, "human", "accept", f.value, "manual"))
    return records, convs


def read_labelstudio(path: str | Path, *, offsets: str = "utf16") -> tuple[list[dict], list[dict]]:
    text = _read_text(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: invalid JSON ({e.msg}, column {e.colno})", line=e.lineno) from None
    if not isinstance(obj, (list, dict)):
        raise InputError(f"{path}: expected a list of Label Studio tasks")
    return from_labelstudio(obj, offsets=offsets)


# ------------------------------------------------------------------ doccano

def to_doccano(convs: list[dict], records: list[dict] | None = None, *, kind: str = "spans",
               offsets: str = "utf16") -> list[dict]:
    """doccano JSONL rows: kind='spans' (sequence labelling, {"text","label":[[s,e,"LABEL"],…]}, with the
    values span labels cannot carry under "values") or kind='classification' ({"text","label":[…]})."""
    _check_unit(offsets)
    if kind not in ("spans", "classification"):
        raise InputError(f"doccano kind must be spans or classification, got {kind!r}", field="kind")
    recs_by: dict[str, list[dict]] = {}
    for r in records or []:
        recs_by.setdefault(r["conversation_id"], []).append(r)
    rows = []
    for conv in convs:
        items = (_items_from_record_side(recs_by.get(conv["conversation_id"], []), "final") if records is not None
                 else _gold_items(conv))
        rd = render(conv)
        row: dict[str, Any] = {"text": rd.text, "conversation_id": conv["conversation_id"],
                               "messages": conv.get("messages", []), "conversation_meta": conversation_meta(conv),
                               "offsets": offsets}
        if kind == "spans":
            labels, values = [], {}
            for it in items:
                for e in it.evidence:
                    s, t = rd.to_global(e["message_id"], e["start"], e["end"])
                    labels.append([_to_unit(rd.text, s, offsets), _to_unit(rd.text, t, offsets),
                                   span_label(it.field, it.value)])
                if it.field in FREE_FIELDS:
                    values[it.field] = it.value
            row["label"] = labels
            if values:
                row["values"] = values
        else:
            labs = []
            for it in items:
                if it.field not in VOCAB:
                    continue  # names, dates, budgets, obstacle details are no classes
                lab = it.value if it.field == "tag" else span_label(it.field, it.value)
                if lab not in labs:
                    labs.append(lab)
            row["label"] = labs
        rows.append(row)
    return rows


def from_doccano(rows: list[tuple[int, Any]], *, offsets: str = "utf16",
                 source: str = "doccano") -> tuple[list[dict], list[dict]]:
    """doccano JSONL rows (line, object) → (accept records, conversations). doccano holds final labels only:
    every label is an accept; nothing becomes a negative."""
    _check_unit(offsets)
    records, convs = [], []
    for line, d in rows:
        where = "doccano record"
        try:
            if not isinstance(d, dict):
                raise InputError(f"{where}: must be a JSON object")
            conv = _conv_from_task({"data": d}, where)
            rd = render(conv)
            labels = d.get("label", d.get("labels"))
            if labels is None and "entities" in d:
                labels = [[x.get("start_offset"), x.get("end_offset"), x.get("label")] for x in d["entities"]
                          if isinstance(x, dict)]
            if not isinstance(labels, list):
                raise InputError(f"{where}: label must be a list", field="label")
            values = d.get("values") or {}
            if not isinstance(values, dict):
                raise InputError(f"{where}: values must be an object", field="values")
            results = []
            for j, lab in enumerate(labels):
                if isinstance(lab, list):
                    if len(lab) != 3:
                        raise InputError(f"{where}: label[{j}] must be [start, end, LABEL]", field=f"label[{j}]")
                    fld, _ = parse_span_label(lab[2], f"{where} label[{j}]")
                    results.append({"id": f"d{j}", "type": "labels",
                                    "value": {"start": lab[0], "end": lab[1], "labels": [lab[2]]}})
                    if fld in values:
                        results.append({"id": f"d{j}", "type": "textarea",
                                        "value": {"text": [json.dumps(values[fld], ensure_ascii=False)]}})
                elif isinstance(lab, str):
                    fld, v = parse_span_label(lab, f"{where} label[{j}]")
                    if v is None:
                        raise InputError(f"{where}: class label {lab!r} has no value", field=f"label[{j}]")
                    results.append({"id": f"c{j}", "type": "choices", "from_name": fld, "value": {"choices": [v]}})
                else:
                    raise InputError(f"{where}: label[{j}] must be [start, end, LABEL] or a class name",
                                     field=f"label[{j}]")
            items = _parse_results(results, rd, offsets, where)
            for it in items:
                records.append(normalize_record({"conversation_id": conv["conversation_id"], "suggestion": {
                    "field": it.field, "value": it.value, "confidence": None, "evidence": it.evidence,
                    "reason": "", "source": "manual", "model_version": "human"}, "decision": "accept",
                    "final_value": it.value, "who": d.get("annotator") or d.get("user"), "when": None}, where))
            convs.append(conv)
        except InputError as e:
            raise InputError(e.detail, line=line, field=e.field) from None
    return records, convs


def read_doccano(path: str | Path, *, offsets: str = "utf16") -> tuple[list[dict], list[dict]]:
    return from_doccano(read_jsonl(path), offsets=offsets)


# ------------------------------------------------------------------ spans view (for tests and diffs)

def spans_of(records: list[dict], *, side: str = "final") -> set[tuple]:
    """{(conversation_id, field, value key, message_id, start, end, text)} of the positives (or shown)."""
    out = set()
    for r in records:
        s = r["suggestion"]
        if side == "final" and r["decision"] == "reject":
            continue
        v = r["final_value"] if side == "final" else s["value"]
        for e in s["evidence"]:
            out.add((r["conversation_id"], s["field"], value_key(s["field"], v), e["message_id"], e["start"],
                     e["end"], e["text"]))
    return out
