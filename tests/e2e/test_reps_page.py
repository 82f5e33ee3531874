"""End-to-end: the reps' page in headless Chromium (Debian's /usr/bin/chromium via Playwright).

Starts the service on a free loopback port with the fake extractor, then: key entry,
one suggestion at a time with the evidence highlighted, accept by keyboard, edit,
reject, an offline decision synced later, and the merge prompt on 409. Screenshots go
to artifacts/e2e/*.png.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from api.testing import Harness, conv

CHROMIUM = os.environ.get("CHAT2CRM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ART = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"chromium not found at {CHROMIUM} (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from api.settings import Settings

    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    h = Harness(Settings(database_url=f"sqlite:///{db}", key_pepper="p"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(h.app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    h.base = f"http://127.0.0.1:{port}"
    yield h
    srv.should_exit = True
    t.join(timeout=10)
    h.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def record(h, cust):
    return h.client.get(f"/v1/records/{cust}", headers=h.key("manager")).json()["fields"]


def test_rep_works_through_the_queue(server, browser):
    h = server
    ART.mkdir(parents=True, exist_ok=True)
    rep_hdr = h.key("rep", "rep-007")
    secret = rep_hdr["Authorization"].split()[1]
    body = conv("e2e-1", customer_id="cust-e2e")
    out = h.client.post("/v1/extract", json=body, headers=rep_hdr).json()["suggestions"]
    assert out

    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale="zh-CN")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(h.base + "/")
    page.fill("#key-input", secret)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#card:not([hidden])")
    # the most useful first: the follow-up date, evidence highlighted in its message
    assert page.inner_text("#field") == "下次跟进"
    assert page.inner_text("#value") == "2026-03-18"
    assert page.inner_text("#messages mark") == "下周三"
    assert "下周三即 2026-03-18" in page.inner_text("#reason")
    assert "置信度 91%" in page.inner_text("#confidence")
    page.screenshot(path=str(ART / "queue-mobile.png"), full_page=True)
    n0 = len(out)
    assert f"1 / {n0}" == page.inner_text("#pos")

    # keyboard: j / k move, a accepts
    page.keyboard.press("j")
    assert page.inner_text("#pos") == f"2 / {n0}"
    page.keyboard.press("k")
    page.keyboard.press("a")
    page.wait_for_function(f"document.getElementById('pos').textContent === '1 / {n0 - 1}'")
    page.wait_for_function("window.chat2crm.state().outbox.length === 0")
    assert record(h, "cust-e2e")["next_follow_up"]["value"] == "2026-03-18"

    # edit the obstacle with one tap + the form
    for _ in range(n0):
        if page.inner_text("#field") == "关键障碍":
            break
        page.keyboard.press("j")
    assert page.inner_text("#field") == "关键障碍"
    page.click("#btn-edit")
    page.select_option("#editor select[name=category]", "竞品")
    page.fill("#editor input[name=detail]", "和德玛吉比价")
    page.screenshot(path=str(ART / "edit-mobile.png"), full_page=True)
    page.click("#editor button[type=submit]")
    page.wait_for_function("window.chat2crm.state().outbox.length === 0")
    rec = record(h, "cust-e2e")
    assert rec["key_obstacle"]["value"] == {"category": "竞品", "detail": "和德玛吉比价"}
    assert rec["key_obstacle"]["origin"] == "edit"

    # offline: decide now, sync when back online
    current = page.inner_text("#field")
    ctx.set_offline(True)
    page.click("#btn-reject")
    page.wait_for_function("window.chat2crm.state().outbox.length === 1")
    assert "待同步" in page.inner_text("#status")
    ctx.set_offline(False)
    page.evaluate("window.chat2crm.sync()")
    page.wait_for_function("window.chat2crm.state().outbox.length === 0")
    labels = h.client.get("/v1/labels", headers=h.key("analyst")).json()["labels"]
    assert [l["decision"] for l in labels] == ["accept", "edit", "reject"]
    assert labels[-1]["field"] in ("customer_name", "decision_role", "tag", "budget") and current
    assert not errors, errors
    ctx.close()


def test_merge_prompt_on_409(server, browser):
    h = server
    rep_hdr = h.key("rep", "rep-007")
    secret = rep_hdr["Authorization"].split()[1]
    # clear what is left from the first test so the new conversation's follow-up comes first
    for s in h.client.get("/v1/suggestions", headers=rep_hdr).json()["suggestions"]:
        h.client.post(f"/v1/suggestions/{s['id']}/decision", json={"decision": "reject"}, headers=rep_hdr)
    h.client.post("/v1/extract", json=conv("e2e-2", customer_id="cust-merge"), headers=rep_hdr)
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale="zh-CN")
    ctx.add_init_script(f"localStorage.setItem('c2c.key', {secret!r})")
    page = ctx.new_page()
    page.goto(h.base + "/app")
    page.wait_for_selector("#card:not([hidden])")
    assert page.inner_text("#field") == "下次跟进"
    # meanwhile someone types another date into the CRM
    r = h.client.put("/v1/records/cust-merge/fields/next_follow_up", json={"value": "2026-03-20"},
                     headers=h.key("service"))
    assert r.status_code == 200
    page.click("#btn-accept")
    page.wait_for_selector("#merge[open]")
    assert page.inner_text("#merge-current") == "2026-03-20"
    assert page.inner_text("#merge-proposed") == "2026-03-18"
    page.screenshot(path=str(ART / "merge-mobile.png"))
    page.click("#merge-mine")
    page.wait_for_function("window.chat2crm.state().outbox.length === 0")
    rec = record(h, "cust-merge")["next_follow_up"]
    assert rec["value"] == "2026-03-18" and rec["version"] == 2

    # desktop layout too
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(ART / "queue-desktop.png"))
    ctx.close()
