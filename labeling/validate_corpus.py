"""Validate a gold corpus file (canonical conversations + gold + gold_evidence).

    python -m labeling.validate_corpus FILE [FILE ...]

Prints one line per problem (file:line: conversation: what) and exits 1 if any.
Checks: JSON parses; conversation and message ids unique; speakers valid; times parse
and never go backwards; gold keys and values inside the contract vocabularies;
gold_evidence keys match gold and name existing messages; dates well formed.
"""
from __future__ import annotations

import json
import re
import sys
from datetime import date

from extractor.types import (FIELDS, INDUSTRIES, InputError, MULTI_FIELDS, OBSTACLES, ROLES, STAGES, TAGS,
                             Conversation)

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")


def check_gold(gold: dict) -> list[str]:
    errs = []
    for k, v in gold.items():
        if k not in FIELDS:
            errs.append(f"unknown gold field {k!r}")
            continue
        if k == "customer_name" and not (isinstance(v, str) and v.strip()):
            errs.append("customer_name must be a non-empty string")
        elif k == "contact":
            if not isinstance(v, dict) or not isinstance(v.get("name"), str) or not v["name"].strip() or "title" not in v:
                errs.append("contact must be {name: str, title: str|null}")
        elif k == "stage" and v not in STAGES:
            errs.append(f"stage {v!r} not in {STAGES}")
        elif k == "industry" and v not in INDUSTRIES:
            errs.append(f"industry {v!r} not in {INDUSTRIES}")
        elif k == "next_follow_up":
            if not isinstance(v, str) or not DATE_RE.match(v):
                errs.append(f"next_follow_up {v!r} must be YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            else:
                try:
                    date.fromisoformat(v[:10])
                except ValueError:
                    errs.append(f"next_follow_up {v!r} is not a real date")
        elif k == "key_obstacle":
            if not isinstance(v, dict) or v.get("category") not in OBSTACLES or not str(v.get("detail") or "").strip():
                errs.append(f"key_obstacle must be {{category in {OBSTACLES}, detail}}")
        elif k == "budget":
            if not isinstance(v, dict) or not all(isinstance(v.get(x), int) for x in ("min", "max")) or v["min"] > v["max"]:
                errs.append("budget must be {min:int, max:int} with min <= max")
        elif k in MULTI_FIELDS:
            vocab = TAGS if k == "tag" else ROLES
            if not isinstance(v, list) or not v or len(set(v)) != len(v) or any(x not in vocab for x in v):
                errs.append(f"{k} must be a non-empty list of distinct values from {vocab}")
    return errs


def validate_line(raw: str) -> tuple[str, list[str]]:
    try:
        d = json.loads(raw)
    except json.JSONDecodeError as e:
        return "?", [f"invalid JSON: {e}"]
    cid = str(d.get("conversation_id", "?")) if isinstance(d, dict) else "?"
    errs: list[str] = []
    try:
        conv = Conversation.from_dict(d)
    except InputError as e:
        return cid, [str(e)]
    times = [m.time for m in conv.messages]
    if any(b < a for a, b in zip(times, times[1:])):
        errs.append("message times go backwards")
    if not conv.messages:
        errs.append("no messages")
    gold = d.get("gold")
    if not isinstance(gold, dict):
        return cid, errs + ["missing gold object"]
    errs += check_gold(gold)
    ev = d.get("gold_evidence", {})
    ids = {m.id for m in conv.messages}
    want = set()
    for k, v in gold.items():
        if k in MULTI_FIELDS and isinstance(v, list):
            want |= {f"{k}:{x}" for x in v}
        else:
            want.add(k)
    if not isinstance(ev, dict):
        errs.append("gold_evidence must be an object")
    else:
        for k in sorted(want - set(ev)):
            errs.append(f"gold_evidence lacks {k!r}")
        for k, v in ev.items():
            if k not in want:
                errs.append(f"gold_evidence has {k!r} which is not in gold")
            elif not isinstance(v, list) or not v or any(x not in ids for x in v):
                errs.append(f"gold_evidence[{k!r}] must list existing message ids")
    if not str(d.get("notes") or "").strip():
        errs.append("missing notes")
    return cid, errs


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    bad = n = 0
    seen: dict[str, str] = {}
    for path in argv:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            print(f"{path}: cannot read: {e.strerror}")
            return 2
        for i, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            n += 1
            cid, errs = validate_line(raw)
            if cid in seen:
                errs.append(f"duplicate conversation_id (also {seen[cid]})")
            seen[cid] = f"{path}:{i}"
            for e in errs:
                print(f"{path}:{i}: {cid}: {e}")
            bad += bool(errs)
    print(f"{n} conversations, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
