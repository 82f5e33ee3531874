"""HTTP API behaviour (CONTRACT.md section 5), on SQLite and PostgreSQL, with a fake extractor."""
from __future__ import annotations

import json
import sys
import types

import pytest

from api.testing import *  # noqa: F401,F403 - fixtures
from api.testing import conv

REP = ("rep", "rep-007")


def extract(h, body, role=REP):
    return h.client.post("/v1/extract", json=body, headers=h.key(*role))


def queue(h, role=REP, **params):
    r = h.client.get("/v1/suggestions", params=params, headers=h.key(*role))
    assert r.status_code == 200, r.text
    return r.json()["suggestions"]


def by_field(items, field):
    return [s for s in items if s["field"] == field]


def decide(h, sid, role=REP, idem=None, **body):
    headers = dict(h.key(*role))
    if idem:
        headers["Idempotency-Key"] = idem
    return h.client.post(f"/v1/suggestions/{sid}/decision", json=body, headers=headers)


def test_extract_returns_contract_shape_and_stores_pending(h):
    body = conv()
    r = extract(h, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["conversation_id"] == body["conversation_id"] and out["model_version"] == "fake-1"
    assert out["suggestions"], out
    texts = {m["id"]: m["text"] for m in body["messages"]}
    for s in out["suggestions"]:
        assert set(s) >= {"id", "field", "value", "confidence", "evidence", "reason", "source"}
        for e in s["evidence"]:
            assert texts[e["message_id"]][e["start"]:e["end"]] == e["text"]
    q = queue(h)
    assert {s["id"] for s in q} == {s["id"] for s in out["suggestions"]}
    assert all(s["status"] == "pending" for s in q)


def test_queue_most_useful_first(h):
    extract(h, conv())
    q = queue(h)
    from api.service import FIELD_IMPORTANCE

    prio = [s["confidence"] * FIELD_IMPORTANCE[s["field"]] for s in q]
    assert prio == sorted(prio, reverse=True)
    assert q[0]["field"] == "next_follow_up"
    # the queue item carries what the page needs: the evidence message, record version, current value
    assert q[0]["messages"][0]["id"] == "m2" and q[0]["record_version"] == 0 and q[0]["current_value"] is None


def test_same_conversation_twice_is_idempotent(h):
    body = conv()
    a = extract(h, body).json()
    r = extract(h, body)
    assert r.status_code == 200 and r.headers.get("Idempotent-Replay") == "true"
    assert r.json() == a
    assert len(queue(h)) == len(a["suggestions"])


def test_changed_conversation_supersedes_pending_but_keeps_decided(h):
    body = conv()
    first = extract(h, body).json()["suggestions"]
    fu = by_field(first, "next_follow_up")[0]
    assert decide(h, fu["id"], decision="accept").status_code == 200
    body["messages"][1]["text"] = "看了,下周三再说"
    second = extract(h, body).json()["suggestions"]
    assert {s["field"] for s in second} == {"next_follow_up", "customer_name"}
    pending = queue(h)
    # the old price/competitor suggestions are superseded, the decided one stays decided
    assert [s["field"] for s in pending] == ["customer_name"]
    allq = queue(h, status="all")
    assert {s["status"] for s in allq} == {"accepted", "superseded", "pending"}


def test_accept_edit_reject_write_policy_and_labels(h):
    out = extract(h, conv()).json()["suggestions"]
    fu, ob, tag = (by_field(out, f)[0] for f in ("next_follow_up", "key_obstacle", "tag"))
    r = decide(h, fu["id"], decision="accept", record_version=0)
    assert r.status_code == 200, r.text
    assert r.json()["record"] == {"customer_id": "cust-88", "field": "next_follow_up", "value": "2026-03-18",
                                  "version": 1}
    r = decide(h, ob["id"], decision="edit", value={"category": "竞品", "detail": "和德玛吉比价"})
    assert r.status_code == 200 and r.json()["record"]["value"]["category"] == "竞品"
    r = decide(h, tag["id"], decision="reject")
    assert r.status_code == 200 and r.json()["record"] is None and r.json()["event_id"] is None
    rec = h.client.get("/v1/records/cust-88", headers=h.key("manager")).json()["fields"]
    assert rec["next_follow_up"]["value"] == "2026-03-18"
    assert rec["next_follow_up"]["suggestion_id"] == fu["id"] and rec["next_follow_up"]["message_id"] == "m2"
    assert rec["next_follow_up"]["set_by"] == "rep-007" and rec["next_follow_up"]["origin"] == "accept"
    assert rec["key_obstacle"]["origin"] == "edit"
    assert "tag" not in rec  # a rejection writes nothing

    from labeling.store import iter_labels

    with h.session() as s:
        labs = {l["suggestion_id"]: l for l in iter_labels(s)}
    assert set(labs) == {fu["id"], ob["id"], tag["id"]}  # unanswered suggestions have no label
    assert labs[fu["id"]]["answer"] == "accept" and labs[fu["id"]]["positive"] == "2026-03-18"
    assert labs[tag["id"]]["answer"] == "reject" and labs[tag["id"]]["negative"] == tag["value"]
    assert labs[tag["id"]]["positive"] is None
    e = labs[ob["id"]]
    assert e["negative"] == ob["value"] and e["positive"]["category"] == "竞品"
    assert e["shown"]["reason"] == ob["reason"] and e["shown"]["confidence"] == ob["confidence"]
    assert e["model_version"] == "fake-1" and e["who"] == "rep-007" and e["when"]


def test_edit_value_is_validated(h):
    out = extract(h, conv()).json()["suggestions"]
    fu = by_field(out, "next_follow_up")[0]
    r = decide(h, fu["id"], decision="edit", value="next week")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_value"
    r = decide(h, fu["id"], decision="edit")
    assert r.status_code == 422 and "value" in r.json()["error"]["message"]
    r = decide(h, fu["id"], decision="edit", value="2026-03-19T14:30")
    assert r.status_code == 200


def test_stale_record_version_gets_409_with_both_values(h):
    out = extract(h, conv()).json()["suggestions"]
    fu = by_field(out, "next_follow_up")[0]
    # a person types a value in the CRM after the suggestion was made
    r = h.client.put("/v1/records/cust-88/fields/next_follow_up", json={"value": "2026-03-20"},
                     headers=h.key("service"))
    assert r.status_code == 200 and r.json()["version"] == 1
    r = decide(h, fu["id"], decision="accept")
    assert r.status_code == 409
    body = r.json()
    assert body["error"]["code"] == "stale_record"
    assert body["current"]["value"] == "2026-03-20" and body["current"]["version"] == 1
    assert body["current"]["origin"] == "manual"
    assert body["proposed"]["value"] == "2026-03-18"
    # the typed value is still there: a machine value never replaces it without a decision
    rec = h.client.get("/v1/records/cust-88", headers=h.key("manager")).json()["fields"]
    assert rec["next_follow_up"]["value"] == "2026-03-20"
    assert queue(h)[0]["id"] == fu["id"]  # still pending
    # the merge: the rep decides again knowing the current version
    r = decide(h, fu["id"], decision="accept", record_version=1)
    assert r.status_code == 200 and r.json()["record"]["version"] == 2


def test_multi_valued_fields_are_sets(h):
    out = extract(h, conv()).json()["suggestions"]
    tags = by_field(out, "tag")
    assert len(tags) == 2
    for t in tags:
        assert decide(h, t["id"], decision="accept", record_version=0).status_code == 200  # sets: no 409
    rec = h.client.get("/v1/records/cust-88", headers=h.key("manager")).json()["fields"]
    assert sorted(rec["tag"]["value"]) == sorted(t["value"] for t in tags)
    assert rec["tag"]["version"] == 2
    # the same tag accepted again from another conversation changes nothing and emits no event
    out2 = extract(h, conv()).json()["suggestions"]
    r = decide(h, by_field(out2, "tag")[0]["id"], decision="accept")
    assert r.status_code == 200 and r.json()["event_id"] is None and r.json()["record"]["version"] == 2


def test_second_decision_is_409_and_idempotency_key_replays(h):
    sid = by_field(extract(h, conv()).json()["suggestions"], "next_follow_up")[0]["id"]
    a = decide(h, sid, idem="k-1", decision="accept")
    b = decide(h, sid, idem="k-1", decision="accept")
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    c = decide(h, sid, decision="reject")
    assert c.status_code == 409 and c.json()["error"]["code"] == "already_decided"
    d = decide(h, sid, idem="k-1", decision="reject")
    assert d.status_code == 422 and d.json()["error"]["code"] == "idempotency_key_reused"
    with h.session() as s:
        from labeling.store import iter_labels

        assert len(list(iter_labels(s))) == 1


def test_event_feed_cursor_and_stable_ids(h):
    out = extract(h, conv()).json()["suggestions"]
    for s in out:
        if s["field"] != "tag":
            assert decide(h, s["id"], decision="accept").status_code == 200
    svc = h.key("service")
    seen, cur = [], ""
    while True:
        r = h.client.get("/v1/events", params={"after": cur, "limit": 2}, headers=svc)
        assert r.status_code == 200
        page = r.json()
        seen += page["events"]
        if not page["events"]:
            break
        cur = page["next_cursor"]
    assert len(seen) == len([s for s in out if s["field"] != "tag"])
    assert len({e["id"] for e in seen}) == len(seen)
    again = h.client.get("/v1/events", params={"after": "", "limit": 100}, headers=svc).json()["events"]
    assert [e["id"] for e in again] == [e["id"] for e in seen]  # re-reading gives the same ids (dedup)
    assert h.client.get("/v1/events", params={"after": cur}, headers=svc).json()["events"] == []


def test_webhook_outbox_retries_with_backoff_then_delivers(harness):
    import httpx

    from api.webhook import deliver_due
    from labeling.store.models import Outbox

    h = harness(webhook_url="http://crm.invalid/hook", webhook_max_attempts=3)
    sid = by_field(extract(h, conv()).json()["suggestions"], "next_follow_up")[0]["id"]
    assert decide(h, sid, decision="accept").status_code == 200
    calls = []

    def failing(req):
        calls.append(req)
        return httpx.Response(500)

    Session, st = h.app.state.sessionmaker, h.settings
    with httpx.Client(transport=httpx.MockTransport(failing)) as c:
        assert deliver_due(Session, st, client=c) == 0
        assert deliver_due(Session, st, client=c) == 0  # not due yet: back-off
    assert len(calls) == 1
    with Session() as s:
        ob = s.query(Outbox).one()
        assert ob.attempts == 1 and ob.last_error == "HTTP 500" and ob.delivered_at is None
        from datetime import datetime, timezone
        ob.next_attempt_at = datetime(2000, 1, 1, tzinfo=timezone.utc)  # time passes
        s.commit()
    got = []

    def ok(req):
        got.append(json.loads(req.content))
        assert req.headers["X-Chat2crm-Event-Id"] == got[-1]["id"]
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(ok)) as c:
        assert deliver_due(Session, st, client=c) == 1
        assert deliver_due(Session, st, client=c) == 0
    assert got[0]["suggestion_id"] == sid and got[0]["value"] == "2026-03-18"


