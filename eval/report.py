"""`chat2crm eval --report DIR`: a Markdown report with PNG figures.

Contents: the summary beside the keyword baseline, per-field precision/recall/F1 (the
scorer's own numbers), confusion matrices for stage, key_obstacle category and industry,
a reliability diagram (10 bins, ECE) over the emitted suggestions, precision–recall
curves per field over confidence with the current thresholds marked, and the dev
metrics of the current model beside the previous one (`metrics.prev.json`).

matplotlib (Agg) is imported only here, lazily; every number printed comes from
`eval.scoring.Score` or is computed from `score.judged` with the scorer's bin rule.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from eval.scoring import FIELDS, Score

NONE = "—"
CONFUSION_FIELDS = ("stage", "key_obstacle", "industry")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")


# ------------------------------------------------------------------ numbers

def f3(x: float) -> str:
    return f"{x:.3f}"


def reliability_bins(judged, bins: int = 10) -> list[dict]:
    """Per bin: n, mean confidence, accuracy — the same bin rule as `Score.ece`."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inb = [j for j in judged if lo <= j.confidence < hi or (b == bins - 1 and j.confidence == 1.0)]
        out.append({"lo": lo, "hi": hi, "n": len(inb),
                    "conf": sum(j.confidence for j in inb) / len(inb) if inb else None,
                    "acc": sum(j.correct for j in inb) / len(inb) if inb else None})
    return out


def pr_curve(judged, fld: str, n_gold: int) -> list[tuple[float, float, float]]:
    """(threshold, precision, recall) for every distinct confidence of `fld`, high to low:
    what the scorer would report if only suggestions at or above the threshold were emitted."""
    pts = sorted(((j.confidence, j.correct) for j in judged if j.field == fld), key=lambda x: -x[0])
    out, tp, n = [], 0, 0
    i = 0
    while i < len(pts):
        c = pts[i][0]
        while i < len(pts) and pts[i][0] == c:
            tp += pts[i][1]
            n += 1
            i += 1
        out.append((c, tp / n, tp / n_gold if n_gold else 0.0))
    return out


def first_values(preds: list[dict], fld: str) -> list[Any]:
    out = []
    for p in preds:
        v = None
        for s in (p or {}).get("suggestions", []) if isinstance(p, dict) else []:
            if s.get("field") == fld:
                v = s.get("value")
                break
        out.append(v)
    return out


def _cat(fld: str, v: Any) -> str:
    if v is None:
        return NONE
    if fld == "key_obstacle":
        return str(v.get("category")) if isinstance(v, dict) else str(v)
    return str(v)


def confusion(convs: list[dict], preds: list[dict], fld: str) -> tuple[list[str], dict[tuple[str, str], int]]:
    """(labels, counts[(gold, predicted)]) over the first suggestion of the field; — = none."""
    from extractor.types import INDUSTRIES, OBSTACLES, STAGES
    vocab = {"stage": STAGES, "key_obstacle": OBSTACLES, "industry": INDUSTRIES}[fld]
    counts: Counter = Counter()
    for conv, v in zip(convs, first_values(preds, fld)):
        counts[(_cat(fld, (conv.get("gold") or {}).get(fld)), _cat(fld, v))] += 1
    seen = {x for k in counts for x in k}
    labels = [x for x in vocab if x in seen] + [x for x in sorted(seen) if x not in vocab and x != NONE] + [NONE]
    return labels, dict(counts)


def thresholds() -> dict[str, float]:
    from models.calibration import current
    cal = current()
    return {f: cal.threshold(f) for f in FIELDS}


def value_thresholds() -> dict[str, float]:
    """Thresholds of the field values calibrated on their own (tag:价格讨论 …)."""
    from models.calibration import current
    return {k: v for k, v in current().thresholds.items() if ":" in k}


def load_metrics() -> tuple[dict | None, dict | None]:
    from models.calibration import model_dir
    out = []
    for name in ("metrics.json", "metrics.prev.json"):
        p = model_dir() / name
        try:
            out.append(json.loads(p.read_text(encoding="utf-8")) if p.exists() else None)
        except (OSError, json.JSONDecodeError):
            out.append(None)
    return out[0], out[1]


