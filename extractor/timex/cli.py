"""`chat2crm time`: {"id","text","ref"} JSON lines on stdin → one line per input on stdout,
{"id","value","grain","from","to"} for the first time expression of `text` resolved
against `ref`. A bad line yields {"id": <id or null>, "error": "...", "line": N} and the
run goes on."""
from __future__ import annotations

import argparse
import json
import sys


def _one(line: str, n: int) -> dict:
    from extractor.types import InputError, parse_time
    from . import first_time
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return {"id": None, "error": f"not JSON: {e.msg}", "line": n}
    if not isinstance(obj, dict):
        return {"id": None, "error": "a line must be a JSON object", "line": n}
    oid = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return {"id": oid, "error": "field 'text' must be a string", "line": n}
    if "ref" not in obj:
        return {"id": oid, "error": "missing field 'ref'", "line": n}
    try:
        ref = parse_time(obj.get("ref"), "ref")
    except InputError as e:
        return {"id": oid, "error": str(e), "line": n}
    try:
        return {"id": oid, **first_time(text, ref)}
    except Exception as e:  # noqa: BLE001 - one bad line must not stop the run
        return {"id": oid, "error": f"internal error: {type(e).__name__}: {e}", "line": n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="chat2crm time", description=__doc__.splitlines()[0])
    ap.parse_args(argv or [])
    out = sys.stdout
    for n, line in enumerate(sys.stdin, 1):
        if n == 1:
            line = line.lstrip("\ufeff")  # a UTF-8 BOM from Windows tools
        res = _one(line, n) if line.strip() else {"id": None, "error": "empty line", "line": n}
        out.write(json.dumps(res, ensure_ascii=False) + "\n")
    out.flush()
    return 0
