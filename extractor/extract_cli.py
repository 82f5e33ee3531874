"""`chat2crm extract FILE [--format ...] [--ref ISO]` and `chat2crm extract --jsonl`."""
from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache

from extractor.types import InputError, parse_time

FORMATS = ["auto", "json", "wechat", "wechat_csv", "wecom", "transcript"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chat2crm extract", description="Propose CRM field updates for a conversation.")
    p.add_argument("file", nargs="?", help="conversation file (canonical JSON or a raw export); '-' for stdin")
    p.add_argument("--format", default="auto", choices=FORMATS, help="input format (default: auto-detect)")
    p.add_argument("--ref", help="reference time (ISO 8601) overriding the conversation's")
    p.add_argument("--jsonl", action="store_true", help="read one canonical conversation per line on stdin")
    p.add_argument("--rep-id", help="the rep's id (raw exports)")
    p.add_argument("--rep-name", help="the rep's display name / userid (raw exports)")
    p.add_argument("--rep-userid", action="append", help="the rep's WeCom userid (repeatable)")
    p.add_argument("--start", help="call start time for transcripts (ISO 8601)")
    p.add_argument("--conversation-id", help="conversation id (raw exports; default: file stem)")
    p.add_argument("--all", action="store_true", help="also show suggestions below the display threshold")
    p.add_argument("--workers", type=int, default=None,
                   help="--jsonl: worker processes (default: one per core, up to 4, when the input is a file; "
                        "1 for a pipe, so each line is answered as soon as it is read)")
    return p


@lru_cache(maxsize=1)
def _json():
    """orjson when installed (5-10x faster for the --jsonl hot loop), else the standard library."""
    try:
        import orjson

        def loads(s):
            return orjson.loads(s)

        def dumps(o):
            return orjson.dumps(o).decode("utf-8")
        return loads, dumps, orjson.JSONDecodeError
    except ImportError:  # pragma: no cover
        return json.loads, (lambda o: json.dumps(o, ensure_ascii=False)), json.JSONDecodeError


_JOB: tuple | None = None  # (ref, apply_threshold) for the --jsonl workers, set before they fork


def _answer(n: int, line: str) -> str:
    """One input line (number n) → its output line: the extraction, or an error naming the line."""
    from extractor.pipeline import extract
    from extractor.types import Conversation
    loads, dumps, decode_error = _json()
    ref, apply_threshold = _JOB
    if n == 1:
        line = line.lstrip("\ufeff")  # a UTF-8 BOM from Windows tools
    if not line.strip():
        return json.dumps({"error": "empty line", "line": n}) + "\n"
    try:
        try:
            d = loads(line)
        except decode_error as e:
            where = f" at column {e.colno}" if getattr(e, "colno", None) else ""
            raise InputError(f"invalid JSON ({getattr(e, 'msg', str(e))}{where})") from None
        conv = Conversation.from_dict(d)
        if ref is not None:
            conv.reference_time = ref
        out = extract(conv, apply_threshold=apply_threshold).to_dict()
    except InputError as e:
        out = {"error": str(e), "line": n}
    except Exception as e:  # noqa: BLE001 - one bad conversation must not stop the run
        out = {"error": f"internal error: {type(e).__name__}: {e}", "line": n}
    return dumps(out) + "\n"


def _answer_chunk(chunk: list[tuple[int, str]]) -> str:
    return "".join(_answer(n, line) for n, line in chunk)


def _in_worker(chunk: list[tuple[int, str]]) -> str:
    return _answer_chunk(chunk)  # looked up when called: what the parent had when it forked


def _chunks(stdin, size: int = 32):
    chunk: list[tuple[int, str]] = []
    for n, line in enumerate(stdin, 1):
        chunk.append((n, line))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _default_workers(stdin) -> int:
    """Side by side only for a file (a batch): a pipe may be a caller waiting for each answer."""
    import os
    import stat
    from extractor.procs import usable_cores
    try:
        regular = stat.S_ISREG(os.fstat(stdin.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        regular = False
    return min(4, usable_cores()) if regular else 1


def _run_jsonl(args, stdin, stdout) -> int:
    global _JOB
    _JOB = (parse_time(args.ref, "--ref") if args.ref else None, not args.all)
    workers = args.workers if args.workers is not None else _default_workers(stdin)
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    from extractor.procs import can_fork, fork_pool
    if workers == 1 or not can_fork():
        for n, line in enumerate(stdin, 1):
            stdout.write(_answer(n, line))
        stdout.flush()
        return 0
    # load the model and calibration once, here, so the forked workers share them
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool
    from models.calibration import current
    from models.textclf import current_model
    current(), current_model()
    chunks = _chunks(stdin)
    window: deque = deque()  # (chunk, future) in input order; a few chunks ahead per worker, not the whole file
    try:
        with fork_pool(workers) as pool:
            for chunk in chunks:
                window.append((chunk, pool.submit(_in_worker, chunk)))
                while len(window) > 4 * workers:
                    stdout.write(window[0][1].result())
                    window.popleft()
            while window:
                stdout.write(window[0][1].result())
                window.popleft()
    except BrokenProcessPool:
        # a worker died (killed, out of memory): answer what is left here, in order, nothing lost
        for chunk, _fut in window:
            stdout.write(_answer_chunk(chunk))
        for chunk in chunks:
            stdout.write(_answer_chunk(chunk))
    stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.jsonl:
        if args.file not in (None, "-"):
            stdin = _open(args.file)
            with stdin:
                return _run_jsonl(args, stdin, sys.stdout)
        return _run_jsonl(args, sys.stdin, sys.stdout)
    if not args.file:
        raise InputError("give a FILE, or --jsonl to read conversations from stdin")
    from extractor.pipeline import extract
    caller = {}
    if args.rep_id or args.rep_name:
        caller["rep"] = {"id": args.rep_id or args.rep_name, "name": args.rep_name or args.rep_id}
    if args.rep_userid:
        caller["rep_userids"] = args.rep_userid
    if args.start:
        caller["start_time"] = args.start
    if args.conversation_id:
        caller["conversation_id"] = args.conversation_id
    if args.file == "-":
        from extractor.formats import parse_input
        conv, fmt = parse_input(sys.stdin.buffer.read(), args.format, **caller)
    else:
        from extractor.formats import load_file
        conv, fmt = load_file(args.file, args.format, **caller)
    if args.format == "auto":
        print(f"chat2crm extract: detected format: {fmt}", file=sys.stderr)
    if args.ref:
        conv.reference_time = parse_time(args.ref, "--ref")
    res = extract(conv, apply_threshold=not args.all)
    json.dump(res.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _open(path):
    try:
        return open(path, encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
