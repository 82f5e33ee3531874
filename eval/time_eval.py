"""Score the time resolver (extractor.timex.first_time) on a benchmark.

    python -m eval.time_eval duckling [--group core ...] [--failures N] [--bench PATH]
    python -m eval.time_eval corpus PATH [PATH ...] [--failures N]

`duckling` scores ../shared/benchmarks/duckling_zh_time.jsonl by group (core,
holiday-common, holiday-world, convention-conflict) with the judge of the shared
`score_time.py` (imported, so the scoring is identical: offsets dropped, values cut to the
expected grain, Duckling's exclusive `to` or an inclusive end both accepted).
`corpus` scores files (or folders of *.jsonl) in the rule-corpus format
{"text", "ref", "expected": {"value", "grain"}, "span"?}: value null means "no time"; the
same judge decides, and span agreement of the first mention is reported beside it.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

SHARED = Path(os.environ.get("CHAT2CRM_SHARED") or Path(__file__).resolve().parents[1].parent / "shared") / "benchmarks"


def load_judge():
    path = SHARED / "score_time.py"
    spec = importlib.util.spec_from_file_location("score_time", path)
    if spec is None or not path.exists():
        raise SystemExit(f"time_eval: cannot find {path} (set CHAT2CRM_SHARED)")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _read(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit(f"time_eval: {path}:{n}: bad JSON: {e.msg}") from None
    return out


def _table(rows: dict, title: str) -> None:
    print(f"{title:<22} {'correct':>8} {'total':>6} {'accuracy':>9}")
    for k, (c, t) in rows.items():
        print(f"{k:<22} {c:>8} {t:>6} {100.0 * c / t:>8.1f}%")


def run_duckling(a) -> int:
    from extractor.timex import first_time
    st = load_judge()
    bench = _read(Path(a.bench))
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fails = []
    for b in bench:
        if a.group and b.get("group") not in a.group:
            continue
        pred = first_time(b["text"], b["ref"])
        ok, note = st.judge(b["expected"], pred)
        for k in (b.get("group", "?"), "ALL"):
            rows[k][0] += ok
            rows[k][1] += 1
        if b.get("group") != "convention-conflict":
            rows["ALL w/o conflicts"][0] += ok
            rows["ALL w/o conflicts"][1] += 1
        if not ok:
            fails.append((b, pred, note))
    order = ["core", "holiday-common", "holiday-world", "convention-conflict", "ALL w/o conflicts", "ALL"]
    _table({k: rows[k] for k in order if k in rows}, "group")
    for b, p, note in fails[:a.failures]:
        print(f"FAIL {b['id']} [{b.get('group')}] {b['text']} | expected {json.dumps(b['expected'], ensure_ascii=False)}"
              f" | got {json.dumps(p, ensure_ascii=False)} | {note}")
    return 0


def corpus_expected(case: dict) -> dict:
    e = case["expected"]
    if e.get("value") is None:
        return {"kind": "none"}
    return {"kind": "value", "value": e["value"], "grain": e.get("grain") or "day"}


def run_corpus(a) -> int:
    from extractor.timex import find_times, first_time, pick_first
    st = load_judge()
    files: list[Path] = []
    for p in map(Path, a.paths):
        files += sorted(p.rglob("*.jsonl")) if p.is_dir() else [p]
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    span_ok = span_n = 0
    fails = []
    for f in files:
        for case in _read(f):
            pred = first_time(case["text"], case["ref"])
            ok, note = st.judge(corpus_expected(case), pred)
            for k in (f.stem, "ALL"):
                rows[k][0] += ok
                rows[k][1] += 1
            if case.get("span") and case["expected"].get("value") is not None:
                span_n += 1
                m = pick_first(find_times(case["text"], case["ref"]))
                span_ok += bool(m and m.text == case["span"])
            if not ok:
                fails.append((f.stem, case, pred, note))
    if not rows:
        raise SystemExit("time_eval: no corpus lines found")
    _table(dict(sorted(rows.items(), key=lambda kv: (kv[0] == "ALL", kv[0]))), "file")
    if span_n:
        print(f"first-mention span agreement: {span_ok}/{span_n} = {100.0 * span_ok / span_n:.1f}%")
    for stem, c, p, note in fails[:a.failures]:
        print(f"FAIL [{stem}] {c['text']!r} @ {c['ref']} | expected {json.dumps(c['expected'], ensure_ascii=False)}"
              f" | got {json.dumps(p, ensure_ascii=False)} | {note}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.time_eval", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("duckling", help="Duckling zh corpus, by group")
    d.add_argument("--bench", default=str(SHARED / "duckling_zh_time.jsonl"))
    d.add_argument("--group", action="append", help="only these groups (repeatable)")
    d.add_argument("--failures", type=int, default=0)
    c = sub.add_parser("corpus", help="rule-corpus format files or folders")
    c.add_argument("paths", nargs="+")
    c.add_argument("--failures", type=int, default=0)
    a = ap.parse_args(argv)
    return run_duckling(a) if a.cmd == "duckling" else run_corpus(a)


if __name__ == "__main__":
    sys.exit(main())