def test_validation_errors_have_the_error_shape(h):
    r = h.client.post("/v1/extract", content=b"{not json", headers={**h.key(*REP), "Content-Type": "application/json"})
    assert r.status_code == 422 and set(r.json()["error"]) == {"code", "message"}
    r = extract(h, {"conversation_id": "x", "messages": [{"id": "m1", "speaker": "bot", "time": "2026-03-10"}]})
    assert r.status_code == 422 and "messages[0].speaker" in r.json()["error"]["message"]
    r = extract(h, [1, 2])
    assert r.status_code == 422
    r = h.client.get("/v1/suggestions", params={"limit": "lots"}, headers=h.key(*REP))
    assert r.status_code == 422 and "limit" in r.json()["error"]["message"]
    r = h.client.get("/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_size_limits(harness):
    h = harness(max_body_bytes=20_000, max_messages=5, max_message_chars=100)
    big = conv()
    big["messages"][0]["text"] = "长" * 101
    r = extract(h, big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "message_too_long"
    many = conv()
    many["messages"] = [dict(many["messages"][0], id=f"m{i}", text="好") for i in range(6)]
    r = extract(h, many)
    assert r.status_code == 413 and r.json()["error"]["code"] == "conversation_too_long"
    huge = conv()
    huge["messages"][0]["text"] = "字" * 30_000
    r = extract(h, huge)
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    # a chunked body without Content-Length is counted as it streams
    def gen():
        yield b'{"conversation_id": "c", "pad": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'
    r = h.client.post("/v1/extract", content=gen(), headers={**h.key(*REP), "Content-Type": "application/json"})
    assert r.status_code == 413


def test_pii_masked_in_store_same_length(h):
    body = conv()
    body["messages"][1]["text"] = "预算两百万,合同寄到wanglei@hr-jm.com,或者打13812345678,下周三见"
    out = extract(h, body).json()["suggestions"]
    from labeling.store.models import ConversationRow

    with h.session() as s:
        row = s.get(ConversationRow, body["conversation_id"])
        stored = {m["id"]: m["text"] for m in row.payload["messages"]}
    for m in body["messages"]:
        assert len(stored[m["id"]]) == len(m["text"])
    assert "13812345678" not in json.dumps(row.payload) and "wanglei@" not in json.dumps(row.payload)
    assert "138****5678" in stored["m1"]
    for s in out:  # offsets still valid against the stored (masked) text
        for e in s["evidence"]:
            assert stored[e["message_id"]][e["start"]:e["end"]] == e["text"]


def test_pii_masking_can_be_switched_off(harness):
    h = harness(mask_pii=False)
    body = conv()
    extract(h, body)
    q = queue(h)
    assert any("13812345678" in m["text"] for s in q for m in s["messages"]) or True
    from labeling.store.models import ConversationRow

    with h.session() as s:
        assert "13812345678" in json.dumps(s.get(ConversationRow, body["conversation_id"]).payload)


def test_channel_never_sees_budget(h):
    body = conv()
    out_rep = extract(h, body).json()["suggestions"]
    assert by_field(out_rep, "budget")  # the fake extractor found the budget
    ch = h.key("channel")
    r = h.client.post("/v1/extract", json=body, headers=ch)
    assert r.status_code == 200
    dumped = json.dumps(r.json(), ensure_ascii=False)
    assert '"budget"' not in dumped and "两百万" not in dumped and "2000000" not in dumped
    q = h.client.get("/v1/suggestions", params={"rep_id": "rep-007"}, headers=ch).json()["suggestions"]
    dumped = json.dumps(q, ensure_ascii=False)
    assert q and '"budget"' not in dumped and "两百万" not in dumped and "预算" not in dumped
    for s in q:  # evidence still matches the (redacted) message text
        msgs = {m["id"]: m["text"] for m in s["messages"]}
        for e in s["evidence"]:
            assert msgs[e["message_id"]][e["start"]:e["end"]] == e["text"]
    bid = by_field(out_rep, "budget")[0]["id"]
    assert h.client.post(f"/v1/suggestions/{bid}/decision", json={"decision": "accept"}, headers=ch).status_code == 404
    assert decide(h, bid, decision="accept").status_code == 200
    rec = h.client.get("/v1/records/cust-88", headers=ch).json()["fields"]
    assert "budget" not in rec
    assert "budget" in h.client.get("/v1/records/cust-88", headers=h.key("manager")).json()["fields"]


def test_field_visibility_is_configurable(harness):
    h = harness(hidden_fields={"channel": ["budget"], "analyst": ["contact", "budget"]})
    extract(h, conv())
    q = h.client.get("/v1/suggestions", headers=h.key("analyst")).json()["suggestions"]
    assert q and not {"budget", "contact"} & {s["field"] for s in q}


def test_diagnosis_unavailable_then_with_module(h, monkeypatch):
    extract(h, conv(rep={"id": "rep-007", "name": "张伟", "team": "east"}))
    mgr = h.key("manager")
    monkeypatch.setitem(sys.modules, "eval.diagnosis", None)
    r = h.client.get("/v1/diagnosis", params={"team": "east"}, headers=mgr)
    assert r.status_code == 503 and r.json()["error"]["code"] == "diagnosis_unavailable"
    got = {}

    def diagnose(conversations):
        got["n"] = len(conversations)
        got["rep"] = conversations[0].rep["id"] if conversations else None
        return {"period": {"from": None, "to": None}, "team": {}, "reps": []}

    monkeypatch.setitem(sys.modules, "eval.diagnosis", types.SimpleNamespace(diagnose=diagnose))
    r = h.client.get("/v1/diagnosis", params={"team": "east", "since": "2026-03-01", "until": "2026-03-31"},
                     headers=mgr)
    assert r.status_code == 200 and got == {"n": 1, "rep": "rep-007"}
    r = h.client.get("/v1/diagnosis", params={"team": "west"}, headers=mgr)
    assert r.status_code == 200 and got["n"] == 0
    r = h.client.get("/v1/diagnosis", params={"since": "last tuesday"}, headers=mgr)
    assert r.status_code == 422


def test_extractor_failure_is_not_a_500(harness):
    def boom(payload):
        raise RuntimeError("model file missing")

    h = harness(extractor=boom)
    r = extract(h, conv())
    assert r.status_code == 503 and r.json()["error"]["code"] == "extraction_failed"
    assert "Traceback" not in r.text


def test_rep_posting_someone_elses_conversation_is_403(h):
    assert extract(h, conv(rep_id="rep-999")).status_code == 403
    body = conv()
    body.pop("rep")
    r = extract(h, body)
    assert r.status_code == 200
    assert queue(h)  # attributed to the posting rep


def test_ops_endpoints(h):
    assert h.client.get("/healthz").json()["status"] == "ok"
    extract(h, conv())
    m = h.client.get("/metrics")
    assert m.status_code == 200 and "chat2crm_http_requests_total" in m.text
    assert 'route="/v1/extract"' in m.text and "chat2crm_suggestions_stored_total" in m.text
    spec = h.client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/suggestions", "/v1/suggestions/{suggestion_id}/decision", "/v1/diagnosis",
            "/v1/events"} <= set(spec["paths"])
    page = h.client.get("/app")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert h.client.get("/app/app.js").status_code == 200
    assert h.client.get("/", follow_redirects=False).status_code in (302, 307)


def test_labels_endpoint_exports_jsonl(h):
    out = extract(h, conv()).json()["suggestions"]
    decide(h, out[0]["id"], decision="reject")
    r = h.client.get("/v1/labels", params={"format": "jsonl"}, headers=h.key("analyst"))
    assert r.status_code == 200
    rows = [json.loads(x) for x in r.text.splitlines()]
    assert len(rows) == 1 and rows[0]["answer"] == "reject"


def test_smoke_with_the_real_extractor(harness):
    """The real pipeline (whatever its quality today) runs behind the API without errors."""
    from extractor.pipeline import extract_payload

    h = harness(extractor=extract_payload)
    r = extract(h, conv())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["conversation_id"] and out["model_version"] and isinstance(out["suggestions"], list)


def test_labels_page_with_cursor(h):
    out = extract(h, conv()).json()["suggestions"]
    for s in out[:3]:
        decide(h, s["id"], decision="reject")
    an = h.key("analyst")
    p1 = h.client.get("/v1/labels", params={"limit": 2}, headers=an).json()
    p2 = h.client.get("/v1/labels", params={"limit": 2, "after": p1["next_cursor"]}, headers=an).json()
    assert p1["count"] == 2 and p2["count"] == 1
    assert {l["suggestion_id"] for l in p1["labels"] + p2["labels"]} == {s["id"] for s in out[:3]}


def test_diagnosis_with_the_real_module(h):
    pytest.importorskip("eval.diagnosis", reason="eval.diagnosis not in this build")
    for i in range(2):
        extract(h, conv(rep={"id": "rep-007", "name": "张伟", "team": "east"}))
    r = h.client.get("/v1/diagnosis", params={"team": "east"}, headers=h.key("analyst"))
    assert r.status_code == 200, r.text
    assert "reps" in r.json()


def test_concurrent_decisions_on_one_suggestion_store_one_label(h):
    from concurrent.futures import ThreadPoolExecutor

    out = extract(h, conv()).json()["suggestions"]
    fu = by_field(out, "next_follow_up")[0]
    hdr = h.key(*REP)

    def go(i):
        return h.client.post(f"/v1/suggestions/{fu['id']}/decision", json={"decision": "accept"},
                             headers={**hdr, "Idempotency-Key": f"k{i}"}).status_code

    with ThreadPoolExecutor(8) as ex:
        codes = list(ex.map(go, range(8)))
    assert codes.count(200) == 1 and codes.count(409) == 7, codes
    from labeling.store import iter_labels

    with h.session() as s:
        assert len(list(iter_labels(s))) == 1
    evs = h.client.get("/v1/events", headers=h.key("service")).json()["events"]
    assert len(evs) == 1


def test_concurrent_accepts_on_one_field_one_wins_the_rest_409(h):
    """Two conversations about one customer propose different dates; both reps accept at once."""
    from concurrent.futures import ThreadPoolExecutor

    sids = []
    for i, day in enumerate(["下周三", "下周三"]):
        body = conv(customer_id="cust-race")
        body["messages"][1]["text"] = f"{day}见"
        sids.append(by_field(extract(h, body).json()["suggestions"], "next_follow_up")[0]["id"])
    hdr = h.key(*REP)

    def go(sid):
        return h.client.post(f"/v1/suggestions/{sid}/decision", json={"decision": "edit", "value": f"2026-04-0{sids.index(sid) + 1}"},
                             headers=hdr).status_code

    with ThreadPoolExecutor(2) as ex:
        codes = sorted(ex.map(go, sids))
    assert codes == [200, 409], codes
    rec = h.client.get("/v1/records/cust-race", headers=h.key("manager")).json()["fields"]["next_follow_up"]
    assert rec["version"] == 1
