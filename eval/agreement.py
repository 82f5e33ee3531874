"""Inter-annotator agreement: a second annotator's gold against the corpus gold.

    python -m eval.agreement labeling/agreement/second_pass.jsonl [--corpus FILE ...] [--json]

The second pass is JSONL, one {"conversation_id", "gold": {...}} per line; the corpus
gold is looked up by conversation_id in --corpus (default: labeling/corpus/raw/*.jsonl).
Values are compared with the project's matching rules (eval.scoring.match: fuzzy names,
follow-ups by day, obstacles by category, budgets within 2%).

Per field it prints:
  - categorical single fields (stage, industry, key_obstacle by category): percent
    agreement and Cohen's kappa over all conversations, "none" counting as a category;
  - open-valued single fields (customer_name, contact, next_follow_up, budget): percent
    agreement (both absent, or both present and matching) and the F1 between annotators
    (corpus gold as reference: a value in one pass without a matching value in the other
    counts against it);
  - multi-valued fields (tag, decision_role): per value, presence agreement and Cohen's
    kappa over all conversations, plus the pooled F1 between annotators;
then every disagreement: conversation, field, second pass value, corpus value.
"""
from __future__ import annotations

import argparse
import glob
import json
import sys
from collections import Counter
from pathlib import Path

from eval.scoring import match
from extractor.types import MULTI_FIELDS, ROLES, TAGS

CATEGORICAL = ("stage", "industry", "key_obstacle")
OPEN = ("customer_name", "contact", "next_follow_up", "budget")
ROOT = Path(__file__).resolve().parents[1]


def load_jsonl(path, tolerant: bool = False) -> list[dict]:
    """Parse a JSONL file; tolerant=True skips (and reports) unparsable lines, e.g. a line
    another writer is still appending to a corpus file."""
    out = []
    with open(path, encoding="utf-8") as f:
        for i, x in enumerate(f, 1):
            if not x.strip():
                continue
            try:
                out.append(json.loads(x))
            except json.JSONDecodeError:
                if not tolerant:
                    raise
                print(f"{path}:{i}: skipped unparsable line", file=sys.stderr)
    return out


def cohen_kappa(a: list, b: list) -> float | None:
    """Cohen's kappa for two equally long label lists; None when undefined (pe == 1)."""
    n = len(a)
    if not n:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def category(fld: str, v):
    if v is None:
        return "∅"
    if fld == "key_obstacle":
        return v.get("category") if isinstance(v, dict) else v
    return v


def show(v) -> str:
    return "∅" if v is None else json.dumps(v, ensure_ascii=False)


