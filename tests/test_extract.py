"""Extraction end to end: a corpus of small chats with what must and must not be
suggested (tests/data/extract_cases.jsonl, one runner), plus contract invariants over the
dev split and the CLI's error handling."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.scoring import match
from extractor.pipeline import extract, extract_payload
from extractor.types import MULTI_FIELDS, SINGLE_FIELDS, Conversation, InputError

ROOT = Path(__file__).resolve().parents[1]
CASES = [json.loads(line) for line in (ROOT / "tests/data/extract_cases.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_case(case):
    res = extract(Conversation.from_dict(case["conversation"])).to_dict()
    got: dict[str, list] = {}
    for s in res["suggestions"]:
        got.setdefault(s["field"], []).append(s["value"])
    for key, want in case["expect"].items():
        if key == "*":
            assert res["suggestions"] == [], f"{case['note']}: expected nothing, got {got}"
        elif key.startswith(("tag:", "decision_role:")):
            fld, val = key.split(":", 1)
            assert (val in got.get(fld, [])) == want, f"{case['note']}: {key} should be {want}, got {got.get(fld)}"
        elif want is None:
            assert key not in got, f"{case['note']}: no {key} expected, got {got.get(key)}"
        else:
            assert key in got, f"{case['note']}: {key} missing (got {got})"
            if key == "key_obstacle":
                assert got[key][0]["category"] == want["category"], case["note"]
            elif key == "contact" and "title" in want:
                assert got[key][0]["name"] == want["name"] and got[key][0]["title"] == want["title"], case["note"]
            else:
                assert match(key, got[key][0], want), f"{case['note']}: {key} {got[key][0]} != {want}"


def _dev():
    from labeling.corpus import load
    return load("dev")


def test_contract_invariants_on_dev():
    convs = _dev()
    if not convs:
        pytest.skip("no corpus split")
    for c in convs:
        conv = Conversation.from_dict({k: v for k, v in c.items() if k not in ("gold", "gold_evidence", "notes")})
        res = extract(conv).to_dict()
        texts = {m.id: m.text for m in conv.messages}
        seen = set()
        for s in res["suggestions"]:
            assert s["reason"].strip() and s["source"], s
            assert 0.0 <= s["confidence"] <= 1.0
            assert s["evidence"], s
            for ev in s["evidence"]:
                assert texts[ev["message_id"]][ev["start"]:ev["end"]] == ev["text"] != "", (c["conversation_id"], s)
            key = s["field"] if s["field"] in SINGLE_FIELDS else (s["field"], s["value"])
            assert key not in seen, f"{c['conversation_id']}: two suggestions for {key}"
            seen.add(key)
            assert s["field"] in SINGLE_FIELDS + MULTI_FIELDS


def test_non_text_messages_never_give_suggestions():
    conv = {"conversation_id": "x", "messages": [
        {"id": "m1", "speaker": "customer", "time": "2026-03-10T09:00:00", "text": ""},
        {"id": "m2", "speaker": "rep", "time": "2026-03-10T09:01:00", "text": "收到"}]}
    assert extract_payload(conv).suggestions == []


def test_bad_conversation_is_an_input_error():
    with pytest.raises(InputError, match="speaker"):
        extract_payload({"conversation_id": "x", "messages": [{"id": "m1", "speaker": "boss", "time": "2026-01-01"}]})


def _cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_jsonl_keeps_going_after_a_bad_line():
    good = json.dumps(CASES[0]["conversation"], ensure_ascii=False)
    p = _cli("extract", "--jsonl", stdin=good + "\n{not json\n" + good + "\n")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(lines) == 3
    assert "suggestions" in lines[0] and "suggestions" in lines[2]
    assert lines[1]["line"] == 2 and "invalid JSON" in lines[1]["error"]


def test_jsonl_file_in_worker_processes_answers_like_one_process(tmp_path):
    """A file is answered by several processes side by side: same lines, same order, same errors."""
    good = [json.dumps(c["conversation"], ensure_ascii=False) for c in CASES[:70]]
    f = tmp_path / "in.jsonl"
    f.write_text("\ufeff" + "\n".join(good[:40] + ["", "{not json", '{"conversation_id": "x"}'] + good[40:]) + "\n",
                 encoding="utf-8")
    one = _cli("extract", "--jsonl", str(f), "--workers", "1")
    two = _cli("extract", "--jsonl", str(f), "--workers", "2")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert one.stdout == two.stdout
    lines = [json.loads(x) for x in two.stdout.splitlines()]
    assert len(lines) == 73 and lines[40]["line"] == 41 and "invalid JSON" in lines[41]["error"]
    assert [x.get("conversation_id") for x in lines if "suggestions" in x] == [c["conversation"]["conversation_id"]
                                                                              for c in CASES[:70]]
    bad = _cli("extract", "--jsonl", str(f), "--workers", "0")
    assert bad.returncode == 2 and "--workers" in bad.stderr and "Traceback" not in bad.stderr


def test_bad_file_exits_2_with_one_line(tmp_path):
    p = _cli("extract", str(tmp_path / "missing.json"))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_raw_export_through_the_cli():
    p = _cli("extract", "examples/wechat_demo.txt", "--rep-name", "丁雅琴", "--rep-id", "rep-12")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    fields = {s["field"]: s["value"] for s in out["suggestions"]}
    assert fields.get("next_follow_up", "").startswith("2026-09-16")
    assert "detected format: wechat" in p.stderr


def test_known_crm_names_win_over_names_read_from_text():
    conv = {"conversation_id": "k1", "channel": "wechat", "rep": {"id": "rep-1", "name": "罗斌"},
            "known_customers": ["宁波永盛汽配有限公司"], "known_contacts": ["潘建国", "李娜"],
            "messages": [
                {"id": "m1", "speaker": "rep", "name": "罗斌", "time": "2026-03-10T09:12:00", "text": "潘总好 方案您看了吗"},
                {"id": "m2", "speaker": "customer", "name": "潘总", "time": "2026-03-10T09:20:00",
                 "text": "看过了 我们永盛汽配主要做刹车盘 自动上下料还可以"}]}
    got = {s.field: s.value for s in extract_payload(conv).suggestions}
    assert got["customer_name"] == "宁波永盛汽配有限公司"
    assert got["contact"]["name"] == "潘建国"


def test_customer_who_never_wrote_text_does_not_crash():
    conv = {"conversation_id": "s1", "messages": [
        {"id": "m1", "speaker": "customer", "name": "王总", "time": "2026-03-10T09:00", "text": ""}]}
    assert extract_payload(conv).suggestions == []


def test_message_without_time_takes_the_previous_one():
    conv = Conversation.from_dict({"conversation_id": "t", "messages": [
        {"id": "m1", "speaker": "rep", "time": "2026-03-10T09:00:00+08:00", "text": "您好"},
        {"id": "m2", "speaker": "other", "text": "系统消息"}]})
    assert conv.messages[1].time == conv.messages[0].time
    with pytest.raises(InputError, match="no message has a time"):
        Conversation.from_dict({"conversation_id": "t", "messages": [{"id": "m1", "speaker": "rep", "text": "x"}]})


def test_times_are_read_on_beijing_wall_clock():
    # 17:00Z is 01:00 the next day in Beijing: 明天 is two UTC days later
    conv = {"conversation_id": "z", "messages": [
        {"id": "m1", "speaker": "rep", "time": "2026-03-10T16:50:00Z", "text": "明天下午三点我过来找您 方便吗"},
        {"id": "m2", "speaker": "customer", "time": "2026-03-10T17:00:00Z", "text": "可以"}]}
    got = {s.field: s.value for s in extract_payload(conv).suggestions}
    assert got["next_follow_up"] == "2026-03-12T15:00"


def test_usage_errors_are_one_line():
    p = _cli("extract", "--format", "bogus", "x")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1


INDUSTRY_CASES = [json.loads(line) for line in (ROOT / "tests/data/industry_cases.jsonl").read_text(encoding="utf-8").splitlines()
                  if line.strip()]


@pytest.mark.parametrize("case", INDUSTRY_CASES, ids=[c["name"] for c in INDUSTRY_CASES])
def test_industry_component(case):
    """The industry lexicon's top candidate (before calibration and thresholds)."""
    from extractor.fields.base import Ctx
    from extractor.fields.industry import Industry
    out = Industry()(Ctx.build(Conversation.from_dict(case["conversation"])))
    if case["expected"] is None:  # nothing, or only a weak vote far below any display threshold
        assert not out or out[0].score < 0.4, f"{case['name']}: got {out[0].value} at {out[0].score:.2f}"
    else:
        assert out and out[0].value == case["expected"], f"{case['name']}: got {out[0].value if out else None}"


