"""The auth matrix: every endpoint x every role x own/other rep's data (CONTRACT.md section 5).

Auth does not depend on the store, so this runs on SQLite only (test_api.py covers both)."""
from __future__ import annotations

import sys
import types
import uuid

import pytest

from api.testing import Harness, conv

ROLES = ["rep", "manager", "channel", "analyst", "service", "none", "bogus"]
ENDPOINTS = ["me", "extract", "queue", "suggestion", "decision", "record", "manual_write", "events", "labels",
             "diagnosis"]
OK, FORBIDDEN, UNAUTH = 200, 403, 401

# expected status for (role, endpoint, own data?)
ALLOWED = {
    "rep": {"me", "extract", "queue", "suggestion", "decision", "record"},  # own data only
    "manager": set(ENDPOINTS),
    "channel": {"me", "extract", "queue", "suggestion", "decision", "record"},
    "analyst": {"me", "queue", "suggestion", "record", "labels", "diagnosis"},
    "service": {"me", "extract", "queue", "suggestion", "record", "manual_write", "events", "labels", "diagnosis"},
}


def expected(role: str, endpoint: str, own: bool) -> int:
    if role in ("none", "bogus"):
        return UNAUTH
    if endpoint not in ALLOWED[role]:
        return FORBIDDEN
    if role == "rep" and not own and endpoint in ("extract", "queue", "suggestion", "decision", "record"):
        return FORBIDDEN
    return OK


@pytest.fixture(scope="module")
def hm(tmp_path_factory):
    from api.settings import Settings

    db = tmp_path_factory.mktemp("auth") / "auth.db"
    h = Harness(Settings(database_url=f"sqlite:///{db}", key_pepper="p"))
    h.key("rep", "rep-A")
    mp = pytest.MonkeyPatch()
    mp.setitem(sys.modules, "eval.diagnosis", types.SimpleNamespace(diagnose=lambda convs: {"reps": []}))
    yield h
    mp.undo()
    h.close()


def headers_for(h, role):
    if role == "none":
        return {}
    if role == "bogus":
        return {"X-API-Key": "c2c_not-a-real-key"}
    if role == "rep":
        return h.key("rep", "rep-A")
    return h.key(role)


def fresh(h, rep: str) -> tuple[str, str]:
    """A new conversation of `rep` (posted by a manager): its customer id and a pending suggestion id."""
    cust = f"cust-{uuid.uuid4().hex[:8]}"
    out = h.client.post("/v1/extract", json=conv(rep_id=rep, customer_id=cust), headers=h.key("manager")).json()
    sid = next(s["id"] for s in out["suggestions"] if s["field"] == "next_follow_up")
    return cust, sid


@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix(hm, role, endpoint, own):
    h = hm
    rep = "rep-A" if own else "rep-B"
    cust, sid = fresh(h, rep)
    hd = headers_for(h, role)
    c = h.client
    if endpoint == "me":
        r = c.get("/v1/me", headers=hd)
    elif endpoint == "extract":
        r = c.post("/v1/extract", json=conv(rep_id=rep), headers=hd)
    elif endpoint == "queue":
        r = c.get("/v1/suggestions", params={"rep_id": rep}, headers=hd)
    elif endpoint == "suggestion":
        r = c.get(f"/v1/suggestions/{sid}", headers=hd)
    elif endpoint == "decision":
        r = c.post(f"/v1/suggestions/{sid}/decision", json={"decision": "accept"}, headers=hd)
    elif endpoint == "record":
        r = c.get(f"/v1/records/{cust}", headers=hd)
    elif endpoint == "manual_write":
        r = c.put(f"/v1/records/{cust}/fields/stage", json={"value": "需求确认"}, headers=hd)
    elif endpoint == "events":
        r = c.get("/v1/events", headers=hd)
    elif endpoint == "labels":
        r = c.get("/v1/labels", headers=hd)
    else:
        r = c.get("/v1/diagnosis", headers=hd)
    want = expected(role, endpoint, own)
    assert r.status_code == want, (role, endpoint, own, r.text)
    if want != OK:
        assert set(r.json()["error"]) == {"code", "message"}
    if want == OK and endpoint == "queue":
        assert {s["rep_id"] for s in r.json()["suggestions"]} <= {rep}
    if want == OK and role == "channel" and endpoint != "me":
        assert '"budget"' not in r.text


@pytest.mark.parametrize("path", ["/healthz", "/metrics", "/openapi.json", "/app"])
def test_public_endpoints_need_no_key(hm, path):
    assert hm.client.get(path).status_code == 200


def test_rep_queue_defaults_to_own(hm):
    fresh(hm, "rep-B")
    fresh(hm, "rep-A")
    r = hm.client.get("/v1/suggestions", headers=hm.key("rep", "rep-A"))
    assert r.status_code == 200 and {s["rep_id"] for s in r.json()["suggestions"]} == {"rep-A"}


def test_revoked_key_is_401(hm):
    from api.security import create_key, revoke_key

    with hm.session() as s:
        row, secret = create_key(s, hm.settings, "manager")
        revoke_key(s, row.id)
    r = hm.client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401


def test_keys_are_stored_hashed(hm):
    from labeling.store.models import ApiKey

    secret = hm.keys["rep:rep-A"]
    with hm.session() as s:
        rows = s.query(ApiKey).all()
    assert rows and all(secret not in (r.key_hash + r.prefix + (r.name or "")) for r in rows)
    assert all(len(r.key_hash) == 64 for r in rows)
