"""`chat2crm eval GOLD.jsonl [...]`: score the extractor on gold conversations.

Prints per-field precision/recall/F1, micro, tag precision, calibration error and
evidence validity, with the keyword baseline side by side; `--json` for machines,
`--report DIR` for the Markdown + PNG report.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from extractor.types import InputError


def load_gold(path: str) -> list[dict]:
    if path in ("train", "dev", "test"):
        from labeling.corpus import load
        return load(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    out = []
    for i, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise InputError(f"{path} line {i}: invalid JSON ({e.msg})") from None
    return out


def predict(convs: list[dict], **kw) -> tuple[list[dict], float]:
    from extractor.pipeline import extract
    from extractor.types import Conversation
    t0 = time.perf_counter()
    preds = []
    for c in convs:
        d = {k: v for k, v in c.items() if k not in ("gold", "gold_evidence", "notes")}
        try:
            preds.append(extract(Conversation.from_dict(d), **kw).to_dict())
        except InputError as e:
            preds.append({"error": str(e)})
    return preds, time.perf_counter() - t0


def table(name_scores: list[tuple[str, object]]) -> str:
    from eval.scoring import FIELDS
    head = f"{'field':16}" + "".join(f" | {n:^20}" for n, _ in name_scores)
    sub = f"{'':16}" + "".join(f" | {'P':>6}{'R':>7}{'F1':>7}" for _ in name_scores)
    rows = [head, sub]
    for f in FIELDS + [None]:
        row = f"{(f or 'micro'):16}"
        for _, sc in name_scores:
            p, r, f1 = sc.prf(f)
            row += f" | {p:6.3f}{r:7.3f}{f1:7.3f}"
        rows.append(row)
    for label, get in (("ECE", lambda s: f"{s.ece():.3f}"), ("bad evidence", lambda s: str(s.bad_evidence)),
                       ("missing reason", lambda s: str(s.missing_reason)), ("failed", lambda s: str(s.failed))):
        rows.append(f"{label:16}" + "".join(f" | {get(sc):>20}" for _, sc in name_scores))
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="chat2crm eval", description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="+", help="gold JSONL file(s), or train/dev/test for the corpus splits")
    ap.add_argument("--json", action="store_true", help="print one JSON summary line per file")
    ap.add_argument("--mistakes", type=int, default=0, help="print N mistakes")
    ap.add_argument("--report", help="write a Markdown + PNG report into this directory")
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args(argv)
    from eval.scoring import keyword_baseline, score
    for path in a.gold:
        convs = load_gold(path)
        if not convs:
            raise InputError(f"{path}: no conversations")
        preds, wall = predict(convs)
        ours = score(convs, preds)
        cols = [("chat2crm", ours)]
        if not a.no_baseline:
            cols.append(("keyword baseline", score(convs, [keyword_baseline(c) for c in convs])))
        if a.json:
            print(json.dumps({"gold": path, "chat2crm": ours.summary(), "wall_s": round(wall, 3),
                              **({"keyword_baseline": cols[1][1].summary()} if len(cols) > 1 else {})},
                             ensure_ascii=False))
        else:
            print(f"== {path}: {len(convs)} conversations, {wall:.2f}s")
            print(table(cols))
            print(f"follow-up time-of-day exact {ours.time_exact}/{ours.time_total}")
            for m in ours.mistakes[: a.mistakes]:
                print("MISTAKE", json.dumps(m, ensure_ascii=False))
        if a.report:
            from eval.report import write_report
            out = write_report(Path(a.report), path, convs, preds, ours, cols[1][1] if len(cols) > 1 else None)
            print(f"report: {out}", file=sys.stderr)
    return 0
