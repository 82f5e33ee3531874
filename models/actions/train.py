"""Train and evaluate the diagnosis message classifiers: `python -m models.actions.train`.

1. Hyper-parameters are chosen on the dev split (a small grid), never on test.
2. The final models are fitted on train+dev and evaluated ONCE on the held-out test split
   (patterns never seen in training), beside the keyword baseline in the same run.
3. Writes artifacts/actions.pkl and artifacts/metrics.json (with the corpus sha256).
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time

from . import ARTIFACT, HYPER, METRICS, REP_LABELS, KeywordModels, corpus_hash, fit_models, read_corpus


def _macro_f1(gold, pred, labels):
    f1s = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s[lab] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(f1s.values()) / len(f1s), f1s


def _acc(gold, pred):
    return sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold))


def evaluate(models, rows, split):
    rep = [r for r in rows if r["speaker"] == "rep" and r["split"] == split]
    cus = [r for r in rows if r["speaker"] == "customer" and r["split"] == split]
    ok = lambda attr: getattr(models, attr, True) is not None  # noqa: E731 - grid models fit one task only
    pr = models.rep_actions([r["text"] for r in rep], [r["prev_text"] for r in rep]) if ok("rep") else [None] * len(rep)
    ps = (models.customer_sentiment([r["text"] for r in cus], [r["prev_text"] for r in cus]) if ok("sentiment")
          else [None] * len(cus))
    po = (models.customer_objection([r["text"] for r in cus], [r["prev_text"] for r in cus]) if ok("objection")
          else [None] * len(cus))
    mf1, per = _macro_f1([r["label"] for r in rep], pr, REP_LABELS)
    of1, _ = _macro_f1([bool(r["objection"]) for r in cus], po, [True])
    return {"n_rep": len(rep), "n_customer": len(cus), "action_macro_f1": round(mf1, 4),
            "action_f1": {k: round(v, 4) for k, v in per.items()},
            "action_accuracy": round(_acc([r["label"] for r in rep], pr), 4),
            "sentiment_accuracy": round(_acc([int(r["label"]) for r in cus], ps), 4),
            "objection_f1": round(of1, 4), "objection_accuracy": round(_acc([bool(r["objection"]) for r in cus], po), 4)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.actions.train", description=__doc__.splitlines()[0])
    ap.add_argument("--no-save", action="store_true", help="evaluate only, do not write the artifact")
    ap.add_argument("--no-grid", action="store_true", help="skip the dev-split grid, use the stored defaults")
    args = ap.parse_args(argv)
    rows = read_corpus()
    hyper = {k: dict(v) for k, v in HYPER.items()}
    grid_log = []
    if not args.no_grid:
        for task, metric in (("rep", "action_macro_f1"), ("sentiment", "sentiment_accuracy"), ("objection", "objection_f1")):
            best = None
            for C in (3.0, 10.0):
                for pw in (0.0, 0.3, 0.6):
                    for lex in (1.0,):
                        h = {k: dict(v) for k, v in hyper.items()}
                        h[task] = {**h[task], "C": C, "prev_weight": pw, "lexicon": lex}
                        score = evaluate(fit_models(rows, ("train",), h, tasks=(task,)), rows, "dev")[metric]
                        grid_log.append({"task": task, "C": C, "prev_weight": pw, "lexicon": lex, metric: score})
                        if best is None or score > best[0] + 1e-9:
                            best = (score, h[task])
            hyper[task] = best[1]
    t0 = time.perf_counter()
    models = fit_models(rows, ("train", "dev"), hyper)
    fit_s = time.perf_counter() - t0
    test = evaluate(models, rows, "test")
    base = evaluate(KeywordModels(), rows, "test")
    out = {"corpus": "labeling/actions/messages.jsonl", "corpus_sha256": corpus_hash(), "hyper": hyper,
           "fit_seconds": round(fit_s, 2), "test": test, "test_keyword_baseline": base, "dev_grid": grid_log,
           "meta": models.meta}
    print(f"test split: {test['n_rep']} rep / {test['n_customer']} customer messages (patterns unseen in training)")
    print(f"{'metric':24}{'model':>10}{'keywords':>10}")
    for k in ("action_macro_f1", "action_accuracy", "sentiment_accuracy", "objection_f1", "objection_accuracy"):
        print(f"{k:24}{test[k]:>10.3f}{base[k]:>10.3f}")
    for lab in REP_LABELS:
        print(f"  F1 {lab:18}{test['action_f1'][lab]:>10.3f}{base['action_f1'][lab]:>10.3f}")
    print("hyper-parameters (chosen on dev):", json.dumps(hyper, ensure_ascii=False))
    if not args.no_save:
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        with ARTIFACT.open("wb") as f:
            pickle.dump(models, f, protocol=pickle.HIGHEST_PROTOCOL)
        METRICS.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {ARTIFACT} ({ARTIFACT.stat().st_size / 1e6:.2f} MB) and {METRICS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
