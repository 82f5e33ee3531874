"""Side-by-side benchmark: chat2crm's time resolver vs JioNLP and dateparser.

    python -m eval.bench_time [--passes N] [PATH ...]

Runs the three on the same chat messages (the rule corpora under extractor/timex/corpus/,
not the held-out set, unless paths are given) in one process and prints accuracy (judged
by the shared score_time.py judge, as eval.time_eval does) and messages/second. Ours is
timed with its finder cache cleared before every pass, so repeats do not flatter it.
JioNLP (`ner.extract_time`, first entity) prints a banner and may write files on first
use, so it is imported only here. Also measures `import extractor.timex` + first call in a
fresh interpreter.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from eval.time_eval import _read, corpus_expected, load_judge

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "extractor" / "timex" / "corpus"


def _cases(paths: list[str]) -> list[dict]:
    files: list[Path] = []
    for p in map(Path, paths or [str(CORPUS)]):
        files += sorted(p.glob("*.jsonl")) if p.is_dir() else [p]  # top level only: never heldout/
    out = []
    for f in files:
        out += _read(f)
    return out


def _example_messages() -> list[dict]:
    import json
    import os
    path = Path(os.environ.get("CHAT2CRM_SHARED") or Path(__file__).resolve().parents[1].parent / "shared") / "examples" / "conversations.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            for m in json.loads(line).get("messages", []):
                out.append({"text": m.get("text") or "", "ref": m["time"]})
    return out


def ours_factory():
    from extractor.timex import first_time
    from extractor.timex import finder
    from extractor.types import parse_time

    def setup(cases):
        return [(c["text"], parse_time(c["ref"])) for c in cases]

    def run(items):
        finder._find_norm.cache_clear()
        return [first_time(t, r) for t, r in items]
    return setup, run


def jionlp_factory():
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import jionlp as jio
    from extractor.types import parse_time

    def setup(cases):
        out = []
        for c in cases:
            wall = parse_time(c["ref"]).replace(tzinfo=None)
            out.append((c["text"], time.mktime(wall.timetuple())))
        return out

    def one(text, base):
        try:
            res = jio.ner.extract_time(text, time_base=base)
        except Exception:  # noqa: BLE001 - a crash counts as no answer
            return {"value": None}
        for ent in res:
            t = (ent.get("detail") or {}).get("time")
            if isinstance(t, list) and t and isinstance(t[0], str):
                return {"value": t[0].replace(" ", "T"), "from": t[0].replace(" ", "T"),
                        "to": t[-1].replace(" ", "T") if len(t) > 1 else None}
            return {"value": None}
        return {"value": None}

    def run(items):
        return [one(t, b) for t, b in items]
    return setup, run


def dateparser_factory():
    import warnings
    warnings.filterwarnings("ignore")
    from dateparser.search import search_dates
    from extractor.types import parse_time

    def setup(cases):
        return [(c["text"], parse_time(c["ref"]).replace(tzinfo=None)) for c in cases]

    def one(text, base):
        try:
            res = search_dates(text, languages=["zh"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
        except Exception:  # noqa: BLE001
            return {"value": None}
        if not res:
            return {"value": None}
        return {"value": res[0][1].replace(tzinfo=None).isoformat(timespec="seconds")}

    def run(items):
        return [one(t, b) for t, b in items]
    return setup, run


def startup_seconds() -> tuple[float, float]:
    code = ("import time; t0 = time.perf_counter(); from extractor.timex import first_time; "
            "first_time('下周三上午十点', '2026-03-10T09:14:00'); print(time.perf_counter() - t0)")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    return float(proc.stdout.strip() or "nan"), wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_time", description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--passes", type=int, default=10, help="timed passes for ours and JioNLP (dateparser: 2)")
    ap.add_argument("--skip", action="append", default=[], help="skip a system: jionlp or dateparser")
    a = ap.parse_args(argv)
    st = load_judge()
    cases = _cases(a.paths)
    print(f"{len(cases)} chat messages ({sum(c['expected']['value'] is None for c in cases)} without a time)")
    systems = [("chat2crm.timex", ours_factory, a.passes), ("jionlp.extract_time", jionlp_factory, a.passes),
               ("dateparser.search_dates", dateparser_factory, 2)]
    results = {}
    for name, factory, passes in systems:
        if any(s in name for s in a.skip):
            continue
        t0 = time.perf_counter()
        setup, run = factory()
        items = setup(cases)
        preds = run(items)  # warm-up pass (models, lazy imports); also the scored pass
        load = time.perf_counter() - t0
        times = []
        for _ in range(passes):
            t0 = time.perf_counter()
            run(items)
            times.append(time.perf_counter() - t0)
        # best pass (as timeit does): the machine is shared, slow passes measure the neighbours
        rate = len(items) / min(times)
        mean_rate = len(items) * len(times) / sum(times)
        correct = sum(st.judge(corpus_expected(c), p)[0] for c, p in zip(cases, preds))
        results[name] = (correct, rate, load, mean_rate)
    print(f"{'system':<26} {'accuracy':>9} {'best msg/s':>11} {'mean msg/s':>11} {'load+1st pass s':>16}")
    for name, (correct, rate, load, mean_rate) in results.items():
        print(f"{name:<26} {100.0 * correct / len(cases):>8.1f}% {rate:>11.0f} {mean_rate:>11.0f} {load:>16.2f}")
    if "chat2crm.timex" in results and "jionlp.extract_time" in results:
        o, j = results["chat2crm.timex"], results["jionlp.extract_time"]
        print(f"speed ratio ours/JioNLP: best pass {o[1] / j[1]:.1f}x, mean {o[3] / j[3]:.1f}x")
    ex = _example_messages()
    if ex and not a.paths:
        print(f"speed only, on the {len(ex)} messages of the example conversations (shared/examples):")
        rates = {}
        for name, factory, passes in systems:
            if any(s in name for s in a.skip):
                continue
            setup, run = factory()
            items = setup(ex)
            run(items)
            times = []
            for _ in range(passes):
                t0 = time.perf_counter()
                run(items)
                times.append(time.perf_counter() - t0)
            rates[name] = len(items) / min(times)
            print(f"  {name:<26} best {rates[name]:>8.0f} msg/s")
        if "chat2crm.timex" in rates and "jionlp.extract_time" in rates:
            print(f"  speed ratio ours/JioNLP: {rates['chat2crm.timex'] / rates['jionlp.extract_time']:.1f}x")
    first, wall = startup_seconds()
    print(f"fresh interpreter: import extractor.timex + first call {first:.3f} s (process wall {wall:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
