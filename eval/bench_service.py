"""Load benchmark of the HTTP service on loopback (issue 5).

    .venv/bin/python eval/bench_service.py                       # 32 clients, 60 s, SQLite, fake extractor
    .venv/bin/python eval/bench_service.py --duration 20 --crash # kill -9 mid-load, restart, verify
    .venv/bin/python eval/bench_service.py --extractor real      # the default model (RSS figure)
    .venv/bin/python eval/bench_service.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Starts `chat2crm serve` on a free 127.0.0.1 port with its own store, creates one rep key
per client, and runs N client threads that each loop: POST /v1/extract (a new
conversation), GET its queue, POST a decision for every suggestion (Idempotency-Key;
accept, edit or reject). Bounded: each client stops at the deadline or after
--max-requests. Afterwards it checks through the API that every acknowledged decision
is stored as a label (and nothing else is), and that no event id repeats and no
suggestion has two events. Prints and writes (--out) a JSON report: throughput, p50/p99
per request kind, errors, the server's peak RSS (VmHWM).

--crash: at half time the server gets SIGKILL and is restarted on the same port and
store; clients retry what had no answer (the same Idempotency-Key), so after the run
every acknowledged decision must be there and no event duplicated under a new id.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only, by design

TEXTS = [
    "看了,价格比德玛吉贵了差不多15%,预算{n}十万,下周三让技术总监过来看样机再说",
    "方案我们看过了,还是有点贵,别家便宜一些,下周三再碰一下",
    "合同我这边没问题,预算{n}十万左右,技术总监还要看一下方案",
    "报价收到了,和竞品比价格偏高,预算大概{n}百万",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def make_conv(client: int, n: int) -> dict:
    text = random.choice(TEXTS).format(n=random.choice("二三四五六七八九"))
    phone = f"13{random.randint(0, 9)}{random.randint(10_000_000, 99_999_999)}"
    return {"conversation_id": f"bench-{client}-{n}-{uuid.uuid4().hex[:6]}", "channel": "wechat",
            "rep": {"id": f"rep-{client}", "name": f"销售{client}"}, "customer_id": f"cust-{client}-{n}",
            "messages": [
                {"id": "m1", "speaker": "rep", "time": "2026-03-10T09:12:00+08:00",
                 "text": f"王总好,宁波华锐精密的五轴机床方案您看了吗?我手机{phone}"},
                {"id": "m2", "speaker": "customer", "time": "2026-03-10T09:14:00+08:00", "text": text}]}


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen | None = None
        self.peak_rss_kb = 0
        self.cpu_s_done = 0.0  # CPU seconds of server processes that have exited
        self.cpu_s_now = 0.0
        self.cpu_base = 0.0

    def start(self) -> None:
        fh = open(self.log, "a")
        self.proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "serve", "--host", HOST, "--port",
                                      str(self.port), "--log-level", "warning"], cwd=ROOT, env=self.env,
                                     stdout=fh, stderr=fh)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(f"http://{HOST}:{self.port}/healthz", timeout=1).status_code == 200:
                    self.sample_rss()
                    self.cpu_base = self.cpu_s_now  # start-up (imports, migrations) is not load
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit("server did not come up in 60 s")

    def sample_rss(self) -> int:
        try:
            f = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            self.cpu_s_now = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, AttributeError, IndexError, ValueError):
            pass
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_kb = max(self.peak_rss_kb, int(line.split()[1]))
        except (OSError, AttributeError):
            pass
        return self.peak_rss_kb

    def kill9(self) -> None:
        self.sample_rss()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.cpu_s_done += self.cpu_s_now - self.cpu_base
        self.cpu_s_now = self.cpu_base = 0.0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.sample_rss()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.retries = 0
        self.conflicts = 0
        self.acked: dict[str, str] = {}  # suggestion id -> decision acknowledged with 200
        self.extracted = 0
        self.suggestions = 0

    def add(self, kind: str, dt: float) -> None:
        with self.lock:
            self.lat[kind].append(dt)


def client_loop(i: int, base: str, key: str, deadline: float, max_requests: int, stats: Stats,
                crash_window: threading.Event) -> None:
    rnd = random.Random(i)
    h = {"Authorization": f"Bearer {key}"}
    sent = 0

    def call(kind: str, method: str, url: str, **kw):
        """One request; retries only transport failures (server down in --crash), never 4xx/5xx."""
        nonlocal sent
        while True:
            sent += 1
            t0 = time.perf_counter()
            try:
                r = c.request(method, url, **kw)
            except httpx.TransportError as e:
                if time.time() > deadline + 60:
                    stats.errors.append(f"{kind}: {type(e).__name__} after deadline")
                    return None
                if not crash_window.is_set():
                    with stats.lock:
                        stats.errors.append(f"{kind}: {type(e).__name__}: {e}")
                    return None
                with stats.lock:
                    stats.retries += 1
                time.sleep(0.2)
                continue
            stats.add(kind, time.perf_counter() - t0)
            return r

    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        n = 0
        while time.time() < deadline and sent < max_requests:
            n += 1
            r = call("extract", "POST", "/v1/extract", json=make_conv(i, n))
            if r is None:
                continue
            if r.status_code != 200:
                stats.errors.append(f"extract {r.status_code} {r.text[:200]}")
                continue
            sugg = r.json()["suggestions"]
            with stats.lock:
                stats.extracted += 1
                stats.suggestions += len(sugg)
            r = call("queue", "GET", "/v1/suggestions", params={"limit": 20})
            if r is None or r.status_code != 200:
                stats.errors.append(f"queue {getattr(r, 'status_code', None)}")
            for s in sugg:
                if time.time() >= deadline or sent >= max_requests:
                    break
                roll = rnd.random()
                if s["field"] == "stage" and roll < 0.3:
                    body = {"decision": "edit", "value": "商务谈判"}
                elif roll < 0.8:
                    body = {"decision": "accept"}
                else:
                    body = {"decision": "reject"}
                idem = uuid.uuid4().hex
                r = call("decision", "POST", f"/v1/suggestions/{s['id']}/decision", json=body,
                         headers={**h, "Idempotency-Key": idem})
                if r is None:
                    continue
                if r.status_code == 200:
                    with stats.lock:
                        stats.acked[s["id"]] = body["decision"]
                elif r.status_code == 409:
                    with stats.lock:
                        stats.conflicts += 1
                else:
                    stats.errors.append(f"decision {r.status_code} {r.text[:200]}")


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def add_keys(env: dict, specs: list[tuple[str, str | None]]) -> list[str]:
    """What `chat2crm keys add` does, in-process (one store open instead of one per key)."""
    sys.path.insert(0, str(ROOT))
    from api.security import create_key
    from api.settings import Settings
    from labeling.store import open_store

    settings = Settings(database_url=env["CHAT2CRM_DATABASE_URL"], key_pepper=env["CHAT2CRM_KEY_PEPPER"])
    engine, Session = open_store(settings.database_url)
    out = []
    with Session() as s:
        for role, rep in specs:
            out.append(create_key(s, settings, role, rep)[1])
    engine.dispose()
    return out


def verify(base: str, svc_key: str, analyst_key: str, stats: Stats) -> dict:
    with httpx.Client(base_url=base, timeout=120) as c:
        labels, after = [], 0
        while True:
            page = c.get("/v1/labels", params={"after": after, "limit": 5000},
                         headers={"Authorization": f"Bearer {analyst_key}"}).json()
            labels += page["labels"]
            if not page["labels"]:
                break
            after = page["next_cursor"]
        events, cur = [], ""
        while True:
            page = c.get("/v1/events", params={"after": cur, "limit": 1000},
                         headers={"Authorization": f"Bearer {svc_key}"}).json()
            events += page["events"]
            if not page["events"]:
                break
            cur = page["next_cursor"]
    labeled = {l["suggestion_id"]: l["decision"] for l in labels}
    missing = [sid for sid in stats.acked if sid not in labeled]
    wrong = [sid for sid, d in stats.acked.items() if sid in labeled and labeled[sid] != d]
    unacked_stored = [sid for sid in labeled if sid not in stats.acked]
    ev_ids = [e["id"] for e in events]
    by_sugg = defaultdict(list)
    for e in events:
        if e["suggestion_id"]:
            by_sugg[e["suggestion_id"]].append(e["id"])
    writes = sum(1 for d in stats.acked.values() if d in ("accept", "edit"))
    return {"decisions_acknowledged": len(stats.acked), "decisions_stored": len(labels),
            "acknowledged_missing": len(missing), "stored_with_other_decision": len(wrong),
            "stored_not_acknowledged": len(unacked_stored),
            "events": len(events), "duplicate_event_ids": len(ev_ids) - len(set(ev_ids)),
            "suggestions_with_several_events": sum(1 for v in by_sugg.values() if len(v) > 1),
            "accepted_or_edited_acknowledged": writes,
            "accepted_without_event": sum(1 for sid, d in stats.acked.items()
                                          if d in ("accept", "edit") and sid not in by_sugg)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--max-requests", type=int, default=100_000, help="per client, a bound besides the deadline")
    ap.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    ap.add_argument("--extractor", default="fake", help="fake | real | module:function")
    ap.add_argument("--crash", action="store_true", help="kill -9 the server at half time and restart it")
    ap.add_argument("--out", help="write the JSON report here")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="chat2crm-bench-"))
    ex = {"fake": "api.fakes:extract_payload", "real": "extractor.pipeline:extract_payload"}.get(args.extractor,
                                                                                                 args.extractor)
    env = dict(os.environ, CHAT2CRM_DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
               CHAT2CRM_EXTRACTOR=ex, CHAT2CRM_KEY_PEPPER="bench-pepper", PYTHONPATH=str(ROOT))
    env.pop("CHAT2CRM_WEBHOOK_URL", None)
    *keys, svc, analyst = add_keys(env, [("rep", f"rep-{i}") for i in range(args.clients)]
                                   + [("service", None), ("analyst", None)])
    port = free_port()
    server = Server(env, port, tmp / "server.log")
    server.start()
    base = f"http://{HOST}:{port}"
    stats = Stats()
    crash_window = threading.Event()
    if not args.crash:
        crash_window.clear()
    t_start = time.time()
    deadline = t_start + args.duration
    threads = [threading.Thread(target=client_loop, args=(i, base, keys[i], deadline, args.max_requests, stats,
                                                          crash_window), daemon=True)
               for i in range(args.clients)]
    for t in threads:
        t.start()
    crashed_at = restart_s = None
    if args.crash:
        crash_window.set()  # from now on transport errors are expected (the kill) and retried
        time.sleep(args.duration / 2)
        crashed_at = round(time.time() - t_start, 2)
        server.kill9()
        t0 = time.time()
        server.start()
        restart_s = round(time.time() - t0, 2)
    while any(t.is_alive() for t in threads):
        server.sample_rss()
        time.sleep(0.5)
        if time.time() > deadline + 180:
            stats.errors.append("clients did not stop within 180 s of the deadline")
            break
    elapsed = time.time() - t_start
    server.sample_rss()
    cpu_load = server.cpu_s_done + server.cpu_s_now - server.cpu_base  # before the verification requests
    check = verify(base, svc, analyst, stats)
    with httpx.Client() as c:
        metrics = c.get(base + "/metrics").text
    server.stop()
    total = sum(len(v) for v in stats.lat.values())
    report = {
        "clients": args.clients, "duration_s": round(elapsed, 2), "store": env["CHAT2CRM_DATABASE_URL"].split(":")[0],
        "extractor": ex, "crash": args.crash, "crashed_at_s": crashed_at, "restart_s": restart_s,
        "requests": total, "throughput_rps": round(total / elapsed, 1),
        "conversations": stats.extracted, "suggestions": stats.suggestions,
        "latency_ms": {k: {"n": len(v), "p50": round(pct(v, 50) * 1000, 1), "p99": round(pct(v, 99) * 1000, 1),
                           "mean": round(statistics.fmean(v) * 1000, 1)} for k, v in sorted(stats.lat.items())},
        "errors": len(stats.errors), "error_samples": stats.errors[:5], "transport_retries": stats.retries,
        "conflicts_409": stats.conflicts, "server_peak_rss_mb": round(server.peak_rss_kb / 1024, 1),
        "server_cpu_s": round(cpu_load, 2),
        "server_cpu_ms_per_request": round(cpu_load * 1000 / max(total, 1), 2),
        "host_cpus": os.cpu_count(), "host_loadavg_1m_at_end": round(os.getloadavg()[0], 2),
        "server_5xx": sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                          if line.startswith("chat2crm_http_requests_total{") and 'status="5' in line),
        **check,
    }
    ok = (report["errors"] == 0 and check["acknowledged_missing"] == 0 and check["stored_with_other_decision"] == 0
          and check["duplicate_event_ids"] == 0 and check["suggestions_with_several_events"] == 0
          and check["accepted_without_event"] == 0
          and (args.crash or check["decisions_stored"] == check["decisions_acknowledged"]))
    report["ok"] = ok
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