BUDGET_CASES = [json.loads(line) for line in (ROOT / "tests/data/budget_cases.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]


@pytest.mark.parametrize("case", BUDGET_CASES, ids=[c["name"] for c in BUDGET_CASES])
def test_budget_component(case):
    """The budget rule's candidate (before calibration): value, or nothing."""
    from extractor.fields.base import Ctx
    from extractor.fields.money import Budget
    out = Budget()(Ctx.build(Conversation.from_dict(case["conversation"])))
    got = out[0].value if out else None
    assert got == case["expected"], f"{case['name']}: got {got}"
    if out:
        assert out[0].score >= 0.8, f"{case['name']}: a clear budget statement scored {out[0].score:.2f}"


TAG_CASES = [json.loads(line) for line in (ROOT / "tests/data/tag_cases.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]


@pytest.mark.parametrize("case", TAG_CASES, ids=[c["name"] for c in TAG_CASES])
def test_tag_rules(case):
    """The tag rules' cues (before the classifier): each listed tag present or absent."""
    from extractor.fields.base import Ctx
    from extractor.fields.signals import Tags
    got = {s.value for s in Tags()(Ctx.build(Conversation.from_dict(case["conversation"])))}
    for tag, want in case["expected"].items():
        assert (tag in got) == want, f"{case['name']}: {tag} should be {want}, got {sorted(got)}"


STAGE_CASES = [json.loads(line) for line in (ROOT / "tests/data/stage_cases.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]


@pytest.mark.parametrize("case", STAGE_CASES, ids=[c["name"] for c in STAGE_CASES])
def test_stage_rules(case):
    """The stage rules' furthest cue (before the classifier)."""
    from extractor.fields.base import Ctx
    from extractor.fields.signals import Stage
    out = Stage()(Ctx.build(Conversation.from_dict(case["conversation"])))
    vetoed = {s.value for s in out if s.features.get("veto")}
    assert vetoed == set(case.get("vetoed", [])), f"{case['name']}: vetoed {sorted(vetoed)}"
    out = [s for s in out if not s.features.get("veto")]
    got = max(out, key=lambda s: s.score).value if out else None
    assert got == case["expected"], f"{case['name']}: got {got} ({[(s.value, round(s.score, 2)) for s in out]})"


def test_jsonl_workers_dying_lose_no_line(tmp_path, monkeypatch):
    """A worker killed mid-run (out of memory, a signal): the rest is answered in this process, in order."""
    import io
    import os
    from extractor import extract_cli, procs
    if not procs.can_fork():
        pytest.skip("worker processes need Linux fork")
    good = [json.dumps(c["conversation"], ensure_ascii=False) for c in CASES[:100]]
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(good) + "\n", encoding="utf-8")
    parent, real = os.getpid(), extract_cli._answer_chunk

    def dies_in_a_worker(chunk):
        if os.getpid() != parent and chunk[0][0] > 32:  # the second chunk onwards, in a worker
            os._exit(1)
        return real(chunk)
    monkeypatch.setattr(extract_cli, "_answer_chunk", dies_in_a_worker)
    outs = []
    for workers in (1, 2):
        args = extract_cli._parser().parse_args(["--jsonl", "--workers", str(workers)])
        buf = io.StringIO()
        with open(f, encoding="utf-8") as fh:
            assert extract_cli._run_jsonl(args, fh, buf) == 0
        outs.append(buf.getvalue())
    assert outs[0] == outs[1] and len(outs[1].splitlines()) == 100
