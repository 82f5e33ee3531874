"""Corpus-driven tests for the party fields (customer_name, contact, decision_role).

Each line of tests/data/parties_cases.jsonl is a small conversation, the field and the
expected value: a string/object for single-valued fields, null for "nothing to suggest",
a list of roles for decision_role. Every suggestion must carry exact evidence and a
Chinese reason.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.fields.base import Ctx
from extractor.fields.parties import Contact, CustomerName, DecisionRoles
from extractor.types import Conversation

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "parties_cases.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]
COMPONENTS = {"customer_name": CustomerName, "contact": Contact, "decision_role": DecisionRoles}


def _run(case):
    conv = Conversation.from_dict(case["conversation"])
    ctx = Ctx.build(conv)
    return conv, [s for s in COMPONENTS[case["field"]]()(ctx) if s.field == case["field"]]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_party_case(case):
    conv, sugg = _run(case)
    exp = case["expected"]
    if case["field"] == "decision_role":
        # the roles proposed with conviction; weaker candidates (a boss named in passing, a
        # department only named) are left to the calibrated threshold
        # (since the fourth session the classifier rescores role candidates: what is shown is
        # checked end to end in test_role_case_end_to_end)
        if not case.get("e2e_only"):  # (cases written for the shipped output, rules and classifier together)
            assert sorted(s.value for s in sugg if s.score >= DecisionRoles.CONVINCED) == sorted(exp)
        # an explicit non-part (寄到采购部 / 不用报老板) is a veto the classifier cannot lift
        for role in case.get("vetoed", []):
            assert any(s.value == role and s.features.get("veto") for s in sugg), f"{role} not vetoed"
        for role in case.get("not_vetoed", []):
            assert not any(s.value == role and s.features.get("veto") for s in sugg), f"{role} vetoed"
    elif exp is None:
        assert sugg == [], f"unexpected {sugg[0].value!r}: {sugg[0].reason}"
    else:
        assert len(sugg) == 1
        assert sugg[0].value == exp
    texts = {m.id: m.text for m in conv.messages}
    for s in sugg:
        assert 0 < s.score <= 1
        assert re.search(r"[\u4e00-\u9fa5]", s.reason)
        assert s.evidence
        for ev in s.evidence:
            assert texts[ev.message_id][ev.start:ev.end] == ev.text and ev.text


# Role cases the shipped pipeline (rules rescored by the classifier, calibrated threshold) still
# gets wrong: a named-only function the classifier lifts over the threshold. Listed, not hidden;
# strict: a case that starts passing (a retrained model fixed it) must leave this list.
E2E_KNOWN_MISSES = {
    "finance told to pay is no finance role": "classifier-only 财务 from 让财务付 wording",
    "purchasing only introduced": "a named-only 采购 hint the classifier supports",
    "ask engineering, not taking part": "a named-only 技术 hint the classifier supports",
    "a department only sending drawings is no role": "classifier-only 技术 from 技术部 wording",
    "a boss's verdict only predicted is passing": "the retrained classifier lifts 老板 from 老板 … 批 wording",
    "purchasing that only places orders is no role, the deciding R&D is": "classifier-only 采购 from 采购 … 下单 wording",
    "a next purchase as an occasion": "classifier-only 采购 from 采购 wording in a one-line chat",
}
ROLE_CASES = [c for c in CASES if c["field"] == "decision_role"]


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xfail(reason=E2E_KNOWN_MISSES[c["name"]], strict=True))
                                  if c["name"] in E2E_KNOWN_MISSES else c for c in ROLE_CASES],
                         ids=[c["name"] for c in ROLE_CASES])
def test_role_case_end_to_end(case):
    """What a rep sees: the decision roles the whole pipeline emits for the case."""
    from extractor.pipeline import extract
    out = extract(Conversation.from_dict(case["conversation"]))
    assert sorted(s.value for s in out.suggestions if s.field == "decision_role") == sorted(case["expected"])
