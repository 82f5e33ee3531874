"""Conversation in, contract suggestions out.

Components (extractor/fields/*) propose candidates with evidence and a reason; this
module ranks them, calibrates confidence, applies per-field thresholds and keeps one
suggestion per single-valued field.
"""
from __future__ import annotations

from extractor.types import Conversation, ExtractionResult

MODEL_VERSION = "2026.11.0"


def extract(conv: Conversation) -> ExtractionResult:
    """Run every field component over one conversation. (Being built: returns no suggestions yet.)"""
    return ExtractionResult(conversation_id=conv.conversation_id, model_version=MODEL_VERSION, suggestions=[])


def extract_payload(payload: dict) -> ExtractionResult:
    """A canonical conversation dict, or {"format": ..., "content": ...} for raw formats."""
    if isinstance(payload, dict) and "content" in payload and "messages" not in payload:
        from extractor.formats import parse_input
        caller = {k: v for k, v in payload.items() if k not in ("format", "content")}
        conv, _fmt = parse_input(payload["content"], payload.get("format") or "auto", **caller)
    else:
        conv = Conversation.from_dict(payload)
    return extract(conv)
