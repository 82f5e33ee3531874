"""Scoring suggestions against gold conversations — the contract's matching rules.

Same counting as the held-out evaluation (shared/examples/score_chats.py): per
conversation the first suggestion of a single-valued field is judged (extra ones are
false positives; a wrong value where gold has one is one FP and one FN); tag and
decision_role are judged per distinct value. Names match fuzzily (containment, a
surname+honorific naming a full name, difflib ratio ≥ 0.8), follow-ups by day,
obstacles by category, budgets within 2%.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from extractor.types import MULTI_FIELDS, SINGLE_FIELDS

FIELDS = list(SINGLE_FIELDS) + list(MULTI_FIELDS)
SUFFIX = re.compile(r"(股份)?(有限)?(责任)?公司$|集团$|科技$|工厂$|厂$")
HONORIFIC = re.compile(r"^(.)(总|总监|工|经理|老师|主任|主管|厂长|部长|科长|处长|姐|哥|老板|董|先生|女士|小姐|生|太|师傅|博士|教授)$")


def norm_name(s) -> str:
    s = re.sub(r"\s+", "", str(s or ""))
    for _ in range(3):
        s = SUFFIX.sub("", s)
    return s


def same_name(a, b) -> bool:
    a, b = norm_name(a), norm_name(b)
    if not a or not b:
        return False
    for x, y in ((a, b), (b, a)):
        h = HONORIFIC.match(x)
        if h and y.startswith(h.group(1)) and not HONORIFIC.match(y):
            return True
    if a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a)):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def match(fld: str, pred, gold) -> bool:
    try:
        if fld == "customer_name":
            return same_name(pred, gold)
        if fld == "contact":
            p = pred.get("name") if isinstance(pred, dict) else pred
            return same_name(p, gold.get("name"))
        if fld == "next_follow_up":
            return str(pred)[:10] == str(gold)[:10]
        if fld == "key_obstacle":
            p = pred.get("category") if isinstance(pred, dict) else pred
            return p == gold.get("category")
        if fld == "budget":
            def ok(x, y):
                return abs(float(x) - float(y)) <= 0.02 * max(abs(float(y)), 1)
            return ok(pred["min"], gold["min"]) and ok(pred["max"], gold["max"])
        return pred == gold
    except (AttributeError, KeyError, TypeError, ValueError):
        return False


@dataclass
class Judged:
    """One emitted suggestion with its verdict (used for calibration and curves)."""
    conversation_id: str
    field: str
    value: object
    confidence: float
    correct: bool
    source: str = ""  # the component that made it (calibration may treat sources apart)


@dataclass
class Score:
    tp: dict = field(default_factory=lambda: defaultdict(int))
    fp: dict = field(default_factory=lambda: defaultdict(int))
    fn: dict = field(default_factory=lambda: defaultdict(int))
    judged: list[Judged] = field(default_factory=list)
    bad_evidence: int = 0
    missing_reason: int = 0
    failed: int = 0
    time_exact: int = 0
    time_total: int = 0
    mistakes: list = field(default_factory=list)
    n: int = 0

    def prf(self, fld: str | None = None) -> tuple[float, float, float]:
        if fld is None:
            t, p, n = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            t, p, n = self.tp[fld], self.fp[fld], self.fn[fld]
        pr = t / (t + p) if t + p else 0.0
        rc = t / (t + n) if t + n else 0.0
        return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)

    def ece(self, bins: int = 10) -> float:
        conf = [(j.confidence, j.correct) for j in self.judged]
        if not conf:
            return 0.0
        total = 0.0
        for b in range(bins):
            lo, hi = b / bins, (b + 1) / bins
            inb = [(c, ok) for c, ok in conf if lo <= c < hi or (b == bins - 1 and c == 1.0)]
            if inb:
                acc = sum(ok for _, ok in inb) / len(inb)
                avg = sum(c for c, _ in inb) / len(inb)
                total += len(inb) / len(conf) * abs(acc - avg)
        return total

    def summary(self) -> dict:
        mp, mr, mf = self.prf()
        tp_, tr_, _ = self.prf("tag")
        return {"n": self.n, "micro_p": round(mp, 4), "micro_r": round(mr, 4), "micro_f1": round(mf, 4),
                "tag_p": round(tp_, 4), "tag_r": round(tr_, 4), "ece": round(self.ece(), 4),
                "follow_up_f1": round(self.prf("next_follow_up")[2], 4), "bad_evidence": self.bad_evidence,
                "missing_reason": self.missing_reason, "failed": self.failed,
                "per_field": {f: dict(zip(("p", "r", "f1"), (round(v, 4) for v in self.prf(f)))) for f in FIELDS}}


def score(convs: list[dict], preds: list[dict]) -> Score:
    sc = Score(n=len(convs))
    for conv, pred in zip(convs, preds):
        gold = conv.get("gold", {})
        cid = conv["conversation_id"]
        if not isinstance(pred, dict) or "error" in pred or "suggestions" not in pred:
            sc.failed += 1
            pred = {"suggestions": []}
        texts = {m["id"]: m.get("text") or "" for m in conv["messages"]}
        by_field = defaultdict(list)
        for s in pred["suggestions"]:
            by_field[s.get("field")].append(s)
            if not str(s.get("reason") or "").strip():
                sc.missing_reason += 1
            for ev in s.get("evidence") or [{}]:
                t = texts.get(ev.get("message_id"))
                try:
                    ok = t is not None and bool(ev["text"]) and t[ev["start"]:ev["end"]] == ev["text"]
                except (KeyError, TypeError):
                    ok = False
                sc.bad_evidence += not ok
        for f in SINGLE_FIELDS:
            got, want = by_field.get(f, []), gold.get(f)
            for i, s in enumerate(got):
                ok = i == 0 and want is not None and match(f, s.get("value"), want)
                sc.judged.append(Judged(cid, f, s.get("value"), float(s.get("confidence", 0)), ok, s.get("source", "")))
                if ok:
                    sc.tp[f] += 1
                    if f == "next_follow_up":
                        sc.time_total += 1
                        sc.time_exact += str(s.get("value")) == str(want)
                else:
                    sc.fp[f] += 1
                    sc.mistakes.append((cid, f, s.get("value"), want))
            if want is not None and not any(match(f, s.get("value"), want) for s in got[:1]):
                sc.fn[f] += 1
                if not got:
                    sc.mistakes.append((cid, f, None, want))
        for f in MULTI_FIELDS:
            want = set(gold.get(f, []))
            seen = set()
            for s in by_field.get(f, []):
                v = s.get("value")
                ok = v in want and v not in seen
                sc.judged.append(Judged(cid, f, v, float(s.get("confidence", 0)), ok, s.get("source", "")))
                if ok:
                    sc.tp[f] += 1
                    seen.add(v)
                else:
                    sc.fp[f] += 1
                    sc.mistakes.append((cid, f, v, sorted(want)))
            for v in want - seen:
                sc.fn[f] += 1
                sc.mistakes.append((cid, f, None, v))
    return sc


KEYWORDS = {  # the naive keyword tagger the contract warns about: any keyword hit is a tag
    "价格讨论": ["价格", "报价", "便宜", "折扣", "优惠", "多少钱", "贵"],
    "竞品对比": ["马扎克", "德玛吉", "发那科", "海天", "大族", "竞品", "别家", "其他家"],
    "客户明确需求": ["需要", "要求", "精度", "产能", "数量"],
    "回款跟进": ["发票", "付款", "尾款", "回款", "打款"],
    "异议": ["太贵", "不行", "考虑", "再说", "问题"],
}


def keyword_baseline(conv: dict) -> dict:
    sugg = []
    for m in conv["messages"]:
        for tag, words in KEYWORDS.items():
            for w in words:
                i = (m.get("text") or "").find(w)
                if i >= 0 and all(s["value"] != tag for s in sugg):
                    sugg.append({"field": "tag", "value": tag, "confidence": 0.6,
                                 "evidence": [{"message_id": m["id"], "start": i, "end": i + len(w), "text": w}],
                                 "reason": f"检测到“{w}”"})
    return {"conversation_id": conv["conversation_id"], "suggestions": sugg}
