"""`chat2crm keys` and `chat2crm serve` share one store through CHAT2CRM_DATABASE_URL."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def run(args, env):
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_keys_add_list_revoke_and_serve(tmp_path):
    env = dict(os.environ, CHAT2CRM_DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}", CHAT2CRM_KEY_PEPPER="pep",
               CHAT2CRM_EXTRACTOR="api.fakes:extract_payload")
    r = run(["keys", "add", "--role", "rep", "--rep-id", "rep-007", "--name", "张伟"], env)
    assert r.returncode == 0, r.stderr
    secret = r.stdout.strip()
    assert secret.startswith("c2c_") and "shown once" in r.stderr
    r = run(["keys", "add", "--role", "rep"], env)
    assert r.returncode == 2 and "--rep-id" in r.stderr and "Traceback" not in r.stderr
    r = run(["keys", "add", "--role", "king"], env)
    assert r.returncode == 2
    r = run(["keys", "list", "--json"], env)
    keys = json.loads(r.stdout)
    assert len(keys) == 1 and keys[0]["role"] == "rep" and secret not in r.stdout
    r = run(["keys", "list"], env)
    assert "rep-007" in r.stdout and secret not in r.stdout

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "serve", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        r = httpx.get(base + "/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 200 and r.json()["rep_id"] == "rep-007"
        assert run(["keys", "revoke", keys[0]["id"]], env).returncode == 0
        assert run(["keys", "revoke", "key_nope"], env).returncode == 2
        time.sleep(5.2)  # the server caches key lookups for 5 s
        r = httpx.get(base + "/v1/me", headers={"X-API-Key": secret})
        assert r.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_default_store_and_pepper_under_the_data_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT2CRM_")}
    env["XDG_DATA_HOME"] = str(tmp_path)
    r = run(["keys", "add", "--role", "analyst"], env)
    assert r.returncode == 0, r.stderr
    d = tmp_path / "chat2crm"
    assert (d / "chat2crm.db").exists()
    assert oct((d / "key_pepper").stat().st_mode & 0o777) == "0o600"
    assert r.stdout.strip() not in (d / "chat2crm.db").read_bytes().decode("latin-1")
