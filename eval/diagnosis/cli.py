"""`chat2crm diagnose`: canonical conversations (one JSON object per line) in, the matrix JSON out.

    chat2crm diagnose [FILE] [--since ISO] [--until ISO] [--heatmap PATH.png] [--model model|keywords]
"""
from __future__ import annotations

import argparse
import json
import sys

from extractor.types import Conversation, InputError


def read_conversations(stream) -> list[Conversation]:
    convs = []
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON ({e.msg} at column {e.colno})", line=n) from None
        try:
            convs.append(Conversation.from_dict(obj))
        except InputError as e:
            raise InputError(e.detail, line=n, field=e.field) from None
    return convs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="chat2crm diagnose",
                                 description="capability diagnosis matrix per rep (CONTRACT.md section 6)")
    ap.add_argument("file", nargs="?", help="JSONL file of canonical conversations (default: stdin)")
    ap.add_argument("--since", help="period start, ISO time or date (inclusive)")
    ap.add_argument("--until", help="period end, ISO time or date (inclusive; a date covers the whole day)")
    ap.add_argument("--heatmap", metavar="PATH.png", help="also write the reps × dimensions heatmap")
    ap.add_argument("--model", choices=("model", "keywords"), default="model",
                    help="message classifiers: the trained model (default) or the keyword baseline")
    ap.add_argument("--conversations", action="store_true", help="include per-conversation interaction metrics")
    ap.add_argument("--indent", type=int, default=1)
    args = ap.parse_args(argv)
    if args.file and args.file != "-":
        try:
            with open(args.file, encoding="utf-8") as f:
                convs = read_conversations(f)
        except OSError as e:
            raise InputError(f"cannot read {args.file}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"{args.file} is not UTF-8 text") from None
    else:
        convs = read_conversations(sys.stdin)
    from . import diagnose, heatmap_png
    matrix = diagnose(convs, since=args.since, until=args.until, model=args.model,
                      include_conversations=args.conversations)
    if args.heatmap:
        png = heatmap_png(matrix)
        try:
            with open(args.heatmap, "wb") as f:
                f.write(png)
        except OSError as e:
            raise InputError(f"cannot write {args.heatmap}: {e.strerror}") from None
    json.dump(matrix, sys.stdout, ensure_ascii=False, indent=args.indent if args.indent > 0 else None)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    from extractor.cli import main as _m
    sys.exit(_m(["diagnose", *sys.argv[1:]]))
