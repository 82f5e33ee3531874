"""Training: message classifier + stacking (train split), calibration and thresholds (dev).

Reproducible: same data and seed give the same weights and metrics. The artifact
(textclf.npz, calibration.json, metrics.json) records a hash of its training data and
is promoted over the current one only if it is not worse on dev (micro-F1).
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
import time
from pathlib import Path

from models.calibration import Calibrator, model_dir


def data_hash(*parts: list[dict]) -> str:
    h = hashlib.sha256()
    for convs in parts:
        for c in convs:
            h.update(json.dumps(c, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()[:16]


def code_hash() -> str:
    """Hash of the code that shapes the model (features, rules, stacking): same code, same hash."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted([root / "models" / "textclf.py", root / "models" / "train.py",
                     *(root / "extractor" / "fields").glob("*.py")]):
        h.update(p.read_bytes())
    return h.hexdigest()[:6]


def model_version(train: list[dict], partial: list[dict], dev: list[dict], seed: int) -> str:
    """Derived from data, code and seed (not the clock): retraining the same thing gives the same version."""
    from extractor.pipeline import MODEL_VERSION
    return f"{MODEL_VERSION}-{data_hash(train, partial, dev)[:8]}-{code_hash()}-s{seed}"


def _judge(convs, *, threshold: bool):
    from eval.cli import predict
    from eval.scoring import score
    preds, _ = predict(convs, apply_threshold=threshold)
    return score(convs, preds)


# A tag value may get a map and threshold of its own when dev holds at least this many judged
# suggestions of it (None: never). Off by default: fitted on one half of dev and scored on the
# other (both ways, `python -m eval.cv_calibration`), per-value maps lost to the field's own
# (micro-F1 0.899 vs 0.901, tag P/R 0.906/0.892 vs 0.910/0.905): too few points per value.
PER_VALUE_MIN: int | None = None

# (field, source) pairs calibrated apart from the field's other suggestions: the classifier's own
# proposals of a decision role are a different population from rule mentions it rescored (dev:
# 0.82 vs 0.93 precision). Chosen or not out of sample on dev halves (`python -m eval.cv_calibration`).
SOURCE_SPLIT: tuple[tuple[str, str], ...] = ()
SOURCE_SPLIT_MIN = 20


