"""Extraction speed and memory: `python -m eval.bench_extract [--n 2000]`.

Runs `chat2crm extract --jsonl` over a file of N corpus conversations (cycled from the
train/dev splits, ~10 messages each): by default, as for any file, in worker processes (one
per core), and again with --workers 1, in one process, as for a pipe. Prints conversations/
second, per-conversation latency percentiles and the run's peak RSS, beside the keyword
baseline (the naive tagger of eval.scoring) on the same input in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def _corpus(n: int, size: int = 10, cycle: bool = True) -> list[dict]:
    """N conversations of exactly `size` messages: corpus chats (train/dev) joined end to end.
    With cycle=False no message repeats (caches cannot flatter the figures) and there may be fewer than N."""
    from labeling.corpus import load
    base = [{k: v for k, v in c.items() if k not in ("gold", "gold_evidence", "notes")} for c in load("train") + load("dev")]
    out, i = [], 0
    while len(out) < n and (cycle or i + size <= len(base)):
        msgs, head = [], base[i % len(base)]
        while len(msgs) < size:
            c = base[i % len(base)]
            i += 1
            last = msgs[-1]["time"] if msgs else None
            for m in c["messages"][: size - len(msgs)]:
                m = dict(m, id=f"m{len(msgs) + 1}")
                if last is not None and m["time"] < last:
                    m["time"] = last
                msgs.append(m)
        out.append({**head, "conversation_id": f"bench-{len(out)}", "messages": msgs, "reference_time": msgs[-1]["time"]})
    return out


def _clear_caches() -> None:
    """Empty the caches keyed by a whole message text (the time finder's), so repeated passes are
    not flattered; caches keyed by small units that recur in real traffic (numerals, dates, the
    loaded model) stay, as they would in a running service."""
    from extractor.timex import finder
    finder._find_norm.cache_clear()


def run_cli(path: str, *extra: str) -> tuple[float, float, int]:
    """Wall time of the real CLI over the file, its peak RSS (MiB, the largest process), output line count."""
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        p = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", "--jsonl", *extra], stdin=f,
                           capture_output=True, check=True)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, rss, len(p.stdout.splitlines())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--passes", type=int, default=3)
    a = ap.parse_args(argv)
    convs = _corpus(a.n, cycle=False)  # every message once: no cache can be hit twice by the same text
    msgs = sum(len(c["messages"]) for c in convs) / len(convs)
    from eval.scoring import keyword_baseline
    from extractor.pipeline import extract
    from extractor.types import Conversation
    # in-process latency per conversation (after warm-up)
    extract(Conversation.from_dict(convs[0]))
    walls, lat = [], []
    for _ in range(a.passes):  # throughput: best of N passes (a shared machine adds noise)
        _clear_caches()  # each pass starts cold, like new traffic
        one = []
        t0 = time.perf_counter()
        for c in convs:
            s = time.perf_counter()
            extract(Conversation.from_dict(c)).to_dict()
            one.append(time.perf_counter() - s)
        walls.append(time.perf_counter() - t0)
        lat = one if not lat or walls[-1] == min(walls) else lat
    wall_in = min(walls)
    t0 = time.perf_counter()
    for c in convs:
        keyword_baseline(c)
    wall_kw = time.perf_counter() - t0
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for c in convs:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
        path = f.name
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.write(json.dumps(convs[0], ensure_ascii=False) + "\n")
        one_path = f.name
    try:
        runs = [run_cli(path) for _ in range(a.passes)]  # a file on stdin: worker processes, one per core
        serial = [run_cli(path, "--workers", "1") for _ in range(a.passes)]  # the same in one process
        startup = min(run_cli(one_path)[0] for _ in range(a.passes))  # process start + imports + model load
    finally:
        os.unlink(path)
        os.unlink(one_path)
    wall_cli = min(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    lines = runs[0][2]
    median_cli = sorted(r[0] for r in runs)[len(runs) // 2]
    print(f"{len(convs)} conversations, {msgs:.1f} messages each on average")
    print(f"{'':28} {'conv/s':>10} {'p50 ms':>8} {'p99 ms':>8}   (best of {a.passes} passes)")
    print(f"{'chat2crm (in process)':28} {len(convs) / wall_in:10.0f} {pct(0.5):8.2f} {pct(0.99):8.2f}")
    print(f"{'chat2crm extract --jsonl':28} {len(convs) / wall_cli:10.0f} {'':>8} {'':>8}  (best of {a.passes} runs, incl. start-up;"
          f" median {len(convs) / median_cli:.0f}/s; peak RSS {rss:.0f} MiB, {lines} lines)")
    print(f"{'  … after start-up':28} {len(convs) / max(wall_cli - startup, 1e-9):10.0f} {'':>8} {'':>8}  (start-up {startup:.2f} s: interpreter, imports, model)")
    wall_one = min(r[0] for r in serial)
    print(f"{'  … --workers 1':28} {len(convs) / wall_one:10.0f} {'':>8} {'':>8}  (one process, as for a pipe; incl. start-up;"
          f" median {len(convs) / sorted(r[0] for r in serial)[len(serial) // 2]:.0f}/s; {os.cpu_count()} cores here)")
    print(f"{'keyword baseline':28} {len(convs) / wall_kw:10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
