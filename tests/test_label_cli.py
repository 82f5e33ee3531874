"""`chat2crm label next|import|export` through the console-script dispatcher."""
from __future__ import annotations

import json
import os

import pytest

from extractor.cli import main as chat2crm
from labeling import io
from test_labeling_io import CONV, RECORDS  # tests/ is on sys.path (rootdir-less test modules)


@pytest.fixture(scope="module")
def gold_convs():
    from labeling.corpus import load
    convs = [c for c in load("dev") if c.get("gold")][:8]
    if len(convs) < 3:
        pytest.skip("no corpus dev split")
    return convs


@pytest.fixture
def gold_file(tmp_path, gold_convs):
    return io.write_jsonl(tmp_path / "gold.jsonl", gold_convs)


def run(capsys, *argv):
    rc = chat2crm(["label", *map(str, argv)])
    out, err = capsys.readouterr()
    return rc, out, err


def test_next_table_and_jsonl(capsys, gold_file, gold_convs):
    rc, out, err = run(capsys, "next", "--n", 3, gold_file)
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split()[:3] == ["#", "conversation", "priority"] and len(lines) == 4
    rc, out, _ = run(capsys, "next", "--n", 50, "--jsonl", gold_file)
    picks = [json.loads(x) for x in out.splitlines()]
    assert len(picks) == len(gold_convs)
    assert [p["rank"] for p in picks] == list(range(1, len(picks) + 1))
    pr = [p["priority"] for p in picks]
    assert pr == sorted(pr, reverse=True)
    top = picks[0]
    assert top["reasons"] and {"kind", "field", "text", "strength"} <= set(top["reasons"][0])
    assert all(r["kind"] in ("uncertain", "margin", "near_threshold", "disagreement") for p in picks for r in p["reasons"])


def test_next_exclude(capsys, gold_file, gold_convs, tmp_path):
    ex = io.write_jsonl(tmp_path / "done.jsonl", gold_convs[:2])
    rc, out, _ = run(capsys, "next", "--jsonl", "--exclude", ex, gold_file)
    ids = {json.loads(x)["conversation_id"] for x in out.splitlines()}
    assert rc == 0 and not ids & {c["conversation_id"] for c in gold_convs[:2]}


def test_active_reasons_on_a_built_case():
    """Priority rewards a field near 0.5 over a confident one, counted once per item."""
    from labeling.active import Reason, priority
    r = [Reason("uncertain", "stage", "x", 0.9, ""), Reason("near_threshold", "stage", "x", 0.8, ""),
         Reason("uncertain", "tag", "y", 0.4, "")]
    assert priority(r) == pytest.approx(0.9 + 0.5 * 0.4)


@pytest.mark.parametrize("fmt", ["labelstudio", "doccano", "jsonl"])
def test_export_import_gold_round_trip(capsys, tmp_path, gold_file, gold_convs, fmt):
    out = tmp_path / f"export.{fmt}"
    rc, o, err = run(capsys, "export", "--format", fmt, "--out", out, gold_file)
    assert rc == 0, err
    assert json.loads(o)["out"] == str(out)
    extra = ["--conversations", gold_file] if fmt == "jsonl" else []
    rc, o, err = run(capsys, "import", "--format", fmt, out, "--out-dir", tmp_path / "imp", *extra)
    assert rc == 0, err
    summary = json.loads(o)
    got = {g["conversation_id"]: g for _, g in io.read_jsonl(summary["gold"])}
    for c in gold_convs:
        if c["gold"]:
            g = got[c["conversation_id"]]
            assert g["gold"] == c["gold"] and g["messages"] == c["messages"] and g["partial"] is True
    labels = io.read_labels_jsonl(summary["label_records"])
    assert len(labels) == summary["labels"]


def test_import_label_records_with_emoji(capsys, tmp_path):
    conv_file = io.write_jsonl(tmp_path / "c.jsonl", [CONV])
    lab = io.write_labels_jsonl(tmp_path / "l.jsonl", RECORDS)
    rc, o, err = run(capsys, "import", "--format", "jsonl", lab, "--conversations", conv_file,
                     "--out-dir", tmp_path / "imp")
    assert rc == 0, err
    s = json.loads(o)
    assert (s["accept"], s["reject"], s["edit"]) == (6, 2, 2)
    # labels → Label Studio → import again: identical spans
    rc, o, err = run(capsys, "export", "--format", "labelstudio", "--labels", lab, "--conversations", conv_file,
                     "--out", tmp_path / "ls.json")
    assert rc == 0, err
    rc, o, err = run(capsys, "import", "--format", "labelstudio", tmp_path / "ls.json", "--out-dir", tmp_path / "imp2")
    assert rc == 0, err
    back = io.read_labels_jsonl(json.loads(o)["label_records"])
    assert io.spans_of(back) == io.spans_of(RECORDS)


