"""Deterministic sample for the second annotator's pass, printing messages only.

    python labeling/agreement/sample.py            # list the 60 sampled ids
    python labeling/agreement/sample.py --show     # print their messages (no gold/notes)

Seed 7, 60 conversations, from batch_a/b/c only (other raw files may still be growing):
ids sorted, then random.Random(7).sample(ids, 60), kept in sample order.
"""
import json
import random
import sys
from datetime import datetime
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "corpus" / "raw"
BATCHES = ("batch_a.jsonl", "batch_b.jsonl", "batch_c.jsonl")
WD = "一二三四五六日"


def load() -> dict:
    convs = {}
    for b in BATCHES:
        for line in (RAW / b).read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                convs[d["conversation_id"]] = d
    return convs


def sample(convs: dict, n: int = 60, seed: int = 7) -> list[str]:
    return random.Random(seed).sample(sorted(convs), n)


def main() -> None:
    convs = load()
    ids = sample(convs)
    if "--show" not in sys.argv:
        print("\n".join(ids))
        return
    for cid in ids:
        d = convs[cid]
        print(f"=== {cid} [{d.get('channel')}] rep={d['rep'].get('name')}")
        for m in d["messages"]:
            t = datetime.fromisoformat(m["time"])
            print(f"  {m['id']} {t:%m-%d}(周{WD[t.weekday()]}) {t:%H:%M} {m['speaker']}/{m.get('name')}: {m.get('text')}")
        print()


if __name__ == "__main__":
    main()
