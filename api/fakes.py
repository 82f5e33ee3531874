"""A small deterministic keyword extractor for tests and the load benchmark.

It has the real extractor's signature (dict payload -> ExtractionResult) and makes
contract-shaped suggestions with true evidence offsets, so API tests and the bench do
not depend on the quality of the extractor being built. Never used by default.
"""
from __future__ import annotations

import re

from extractor.types import Conversation, Evidence, ExtractionResult, Suggestion

MODEL_VERSION = "fake-1"

_RULES = [
    (r"预算[^\d一二两三四五六七八九十]{0,4}([一二两三四五六七八九十百\d]+)万", "budget",
     lambda m: {"min": _num(m.group(1)) * 10000, "max": _num(m.group(1)) * 10000}, 0.86, "客户说“{t}”,即预算"),
    (r"下周三", "next_follow_up", lambda m: "2026-03-18", 0.91, "客户说“{t}”;消息时间 2026-03-10,下周三即 2026-03-18"),
    (r"贵", "key_obstacle", lambda m: {"category": "价格", "detail": "嫌价格高"}, 0.74, "客户说“{t}”,价格是当前障碍"),
    (r"贵|价格|报价|便宜", "tag", lambda m: "价格讨论", 0.81, "客户谈到“{t}”"),
    (r"德玛吉|竞品|别家", "tag", lambda m: "竞品对比", 0.77, "客户拿“{t}”作比较"),
    (r"技术总监", "decision_role", lambda m: "技术", 0.69, "客户提到“{t}”参与决策"),
    (r"合同", "stage", lambda m: "合同签署", 0.64, "对话里出现“{t}”"),
    (r"方案", "stage", lambda m: "方案确认", 0.58, "客户看过“{t}”"),
    (r"([\u4e00-\u9fa5]{2,8}(?:机械|精密|科技|制造))", "customer_name", lambda m: m.group(1), 0.66, "对话提到公司“{t}”"),
]


def _num(s: str) -> int:
    if s.isdigit():
        return int(s)
    digits = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if s.endswith("百"):
        return _num(s[:-1] or "一") * 100
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        return (digits.get(a, 1) * 10) + digits.get(b, 0)
    n = 0
    for c in s:
        n = n * 10 + digits.get(c, 0)
    return n


def extract_conversation(conv: Conversation) -> ExtractionResult:
    out: list[Suggestion] = []
    seen: set[tuple] = set()
    for pat, field, val, conf, reason in _RULES:
        for msg in conv.messages:
            if msg.speaker != "customer" and field not in ("customer_name",):
                continue
            m = re.search(pat, msg.text)
            if not m:
                continue
            v = val(m)
            key = (field, repr(v)) if field in ("tag", "decision_role") else (field,)
            if key in seen:
                continue
            seen.add(key)
            span = m.span(1) if m.groups() and field == "customer_name" else m.span()
            ev = Evidence.of(msg, *span)
            s = Suggestion(field=field, value=v, confidence=conf, evidence=[ev], reason=reason.format(t=ev.text),
                           source="fake-rules")
            s.make_id(conv.conversation_id)
            out.append(s)
            break
    return ExtractionResult(conv.conversation_id, MODEL_VERSION, out)


def extract_payload(payload: dict) -> ExtractionResult:
    return extract_conversation(Conversation.from_dict(payload))
