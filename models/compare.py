"""Compare the two message-classifier backends on the same split, in one run.

    python -m models.compare [--epochs N] [--seed S] [--checkpoint DIR] [--json OUT]

Both are trained on the train split with the same seed and scored on dev (never test):
per-label and macro message-level F1 (p >= 0.5) and ROC AUC, conversation-level F1 per
field (a label is predicted when its max message probability >= 0.5; micro over
conversation × label), training time and batched scoring latency (ms/message).

The project's default stays the linear model unless the transformer is better on dev
(macro message F1 and conversation F1) at <= 1 ms/message batched.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

LATENCY_BUDGET_MS = 1.0


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _auc(y: list[int], p: list[float]) -> float | None:
    if 0 < sum(y) < len(y):
        from sklearn.metrics import roc_auc_score
        return float(roc_auc_score(y, p))
    return None


def dev_items(convs: list[dict]):
    """Per dev message: (conv index, (text, speaker, prev), gold label set)."""
    from models.textclf import _messages, conv_message_labels
    out = []
    for ci, conv in enumerate(convs):
        ml = conv_message_labels(conv)
        _ctx, msgs = _messages(conv)
        for j, (x, prev) in enumerate(msgs):
            nxt = msgs[j + 1][0].text if j + 1 < len(msgs) else ""
            out.append((ci, (x.text, x.speaker, prev, nxt), ml.get(x.id, set())))
    return out


def linear_probs(model, items) -> list[list[float]]:
    """Message probabilities with the features the model was trained on (the next message's
    bigrams only where its meta says so)."""
    from models.textclf import featurize_many
    nxt = model.meta.get("next_features", False)
    feats = featurize_many([tuple(it) if nxt else tuple(it[:3]) for it in items])
    return [[_sig(z) for z in model.message_logits(f)] for f in feats]


def evaluate(labels: list[str], convs: list[dict], items, probs: list[list[float]]) -> dict:
    from models.textclf import conv_labels
    per_label = {}
    for j, lab in enumerate(labels):
        y = [1 if lab in g else 0 for _, _, g in items]
        p = [row[j] for row in probs]
        tp = sum(1 for a, b in zip(y, p) if a and b >= 0.5)
        fp = sum(1 for a, b in zip(y, p) if not a and b >= 0.5)
        fn = sum(1 for a, b in zip(y, p) if a and b < 0.5)
        per_label[lab] = {"support": sum(y), "f1": _f1(tp, fp, fn), "auc": _auc(y, p)}
    with_support = [v for v in per_label.values() if v["support"]]
    aucs = [v["auc"] for v in with_support if v["auc"] is not None]
    macro = {"f1": sum(v["f1"] for v in with_support) / max(1, len(with_support)),
             "auc": sum(aucs) / len(aucs) if aucs else None, "labels": len(with_support)}
    # conversation level: max over messages >= 0.5
    best = [dict() for _ in convs]
    for (ci, _it, _g), row in zip(items, probs):
        for lab, v in zip(labels, row):
            best[ci][lab] = max(best[ci].get(lab, 0.0), v)
    conv = {}
    for fld in ("tag", "key_obstacle", "stage"):
        tp = fp = fn = 0
        for ci, c in enumerate(convs):
            gold = {lab for lab in conv_labels(c) if lab.startswith(fld + ":")}
            pred = {lab for lab, v in best[ci].items() if lab.startswith(fld + ":") and v >= 0.5}
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
        conv[fld] = _f1(tp, fp, fn)
    return {"per_label": per_label, "macro": macro, "conv_f1": conv}


def latency_ms(score_batch, items, batch_size: int = 64, repeats: int = 3) -> float:
    """Best of `repeats` passes over all items in batches: ms per message."""
    score_batch(items[:batch_size])  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for i in range(0, len(items), batch_size):
            score_batch(items[i:i + batch_size])
        best = min(best, time.perf_counter() - t)
    return 1000 * best / max(1, len(items))


def run(*, seed: int = 0, epochs: int | None = None, checkpoint_dir: str | None = None, limit: int = 0,
        save: bool = True,
        log=lambda s: print(s, file=sys.stderr)) -> dict:
    from labeling.corpus import load
    from models import textclf
    train, dev = load("train"), load("dev")
    if not train or not dev:
        raise SystemExit("no corpus splits: run `python -m labeling.corpus split` first")
    labels = textclf.all_labels()
    items = dev_items(dev)
    msg_items = [it for _, it, _ in items]
    res: dict = {"seed": seed, "train_conversations": len(train), "dev_conversations": len(dev),
                 "dev_messages": len(items), "labels": labels}

    log("linear: training (5-fold stacking + final fit)")
    t = time.perf_counter()
    lin = textclf.train(train[:limit] if limit else train, seed=seed)
    lin_train = time.perf_counter() - t
    t = time.perf_counter()
    design = textclf._design(train[:limit] if limit else train)
    rows = design[0] if isinstance(design, tuple) else design  # (message rows, conversation rows) or rows
    textclf.fit_linear(rows, labels, seed=seed)
    lin_msg_train = time.perf_counter() - t
    lin_probs = linear_probs(lin, msg_items)
    res["linear"] = {**evaluate(labels, dev, items, lin_probs), "train_seconds": round(lin_train, 2),
                     "message_model_train_seconds": round(lin_msg_train, 2),
                     "ms_per_message": latency_ms(lambda b: linear_probs(lin, b), msg_items)}

    log("transformer: training")
    from models.transformer import train_transformer  # torch/transformers load here, not before
    t = time.perf_counter()
    # dev_convs=None: no per-epoch dev loss inside the timed training
    tr = train_transformer(train[:limit] if limit else train, None, seed=seed, epochs=epochs,
                           checkpoint_dir=checkpoint_dir, progress=log)
    tr_train = time.perf_counter() - t
    tr_probs = tr.message_probs(msg_items)
    res["transformer"] = {**evaluate(labels, dev, items, tr_probs), "train_seconds": round(tr_train, 2),
                          "message_model_train_seconds": round(tr_train, 2),
                          "ms_per_message": latency_ms(tr.message_probs, msg_items),
                          "config": tr.meta}
    try:
        if not save:
            raise OSError("--no-save")
        d = tr.save()
        res["transformer"]["saved"] = str(d)
    except OSError as e:  # a read-only install still gets the comparison
        log(f"transformer: not saved ({e})")
    res["verdict"] = verdict(res)
    return res


def verdict(res: dict) -> str:
    L, T = res["linear"], res["transformer"]
    conv_l = sum(L["conv_f1"].values()) / 3
    conv_t = sum(T["conv_f1"].values()) / 3
    t_better = T["macro"]["f1"] > L["macro"]["f1"] and conv_t > conv_l
    fast = T["ms_per_message"] <= LATENCY_BUDGET_MS
    head = (f"dev macro message F1 linear {L['macro']['f1']:.3f} vs transformer {T['macro']['f1']:.3f}; "
            f"mean conversation F1 {conv_l:.3f} vs {conv_t:.3f}; "
            f"{L['ms_per_message']:.3f} vs {T['ms_per_message']:.3f} ms/message. ")
    if t_better and fast:
        return head + "The transformer wins on dev within the 1 ms/message budget: a candidate for the default."
    if t_better:
        return head + "The transformer is better on dev but over the 1 ms/message budget: the linear model stays the default."
    return head + "The linear model wins on dev: it stays the default."


def _fmt(v) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def report(res: dict) -> str:
    L, T = res["linear"], res["transformer"]
    lines = [f"dev split: {res['dev_conversations']} conversations, {res['dev_messages']} messages; "
             f"train {res['train_conversations']} conversations; seed {res['seed']}", "",
             f"{'label':<22}{'n':>4}  {'F1 lin':>7}{'F1 trf':>7}  {'AUC lin':>7}{'AUC trf':>8}"]
    for lab in res["labels"]:
        a, b = L["per_label"][lab], T["per_label"][lab]
        lines.append(f"{lab:<22}{a['support']:>4}  {_fmt(a['f1']):>7}{_fmt(b['f1']):>7}  "
                     f"{_fmt(a['auc']):>7}{_fmt(b['auc']):>8}")
    lines.append(f"{'macro (labels with support)':<26}  {_fmt(L['macro']['f1']):>7}{_fmt(T['macro']['f1']):>7}  "
                 f"{_fmt(L['macro']['auc']):>7}{_fmt(T['macro']['auc']):>8}")
    lines += ["", f"{'conversation F1 (dev)':<26}{'linear':>9}{'transformer':>13}"]
    for fld in ("tag", "key_obstacle", "stage"):
        lines.append(f"{fld:<26}{L['conv_f1'][fld]:>9.3f}{T['conv_f1'][fld]:>13.3f}")
    lines += ["", f"{'train seconds':<26}{L['train_seconds']:>9.1f}{T['train_seconds']:>13.1f}",
              f"{'  message model only':<26}{L['message_model_train_seconds']:>9.1f}"
              f"{T['message_model_train_seconds']:>13.1f}",
              f"{'ms/message (batches of 64)':<26}{L['ms_per_message']:>9.3f}{T['ms_per_message']:>13.3f}",
              "", res["verdict"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.compare", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, help="transformer epochs (default 30 from scratch, 4 fine-tuning)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--checkpoint", help="local Hugging Face checkpoint directory to fine-tune "
                                         "(default: env CHAT2CRM_HF_CHECKPOINT, else a tiny BERT from scratch)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N train conversations only (smoke runs)")
    ap.add_argument("--no-save", action="store_true", help="do not write models/artifacts/transformer/")
    ap.add_argument("--json", help="also write the full results as JSON to this file")
    a = ap.parse_args(argv)
    res = run(seed=a.seed, epochs=a.epochs, checkpoint_dir=a.checkpoint, limit=a.limit, save=not a.no_save)
    print(report(res))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(res, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
