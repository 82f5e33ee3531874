"""Benchmark: diagnose 1,000 conversations (the held-out team fixture replicated with varied ids,
reps and dates), trained classifiers vs the keyword baseline, same run.

    .venv/bin/python eval/bench_diagnosis.py [--n 1000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.types import Conversation  # noqa: E402

TEAM = ROOT / "tests" / "data" / "diagnosis" / "team_heldout.jsonl"


def corpus(n: int) -> list[Conversation]:
    base = [json.loads(x) for x in TEAM.read_text(encoding="utf-8").splitlines() if x.strip()]
    out = []
    i = 0
    while len(out) < n:
        d = base[i % len(base)]
        k = i // len(base)
        c = Conversation.from_dict(d)
        c.conversation_id = f"{c.conversation_id}-v{k}"
        c.rep = {"id": f"{c.rep['id']}-t{k % 6}", "name": f"{c.rep['name']}{k % 6}"}  # 6 teams' worth of reps
        for m in c.messages:
            m.time = m.time + timedelta(days=k % 20)
        out.append(c)
        i += 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    from eval.diagnosis import diagnose
    from models.actions import load_models
    convs = corpus(a.n)
    n_msgs = sum(len(c.messages) for c in convs)
    t = time.perf_counter()
    load_models()
    load_s = time.perf_counter() - t
    print(f"{a.n} conversations, {n_msgs} messages; model load {load_s:.2f} s (once per process)")
    for kind in ("model", "keywords"):
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            m = diagnose(convs, model=kind)
            times.append(time.perf_counter() - t)
        print(f"  {kind:9} best {min(times):.2f} s  median {sorted(times)[len(times) // 2]:.2f} s  "
              f"({len(m['reps'])} reps)  limit 10 s: {'OK' if min(times) + load_s <= 10 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