def test_label_records_need_their_conversation(capsys, tmp_path):
    lab = io.write_labels_jsonl(tmp_path / "l.jsonl", RECORDS)
    rc, _, err = run(capsys, "import", "--format", "jsonl", lab, "--out-dir", tmp_path / "imp")
    assert rc == 2 and "no conversation text for 'e-1'" in err and "line 1" in err
    assert not (tmp_path / "imp").exists()


def test_bad_input_exits_2_with_one_line_and_writes_nothing(capsys, tmp_path, gold_file):
    out = tmp_path / "ls.json"
    rc, _, _ = run(capsys, "export", "--format", "labelstudio", "--out", out, gold_file)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    tasks[1]["annotations"][0]["result"].append({"id": "zz", "type": "labels", "from_name": "label",
                                                 "to_name": "text", "value": {"start": 5, "end": 1, "labels": ["tag:异议"]}})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    imp = tmp_path / "imp"
    rc, o, err = run(capsys, "import", "--format", "labelstudio", bad, "--out-dir", imp)
    assert rc == 2 and o == ""
    assert len(err.strip().splitlines()) == 1 and "task 1" in err and "Traceback" not in err
    assert not imp.exists()
    # an existing output stays as it was when a later export fails
    before = out.read_bytes()
    rc, _, err = run(capsys, "export", "--format", "labelstudio", "--out", out, gold_file, tmp_path / "missing.jsonl")
    assert rc == 2 and out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_usage_errors(capsys, tmp_path):
    assert run(capsys, "export", "--format", "jsonl", "--out", tmp_path / "x")[0] == 2
    assert run(capsys, "import", "--format", "csv", "x")[0] == 2
    assert run(capsys, "next", "--n", 0, tmp_path / "x")[0] == 2
    assert run(capsys)[0] == 2


def test_export_stored_decisions(capsys, tmp_path, monkeypatch):
    try:
        from labeling.store import open_store
        from labeling.store.models import ConversationRow, Label
    except ImportError:
        pytest.skip("label store not importable")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    try:
        engine, Session = open_store(url)
    except Exception as e:  # the store is being built beside us
        pytest.skip(f"label store not ready: {e}")
    with Session() as s, s.begin():
        s.add(ConversationRow(conversation_id="e-1", content_hash="x", payload=CONV, model_version="v1"))
        for i, r in enumerate(RECORDS):
            sg = r["suggestion"]
            s.add(Label(suggestion_id=f"sg-{i}", conversation_id="e-1", record_key="cust-1", field=sg["field"],
                        shown=sg, shown_value=sg["value"], confidence=sg["confidence"], model_version="v1",
                        decision=r["decision"], final_value=r["final_value"], decided_by="rep-1"))
    engine.dispose()
    monkeypatch.setenv("CHAT2CRM_DATABASE_URL", url)
    rc, o, err = run(capsys, "export", "--db", "--format", "jsonl", "--out", tmp_path / "l.jsonl")
    assert rc == 0, err
    back = io.read_labels_jsonl(tmp_path / "l.jsonl")
    assert io.spans_of(back) == io.spans_of(RECORDS)
    assert [r["decision"] for r in back] == [r["decision"] for r in RECORDS]
    rc, o, err = run(capsys, "export", "--db", "--format", "labelstudio", "--out", tmp_path / "ls.json")
    assert rc == 0, err
    back, _ = io.read_labelstudio(tmp_path / "ls.json")
    assert io.spans_of(back) == io.spans_of(RECORDS)


def test_export_db_unreachable_is_a_usage_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAT2CRM_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    rc, _, err = run(capsys, "export", "--db", "--format", "jsonl", "--out", tmp_path / "l.jsonl")
    assert rc == 2 and "label store" in err
    assert not os.path.exists(tmp_path / "l.jsonl")


def test_next_write_then_preannotate_unlabelled(capsys, tmp_path, gold_convs):
    plain = io.write_jsonl(tmp_path / "plain.jsonl", [io.strip_gold(c) for c in gold_convs])
    rc, out, err = run(capsys, "next", "--n", 3, "--jsonl", "--write", tmp_path / "picked.jsonl", plain)
    assert rc == 0, err
    picked = [d for _, d in io.read_jsonl(tmp_path / "picked.jsonl")]
    assert [d["conversation_id"] for d in picked] == [json.loads(x)["conversation_id"] for x in out.splitlines()]
    rc, out, err = run(capsys, "export", "--format", "labelstudio", "--predict", "--out", tmp_path / "t.json",
                       tmp_path / "picked.jsonl")
    assert rc == 0, err
    tasks = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert len(tasks) == 3 and all(t["annotations"] == [] and t["predictions"] for t in tasks)
    records, convs = io.from_labelstudio(tasks)
    assert records == [] and len(convs) == 3  # no annotation: unknown, no labels
