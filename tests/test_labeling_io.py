"""labeling/io.py: label records, partial gold, Label Studio and doccano round trips (emoji offsets)."""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from extractor.types import InputError
from labeling import io

EMOJI_TEXTS = [
    "王总好🍀👍🏻 方案您看了吗?",
    "👨‍👩‍👧🇨🇳看了,价格比德玛吉贵了15%,下周三让技术总监过来看样机",
    "行👌🏽\n我们这边要董事长签字🇩🇪那边的设备也在比 🙏🙏",
    "预算两百万左右💰💰 发票🧾月底前开",
    "",  # an image: empty text
    "𠮷野家的张工 🏭 公差±0.01 要十五台",
]


def conv_with(texts, cid="e-1"):
    speakers = ["rep", "customer", "customer", "customer", "other", "customer"]
    return {"conversation_id": cid, "channel": "wechat", "rep": {"id": "rep-1", "name": "张伟"},
            "messages": [{"id": f"m{i + 1}", "speaker": speakers[i % len(speakers)], "name": None,
                          "time": f"2026-03-10T09:{10 + i:02d}:00+08:00", "text": t} for i, t in enumerate(texts)]}


CONV = conv_with(EMOJI_TEXTS)


def ev(mid, word, conv=CONV):
    t = next(m["text"] for m in conv["messages"] if m["id"] == mid)
    i = t.index(word)
    return {"message_id": mid, "start": i, "end": i + len(word), "text": word}


def rec(field, value, evidence, decision, final=None, conf=0.7, source="rules", when="2026-03-10T10:00:00+08:00",
        cid="e-1"):
    return {"conversation_id": cid, "suggestion": {"field": field, "value": value, "confidence": conf,
                                                   "evidence": evidence, "reason": "理由", "source": source,
                                                   "model_version": "v1"},
            "decision": decision, "final_value": final, "who": "rep-1", "when": when}


RECORDS = [io.normalize_record(r) for r in [
    rec("next_follow_up", "2026-03-18", [ev("m2", "下周三")], "accept"),
    rec("tag", "价格讨论", [ev("m2", "价格比德玛吉贵了15%")], "edit", "竞品对比"),
    rec("stage", "回款", [ev("m1", "王总好🍀")], "reject", source="textclf", conf=0.41),
    rec("key_obstacle", {"category": "价格", "detail": "贵了15%"}, [ev("m2", "贵了15%")], "accept"),
    rec("decision_role", "老板", [ev("m3", "董事长签字🇩🇪")], "accept"),
    rec("tag", "竞品对比", [ev("m3", "🇩🇪那边的设备也在比 🙏")], "accept"),
    rec("budget", {"min": 2000000, "max": 2000000}, [ev("m4", "两百万左右💰💰")], "edit",
        {"min": 1900000, "max": 2100000}),
    rec("contact", {"name": "张工", "title": None}, [ev("m6", "𠮷野家的张工"), ev("m6", "张工")], "accept"),
    rec("industry", "汽车", [ev("m6", "🏭")], "reject", conf=0.5),
    rec("tag", "客户明确需求", [ev("m6", "公差±0.01 要十五台")], "accept"),
]]


def span_tuples(records, side="final"):
    return io.spans_of(records, side=side)


# ------------------------------------------------------------------ offsets

@given(st.text(alphabet=st.sampled_from(list("ab中文🍀👍🏻\u200d👨👩👧🇨🇳𠮷\n ")), max_size=40), st.data())
@settings(max_examples=200, deadline=None)
def test_utf16_offsets_round_trip(text, data):
    cp = data.draw(st.integers(0, len(text)))
    u = io.cp_to_utf16(text, cp)
    assert u == len(text[:cp].encode("utf-16-le")) // 2
    assert io.utf16_to_cp(text, u) == cp


