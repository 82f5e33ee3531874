"""The labelled corpus: raw batches → deterministic train/dev/test splits.

    python -m labeling.corpus split     # rewrite labeling/corpus/{train,dev,test}.jsonl

A conversation's split depends only on a hash of its id (60/20/20), so adding
conversations never moves existing ones between splits. The test split is for the
final measurement only: nothing is tuned on it.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
SPLITS = ("train", "dev", "test")


def split_of(conversation_id: str) -> str:
    h = int(hashlib.sha1(conversation_id.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if h < 6 else "dev" if h < 8 else "test"


def raw_conversations() -> list[dict]:
    out = []
    for p in sorted((CORPUS / "raw").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def load(split: str) -> list[dict]:
    p = CORPUS / f"{split}.jsonl"
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_splits() -> dict[str, int]:
    from labeling.validate_corpus import validate_line
    parts: dict[str, list[str]] = {s: [] for s in SPLITS}
    skipped = 0
    for d in raw_conversations():
        line = json.dumps(d, ensure_ascii=False)
        cid, errs = validate_line(line)
        if errs:
            skipped += 1
            continue
        parts[split_of(cid)].append(line)
    for s, lines in parts.items():
        tmp = CORPUS / f".{s}.jsonl.tmp"
        tmp.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        tmp.replace(CORPUS / f"{s}.jsonl")  # atomic: never a half-written split
    counts = {s: len(v) for s, v in parts.items()}
    counts["skipped_invalid"] = skipped
    return counts


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["split"]:
        print(json.dumps(write_splits()))
        return 0
    print("usage: python -m labeling.corpus split", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
