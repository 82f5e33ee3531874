/* chat2crm reps' page: one pending suggestion at a time; decisions queue offline. No build step. */
"use strict";
(function () {
  const LS = { key: "c2c.key", items: "c2c.items", outbox: "c2c.outbox", idx: "c2c.idx" };
  const FIELD_NAMES = { customer_name: "客户名称", contact: "联系人", stage: "阶段", next_follow_up: "下次跟进",
    key_obstacle: "关键障碍", budget: "预算", industry: "行业", decision_role: "决策角色", tag: "标签" };
  const ENUMS = {
    stage: ["初步接触", "需求确认", "方案确认", "商务谈判", "合同签署", "回款"],
    industry: ["汽车", "新能源", "3C电子", "医疗器械", "航空航天", "模具", "通用机械", "其他"],
    decision_role: ["采购", "技术", "老板", "财务", "法务"],
    tag: ["价格讨论", "竞品对比", "客户明确需求", "回款跟进", "异议"],
  };
  const OBSTACLES = ["价格", "决策", "技术", "竞品", "交期", "付款", "法务", "时机"];
  const $ = (id) => document.getElementById(id);
  const load = (k, d) => { try { const v = JSON.parse(localStorage.getItem(k)); return v == null ? d : v; } catch (e) { return d; } };
  const save = (k, v) => localStorage.setItem(k, JSON.stringify(v));

  let items = load(LS.items, []);      // loaded queue (kept for offline use)
  let outbox = load(LS.outbox, []);    // decisions not yet acknowledged by the server
  let idx = load(LS.idx, 0);
  let editing = false, syncing = false, merging = null;

  function key() { return localStorage.getItem(LS.key) || ""; }
  function headers(extra) { return Object.assign({ "Authorization": "Bearer " + key(), "Content-Type": "application/json" }, extra || {}); }
  function uuid() { return (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2)); }

  function status(msg) {
    const n = outbox.length;
    const pend = visible().length;
    $("status").textContent = (msg ? msg + " · " : "") + `待确认 ${pend} 条` + (n ? ` · ${n} 条待同步` : "") + (navigator.onLine ? "" : " · 离线");
  }

  function fmt(field, v) {
    if (v == null) return "—";
    if (field === "contact") return v.name + (v.title ? `(${v.title})` : "");
    if (field === "key_obstacle") return `${v.category}:${v.detail || ""}`;
    if (field === "budget") return v.min === v.max ? yuan(v.min) : `${yuan(v.min)} – ${yuan(v.max)}`;
    if (Array.isArray(v)) return v.map((x) => fmt(field, x)).join("、");
    return String(v);
  }
  function yuan(n) { return n >= 10000 ? (n / 10000).toLocaleString("zh-CN") + " 万元" : n + " 元"; }

  function visible() { const done = new Set(outbox.map((o) => o.sid)); return items.filter((s) => !s._decided && !done.has(s.id)); }

  function highlight(text, spans) {
    const frag = document.createDocumentFragment();
    let at = 0;
    spans.sort((a, b) => a.start - b.start).forEach((e) => {
      if (e.start < at) return;
      frag.appendChild(document.createTextNode(text.slice(at, e.start)));
      const m = document.createElement("mark"); m.textContent = text.slice(e.start, e.end); frag.appendChild(m);
      at = e.end;
    });
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  function render() {
    const list = visible();
    $("login").hidden = !!key();
    if (!key()) { $("card").hidden = true; $("empty").hidden = true; status(); return; }
    if (!list.length) { $("card").hidden = true; $("empty").hidden = false; status(); return; }
    if (idx >= list.length) idx = list.length - 1;
    if (idx < 0) idx = 0;
    save(LS.idx, idx);
    const s = list[idx];
    $("card").hidden = false; $("empty").hidden = true;
    $("pos").textContent = `${idx + 1} / ${list.length}`;
    $("conv").textContent = s.customer_id || s.conversation_id;
    $("field").textContent = FIELD_NAMES[s.field] || s.field;
    const c = $("confidence"); c.textContent = `置信度 ${Math.round(s.confidence * 100)}%`; c.className = "conf" + (s.confidence < 0.6 ? " low" : "");
    $("value").textContent = fmt(s.field, s.value);
    const cur = $("current");
    if (s.current_value != null) { cur.hidden = false; cur.textContent = `记录当前值:${fmt(s.field, s.current_value)}(第 ${s.record_version} 版)`; }
    else cur.hidden = true;
    const box = $("messages"); box.textContent = "";
    (s.messages || []).forEach((m) => {
      const d = document.createElement("div"); d.className = "msg " + (m.speaker || "");
      const who = document.createElement("span"); who.className = "who";
      who.textContent = (m.name || (m.speaker === "customer" ? "客户" : m.speaker === "rep" ? "我" : "其他")) + (m.time ? " · " + m.time.slice(5, 16).replace("T", " ") : "");
      d.appendChild(who);
      d.appendChild(highlight(m.text || "", (s.evidence || []).filter((e) => e.message_id === m.id)));
      box.appendChild(d);
    });
    $("reason").textContent = s.reason;
    const acts = $("actions"); acts.textContent = "";
    (s.actions || []).forEach((a) => { const li = document.createElement("li"); li.textContent = a; acts.appendChild(li); });
    closeEditor();
    status();
  }

  // ---------------------------------------------------------------- editor
  function openEditor(s, initial) {
    const f = $("editor"); f.textContent = ""; f.hidden = false; editing = true;
    const v = initial !== undefined ? initial : s.value;
    const add = (el) => { f.appendChild(el); return el; };
    const input = (name, val, ph, type) => { const i = document.createElement("input"); i.name = name; i.value = val == null ? "" : val; i.placeholder = ph || ""; if (type) i.type = type; return add(i); };
    const select = (name, opts, val) => { const sel = document.createElement("select"); sel.name = name; opts.forEach((o) => { const op = document.createElement("option"); op.value = o; op.textContent = o; if (o === val) op.selected = true; sel.appendChild(op); }); return add(sel); };
    if (ENUMS[s.field]) select("v", ENUMS[s.field], v);
    else if (s.field === "contact") { input("name", v && v.name, "姓名"); input("title", v && v.title, "职位(可空)"); }
    else if (s.field === "key_obstacle") { select("category", OBSTACLES, v && v.category); input("detail", v && v.detail, "简述"); }
    else if (s.field === "budget") { input("min", v && v.min, "最低(元)", "number"); input("max", v && v.max, "最高(元)", "number"); }
    else input("v", v, s.field === "next_follow_up" ? "YYYY-MM-DD 或 YYYY-MM-DDTHH:MM" : "");
    const ok = document.createElement("button"); ok.type = "submit"; ok.className = "primary"; ok.textContent = "保存修改"; f.appendChild(ok);
    const first = f.querySelector("input,select"); if (first) first.focus();
    f.onsubmit = (ev) => { ev.preventDefault(); decide("edit", readEditor(s.field)); };
  }
  function readEditor(field) {
    const f = $("editor"); const g = (n) => (f.elements[n] ? f.elements[n].value.trim() : "");
    if (field === "contact") return { name: g("name"), title: g("title") || null };
    if (field === "key_obstacle") return { category: g("category"), detail: g("detail") };
    if (field === "budget") { const a = parseInt(g("min"), 10), b = parseInt(g("max") || g("min"), 10); return { min: a, max: b }; }
    return g("v");
  }
  function closeEditor() { $("editor").hidden = true; $("editor").textContent = ""; editing = false; }

  // ---------------------------------------------------------------- decisions and sync
  function decide(decision, value, recordVersion) {
    const s = visible()[idx];
    if (!s) return;
    const body = { decision: decision };
    if (decision === "edit") body.value = value;
    body.record_version = recordVersion != null ? recordVersion : s.record_version;
    outbox.push({ sid: s.id, body: body, idem: uuid(), item: s });
    save(LS.outbox, outbox);
    render();
    sync();
  }

  async function sync() {
    if (syncing || !outbox.length || !key()) return;
    syncing = true;
    try {
      while (outbox.length) {
        const o = outbox[0];
        let r;
        try {
          r = await fetch(`/v1/suggestions/${encodeURIComponent(o.sid)}/decision`, { method: "POST", headers: headers({ "Idempotency-Key": o.idem }), body: JSON.stringify(o.body) });
        } catch (e) { status("离线,稍后同步"); break; }
        if (r.status === 200 || (r.status === 409 && (await peek(r)).error.code === "already_decided") || r.status === 404) {
          outbox.shift(); markDecided(o.sid); save(LS.outbox, outbox); continue;
        }
        if (r.status === 409) { const b = await peek(r); outbox.shift(); save(LS.outbox, outbox); showMerge(o, b); break; }
        if (r.status === 401) { status("Key 无效"); break; }
        if (r.status >= 500 || r.status === 429) { status("服务器忙,稍后同步"); break; }
        const b = await peek(r); outbox.shift(); save(LS.outbox, outbox);
        items = items.map((x) => x.id === o.sid ? Object.assign({}, x, { _error: b.error.message }) : x);
        status("未保存:" + b.error.message);
      }
    } finally { syncing = false; render(); }
  }
  async function peek(r) { if (!r._body) { try { r._body = await r.json(); } catch (e) { r._body = { error: { code: "?", message: "HTTP " + r.status } }; } } return r._body; }
  function markDecided(sid) { items = items.map((x) => x.id === sid ? Object.assign({}, x, { _decided: true }) : x); items = items.filter((x) => !x._decided); save(LS.items, items); }

  function showMerge(o, b) {
    merging = { o: o, b: b };
    const f = o.item.field;
    $("merge-current").textContent = fmt(f, b.current && b.current.value);
    $("merge-who").textContent = b.current && b.current.set_by ? `由 ${b.current.set_by} 设置,第 ${b.current.version} 版` : "";
    $("merge-proposed").textContent = fmt(f, b.proposed && b.proposed.value);
    const d = $("merge"); if (d.showModal) d.showModal(); else d.setAttribute("open", "");
  }
  function closeMerge() { const d = $("merge"); if (d.close) d.close(); else d.removeAttribute("open"); }
  function mergeChoice(choice) {
    if (!merging) return;
    const { o, b } = merging; merging = null; closeMerge();
    const ver = b.current ? b.current.version : null;
    // the item goes back in front, with the record's current value and version
    items = items.map((x) => x.id === o.sid ? Object.assign({}, x, { current_value: b.current.value, record_version: ver }) : x);
    save(LS.items, items);
    idx = visible().findIndex((x) => x.id === o.sid);
    if (choice === "mine") decide(o.body.decision, o.body.value, ver);
    else if (choice === "keep") decide("reject", null, ver);
    else { render(); openEditor(visible()[idx], o.body.value); }
  }

  async function reload() {
    if (!key()) return render();
    try {
      const r = await fetch("/v1/suggestions?status=pending&limit=200", { headers: headers() });
      if (r.status === 401) { $("login-error").hidden = false; $("login-error").textContent = "Key 无效或已吊销"; localStorage.removeItem(LS.key); return render(); }
      if (!r.ok) { status("加载失败:" + (await peek(r)).error.message); return render(); }
      const data = await r.json();
      items = data.suggestions; save(LS.items, items);
      status("已更新");
    } catch (e) { status("离线:显示已加载的建议"); }
    render();
    sync();
  }

  // ---------------------------------------------------------------- wiring
  $("login-form").onsubmit = (ev) => { ev.preventDefault(); localStorage.setItem(LS.key, $("key-input").value.trim()); $("login-error").hidden = true; reload(); };
  $("btn-accept").onclick = () => decide("accept");
  $("btn-reject").onclick = () => decide("reject");
  $("btn-edit").onclick = () => { const s = visible()[idx]; if (s) openEditor(s); };
  $("btn-next").onclick = () => { idx++; render(); };
  $("btn-prev").onclick = () => { idx--; render(); };
  $("btn-reload").onclick = reload;
  $("btn-logout").onclick = () => { localStorage.removeItem(LS.key); items = []; save(LS.items, items); render(); };
  $("merge-mine").onclick = () => mergeChoice("mine");
  $("merge-keep").onclick = () => mergeChoice("keep");
  $("merge-edit").onclick = () => mergeChoice("edit");
  document.addEventListener("keydown", (ev) => {
    if (editing || merging || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target && /INPUT|SELECT|TEXTAREA/.test(ev.target.tagName)) return;
    const k = ev.key.toLowerCase();
    if (k === "a") decide("accept");
    else if (k === "r") decide("reject");
    else if (k === "e") { const s = visible()[idx]; if (s) { ev.preventDefault(); openEditor(s); } }
    else if (k === "j") { idx++; render(); }
    else if (k === "k") { idx--; render(); }
  });
  window.addEventListener("online", sync);
  setInterval(sync, 15000);
  window.chat2crm = { sync: sync, reload: reload, state: () => ({ items: items, outbox: outbox, idx: idx }) };
  render();
  reload();
})();