# Per-field precision targets above the default. Issue 3 asks tag precision >= 0.95 at recall
# >= 0.85. Out of sample on dev halves (`python -m eval.cv_calibration`): on the 2,500-conversation
# corpus a 0.95 target held out at P 0.953 / R 0.835 (micro-F1 -0.005), so 0.93 was used; on the
# 3,140-conversation corpus 0.95 holds out at P 0.953 / R 0.876 for micro-F1 0.9058 → 0.9042,
# so tags get the 0.95 the issue asks for.
#
# decision_role gets a dev target of 0.95 so that its precision on *unseen* conversations reaches
# the 0.9 the product promises. Dev flatters this field: its rules were written from dev's own
# mistakes, so a cut that was 0.92 precise on dev was 0.88 on test and 0.80 on four new batches.
# Sixth session: two new batches (ax, az; 160 conversations, 142 gold roles) were kept out of the
# corpus, the rules and the model until this was chosen, and each setting, fitted on dev, was
# scored on them (`python -m eval.cv_calibration --fresh batch_ax.jsonl batch_az.jsonl
# "z=1.28 role/stage" "role target"`, run with the two files outside labeling/corpus/raw, at the
# commit before they joined the corpus):
#   role target 0.90 (then shipped) → role precision 0.823, micro-F1 0.8786
#   0.93 → 0.861, 0.8787;  0.95 → 0.902, 0.8795;  0.96 → 0.899, 0.8774;  0.97 → 0.928, 0.8658
# 0.95 is the lowest target at which the new batches reach about 0.9, and it costs them no
# micro-F1. With ~140 roles the standard error of those precisions is about 0.03: 0.95 and 0.96
# are not told apart, but 0.90 → 0.95 is a real step. On dev halves 0.95 costs 0.006 micro-F1
# (0.9204 → 0.9147), recall the new batches did not lose. The need was first seen on test (0.873 /
# 0.881 in sessions three to five); the value was chosen on the new batches, not on test.
FIELD_TARGETS: dict[str, float] = {"tag": 0.95, "decision_role": 0.95}
# The threshold must reach the target with this margin: the Wilson lower bound (z standard
# errors) of the emitted precision on dev, not the point estimate. A cut chosen where the dev
# curve just touches the target sits on dev's luck and lands below it on unseen data (test,
# second session: key_obstacle 0.890, tag 0.893 against dev's 0.90). Only for the fields whose
# raw scores are fine-grained (the stacked classifier's): the rule-scored fields have a handful
# of score levels, where a margin jumps a whole level (decision_role recall 0.72→0.35 on dev).
# Chosen out of sample on dev halves (`python -m eval.cv_calibration`, 2500-conversation
# corpus): z=0.5 on tag/obstacle/stage lifted held-out micro-F1 0.9020→0.9030, precision of
# key_obstacle 0.893→0.911, tag 0.903→0.908, the lowest field 0.855→0.867.
MARGIN_Z = 0.5
MARGIN_FIELDS: tuple[str, ...] = ("tag", "key_obstacle", "stage", "decision_role", "industry")
# A wider margin for the fields whose dev precision fell furthest on unseen conversations (test,
# third session: key_obstacle 0.890, industry 0.897, decision_role 0.873 against dev's 0.91).
# Fourth session, when the classifier began stacking decision_role and industry: see
# `python -m eval.cv_calibration` for the held-out comparison behind these values.
# A field listed here uses its own z instead of MARGIN_Z; an explicit `margin_z=` argument to fit_calibration
# overrides both (one z for every field in MARGIN_FIELDS), as the tests and experiments that pass it expect.
# Fifth session (3,860-conversation corpus, dev 789): on dev halves z=1.28 on decision_role and stage raised
# their held-out precision 0.917→0.922 and 0.913→0.924 for micro-F1 0.9184→0.9177
# (`python -m eval.cv_calibration role/stage`). The values were measured on dev only, but which fields to
# widen was prompted by the fourth session's test reading (stage and decision_role under 0.9 there), so
# those two fields' test precision is no longer an unbiased figure (docs/results.md says so).
FIELD_MARGIN_Z: dict[str, float] = {"key_obstacle": 1.0, "decision_role": 1.28, "industry": 1.0, "stage": 1.28}


def wilson_lower(tp: float, n: int, z: float) -> float:
    if n == 0:
        return 0.0
    p = tp / n
    if z <= 0:
        return p
    d = 1 + z * z / n
    return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d


