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
# gets wrong: a named-only function the classifier lifts over the threshold, or a true role that
# scores under it. Listed, not hidden;
# strict: a case that starts passing (a retrained model fixed it) must leave this list.
E2E_KNOWN_MISSES = {
    "purchasing that only places orders is no role, the deciding R&D is": "classifier-only 采购 from 采购 … 下单 wording",
    # sixth session: decision_role's dev target rose to 0.95 (models/train.py FIELD_TARGETS) so that its
    # precision holds on unseen chats; these true roles, each a one-line chat, now score under the cut
    "an accountant addressed by the rep": "below the 0.95-target role threshold (recall traded for precision)",
    "IT brought along": "below the 0.95-target role threshold (recall traded for precision)",
    "finance paying before the close is a role": "below the 0.95-target role threshold (recall traded for precision)",
    "a boss visiting the vendor evaluates": "below the 0.95-target role threshold (recall traded for precision)",
    "group IT testing is a role": "below the 0.95-target role threshold (recall traded for precision)",
    "a group R&D centre evaluating is a role": "below the 0.95-target role threshold (recall traded for precision)",
    "after the test engineering spoke": "below the 0.95-target role threshold (recall traded for precision)",
}
# "rules_only": what the role rules propose (a rescue or an exclusion); what the whole pipeline shows
# for such a one-line chat also depends on the classifier and the threshold, tested by the other cases
ROLE_CASES = [c for c in CASES if c["field"] == "decision_role" and not c.get("rules_only")]


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xfail(reason=E2E_KNOWN_MISSES[c["name"]], strict=True))
                                  if c["name"] in E2E_KNOWN_MISSES else c for c in ROLE_CASES],
                         ids=[c["name"] for c in ROLE_CASES])
def test_role_case_end_to_end(case):
    """What a rep sees: the decision roles the whole pipeline emits for the case."""
    from extractor.pipeline import extract
    out = extract(Conversation.from_dict(case["conversation"]))
    assert sorted(s.value for s in out.suggestions if s.field == "decision_role") == sorted(case["expected"])
