"""One generic runner for every rule family's corpus file (extractor/timex/corpus/*.jsonl).

Each line: {"text", "ref", "expected": {"value", "grain"}, "span"?, "note"?}. The held-out
set under corpus/heldout/ is not run here (it is scored once by eval/time_eval.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.timex import find_times, first_time, pick_first

CORPUS = Path(__file__).resolve().parent.parent / "extractor" / "timex" / "corpus"


def _cases():
    for path in sorted(CORPUS.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                yield pytest.param(json.loads(line), id=f"{path.stem}:{n}")


def check(case: dict) -> str | None:
    """None when the resolver agrees with the case, else a description of the difference."""
    exp = case["expected"]
    got = first_time(case["text"], case["ref"])
    if exp["value"] is None:
        return None if got["value"] is None else f"expected no time, got {got}"
    if got["value"] is None:
        return f"expected {exp}, got nothing"
    width = 16 if "T" in exp["value"] else 10
    if got["value"][:width] != exp["value"][:width]:
        return f"value {got['value']} != {exp['value']}"
    if exp.get("grain") and got["grain"] != exp["grain"]:
        return f"grain {got['grain']} != {exp['grain']}"
    if case.get("span"):
        m = pick_first(find_times(case["text"], case["ref"]))
        if m.text != case["span"]:
            return f"span {m.text!r} != {case['span']!r}"
    return None


@pytest.mark.parametrize("case", list(_cases()))
def test_corpus(case):
    problem = check(case)
    assert problem is None, f"{case['text']!r} @ {case['ref']}: {problem}"


def test_corpus_is_big_enough():
    n = sum(1 for _ in _cases())
    assert n >= 380
    files = list(CORPUS.glob("*.jsonl"))
    assert any("negative" in f.stem for f in files)
