"""Adjudicated gold corrections from the second annotator's pass (labeling/agreement/README.md).

    python -m labeling.corrections      # apply to labeling/corpus/raw/*.jsonl (idempotent)

Each correction names the conversation, the field, the corrected value and its evidence
message ids; applying them twice changes nothing. Kept as data so the corpus history
says why a label changed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

RAW = Path(__file__).parent / "corpus" / "raw"

# (conversation_id, field, op, value, evidence ids); op: set | add | remove | drop
CORRECTIONS = [
    ("cb-0120", "stage", "set", "商务谈判", ["m2", "m4"]),
    ("cb-0120", "tag", "add", "价格讨论", ["m4"]),
    ("cc-0006", "stage", "set", "商务谈判", ["m1", "m3", "m4"]),
    ("cc-0006", "next_follow_up", "set", "2026-04-09T09:00", None),
    ("cc-0009", "stage", "set", "需求确认", None),
    ("ca-0036", "industry", "set", "其他", ["m2"]),
    ("ca-0061", "industry", "set", "新能源", ["m1", "m3"]),
    ("ca-0033", "key_obstacle", "set", {"category": "价格", "detail": "要求每台再让一万才定"}, ["m6"]),
    ("ca-0033", "tag", "add", "异议", ["m6"]),
    ("cb-0064", "customer_name", "set", "航发研究院", ["m2"]),
    ("ca-0124", "tag", "remove", "客户明确需求", None),
    ("cb-0026", "decision_role", "remove", "老板", None),
    ("cb-0078", "decision_role", "set", ["技术"], ["m4"]),
    ("cc-0001", "decision_role", "set", ["技术"], ["m1", "m6"]),
    ("cc-0054", "next_follow_up", "set", "2026-06-12T09:00", None),
    ("cc-0019", "next_follow_up", "set", "2026-07-22T09:00", None),
    ("cc-0010", "next_follow_up", "set", "2026-08-31T09:00", None),
    ("cc-0020", "next_follow_up", "set", "2026-02-24T09:00", None),
]


def apply(conv: dict, corr) -> bool:
    cid, fld, op, value, ev = corr
    gold, gev = conv["gold"], conv.setdefault("gold_evidence", {})
    before = json.dumps([gold, gev], ensure_ascii=False, sort_keys=True)
    if op == "set":
        if isinstance(value, list):  # a multi-valued field replaced whole
            for old in gold.get(fld, []):
                gev.pop(f"{fld}:{old}", None)
            gold[fld] = value
            for v in value:
                gev[f"{fld}:{v}"] = ev or gev.get(f"{fld}:{v}", [])
        else:
            gold[fld] = value
            if ev:
                gev[fld] = ev
    elif op == "add":
        if value not in gold.setdefault(fld, []):
            gold[fld].append(value)
        gev[f"{fld}:{value}"] = ev
    elif op == "remove":
        if value in gold.get(fld, []):
            gold[fld].remove(value)
        gev.pop(f"{fld}:{value}", None)
        if not gold.get(fld):
            gold.pop(fld, None)
    return before != json.dumps([gold, gev], ensure_ascii=False, sort_keys=True)


def main() -> int:
    by_id: dict[str, list] = {}
    for c in CORRECTIONS:
        by_id.setdefault(c[0], []).append(c)
    changed = 0
    for p in sorted(RAW.glob("*.jsonl")):
        lines = p.read_text(encoding="utf-8").splitlines()
        out, dirty = [], False
        for line in lines:
            if not line.strip():
                continue
            d = json.loads(line)
            for corr in by_id.get(d.get("conversation_id"), []):
                if apply(d, corr):
                    changed += 1
                    dirty = True
            out.append(json.dumps(d, ensure_ascii=False))
        if dirty:
            tmp = p.with_suffix(".tmp")
            tmp.write_text("".join(x + "\n" for x in out), encoding="utf-8")
            tmp.replace(p)
    print(f"{changed} corrections applied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