def compare(second: list[dict], corpus: dict[str, dict]) -> dict:
    pairs = []
    missing = []
    for d in second:
        cid = d["conversation_id"]
        if cid not in corpus:
            missing.append(cid)
            continue
        pairs.append((cid, d.get("gold") or {}, corpus[cid].get("gold") or {}))
    n = len(pairs)
    fields: dict[str, dict] = {}
    disagreements: list[tuple] = []

    for fld in CATEGORICAL + OPEN:
        agree = tp = fp = fn = 0
        la, lb = [], []
        for cid, s, g in pairs:
            sv, gv = s.get(fld), g.get(fld)
            if sv is None and gv is None:
                ok = True
            elif sv is not None and gv is not None:
                ok = match(fld, sv, gv)
            else:
                ok = False
            agree += ok
            if sv is not None and gv is not None and ok:
                tp += 1
            else:
                fp += sv is not None
                fn += gv is not None
            if fld in CATEGORICAL:
                la.append(category(fld, sv))
                lb.append(category(fld, gv))
            if not ok:
                disagreements.append((cid, fld, sv, gv))
        row = {"n": n, "agreement": agree / n if n else None, "f1": f1(tp, fp, fn),
               "second": sum(s.get(fld) is not None for _, s, _ in pairs),
               "corpus": sum(g.get(fld) is not None for _, _, g in pairs)}
        if fld in CATEGORICAL:
            row["kappa"] = cohen_kappa(la, lb)
        fields[fld] = row

    for fld in MULTI_FIELDS:
        vocab = TAGS if fld == "tag" else ROLES
        tp = fp = fn = 0
        per_value = {}
        for val in vocab:
            la = [val in (s.get(fld) or []) for _, s, _ in pairs]
            lb = [val in (g.get(fld) or []) for _, _, g in pairs]
            per_value[val] = {"agreement": sum(x == y for x, y in zip(la, lb)) / n if n else None,
                              "kappa": cohen_kappa(la, lb), "second": sum(la), "corpus": sum(lb)}
        for cid, s, g in pairs:
            ss, gs = set(s.get(fld) or []), set(g.get(fld) or [])
            tp += len(ss & gs)
            fp += len(ss - gs)
            fn += len(gs - ss)
            for v in sorted(ss - gs):
                disagreements.append((cid, f"{fld}:{v}", "present", "absent"))
            for v in sorted(gs - ss):
                disagreements.append((cid, f"{fld}:{v}", "absent", "present"))
        fields[fld] = {"n": n, "f1": f1(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn,
                       "exact_set_agreement": sum(set(s.get(fld) or []) == set(g.get(fld) or [])
                                                  for _, s, g in pairs) / n if n else None,
                       "per_value": per_value}

    exact = sum(all((s.get(f) is None and g.get(f) is None) or
                    (s.get(f) is not None and g.get(f) is not None and
                     (set(s[f]) == set(g[f]) if f in MULTI_FIELDS else match(f, s[f], g[f])))
                    for f in CATEGORICAL + OPEN + tuple(MULTI_FIELDS)) for _, s, g in pairs)
    # finer details the matching rules do not score: time of day, contact title, budget exactness
    details = []
    for cid, s, g in pairs:
        sv, gv = s.get("next_follow_up"), g.get("next_follow_up")
        if sv and gv and match("next_follow_up", sv, gv) and str(sv) != str(gv):
            details.append((cid, "next_follow_up (time of day)", sv, gv))
        sv, gv = s.get("contact"), g.get("contact")
        if sv and gv and match("contact", sv, gv) and (sv.get("title") or None) != (gv.get("title") or None):
            details.append((cid, "contact.title", sv.get("title"), gv.get("title")))
        sv, gv = s.get("budget"), g.get("budget")
        if sv and gv and match("budget", sv, gv) and sv != gv:
            details.append((cid, "budget (exact)", sv, gv))
    fu = [(s.get("next_follow_up"), g.get("next_follow_up")) for _, s, g in pairs]
    both = [(a, b) for a, b in fu if a and b and match("next_follow_up", a, b)]
    fields["next_follow_up"]["exact_time_agreement"] = (sum(str(a) == str(b) for a, b in both) / len(both)
                                                        if both else None)
    return {"n": n, "missing": missing, "fields": fields, "conversations_identical": exact,
            "disagreements": disagreements, "unscored_differences": details}


def fmt(x, pct=False) -> str:
    if x is None:
        return "  n/a"
    return f"{100 * x:5.1f}%" if pct else f"{x:5.2f}"


def report(res: dict) -> str:
    out = [f"conversations compared: {res['n']}"
           + (f"  (not in corpus: {', '.join(res['missing'])})" if res["missing"] else ""),
           f"conversations with identical labels (all fields): {res['conversations_identical']}/{res['n']}",
           "", f"{'field':<16}{'agree':>8}{'kappa':>8}{'F1':>8}{'#2nd':>6}{'#gold':>6}"]
    for fld in CATEGORICAL + OPEN:
        r = res["fields"][fld]
        out.append(f"{fld:<16}{fmt(r['agreement'], True):>8}{fmt(r.get('kappa')):>8}{fmt(r['f1']):>8}"
                   f"{r['second']:>6}{r['corpus']:>6}")
    for fld in MULTI_FIELDS:
        r = res["fields"][fld]
        out.append(f"{fld:<16}{fmt(r['exact_set_agreement'], True):>8}{'':>8}{fmt(r['f1']):>8}"
                   f"{r['tp'] + r['fp']:>6}{r['tp'] + r['fn']:>6}   (agree = identical sets)")
        for val, v in r["per_value"].items():
            out.append(f"  {fld}:{val:<10}{fmt(v['agreement'], True):>8}{fmt(v['kappa']):>8}{'':>8}"
                       f"{v['second']:>6}{v['corpus']:>6}")
    out += ["", f"disagreements ({len(res['disagreements'])}):"]
    for cid, fld, sv, gv in res["disagreements"]:
        if isinstance(sv, str) and sv in ("present", "absent") and ":" in fld:
            out.append(f"  {cid}  {fld:<22} second={sv:<8} corpus={gv}")
        else:
            out.append(f"  {cid}  {fld:<22} second={show(sv)}  corpus={show(gv)}")
    r = res["fields"]["next_follow_up"]
    out += ["", "differences the matching rules do not score"
            f" (follow-ups agreeing by day that also agree on time of day: {fmt(r.get('exact_time_agreement'), True)}):"]
    for cid, fld, sv, gv in res["unscored_differences"]:
        out.append(f"  {cid}  {fld:<22} second={show(sv)}  corpus={show(gv)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.agreement", description=__doc__.splitlines()[0])
    ap.add_argument("second_pass")
    ap.add_argument("--corpus", nargs="*", help="gold corpus JSONL files (default labeling/corpus/raw/*.jsonl)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args(argv)
    paths = a.corpus or sorted(glob.glob(str(ROOT / "labeling" / "corpus" / "raw" / "*.jsonl")))
    corpus = {}
    for p in paths:
        for d in load_jsonl(p, tolerant=True):
            corpus[d["conversation_id"]] = d
    res = compare(load_jsonl(a.second_pass), corpus)
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    else:
        print(report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
