"""Every example in docs/time-conventions.md is a line of a rule corpus (and so is tested)."""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| (\d{4}-\d\d-\d\d \d\d:\d\d) \| (.+?) \| (\S+) \| (\w*) ?\|$")


def _corpus() -> set[tuple]:
    out = set()
    for f in (ROOT / "extractor" / "timex" / "corpus").glob("*.jsonl"):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                out.add((c["ref"][:16].replace("T", " "), c["text"], c["expected"]["value"]))
    return out


def test_doc_examples_are_corpus_lines():
    doc = (ROOT / "docs" / "time-conventions.md").read_text(encoding="utf-8")
    rows = [ROW.match(x) for x in doc.splitlines()]
    rows = [r for r in rows if r]
    assert len(rows) >= 60
    corpus = _corpus()
    missing = []
    for r in rows:
        ref, text, value = r.group(1), r.group(2), r.group(3)
        key = (ref, text, None if value == "—" else value)
        if key not in corpus:
            missing.append(key)
    assert not missing, missing
