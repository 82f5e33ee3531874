"""Pytest fixtures shared by tests/test_api*.py, tests/test_store*.py and tests/e2e (import with *).

`backend` is parametrised over SQLite and PostgreSQL. PostgreSQL runs against
127.0.0.1:5432 (override with CHAT2CRM_TEST_PG_URL) in a database created for this test
session and dropped after it; each test gets its own schema. If PostgreSQL is not
reachable those cases are skipped with the reason.
"""
from __future__ import annotations

import os
import secrets
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("CHAT2CRM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

SAMPLE_CONV = {
    "conversation_id": "c-20260310-001", "channel": "wechat", "rep": {"id": "rep-007", "name": "张伟"},
    "customer_id": "cust-88",
    "messages": [
        {"id": "m1", "speaker": "rep", "name": "张伟", "time": "2026-03-10T09:12:00+08:00",
         "text": "王总好,宁波华锐精密的五轴机床方案您看了吗?有事打我手机13812345678"},
        {"id": "m2", "speaker": "customer", "name": "王磊", "time": "2026-03-10T09:14:00+08:00",
         "text": "看了,价格比德玛吉贵了差不多15%,预算两百万,下周三让技术总监过来看样机再说"},
    ],
}


def conv(cid: str | None = None, rep_id: str = "rep-007", customer_id: str | None = "cust-88", **kw) -> dict:
    import copy

    d = copy.deepcopy(SAMPLE_CONV)
    d["conversation_id"] = cid or f"c-{uuid.uuid4().hex[:10]}"
    d["rep"] = {"id": rep_id, "name": "张伟"}
    if customer_id is None:
        d.pop("customer_id")
    else:
        d["customer_id"] = customer_id
    d.update(kw)
    return d


class _PG:
    def __init__(self):
        self.error: str | None = None
        self.dbname: str | None = None

    def admin(self):
        import psycopg

        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)

    def ensure(self) -> str:
        if self.dbname or self.error:
            return self.dbname
        try:
            with self.admin() as c:
                name = f"chat2crm_test_{os.getpid()}_{secrets.token_hex(3)}"
                c.execute(f'CREATE DATABASE "{name}"')
            self.dbname = name
        except Exception as e:  # noqa: BLE001
            self.error = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(e).__name__}: {str(e).strip()[:120]})"
        return self.dbname

    def drop(self):
        if self.dbname:
            try:
                with self.admin() as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            except Exception:  # noqa: BLE001
                pass

    def url_for_schema(self, schema: str) -> str:
        import psycopg

        base = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.dbname
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        return base.replace("postgresql://", "postgresql+psycopg://") + f"?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_db():
    pg = _PG()
    yield pg
    pg.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def store_url(backend, pg_db, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'chat2crm.db'}"
    pg_db.ensure()
    if pg_db.error:
        pytest.skip(pg_db.error)
    return pg_db.url_for_schema("t_" + uuid.uuid4().hex[:12])


@pytest.fixture
def settings_factory(store_url):
    from api.settings import Settings

    def make(**kw):
        kw.setdefault("database_url", store_url)
        kw.setdefault("key_pepper", "test-pepper")
        return Settings(**kw)
    return make


class Harness:
    """An app with the fake extractor, a TestClient and helpers to make keys."""

    def __init__(self, settings, extractor=None):
        from fastapi.testclient import TestClient

        from api.app import create_app
        from api.fakes import extract_payload

        self.settings = settings
        self.app = create_app(settings, extractor=extractor or extract_payload)
        self.client = TestClient(self.app)
        self.keys: dict[str, str] = {}

    def key(self, role: str, rep_id: str | None = None, name: str | None = None) -> dict:
        from api.security import create_key

        tag = f"{role}:{rep_id}"
        if tag not in self.keys:
            with self.app.state.sessionmaker() as s:
                _, secret = create_key(s, self.settings, role, rep_id, name)
            self.keys[tag] = secret
        return {"Authorization": f"Bearer {self.keys[tag]}"}

    def session(self):
        return self.app.state.sessionmaker()

    def close(self):
        self.client.close()
        self.app.state.engine.dispose()
        self.app.state.read_engine.dispose()


@pytest.fixture
def harness(settings_factory):
    made = []

    def make(extractor=None, **kw):
        h = Harness(settings_factory(**kw), extractor)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


@pytest.fixture
def h(harness):
    return harness()