def unthresholded_judged(convs: list[dict], progress: bool = True):
    """Score the extractor with thresholds off: the full curve below the current thresholds."""
    from eval.scoring import score
    from extractor.pipeline import extract
    from extractor.types import Conversation, InputError
    from tqdm import tqdm
    preds = []
    for c in tqdm(convs, desc="report: extracting without thresholds", unit="conv", leave=False, disable=not progress):
        d = {k: v for k, v in c.items() if k not in ("gold", "gold_evidence", "notes")}
        try:
            preds.append(extract(Conversation.from_dict(d), apply_threshold=False).to_dict())
        except InputError as e:
            preds.append({"error": str(e)})
    return score(convs, preds)


# ------------------------------------------------------------------ figures

def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    have = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [f for f in CJK_FONTS if f in have]
    plt.rcParams["font.sans-serif"] = cjk + ["DejaVu Sans"]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return plt, bool(cjk)


def fig_confusion(plt, path: Path, fld: str, labels: list[str], counts: dict) -> None:
    import numpy as np
    m = np.array([[counts.get((g, p), 0) for p in labels] for g in labels])
    fig, ax = plt.subplots(figsize=(1.0 + 0.75 * len(labels), 0.8 + 0.65 * len(labels)))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted (first suggestion)")
    ax.set_ylabel("gold")
    ax.set_title(f"{fld}: confusion")
    top = m.max() or 1
    for i in range(len(labels)):
        for j in range(len(labels)):
            if m[i, j]:
                ax.text(j, i, str(m[i, j]), ha="center", va="center", color="white" if m[i, j] > top / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fig_reliability(plt, path: Path, bins: list[dict], ece: float, n: int) -> None:
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(5, 6), gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    xs = [b["conf"] for b in bins if b["n"]]
    ys = [b["acc"] for b in bins if b["n"]]
    ax.bar([b["lo"] for b in bins], [b["acc"] or 0 for b in bins], width=0.1, align="edge", alpha=0.35,
           edgecolor="C0", label="accuracy per bin")
    ax.plot(xs, ys, "o-", color="C1", label="mean confidence → accuracy")
    ax.set_ylabel("accuracy (share correct)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Reliability over {n} emitted suggestions, ECE {ece:.3f}")
    ax.legend(loc="upper left", fontsize=8)
    ax2.bar([b["lo"] for b in bins], [b["n"] for b in bins], width=0.1, align="edge", color="C0")
    ax2.set_xlabel("confidence")
    ax2.set_ylabel("suggestions")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fig_pr(plt, path: Path, curves: dict[str, list], marks: dict[str, tuple[float, float, float]]) -> None:
    flds = [f for f in FIELDS if curves.get(f)]
    cols = 3
    rows = max(1, (len(flds) + cols - 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.4 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(flds):
            ax.axis("off")
            continue
        f = flds[k]
        c = curves[f]
        ax.plot([r for _, _, r in c], [p for _, p, _ in c], "-", drawstyle="steps-post", color="C0")
        ax.plot([r for _, _, r in c], [p for _, p, _ in c], ".", color="C0", markersize=3)
        if f in marks:
            t, p, r = marks[f]
            ax.plot([r], [p], "o", color="C3", markersize=8, label=f"threshold {t:.2f}")
            ax.legend(loc="lower left", fontsize=8)
        ax.set_title(f)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.grid(alpha=0.3)
    fig.suptitle("Precision–recall over confidence (thresholds off); red: current threshold")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ markdown

def _row(cells: list) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _table(head: list[str], rows: list[list], align: str | None = None) -> list[str]:
    al = align or ("---" + "|---:" * (len(head) - 1))
    return [_row(head), "|" + "|".join(al.split("|")) + "|"] + [_row(r) for r in rows]


def per_field_rows(sc: Score) -> list[list]:
    rows = []
    for f in FIELDS + [None]:
        p, r, f1 = sc.prf(f)
        if f is None:
            t, fp, fn = sum(sc.tp.values()), sum(sc.fp.values()), sum(sc.fn.values())
        else:
            t, fp, fn = sc.tp[f], sc.fp[f], sc.fn[f]
        rows.append([f"**micro**" if f is None else f, t, fp, fn, f3(p), f3(r), f3(f1)])
    return rows


def write_report(out_dir: Path, gold_name: str, convs: list[dict], preds: list[dict], score: Score,
                 baseline: Score | None = None, *, rerun: bool = True, progress: bool | None = None) -> Path:
    """Write DIR/report.md and DIR/*.png; return the Markdown path.

    `rerun`: extract once more without thresholds for the precision–recall curves (else the
    curves cover the emitted suggestions only)."""
    import sys
    from tqdm import tqdm
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if progress is None:
        progress = sys.stderr.isatty()
    plt, have_cjk = _plt()
    thr = thresholds()
    metrics, prev = load_metrics()
    model_version = next((p.get("model_version") for p in preds if isinstance(p, dict) and p.get("model_version")),
                         (metrics or {}).get("version", "?"))
    steps = tqdm(total=5, desc="report", unit="step", leave=False, disable=not progress)
    md: list[str] = [f"# chat2crm evaluation: {Path(str(gold_name)).name}", ""]
    md.append(f"{score.n} conversations · model {model_version} · written {time.strftime('%Y-%m-%d %H:%M')}")
    md.append("")
    if not have_cjk:
        md += ["> No CJK font found: Chinese labels in the figures may render as boxes "
               "(install fonts-noto-cjk).", ""]

    # summary
    md += ["## Summary", ""]
    cols = [("chat2crm", score)] + ([("keyword baseline", baseline)] if baseline is not None else [])
    srows = []
    for name, get in (("micro precision", lambda s: f3(s.prf()[0])), ("micro recall", lambda s: f3(s.prf()[1])),
                      ("micro F1", lambda s: f3(s.prf()[2])), ("tag precision", lambda s: f3(s.prf("tag")[0])),
                      ("tag recall", lambda s: f3(s.prf("tag")[1])), ("ECE (10 bins)", lambda s: f3(s.ece())),
                      ("emitted suggestions", lambda s: len(s.judged)), ("bad evidence", lambda s: s.bad_evidence),
                      ("missing reason", lambda s: s.missing_reason), ("failed", lambda s: s.failed)):
        srows.append([name] + [get(s) for _, s in cols])
    md += _table(["metric"] + [n for n, _ in cols], srows)
    md += ["", f"Follow-up time of day exact: {score.time_exact}/{score.time_total}.", ""]

    # per field
    md += ["## Per field", "", "Counting as `eval/scoring.py`: first suggestion of a single-valued field is judged, "
           "tag and decision_role per distinct value.", ""]
    md += _table(["field", "TP", "FP", "FN", "P", "R", "F1"], per_field_rows(score))
    if baseline is not None:
        md += ["", "Keyword baseline (it only proposes tags):", ""]
        md += _table(["field", "TP", "FP", "FN", "P", "R", "F1"],
                     [r for r in per_field_rows(baseline) if r[0] in ("tag", "**micro**")])
    md.append("")
    steps.update()

    # confusion
    md += ["## Confusion matrices", "", "Gold (rows) against the first suggestion of the field (columns); "
           f"`{NONE}` = no value.", ""]
    for fld in CONFUSION_FIELDS:
        labels, counts = confusion(convs, preds, fld)
        png = f"confusion_{fld}.png"
        fig_confusion(plt, out_dir / png, fld, labels, counts)
        md += [f"### {fld}", "", f"![{fld} confusion]({png})", ""]
        md += _table(["gold \\ predicted"] + labels,
                     [[g] + [counts.get((g, p), 0) or "" for p in labels] for g in labels])
        md.append("")
    steps.update()

    # reliability
    bins = reliability_bins(score.judged)
    fig_reliability(plt, out_dir / "reliability.png", bins, score.ece(), len(score.judged))
    md += ["## Calibration", "", f"Expected calibration error over {len(score.judged)} emitted suggestions: "
           f"**{f3(score.ece())}** (10 equal-width bins).", "", "![reliability](reliability.png)", ""]
    md += _table(["bin", "n", "mean confidence", "accuracy", "gap"],
                 [[f"{b['lo']:.1f}–{b['hi']:.1f}", b["n"], f3(b["conf"]) if b["n"] else "",
                   f3(b["acc"]) if b["n"] else "", f3(abs(b["acc"] - b["conf"])) if b["n"] else ""] for b in bins])
    md.append("")
    steps.update()

    # precision-recall over confidence
    full = None
    if rerun:
        try:
            full = unthresholded_judged(convs, progress=progress)
        except Exception as e:  # noqa: BLE001 - the curves fall back to the emitted suggestions
            md += [f"> Could not rerun without thresholds ({type(e).__name__}: {e}); curves cover emitted "
                   "suggestions only.", ""]
    src = full or score
    curves, marks = {}, {}
    prow = []
    for f in FIELDS:
        n_gold = src.tp[f] + src.fn[f]
        curves[f] = pr_curve(src.judged, f, n_gold)
        t = thr[f]
        # the operating point is the scorer's own P/R of what was emitted at the current threshold
        p_at, r_at, _ = score.prf(f)
        if curves[f] or score.tp[f] + score.fp[f]:
            marks[f] = (t, p_at, r_at)
        best = max(curves[f], key=lambda x: (2 * x[1] * x[2] / (x[1] + x[2]) if x[1] + x[2] else 0), default=None)
        prow.append([f, f"{t:.3f}", n_gold, f3(p_at), f3(r_at),
                     f"{best[0]:.3f} (P {best[1]:.2f}, R {best[2]:.2f})" if best else ""])
    fig_pr(plt, out_dir / "pr_curves.png", curves, marks)
    md += ["## Precision–recall over confidence", "",
           ("Extractor rerun with thresholds off; each point is what would be emitted at that confidence "
            "threshold. " if full else "Over the emitted suggestions only. ") +
           "Thresholds: `models.calibration.current().thresholds` (default 0.5 where unfitted).", "",
           "![precision-recall](pr_curves.png)", ""]
    md += _table(["field", "threshold", "gold values", "P at threshold", "R at threshold", "best-F1 threshold"], prow)
    md += ["", "P/R at threshold are the scorer's numbers for the emitted suggestions (the per-field table); "
           "the best-F1 threshold is read off the curve.", ""]
    per_value = value_thresholds()
    if per_value:
        md += ["Values with a calibration of their own (fitted where dev holds enough of them): "
               + ", ".join(f"{k} {v:.3f}" for k, v in sorted(per_value.items())) + ".", ""]
    md.append("")
    steps.update()

    # model versions
    md += ["## Model versions", ""]
    if metrics is None:
        md += ["No `models/artifacts/metrics.json`: no trained model to compare.", ""]
    else:
        vcols = [("current " + str(metrics.get("version", "?")), metrics)]
        if prev is not None:
            vcols.append(("previous " + str(prev.get("version", "?")), prev))
        md += [f"Dev-split metrics recorded at training time ({metrics.get('dev_conversations', '?')} conversations)"
               + ("; no `metrics.prev.json`, so no previous version to compare." if prev is None else "."), ""]
        vrows = []
        for key in ("micro_p", "micro_r", "micro_f1", "tag_p", "ece"):
            vals = [m.get("dev", {}).get(key) for _, m in vcols]
            row = [key] + [f3(v) if isinstance(v, (int, float)) else "" for v in vals]
            if len(vals) == 2 and all(isinstance(v, (int, float)) for v in vals):
                row.append(f"{vals[0] - vals[1]:+.3f}")
            vrows.append(row)
        for f in FIELDS:
            vals = [m.get("dev", {}).get("per_field", {}).get(f, {}).get("f1") for _, m in vcols]
            row = [f"{f} F1"] + [f3(v) if isinstance(v, (int, float)) else "" for v in vals]
            if len(vals) == 2 and all(isinstance(v, (int, float)) for v in vals):
                row.append(f"{vals[0] - vals[1]:+.3f}")
            vrows.append(row)
        head = ["dev metric"] + [n for n, _ in vcols] + (["Δ"] if len(vcols) == 2 else [])
        md += _table(head, vrows)
        md += ["", f"On this file ({Path(str(gold_name)).name}): micro F1 {f3(score.prf()[2])}"
               + (f" vs keyword baseline {f3(baseline.prf()[2])}; tag F1 {f3(score.prf('tag')[2])} vs "
                  f"{f3(baseline.prf('tag')[2])}" if baseline is not None else "") + ".", ""]
    steps.update()

    # mistakes
    if score.mistakes:
        md += ["## Mistakes (first 25)", ""]
        md += _table(["conversation", "field", "predicted", "gold"],
                     [[c, f, json.dumps(p, ensure_ascii=False) if p is not None else NONE,
                       json.dumps(g, ensure_ascii=False)] for c, f, p, g in score.mistakes[:25]],
                     "---|---|---|---")
        md.append("")
    steps.close()
    path = out_dir / "report.md"
    tmp = out_dir / ".report.md.tmp"
    tmp.write_text("\n".join(md), encoding="utf-8")
    tmp.replace(path)
    return path
