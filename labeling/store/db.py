"""Engine, sessions and migrations of the chat2crm store.

`CHAT2CRM_DATABASE_URL` (an SQLAlchemy URL) picks the database; the default is an
SQLite file at ~/.local/share/chat2crm/chat2crm.db (WAL mode, busy timeout, and
`BEGIN IMMEDIATE` so concurrent writers queue instead of failing on lock upgrade).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    d = Path(base) / "chat2crm"
    d.mkdir(parents=True, exist_ok=True)
    return d


def default_url() -> str:
    return f"sqlite:///{data_dir() / 'chat2crm.db'}"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("CHAT2CRM_DATABASE_URL") or default_url()


_WRITE_LOCKS: dict[str, threading.Lock] = {}


def make_engine(url: str | None = None, *, sqlite_synchronous: str = "FULL", busy_timeout_ms: int = 30000,
                readonly: bool = False) -> Engine:
    """An engine for the store. SQLite: `readonly=True` gives plain (deferred) transactions that
    never block under WAL; otherwise every transaction is `BEGIN IMMEDIATE`, and writers of one
    process queue on a lock first (fair and fast, instead of SQLite's sleeping busy handler)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
                               pool_size=20, max_overflow=40, pool_timeout=60)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _rec):  # pragma: no cover - trivial
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        if readonly:
            @event.listens_for(engine, "begin")
            def _on_begin_ro(conn):  # pragma: no cover - trivial
                conn.exec_driver_sql("BEGIN")
        else:
            lock = _WRITE_LOCKS.setdefault(str(Path(path).expanduser().resolve()) if path else url, threading.Lock())

            def _release(rec_info):
                if rec_info.pop("c2c_write_lock", False):
                    lock.release()

            @event.listens_for(engine, "begin")
            def _on_begin(conn):  # pragma: no cover - trivial
                info = conn.connection._connection_record.info if conn.connection._connection_record else {}
                if not info.get("c2c_write_lock"):
                    lock.acquire()
                    info["c2c_write_lock"] = True
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                except BaseException:
                    _release(info)
                    raise

            @event.listens_for(engine, "commit")
            def _on_commit(conn):  # pragma: no cover - trivial
                # the lock is released just before COMMIT; a writer that starts in between waits
                # a millisecond in SQLite's busy handler
                rec = conn.connection._connection_record
                if rec is not None:
                    _release(rec.info)

            @event.listens_for(engine, "rollback")
            def _on_rollback(conn):  # pragma: no cover - trivial
                rec = conn.connection._connection_record
                if rec is not None:
                    _release(rec.info)

            @event.listens_for(engine.pool, "reset")
            def _on_reset(dbapi_conn, rec, reset_state):  # pragma: no cover - trivial
                _release(rec.info)

            @event.listens_for(engine.pool, "invalidate")
            def _on_invalidate(dbapi_conn, rec, *a):  # pragma: no cover - trivial
                _release(rec.info)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        engine = create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True, pool_timeout=60)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """`alembic upgrade head`, programmatically, on the given engine."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # concurrent starters (several workers, tests) migrate one at a time
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def open_store(url: str | None = None, **kw) -> tuple[Engine, sessionmaker[Session]]:
    engine = make_engine(url, **kw)
    upgrade(engine)
    return engine, make_sessionmaker(engine)
