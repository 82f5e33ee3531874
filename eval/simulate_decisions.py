"""Does the learning loop learn? `python -m eval.simulate_decisions [--n 200]`

Simulates reps deciding on the current model's suggestions for part of the dev split
(accept when gold agrees; edit to the gold value for a single-valued field gold has;
otherwise reject), stores nothing, turns the decisions into partial gold with the label
store's semantics (labeling.io.aggregate: unanswered = unknown), retrains with the same
seed with and without them, and prints dev scores side by side — on the whole dev split
(as the issue asks) and on the dev conversations no decision came from (the honest view).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def simulate(dev: list[dict], n: int) -> tuple[list[dict], set[str]]:
    from eval.cli import predict
    from eval.scoring import match
    preds, _ = predict(dev)
    records, used = [], set()
    for conv, pred in zip(dev, preds):
        if len(records) >= n:
            break
        gold = conv.get("gold", {})
        for s in pred.get("suggestions", []):
            if len(records) >= n:
                break
            f, v = s["field"], s["value"]
            want = gold.get(f)
            if f in ("tag", "decision_role"):
                ok = v in (want or [])
                dec, final = ("accept", v) if ok else ("reject", None)
            elif want is not None and match(f, v, want):
                dec, final = "accept", v
            elif want is not None:
                dec, final = "edit", want
            else:
                dec, final = "reject", None
            records.append({"conversation_id": conv["conversation_id"], "suggestion": s, "decision": dec,
                            "final_value": final, "who": "simulated-rep", "when": f"2026-11-27T00:00:{len(records) % 60:02d}"})
            used.add(conv["conversation_id"])
    return records, used


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    from eval.cli import predict
    from eval.scoring import score
    from labeling.corpus import load
    from labeling.io import aggregate
    import models.calibration as cal_mod
    from models.train import train_and_promote
    dev = load("dev")
    records, used = simulate(dev, a.n)
    partial = aggregate(records, {c["conversation_id"]: c for c in dev}, source="simulated")
    kinds = {d: sum(r["decision"] == d for r in records) for d in ("accept", "edit", "reject")}
    print(f"{len(records)} simulated decisions on {len(used)} dev conversations: {kinds}")
    rows = {}
    for name, extra in (("without decisions", []), ("with decisions", partial)):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            train_and_promote(seed=a.seed, extra_train=extra, force=True, out_dir=Path(tmp), log=lambda *_: None)
            with cal_mod.using_model_dir(tmp):
                preds, _ = predict(dev)
            rest = [(c, p) for c, p in zip(dev, preds) if c["conversation_id"] not in used]
            rows[name] = (score(dev, preds), score([c for c, _ in rest], [p for _, p in rest]), time.perf_counter() - t0)
    print(f"{'':20} {'dev micro-F1':>13} {'dev signal F1':>14} {'unseen-dev micro-F1':>20} {'train s':>8}")
    for name, (all_sc, rest_sc, secs) in rows.items():
        sig = [all_sc.prf(f)[2] for f in ("tag", "key_obstacle", "stage")]
        print(f"{name:20} {all_sc.prf()[2]:13.4f} {sum(sig) / 3:14.4f} {rest_sc.prf()[2]:20.4f} {secs:8.1f}")
    print(json.dumps({k: {"dev_micro_f1": round(v[0].prf()[2], 4), "unseen_dev_micro_f1": round(v[1].prf()[2], 4)}
                      for k, v in rows.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
