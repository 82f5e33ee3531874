"""The store: migrations on SQLite and PostgreSQL, SQLite settings, label semantics and export."""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from api.testing import *  # noqa: F401,F403 - fixtures


def test_migrations_reach_head_and_rerun(store_url):
    from alembic.script import ScriptDirectory
    from alembic.config import Config
    from sqlalchemy import inspect, text

    from labeling.store import open_store, upgrade
    from labeling.store.db import MIGRATIONS

    engine, _ = open_store(store_url)
    upgrade(engine)  # a second start migrates nothing and does not fail
    names = set(inspect(engine).get_table_names())
    assert {"api_keys", "conversations", "suggestions", "record_fields", "labels", "events", "outbox",
            "idempotency"} <= names
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    engine.dispose()


def test_sqlite_is_wal_with_busy_timeout(tmp_path):
    from sqlalchemy import text

    from labeling.store import open_store

    engine, _ = open_store(f"sqlite:///{tmp_path / 'x' / 'deep' / 's.db'}")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    engine.dispose()


def test_default_database_is_under_the_user_data_dir(tmp_path, monkeypatch):
    from labeling.store.db import database_url

    monkeypatch.delenv("CHAT2CRM_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = database_url()
    assert url == f"sqlite:///{tmp_path / 'xdg' / 'chat2crm' / 'chat2crm.db'}"
    assert (tmp_path / "xdg" / "chat2crm").is_dir()
    monkeypatch.setenv("CHAT2CRM_DATABASE_URL", "postgresql://x/y")
    assert database_url() == "postgresql://x/y"


def _label(i, decision, shown, final, field="stage"):
    from labeling.store.models import Label

    return Label(suggestion_id=f"sg-{i}", conversation_id="c1", record_key="cust", field=field,
                 shown={"value": shown, "reason": "因为", "confidence": 0.7}, shown_value=shown, confidence=0.7,
                 model_version="m1", decision=decision, final_value=final, decided_by="rep-1",
                 decided_by_key="key_1", decided_by_role="rep")


def test_label_semantics_and_export(store_url):
    from labeling.store import export_labels_jsonl, iter_labels, open_store

    engine, Session = open_store(store_url)
    with Session() as s:
        s.add_all([_label(1, "accept", "方案确认", "方案确认"), _label(2, "reject", "回款", None),
                   _label(3, "edit", "商务谈判", "合同签署"), _label(4, "accept", "异议", "异议", field="tag")])
        s.commit()
        labs = list(iter_labels(s, batch=2))
        assert [l["suggestion_id"] for l in labs] == ["sg-1", "sg-2", "sg-3", "sg-4"]
        acc, rej, ed, _ = labs
        assert (acc["answer"], acc["positive"], acc["negative"]) == ("accept", "方案确认", None)
        # reject: "not this value" only; nothing about the right value
        assert (rej["answer"], rej["positive"], rej["negative"]) == ("reject", None, "回款")
        assert (ed["answer"], ed["positive"], ed["negative"]) == ("reject", "合同签署", "商务谈判")
        assert acc["who"] == "rep-1" and acc["when"] and acc["shown"]["reason"] == "因为"
        assert [l["field"] for l in iter_labels(s, field="tag")] == ["tag"]
        buf = io.StringIO()
        assert export_labels_jsonl(s, buf) == 4
        rows = [json.loads(x) for x in buf.getvalue().splitlines()]
        assert rows[2]["final_value"] == "合同签署"
    engine.dispose()


def test_export_to_path(tmp_path):
    from labeling.store import export_labels_jsonl, open_store

    engine, Session = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with Session() as s:
        s.add(_label(1, "accept", "回款", "回款"))
        s.commit()
        n = export_labels_jsonl(s, tmp_path / "labels.jsonl")
    assert n == 1 and json.loads((tmp_path / "labels.jsonl").read_text(encoding="utf-8"))["shown_value"] == "回款"
    engine.dispose()


# ---------------------------------------------------------------- personal data masking

@pytest.mark.parametrize("text,masked", [
    ("手机13812345678", "手机138****5678"),
    ("+86 138-1234-5678", "+86 138-****-5678"),
    ("邮箱wanglei@hr-jm.com谢谢", "邮箱w******@hr-jm.com谢谢"),
    ("身份证33020319800101123X", "身份证330203************"),
    ("卡号6222021234567890", "卡号6222********7890"),
    ("卡号6222 0212 3456 7890", "卡号6222 **** **** 7890"),
    ("价格比德玛吉贵了15%,两百万,订单20260310001", "价格比德玛吉贵了15%,两百万,订单20260310001"),
    ("下周三下午3点,八台机床", "下周三下午3点,八台机床"),
])
def test_mask_examples(text, masked):
    from api.pii import mask_text

    assert mask_text(text) == masked


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 -+@.abcXx价格万元手机号")), max_size=60))
def test_mask_keeps_length(text):
    from api.pii import mask_text

    out = mask_text(text)
    assert len(out) == len(text)
    assert mask_text(out) == out or len(mask_text(out)) == len(out)


def test_log_records_are_masked(caplog):
    import logging

    from api.pii import install_log_masking

    install_log_masking(("chat2crm.test",))
    with caplog.at_level(logging.INFO, logger="chat2crm.test"):
        logging.getLogger("chat2crm.test").info("客户电话 %s", "13812345678")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text