def test_utf16_offset_inside_a_surrogate_pair_is_an_error():
    with pytest.raises(ValueError, match="surrogate"):
        io.utf16_to_cp("a🍀b", 2)


def test_render_maps_message_spans_both_ways():
    rd = io.render(CONV)
    assert rd.text.startswith("m1 销售: 王总好🍀👍🏻")
    for mid, s, e in rd.spans:
        text = next(m["text"] for m in CONV["messages"] if m["id"] == mid)
        assert rd.text[s:e] == text
        assert rd.to_local(s, e) == (mid, 0, len(text))


# ------------------------------------------------------------------ records

def test_label_jsonl_round_trip(tmp_path):
    p = io.write_labels_jsonl(tmp_path / "l.jsonl", RECORDS)
    back = io.read_labels_jsonl(p)
    assert back == RECORDS
    io.check_evidence(back, {"e-1": CONV})


def test_store_shape_is_accepted():
    store = {"label_id": 1, "suggestion_id": "sg-1", "conversation_id": "e-1", "field": "stage",
             "shown": {"field": "stage", "value": "商务谈判", "confidence": 0.8, "evidence": [],
                       "reason": "r", "source": "stage-rules"},
             "shown_value": "商务谈判", "confidence": 0.8, "model_version": "v9", "decision": "reject",
             "final_value": None, "who": "rep-7", "when": "2026-03-10T10:00:00+00:00"}
    r = io.normalize_record(store)
    assert r["suggestion"]["model_version"] == "v9" and r["decision"] == "reject" and r["final_value"] is None


