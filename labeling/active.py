"""What to label next: uncertainty and disagreement sampling over unlabelled conversations.

Each conversation runs through the extractor *without thresholds* (every field's best
candidate, plus all other candidates for the margin). A suggestion is worth a person's
look when

* its calibrated confidence is near 0.5 (``uncertainty = 1 - 2·|c - 0.5|``);
* a single-valued field has two candidate values close together (``margin = c1 - c2``);
* it sits just under its field's threshold (the rep never sees it: a label decides
  whether the threshold is too strict);
* the sources disagree: the text classifier (``source == "textclf"``) proposes a value the
  rules did not, the rules fired but the classifier's own message probability says no,
  or rule and classifier propose different values of one single-valued field.

A conversation's priority adds its best three items (a field value, at its strongest reason)
with weights 1, ½, ¼, so one very uncertain field counts more than many slightly uncertain
ones, yet several add up.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from extractor.types import MULTI_FIELDS, Conversation

NEAR = 0.10  # "just under the threshold": within this many points below it
WEIGHTS = (1.0, 0.5, 0.25)


@dataclass
class Reason:
    kind: str  # uncertain | margin | near_threshold | disagreement
    field: str
    value: Any
    strength: float
    text: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "field": self.field, "value": self.value, "strength": round(self.strength, 4),
                "text": self.text}


@dataclass
class Pick:
    conversation_id: str
    priority: float
    reasons: list[Reason] = field(default_factory=list)
    n_suggestions: int = 0
    n_shown: int = 0

    def to_dict(self, rank: int | None = None) -> dict:
        d = {"conversation_id": self.conversation_id, "priority": round(self.priority, 4),
             "n_suggestions": self.n_suggestions, "n_shown": self.n_shown,
             "reasons": [r.to_dict() for r in self.reasons]}
        if rank is not None:
            d = {"rank": rank, **d}
        return d


def _short(v: Any) -> str:
    if isinstance(v, dict):
        v = v.get("category") or v.get("name") or (f"{v.get('min')}-{v.get('max')}" if "min" in v else v)
    s = str(v)
    return s if len(s) <= 12 else s[:12] + "…"


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def conversation_reasons(conv: Conversation) -> tuple[list[Reason], int, int]:
    """(reasons, suggestions without threshold, suggestions a rep would see)."""
    from extractor.pipeline import candidates, rank
    from models.calibration import current
    cal = current()
    cands = candidates(conv)
    best = rank(conv, cands, apply_threshold=False)  # == extract(conv, apply_threshold=False).suggestions
    # rank() calibrated every candidate in place; the others are the runners-up
    reasons: list[Reason] = []
    shown = 0
    for s in best:
        c, t = float(s.confidence), cal.threshold(s.field)
        shown += c >= t
        u = 1 - 2 * abs(c - 0.5)
        if u > 0.3:
            reasons.append(Reason("uncertain", s.field, s.value, u,
                                  f"{s.field}={_short(s.value)} 置信度{c:.2f}接近0.5"))
        if t - NEAR <= c < t:
            reasons.append(Reason("near_threshold", s.field, s.value, 0.9 * (1 - (t - c) / NEAR) + 0.1,
                                  f"{s.field}={_short(s.value)} 置信度{c:.3f}略低于阈值{t:.3f}(不展示)"))
        logit = s.features.get("clf_logit") if isinstance(s.features, dict) else None
        if s.source != "textclf" and logit is not None and _sigmoid(logit) < 0.5 and c >= 0.2:
            reasons.append(Reason("disagreement", s.field, s.value, 0.8 * (1 - _sigmoid(logit)),
                                  f"{s.field}={_short(s.value)} 规则命中但分类器概率仅{_sigmoid(logit):.2f}"))
        if s.source == "textclf" and c >= 0.3:
            reasons.append(Reason("disagreement", s.field, s.value, 0.5 + 0.3 * max(0.0, u),
                                  f"{s.field}={_short(s.value)} 仅分类器提出(置信度{c:.2f}),规则未命中"))
    for fld in {s.field for s in cands if s.field not in MULTI_FIELDS}:
        by_val: dict[str, Any] = {}
        for s in cands:
            if s.field == fld and s.reason.strip() and s.evidence:
                k = str(s.value) if fld != "key_obstacle" else str((s.value or {}).get("category"))
                if k not in by_val or s.confidence > by_val[k].confidence:
                    by_val[k] = s
        top = sorted(by_val.values(), key=lambda s: -s.confidence)[:2]
        if len(top) == 2 and top[1].confidence >= 0.15:
            m = top[0].confidence - top[1].confidence
            if m < 0.3:
                reasons.append(Reason("margin", fld, top[0].value, 1 - m / 0.3 * 0.8,
                                      f"{fld}: {_short(top[0].value)} {top[0].confidence:.2f} 对 "
                                      f"{_short(top[1].value)} {top[1].confidence:.2f}(差{m:.2f})"))
            if (top[0].source == "textclf") != (top[1].source == "textclf") and top[1].confidence >= 0.3:
                reasons.append(Reason("disagreement", fld, top[0].value, 0.7,
                                      f"{fld}: {top[0].source}说{_short(top[0].value)}, "
                                      f"{top[1].source}说{_short(top[1].value)}"))
    reasons.sort(key=lambda r: -r.strength)
    return reasons, len(best), shown


def priority(reasons: list[Reason]) -> float:
    """Best three *items* (field, value), each counted once at its strongest reason, weighted 1, ½, ¼."""
    best: dict[tuple[str, str], float] = {}
    for r in reasons:
        k = (r.field, str(r.value))
        best[k] = max(best.get(k, 0.0), r.strength)
    return sum(w * v for w, v in zip(WEIGHTS, sorted(best.values(), reverse=True)))


def rank_conversations(convs: Iterable[dict], *, exclude: set[str] | None = None, progress: bool = False) -> list[Pick]:
    """Conversations (canonical or gold dicts) ranked most-worth-labelling first."""
    from labeling.io import strip_gold
    convs = list(convs)
    it = convs
    if progress:
        from tqdm import tqdm
        it = tqdm(convs, desc="ranking", unit="conv", leave=False)
    picks = []
    for d in it:
        if exclude and d.get("conversation_id") in exclude:
            continue
        conv = Conversation.from_dict(strip_gold(d))
        reasons, n, shown = conversation_reasons(conv)
        picks.append(Pick(conv.conversation_id, priority(reasons), reasons, n, shown))
    picks.sort(key=lambda p: (-p.priority, p.conversation_id))
    return picks


def table(picks: list[Pick]) -> str:
    rows = [f"{'#':>3}  {'conversation':24} {'priority':>8}  {'shown/all':>9}  why"]
    for i, p in enumerate(picks, 1):
        why = "; ".join(r.text for r in p.reasons[:3]) or "—"
        rows.append(f"{i:>3}  {p.conversation_id:24} {p.priority:8.3f}  {p.n_shown:>4}/{p.n_suggestions:<4}  {why}")
    return "\n".join(rows)
