"""The label store: every rep decision on a suggestion, kept for training and evaluation.

Prodigy semantics: `accept` makes the shown value a positive; `reject` says "not this
value" (a negative for that value only, nothing about other values of the field);
`edit` is a negative for the shown value and a positive for the edited one. A
suggestion nobody answered is *unknown* and has no label at all: never a negative.

    from labeling.store import open_store, iter_labels, export_labels_jsonl
    engine, Session = open_store()          # CHAT2CRM_DATABASE_URL or the default SQLite file
    with Session() as s:
        for lab in iter_labels(s, field="stage"):
            ...
        export_labels_jsonl(s, "labels.jsonl")
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterator

from labeling.store.db import make_engine, make_sessionmaker, open_store, upgrade  # noqa: F401
from labeling.store.models import Label


def _iso(dt):
    if isinstance(dt, datetime):
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.isoformat()
    return dt


def label_to_dict(lab: Label) -> dict[str, Any]:
    positive = lab.final_value if lab.decision in ("accept", "edit") else None
    negative = lab.shown_value if lab.decision in ("reject", "edit") else None
    return {
        "label_id": lab.id,
        "suggestion_id": lab.suggestion_id,
        "conversation_id": lab.conversation_id,
        "record_key": lab.record_key,
        "field": lab.field,
        "shown": lab.shown,
        "shown_value": lab.shown_value,
        "confidence": lab.confidence,
        "model_version": lab.model_version,
        "decision": lab.decision,
        # Prodigy's answer for the value as shown
        "answer": "accept" if lab.decision == "accept" else "reject",
        "final_value": lab.final_value,
        "positive": positive,
        "negative": negative,
        "who": lab.decided_by,
        "who_key": lab.decided_by_key,
        "who_role": lab.decided_by_role,
        "when": _iso(lab.decided_at),
    }


def iter_labels(session, *, field: str | None = None, since: datetime | None = None,
                model_version: str | None = None, after: int = 0, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Labels in decision order, as plain dicts (see `label_to_dict`); `after`: a label_id to
    continue from. Unanswered suggestions never appear."""
    from sqlalchemy import select

    last = after
    while True:
        q = select(Label).where(Label.id > last).order_by(Label.id).limit(batch)
        if field:
            q = q.where(Label.field == field)
        if since is not None:
            q = q.where(Label.decided_at >= since)
        if model_version:
            q = q.where(Label.model_version == model_version)
        rows = session.scalars(q).all()
        if not rows:
            return
        for lab in rows:
            yield label_to_dict(lab)
        last = rows[-1].id


def export_labels_jsonl(session, path_or_stream: str | Path | IO[str], **filters) -> int:
    """Write one JSON object per label; returns the number written."""
    def _write(fh: IO[str]) -> int:
        n = 0
        for d in iter_labels(session, **filters):
            fh.write(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        return n

    if isinstance(path_or_stream, (str, Path)):
        with open(path_or_stream, "w", encoding="utf-8") as fh:
            return _write(fh)
    return _write(path_or_stream)


__all__ = ["iter_labels", "export_labels_jsonl", "label_to_dict", "open_store", "make_engine", "upgrade"]
