"""Calibration choices checked out of sample on dev: `python -m eval.cv_calibration`.

Dev is cut in two halves by a hash of the conversation id; calibration is fitted on one
half with the current model and scored on the other, both ways, and the two scores are
averaged. Compares the field-level calibration with per-tag-value calibration
(models.train.PER_VALUE_MIN), so the choice is not made on the split it is fitted on.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile


def _halves(convs: list[dict]) -> tuple[list[dict], list[dict]]:
    def bit(c):
        return int(hashlib.md5(c["conversation_id"].encode("utf-8")).hexdigest(), 16) % 2
    return [c for c in convs if bit(c) == 0], [c for c in convs if bit(c) == 1]


def main(argv: list[str] | None = None) -> int:
    import models.calibration as cal_mod
    import models.train as mt
    from eval.cli import predict
    from eval.scoring import score
    from labeling.corpus import load
    a, b = _halves(load("dev"))
    src = cal_mod.model_dir()
    old_min = mt.PER_VALUE_MIN
    try:
        for setting in (None, 40):
            mt.PER_VALUE_MIN = setting
            tot: dict[str, float] = {}
            for fit, held in ((a, b), (b, a)):
                with tempfile.TemporaryDirectory() as d, cal_mod.using_model_dir(d):
                    shutil.copy(src / "textclf.npz", d)
                    cal = mt.fit_calibration(fit, "cv")
                    with open(os.path.join(d, "calibration.json"), "w", encoding="utf-8") as f:
                        json.dump(cal.to_dict(), f, ensure_ascii=False)
                    cal_mod.current.cache_clear()
                    preds, _ = predict(held, apply_threshold=True)
                    s = score(held, preds).summary()
                for k in ("micro_f1", "tag_p", "tag_r"):
                    tot[k] = tot.get(k, 0.0) + s[k] / 2
            name = "field-level" if setting is None else f"per tag value (>= {setting})"
            print(f"{name:28} micro-F1 {tot['micro_f1']:.4f}  tag P {tot['tag_p']:.4f}  tag R {tot['tag_r']:.4f}")
    finally:
        mt.PER_VALUE_MIN = old_min
    return 0


if __name__ == "__main__":
    sys.exit(main())