def fit_calibration(dev: list[dict], version: str, target_precision: float = 0.9, min_support: int = 3,
                    field_targets: dict[str, float] | None = None, margin_z: float | None = None) -> Calibrator:
    """Isotonic map per field on dev (raw score → accuracy) and the lowest threshold
    whose emitted precision on dev reaches the target (its Wilson lower bound, see MARGIN_Z)."""
    from sklearn.isotonic import IsotonicRegression
    from extractor.types import FIELDS, TAGS
    import models.calibration as cal_mod
    cal_mod.current.cache_clear()
    # judge raw scores: temporarily run with an identity calibrator
    sc = _judge(dev, threshold=False)
    cal = Calibrator(version=version)
    targets = dict(FIELD_TARGETS if field_targets is None else field_targets)
    z = MARGIN_Z if margin_z is None else margin_z
    groups = [(f, [(j.confidence, j.correct) for j in sc.judged if j.field == f]) for f in FIELDS]
    # optionally a tag value its own map and threshold (回款跟进 cues are nearly always right,
    # 客户明确需求 cues less often); see PER_VALUE_MIN for why it is off
    for v in TAGS if PER_VALUE_MIN is not None else ():
        pts = [(j.confidence, j.correct) for j in sc.judged if j.field == "tag" and j.value == v]
        if len(pts) >= PER_VALUE_MIN and sum(1 for _, ok in pts if ok) >= PER_VALUE_MIN // 4:
            groups.append((f"tag:{v}", pts))
    for f, src in SOURCE_SPLIT:  # a source of its own: its points leave the field's group
        own = [(j.confidence, j.correct) for j in sc.judged if j.field == f and j.source == src]
        if len(own) >= SOURCE_SPLIT_MIN:
            groups = [(g, [(j.confidence, j.correct) for j in sc.judged if j.field == f and j.source != src])
                      if g == f else (g, p) for g, p in groups] + [(f"{f}@{src}", own)]
    for f, pts in groups:
        if len(pts) < min_support:
            cal.thresholds[f] = 0.5
            continue
        xs = [p[0] for p in pts]
        ys = [1.0 if p[1] else 0.0 for p in pts]
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.02, y_max=0.98)
        iso.fit(xs, ys)
        bx, by = list(map(float, iso.X_thresholds_)), list(map(float, iso.y_thresholds_))
        # shrink toward the field's base rate where support is thin (avoid 0/1 from 2 points)
        n = len(pts)
        base = sum(ys) / n
        k = 5.0
        by = [(v * n + base * k) / (n + k) for v in by]
        cal.maps[f] = (bx, by)
        # threshold on the raw score: the lowest score whose emitted precision on dev reaches the target
        ranked = sorted(zip(xs, ys), reverse=True)
        best_raw, tp, boundaries = None, 0, []
        fb = f.split(":")[0].split("@")[0]
        zf = (FIELD_MARGIN_Z.get(fb, z) if margin_z is None else z) if fb in MARGIN_FIELDS else 0.0
        target = max(target_precision, targets.get(fb, 0.0))
        for i, (x, y) in enumerate(ranked, 1):
            tp += y
            tie_follows = i < len(ranked) and ranked[i][0] == x  # a threshold at x lets every tied item in
            if not tie_follows:
                boundaries.append((x, tp / i, i))
                if wilson_lower(tp, i, zf) >= target:
                    best_raw = x
        if best_raw is None and boundaries:
            # the target is out of reach on dev: keep the most precise cut with some support rather
            # than showing nothing at all (the report states each field's achieved precision)
            supported = [b for b in boundaries if b[2] >= min_support] or boundaries
            best_raw = max(supported, key=lambda b: (b[1], b[2]))[0]
        cal.raw_thresholds[f] = best_raw if best_raw is not None else 1.01
        cal.thresholds[f] = min(cal.calibrate(f, best_raw), 0.95) if best_raw is not None else 1.01
    return cal


def _score_dir(model_path: Path, dev: list[dict], target_precision: float = 0.9) -> dict:
    """Dev scores of the model stored in `model_path`, calibrated afresh on this dev split with
    the current calibration policy (targets, margin): the comparison is between models, not
    between calibration policies or dev splits."""
    import models.calibration as cal_mod
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copyfile(model_path / "textclf.npz", Path(tmp) / "textclf.npz")
        with cal_mod.using_model_dir(tmp):
            cal = fit_calibration(dev, "yardstick", target_precision)
            (Path(tmp) / "calibration.json").write_text(json.dumps(cal.to_dict(), ensure_ascii=False), encoding="utf-8")
            cal_mod.current.cache_clear()
            return _judge(dev, threshold=True).summary()


