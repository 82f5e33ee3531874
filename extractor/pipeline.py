"""Conversation in, contract suggestions out.

Components (extractor/fields/*) propose candidates with evidence and a reason; this
module keeps the best candidate per single-valued field, maps raw scores to calibrated
confidences (models/calibration, fitted on dev) and drops what falls below the
field's threshold: the service emits only what it would show a rep.
"""
from __future__ import annotations

from extractor.types import MULTI_FIELDS, Conversation, ExtractionResult, Suggestion

MODEL_VERSION = "2026.11.0"


def _components():
    from extractor.fields import COMPONENTS
    return COMPONENTS


def candidates(conv: Conversation) -> list[Suggestion]:
    """Every candidate of every component, before ranking and thresholds."""
    from extractor.fields.base import Ctx
    ctx = Ctx.build(conv)
    out: list[Suggestion] = []
    for comp in _components():
        out.extend(comp(ctx))
    from models.scorer import rescore
    return rescore(ctx, out)


def rank(conv: Conversation, cands: list[Suggestion], *, apply_threshold: bool = True) -> list[Suggestion]:
    from models.calibration import current
    cal = current()
    best: dict[str, Suggestion] = {}
    multi: dict[tuple[str, str], Suggestion] = {}
    for s in cands:
        if not s.reason.strip() or not s.evidence:
            continue  # no reason, no suggestion
        if s.features.get("veto"):
            continue  # a rule's "explicitly not this value" (寄到采购部 / 我们不做光伏): never shown, even unthresholded
        if s.score is None:
            s.score = s.confidence
        s.confidence = cal.calibrate(s.field, s.score, s.value if s.field == "tag" else None, s.source)
        if s.field in MULTI_FIELDS:
            k = (s.field, str(s.value))
            if k not in multi or s.score > multi[k].score:
                multi[k] = s
        elif s.field not in best or s.score > best[s.field].score:
            best[s.field] = s
    out = list(best.values()) + list(multi.values())
    if apply_threshold:
        out = [s for s in out if cal.shows(s.field, s.score, s.confidence, s.value if s.field == "tag" else None, s.source)]
    order = {f: i for i, f in enumerate(("customer_name", "contact", "stage", "next_follow_up", "key_obstacle",
                                          "budget", "industry", "decision_role", "tag"))}
    out.sort(key=lambda s: (order.get(s.field, 99), -s.confidence))
    for s in out:
        s.make_id(conv.conversation_id)
    return out


def extract(conv: Conversation, *, apply_threshold: bool = True) -> ExtractionResult:
    sugg = rank(conv, candidates(conv), apply_threshold=apply_threshold)
    from models.calibration import current
    return ExtractionResult(conversation_id=conv.conversation_id, model_version=current().version or MODEL_VERSION,
                            suggestions=sugg)


def extract_payload(payload: dict) -> ExtractionResult:
    """A canonical conversation dict, or {"format": ..., "content": ...} for raw formats."""
    if isinstance(payload, dict) and "content" in payload and "messages" not in payload:
        from extractor.formats import parse_input
        caller = {k: v for k, v in payload.items() if k not in ("format", "content")}
        conv, fmt = parse_input(payload["content"], payload.get("format") or "auto", **caller)
        res = extract(conv)
        res.input_format = fmt
        return res
    return extract(Conversation.from_dict(payload))