@pytest.mark.parametrize("mutate, field", [
    (lambda r: r.pop("conversation_id"), "conversation_id"),
    (lambda r: r.update(decision="maybe"), "decision"),
    (lambda r: r["suggestion"].update(field="mood"), "suggestion.field"),
    (lambda r: r["suggestion"].update(value="第七阶段"), "stage"),
    (lambda r: r["suggestion"].update(confidence=1.7), "suggestion.confidence"),
    (lambda r: r.update(decision="edit", final_value=None), "final_value"),
    (lambda r: r["suggestion"]["evidence"][0].update(start="x"), "suggestion.evidence[0].start"),
])
def test_bad_records_name_line_and_field(tmp_path, mutate, field):
    good = json.loads(json.dumps(rec("stage", "商务谈判", [ev("m2", "价格")], "accept")))
    bad = json.loads(json.dumps(good))
    mutate(bad)
    p = tmp_path / "l.jsonl"
    p.write_text(json.dumps(good, ensure_ascii=False) + "\n\n" + json.dumps(bad, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        io.read_labels_jsonl(p)
    assert e.value.line == 3 and e.value.field == field
    assert "line 3" in str(e.value)


def test_invalid_json_and_non_utf8(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n{"b": \n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        io.read_labels_jsonl(p)
    p.write_bytes("标签".encode("gbk"))
    with pytest.raises(InputError, match="UTF-8"):
        io.read_labels_jsonl(p)


def test_evidence_must_match_the_message():
    r = json.loads(json.dumps(RECORDS[0]))
    r["suggestion"]["evidence"][0]["start"] += 1
    with pytest.raises(InputError, match="evidence text"):
        io.check_evidence([r], {"e-1": CONV})


def test_writes_are_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def rows():
        yield {"a": 1}
        raise RuntimeError("boom mid-way")

    with pytest.raises(RuntimeError):
        io.write_jsonl(target, rows())
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]  # no temp file left behind


# ------------------------------------------------------------------ Prodigy semantics

def test_aggregate_prodigy_semantics():
    [g] = io.aggregate(RECORDS, {"e-1": CONV})
    gold = g["gold"]
    assert gold["next_follow_up"] == "2026-03-18"
    assert sorted(gold["tag"]) == ["客户明确需求", "竞品对比"]
    assert gold["budget"] == {"min": 1900000, "max": 2100000}
    assert "stage" not in gold and "industry" not in gold  # rejects say "not this value", nothing else
    assert g["negatives"] == {"tag": ["价格讨论"], "stage": ["回款"], "budget": [{"min": 2000000, "max": 2000000}],
                              "industry": ["汽车"]}
    assert g["partial"] is True and "customer_name" not in g["labelled"]  # never decided: unknown
    assert g["gold_evidence"]["decision_role:老板"] == ["m3"]
    assert "messages" in g and "gold" not in io.strip_gold(g)


def test_unanswered_suggestions_leave_no_label():
    [g] = io.aggregate([RECORDS[0]], {"e-1": CONV})
    assert g["negatives"] == {} and g["labelled"] == ["next_follow_up"]


def test_latest_decision_wins():
    a = io.normalize_record(rec("tag", "异议", [ev("m3", "董事长签字")], "accept", when="2026-03-10T10:00:00+08:00"))
    b = io.normalize_record(rec("tag", "异议", [ev("m3", "董事长签字")], "reject", when="2026-03-11T10:00:00+08:00"))
    [g] = io.aggregate([b, a], {"e-1": CONV})
    assert "tag" not in g["gold"] and g["negatives"] == {"tag": ["异议"]}


def test_aggregate_needs_the_conversation():
    with pytest.raises(InputError, match="no conversation text"):
        io.aggregate(RECORDS, {})


def test_gold_to_records_and_back():
    [g] = io.aggregate(RECORDS, {"e-1": CONV})
    recs = [io.normalize_record(r) for r in io.gold_to_records(g)]
    [g2] = io.aggregate(recs, {"e-1": CONV})
    assert g2["gold"] == g["gold"]
    assert g2["negatives"] == g["negatives"]
    assert g2["gold_evidence"] == g["gold_evidence"]


# ------------------------------------------------------------------ Label Studio

@pytest.mark.parametrize("unit", ["utf16", "codepoint"])
def test_labelstudio_round_trip_keeps_spans_and_decisions(unit):
    tasks = io.to_labelstudio([CONV], RECORDS, offsets=unit)
    tasks = json.loads(json.dumps(tasks, ensure_ascii=False))  # through JSON, as a file would
    t = tasks[0]
    assert t["data"]["text"].startswith("m1 销售: ") and t["data"]["conversation_id"] == "e-1"
    assert t["predictions"][0]["model_version"] == "v1" and t["predictions"][0]["score"] == 0.41
    spans = [r for r in t["annotations"][0]["result"] if r["type"] == "labels"]
    assert {"id", "from_name", "to_name", "type", "value"} <= set(spans[0])
    assert any(r["type"] == "choices" and r["from_name"] == "tag" for r in t["annotations"][0]["result"])
    back, convs = io.from_labelstudio(tasks, offsets=unit)
    assert convs[0]["messages"] == CONV["messages"]
    assert span_tuples(back) == span_tuples(RECORDS)
    assert span_tuples(back, "shown") == span_tuples(RECORDS, "shown")
    key = lambda r: (r["suggestion"]["field"], json.dumps(r["suggestion"]["value"], sort_keys=True, ensure_ascii=False))
    want = {key(r): (r["decision"], r["final_value"]) for r in RECORDS}
    got = {key(r): (r["decision"], r["final_value"]) for r in back}
    assert got == want


def test_labelstudio_utf16_offsets_are_what_javascript_counts():
    tasks = io.to_labelstudio([CONV], RECORDS, offsets="utf16")
    text = tasks[0]["data"]["text"]
    js = text.encode("utf-16-le")
    for r in tasks[0]["annotations"][0]["result"]:
        if r["type"] == "labels":
            v = r["value"]
            assert js[2 * v["start"]:2 * v["end"]].decode("utf-16-le") == v["text"]


def test_labelstudio_wrong_offset_unit_is_caught():
    tasks = io.to_labelstudio([CONV], RECORDS, offsets="utf16")
    with pytest.raises(InputError, match="offset"):
        io.from_labelstudio(tasks, offsets="codepoint")


def test_labelstudio_gold_export_and_human_annotation_import():
    import copy
    from labeling.corpus import load
    convs = [c for c in load("dev") if c.get("gold")][:5] or [dict(CONV, gold={"tag": ["异议"]},
                                                                   gold_evidence={"tag:异议": ["m3"]})]
    tasks = io.to_labelstudio(convs)
    back, _ = io.from_labelstudio(copy.deepcopy(tasks))
    assert all(r["decision"] == "accept" and r["suggestion"]["source"] == "manual" for r in back)
    got = {g["conversation_id"]: g for g in io.aggregate(back, {c["conversation_id"]: c for c in convs})}
    for c in convs:
        if c["gold"]:
            assert got[c["conversation_id"]]["gold"] == c["gold"]
            assert got[c["conversation_id"]]["gold_evidence"] == c["gold_evidence"]


def test_labelstudio_annotator_edits_are_read_as_decisions():
    """A person deletes one predicted region, relabels another and draws a new one."""
    tasks = io.to_labelstudio([CONV], None, predictions={"e-1": {"model_version": "v2", "suggestions": [
        {"field": "stage", "value": "商务谈判", "confidence": 0.55, "evidence": [ev("m2", "价格比德玛吉贵了15%")]},
        {"field": "tag", "value": "异议", "confidence": 0.6, "evidence": [ev("m3", "董事长签字")]},
    ]}})
    t = tasks[0]
    pred = t["predictions"][0]["result"]
    stage_region = next(r for r in pred if r["type"] == "labels" and r["value"]["labels"] == ["stage:商务谈判"])
    relabelled = json.loads(json.dumps(stage_region))
    relabelled["value"]["labels"] = ["stage:方案确认"]
    rd = io.render(CONV)
    s, e = rd.to_global("m6", *[ev("m6", "张工")[k] for k in ("start", "end")])
    new = {"id": "Xy12", "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": io.cp_to_utf16(rd.text, s), "end": io.cp_to_utf16(rd.text, e), "text": "张工",
                     "labels": ["contact"]}}
    t["annotations"] = [{"result": [relabelled, new], "completed_by": {"id": 3, "email": "ds@x.cn"},
                         "created_at": "2026-03-12T08:00:00Z", "was_cancelled": False}]
    back, _ = io.from_labelstudio(tasks)
    got = {(r["suggestion"]["field"], r["decision"]): r["final_value"] for r in back}
    assert got == {("stage", "edit"): "方案确认", ("tag", "reject"): None,
                   ("contact", "accept"): {"name": "张工", "title": None}}
    assert all(r["who"] == "ds@x.cn" for r in back)


@pytest.mark.parametrize("mutate, match", [
    (lambda t: t["data"].pop("messages"), "data needs"),
    (lambda t: t["annotations"][0]["result"][0]["value"].update(labels=["tag:不存在"]), "value must be one of"),
    (lambda t: t["annotations"][0]["result"][0]["value"].update(start=10 ** 6), "past the end"),
    (lambda t: t["annotations"][0]["result"][0]["value"].update(start=0, end=2), "span text|not inside one message"),
    (lambda t: t["annotations"][0]["result"].__setitem__(1, {"id": "r0e0", "type": "textarea",
                                                               "value": {"text": ["not a date"]}}),
     "next_follow_up"),
    (lambda t: t.update(annotations="x"), "annotations must be a list"),
])
def test_bad_labelstudio_tasks(mutate, match):
    tasks = io.to_labelstudio([CONV], RECORDS)
    mutate(tasks[0])
    with pytest.raises(InputError, match=match) as e:
        io.from_labelstudio(tasks)
    assert "task 0" in str(e.value)


def test_read_labelstudio_file_errors(tmp_path):
    p = tmp_path / "t.json"
    p.write_text("[{", encoding="utf-8")
    with pytest.raises(InputError, match="invalid JSON"):
        io.read_labelstudio(p)
    p.write_text("3", encoding="utf-8")
    with pytest.raises(InputError, match="list of Label Studio tasks"):
        io.read_labelstudio(p)


# ------------------------------------------------------------------ doccano

@pytest.mark.parametrize("unit", ["utf16", "codepoint"])
def test_doccano_spans_round_trip(tmp_path, unit):
    rows = io.to_doccano([CONV], RECORDS, kind="spans", offsets=unit)
    p = io.write_jsonl(tmp_path / "d.jsonl", rows)
    back, convs = io.read_doccano(p, offsets=unit)
    assert span_tuples(back) == span_tuples(RECORDS)
    assert all(r["decision"] == "accept" for r in back)  # doccano holds final labels only
    [g1] = io.aggregate(RECORDS, {"e-1": CONV})
    [g2] = io.aggregate(back, {"e-1": convs[0]})
    assert g2["gold"] == g1["gold"] and g2["negatives"] == {}


def test_doccano_utf16_offsets():
    [row] = io.to_doccano([CONV], RECORDS, offsets="utf16")
    js = row["text"].encode("utf-16-le")
    spans = {js[2 * s:2 * e].decode("utf-16-le") for s, e, _ in row["label"]}
    assert "董事长签字🇩🇪" in spans and "🏭" not in spans  # the rejected industry is no label


def test_doccano_classification_round_trip():
    [row] = io.to_doccano([CONV], RECORDS, kind="classification")
    assert sorted(row["label"]) == sorted(["竞品对比", "客户明确需求", "decision_role:老板"])
    back, _ = io.from_doccano([(1, row)])
    assert {(r["suggestion"]["field"], r["final_value"]) for r in back} == {
        ("tag", "竞品对比"), ("tag", "客户明确需求"), ("decision_role", "老板")}


def test_bad_doccano_rows_name_the_line(tmp_path):
    [row] = io.to_doccano([CONV], RECORDS)
    bad = dict(row, label=[[0, 3, "mood"]])
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps(row, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        io.read_doccano(p)
    assert e.value.line == 2 and "unknown label 'mood'" in str(e.value)
    bad = dict(row, values={})
    p.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs its value"):
        io.read_doccano(p)


EMOJI = st.sampled_from(["🍀", "👍🏻", "👨‍👩‍👧", "🇨🇳", "🇩🇪", "💰", "𠮷", "价", "格", "下", "周", "三", "a", " ", "\n", "\u200d", "é"])


@given(st.lists(st.lists(EMOJI, min_size=1, max_size=12).map("".join), min_size=1, max_size=4), st.data())
@settings(max_examples=60, deadline=None)
def test_random_emoji_spans_survive_labelstudio_and_doccano(texts, data):
    conv = conv_with(texts, cid="h-1")
    records = []
    tags = ["价格讨论", "竞品对比", "客户明确需求", "回款跟进", "异议"]
    for n, m in enumerate(conv["messages"]):
        t = m["text"]
        s = data.draw(st.integers(0, len(t) - 1))
        e = data.draw(st.integers(s + 1, len(t)))
        records.append(io.normalize_record(rec("tag", tags[n % 5], [{"message_id": m["id"], "start": s, "end": e,
                                                                      "text": t[s:e]}], "accept", cid="h-1")))
    for unit in ("utf16", "codepoint"):
        back, _ = io.from_labelstudio(json.loads(json.dumps(io.to_labelstudio([conv], records, offsets=unit))),
                                      offsets=unit)
        assert io.spans_of(back) == io.spans_of(records)
        back, _ = io.from_doccano([(1, r) for r in io.to_doccano([conv], records, offsets=unit)], offsets=unit)
        assert io.spans_of(back) == io.spans_of(records)