def train_and_promote(*, seed: int = 0, target_precision: float = 0.9, extra_train: list[dict] | None = None,
                      force: bool = False, out_dir: Path | None = None, log=print) -> dict:
    from labeling.corpus import load
    from models import textclf
    import models.calibration as cal_mod
    extra = list(extra_train or [])
    train, dev = load("train") + [c for c in extra if not c.get("partial")], load("dev")
    partial = [c for c in extra if c.get("partial")]
    if not train or not dev:
        raise SystemExit("no corpus splits: run `python -m labeling.corpus split` first")
    t0 = time.perf_counter()
    version = model_version(train, partial, dev, seed)
    # previous model's dev score, if any
    target = Path(out_dir or model_dir())
    prev = None
    if (target / "metrics.json").exists():
        prev = json.loads((target / "metrics.json").read_text(encoding="utf-8"))
        # the yardstick is the current model on *this* dev split, calibrated as the new one will be
        # (the split grows with the corpus and the calibration policy may change, so the micro-F1
        # stored with the old model may be over different conversations or thresholds)
        if (target / "textclf.npz").exists() and (target / "calibration.json").exists():
            try:
                prev.setdefault("dev", {})["micro_f1"] = _score_dir(target, dev, target_precision)["micro_f1"]
            except Exception as e:  # noqa: BLE001 - an artifact the current code cannot load
                log(f"current model could not be re-scored ({type(e).__name__}: {e}); comparing with its stored dev figure")
    log(f"training on {len(train)} conversations (dev {len(dev)}), seed {seed}")
    model = textclf.train(train, seed=seed, progress=log, partial=partial)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model.save(tmp / "textclf.npz")
        with cal_mod.using_model_dir(tmp):
            cal = fit_calibration(dev, version, target_precision)
            (tmp / "calibration.json").write_text(json.dumps(cal.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
            cal_mod.current.cache_clear()
            dev_score = _judge(dev, threshold=True).summary()
        metrics = {"version": version, "seed": seed, "train_conversations": len(train), "dev_conversations": len(dev),
                   "decision_conversations": len(partial), "data_hash": data_hash(train, partial, dev), "target_precision": target_precision,
                   "dev": dev_score, "train_seconds": round(time.perf_counter() - t0, 2), "backend": "char-ngram-linear"}
        (tmp / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
        better = prev is None or dev_score["micro_f1"] >= prev.get("dev", {}).get("micro_f1", 0) - 1e-9
        metrics["promoted"] = bool(better or force)
        metrics["previous_dev_micro_f1"] = prev.get("dev", {}).get("micro_f1") if prev else None
        if better or force:
            target.mkdir(parents=True, exist_ok=True)
            names = ("textclf.npz", "calibration.json", "metrics.json")
            if (target / "metrics.json").exists():  # keep the previous version's figures for the report
                shutil.copyfile(target / "metrics.json", target / ".metrics.prev.json.tmp")
                (target / ".metrics.prev.json.tmp").replace(target / "metrics.prev.json")
            for name in names:
                shutil.copyfile(tmp / name, target / f".{name}.tmp")
            for name in names:
                (target / f".{name}.tmp").replace(target / name)
        return metrics


def recalibrate(*, target_precision: float = 0.9, out_dir: Path | None = None, log=print) -> dict:
    """Refit only the calibration and thresholds of the current model on the current dev split,
    with the current calibration policy (targets, margin): a policy change needs no new model.
    The classifier weights are untouched; calibration.json and metrics.json are replaced
    atomically."""
    from labeling.corpus import load
    import models.calibration as cal_mod
    target = Path(out_dir or model_dir())
    if not (target / "textclf.npz").exists():
        raise SystemExit(f"no model in {target}: run `chat2crm train` first")
    dev = load("dev")
    if not dev:
        raise SystemExit("no dev split: run `python -m labeling.corpus split` first")
    metrics = json.loads((target / "metrics.json").read_text(encoding="utf-8")) if (target / "metrics.json").exists() else {}
    base = (metrics.get("version") or "model").split("-r")[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copyfile(target / "textclf.npz", tmp / "textclf.npz")
        with cal_mod.using_model_dir(tmp):
            cal = fit_calibration(dev, base, target_precision)
            # new thresholds change what is shown: a version of their own (model version + "-r" + a hash
            # of the fitted maps and thresholds)
            fitted = json.dumps({k: v for k, v in cal.to_dict().items() if k != "version"}, sort_keys=True)
            version = cal.version = base + "-r" + hashlib.sha256(fitted.encode()).hexdigest()[:6]
            (tmp / "calibration.json").write_text(json.dumps(cal.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
            cal_mod.current.cache_clear()
            dev_score = _judge(dev, threshold=True).summary()
        metrics.update({"version": version, "dev": dev_score, "dev_conversations": len(dev), "target_precision": target_precision,
                        "recalibrated": {"field_targets": dict(FIELD_TARGETS), "margin_z": MARGIN_Z,
                                         "margin_fields": list(MARGIN_FIELDS),
                                         "field_margin_z": dict(FIELD_MARGIN_Z)}})
        (tmp / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
        for name in ("calibration.json", "metrics.json"):
            shutil.copyfile(tmp / name, target / f".{name}.tmp")
        for name in ("calibration.json", "metrics.json"):
            (target / f".{name}.tmp").replace(target / name)
    log(f"recalibrated {version} on {len(dev)} dev conversations: micro-F1 {dev_score['micro_f1']}")
    return metrics
