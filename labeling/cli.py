"""`chat2crm label`: what to label next; import and export labels.

    chat2crm label next [--n 20] [--jsonl] [--exclude GOLD.jsonl] [--write PICKED.jsonl] FILE.jsonl
    chat2crm label import --format labelstudio|doccano|jsonl FILE [--out-dir DIR] [--conversations C.jsonl]
                          [--offsets utf16|codepoint]
    chat2crm label export --format labelstudio|doccano|jsonl --out FILE [GOLD.jsonl ...]
                          [--labels LABELS.jsonl] [--db] [--conversations C.jsonl] [--predict]
                          [--offsets utf16|codepoint] [--kind spans|classification]

Files in, files out: no database needed. `export --db` also reads the decisions stored by
the service (`CHAT2CRM_DATABASE_URL`, else the default store).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from extractor.types import InputError

DEFAULT_IMPORT_DIR = Path(__file__).parent / "corpus" / "imported"
FORMATS = ("labelstudio", "doccano", "jsonl")


def _corpus_conversations() -> dict[str, dict]:
    from labeling.corpus import SPLITS, load
    out: dict[str, dict] = {}
    for s in SPLITS:
        for c in load(s):
            out[c["conversation_id"]] = c
    return out


def _conversations(paths: list[str] | None, need: set[str]) -> dict[str, dict]:
    """Conversations for the ids in `need`: from --conversations files, then the corpus splits."""
    from labeling.io import load_conversations
    convs = load_conversations(paths or [])
    if need - set(convs):
        for cid, c in _corpus_conversations().items():
            convs.setdefault(cid, c)
    return convs


# ------------------------------------------------------------------ next

def cmd_next(a) -> int:
    from labeling.active import rank_conversations, table
    from labeling.io import read_jsonl, strip_gold
    from extractor.types import Conversation
    rows = []
    for i, d in read_jsonl(a.file):
        try:
            Conversation.from_dict(strip_gold(d) if isinstance(d, dict) else d)
        except InputError as e:
            raise InputError(f"{a.file}: {e.detail}", line=i, field=e.field) from None
        rows.append(d)
    exclude: set[str] = set()
    for p in a.exclude or []:
        exclude |= {d.get("conversation_id") for _, d in read_jsonl(p) if isinstance(d, dict)}
    picks = rank_conversations(rows, exclude=exclude, progress=sys.stderr.isatty())[: a.n]
    if a.write:
        from labeling.io import write_jsonl
        by_id = {d["conversation_id"].strip(): d for d in rows}
        write_jsonl(a.write, (by_id[p.conversation_id] for p in picks))
    if a.jsonl:
        for i, p in enumerate(picks, 1):
            print(json.dumps(p.to_dict(i), ensure_ascii=False))
    else:
        print(table(picks))
    return 0


# ------------------------------------------------------------------ import

def read_any(fmt: str, path: str, *, offsets: str, conversations: list[str] | None) -> tuple[list[dict], dict[str, dict]]:
    """(label records, conversations by id) from a file in `fmt`, fully validated."""
    from labeling import io
    if fmt == "labelstudio":
        recs, convs = io.read_labelstudio(path, offsets=offsets)
        return recs, {c["conversation_id"]: c for c in convs}
    if fmt == "doccano":
        recs, convs = io.read_doccano(path, offsets=offsets)
        return recs, {c["conversation_id"]: c for c in convs}
    recs = io.read_labels_jsonl(path)
    need = {r["conversation_id"] for r in recs}
    convs = _conversations(conversations, need)
    missing = sorted(need - set(convs))
    if missing:
        line = next(i for i, r in enumerate(recs, 1) if r["conversation_id"] == missing[0])
        raise InputError(f"{path}: no conversation text for {missing[0]!r} "
                         f"({len(missing)} missing; pass --conversations FILE)", line=line, field="conversation_id")
    io.check_evidence(recs, convs)
    return recs, convs


def cmd_import(a) -> int:
    from labeling import io
    recs, convs = read_any(a.format, a.file, offsets=a.offsets, conversations=a.conversations)
    gold = io.aggregate(recs, convs, source=f"{a.format}:{Path(a.file).name}")
    out_dir = Path(a.out_dir)
    stem = a.name or Path(a.file).stem
    gold_path = out_dir / f"{stem}.gold.jsonl"
    labels_path = out_dir / f"{stem}.labels.jsonl"
    # both files are validated in memory first; each is written atomically
    io.write_labels_jsonl(labels_path, recs)
    io.write_jsonl(gold_path, gold)
    counts = {d: sum(r["decision"] == d for r in recs) for d in io.DECISIONS}
    print(json.dumps({"labels": len(recs), **counts, "conversations": len(gold), "gold": str(gold_path),
                      "label_records": str(labels_path)}, ensure_ascii=False))
    return 0


# ------------------------------------------------------------------ export

def _store_records(url: str | None) -> tuple[list[dict], dict[str, dict]]:
    """Label records and conversation payloads from the label store, or InputError if it is unavailable."""
    try:
        from labeling.store import iter_labels, open_store
        from labeling.store.models import ConversationRow
        from sqlalchemy import select
    except ImportError as e:
        raise InputError(f"label store not available ({e}); export from files instead", field="--db") from None
    from labeling.io import normalize_record
    try:
        engine, Session = open_store(url)
        with Session() as s:
            labs = list(iter_labels(s))
            ids = {lab["conversation_id"] for lab in labs}
            convs = {}
            if ids:
                for row in s.scalars(select(ConversationRow).where(ConversationRow.conversation_id.in_(ids))):
                    convs[row.conversation_id] = dict(row.payload)
        engine.dispose()
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - an unreachable or unmigrated store is a usage problem here
        raise InputError(f"cannot read the label store: {type(e).__name__}: {e}", field="--db") from None
    recs = []
    for i, lab in enumerate(labs, 1):
        try:
            recs.append(normalize_record(lab, f"stored label {lab.get('label_id', i)}"))
        except InputError as e:
            print(f"chat2crm label: skipped {e}", file=sys.stderr)
    return recs, convs


def cmd_export(a) -> int:
    from labeling import io
    records: list[dict] | None = None
    convs: dict[str, dict] = {}
    if a.labels or a.db:
        records = []
        for p in a.labels or []:
            records += io.read_labels_jsonl(p)
        if a.db:
            r2, c2 = _store_records(os.environ.get("CHAT2CRM_DATABASE_URL"))
            records += r2
            convs.update(c2)
        convs.update(_conversations(a.conversations, {r["conversation_id"] for r in records} - set(convs)))
        if a.gold:
            convs.update(io.load_conversations(a.gold))
        missing = sorted({r["conversation_id"] for r in records} - set(convs))
        if missing and a.format != "jsonl":
            raise InputError(f"no conversation text for {missing[0]!r} ({len(missing)} missing; "
                             f"pass --conversations FILE)", field="conversation_id")
        io.check_evidence(records, convs)
        order = list(dict.fromkeys(r["conversation_id"] for r in records))
        conv_list = [convs[c] for c in order if c in convs]
    else:
        if not a.gold:
            raise InputError("nothing to export: give GOLD.jsonl file(s), --labels FILE or --db", field="GOLD")
        conv_list = list(io.load_conversations(a.gold).values())
        for c in conv_list:
            if a.predict and a.format == "labelstudio" and "gold" not in c:
                continue  # unlabelled conversations: tasks with predictions only
            if not isinstance(c.get("gold"), dict):
                raise InputError(f"conversation {c['conversation_id']!r} has no gold object", field="gold")
    preds = None
    if a.predict:
        preds = _predict(conv_list)
    if a.format == "jsonl":
        if records is None:
            records = [r for c in conv_list for r in io.gold_to_records(c)]
        io.write_labels_jsonl(a.out, records)
        n = len(records)
    elif a.format == "labelstudio":
        tasks = io.to_labelstudio(conv_list, records, offsets=a.offsets, predictions=preds)
        io.atomic_write_text(a.out, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
        n = len(tasks)
    else:
        rows = io.to_doccano(conv_list, records, kind=a.kind, offsets=a.offsets)
        io.write_jsonl(a.out, rows)
        n = len(rows)
    unit = "records" if a.format == "jsonl" else "tasks" if a.format == "labelstudio" else "rows"
    print(json.dumps({"format": a.format, unit: n, "out": a.out,
                      **({"offsets": a.offsets} if a.format != "jsonl" else {})}, ensure_ascii=False))
    return 0


def _predict(convs: list[dict]) -> dict[str, dict]:
    from extractor.pipeline import extract
    from extractor.types import Conversation
    from labeling.io import strip_gold
    from tqdm import tqdm
    out = {}
    for c in tqdm(convs, desc="predicting", unit="conv", leave=False, disable=not sys.stderr.isatty()):
        out[c["conversation_id"]] = extract(Conversation.from_dict(strip_gold(c))).to_dict()
    return out


# ------------------------------------------------------------------ main

def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="chat2crm label", description="what to label next; import/export labels")
    sub = ap.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("next", help="conversations to label first (uncertainty + disagreement)")
    n.add_argument("file", help="JSONL of canonical (or gold) conversations")
    n.add_argument("--n", type=int, default=20)
    n.add_argument("--jsonl", action="store_true", help="one JSON object per pick instead of a table")
    n.add_argument("--exclude", action="append", help="JSONL whose conversation ids are already labelled")
    n.add_argument("--write", help="also write the picked conversations, in rank order, to this JSONL")
    i = sub.add_parser("import", help="validate labels and write them as gold JSONL")
    i.add_argument("file")
    i.add_argument("--format", required=True, choices=FORMATS)
    i.add_argument("--out-dir", default=str(DEFAULT_IMPORT_DIR))
    i.add_argument("--name", help="output file stem (default: the input's)")
    i.add_argument("--conversations", action="append", help="conversation JSONL for --format jsonl labels")
    i.add_argument("--offsets", choices=("utf16", "codepoint"), default="utf16",
                   help="offset unit of the Label Studio/doccano file (default utf16, as their web UIs count)")
    e = sub.add_parser("export", help="write the gold corpus or stored labels for a labelling tool")
    e.add_argument("gold", nargs="*", help="gold JSONL file(s)")
    e.add_argument("--format", required=True, choices=FORMATS)
    e.add_argument("--out", required=True)
    e.add_argument("--labels", action="append", help="label-record JSONL (decisions) to export instead of gold")
    e.add_argument("--db", action="store_true", help="also export the decisions in the label store")
    e.add_argument("--conversations", action="append", help="conversation JSONL giving the labels' text")
    e.add_argument("--predict", action="store_true", help="Label Studio: add the current model's suggestions as predictions")
    e.add_argument("--offsets", choices=("utf16", "codepoint"), default="utf16")
    e.add_argument("--kind", choices=("spans", "classification"), default="spans", help="doccano project type")
    a = ap.parse_args(argv)
    if a.cmd == "next":
        if a.n < 1:
            raise InputError("--n must be at least 1", field="--n")
        return cmd_next(a)
    if a.cmd == "import":
        return cmd_import(a)
    return cmd_export(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
