"""`chat2crm train`: build the classifiers from the corpus (and stored decisions)."""
from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="chat2crm train", description=__doc__)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--target-precision", type=float, default=0.9, help="per-field precision the thresholds aim for")
    ap.add_argument("--force", action="store_true", help="promote even if dev micro-F1 is lower than the current model")
    ap.add_argument("--out", help="artifact directory (default: the packaged models/artifacts or CHAT2CRM_MODEL_DIR)")
    ap.add_argument("--calibrate-only", action="store_true",
                    help="keep the current model, refit its calibration and thresholds on dev (after a policy change)")
    a = ap.parse_args(argv)
    from pathlib import Path
    from models.train import recalibrate, train_and_promote
    if a.calibrate_only:
        m = recalibrate(target_precision=a.target_precision, out_dir=Path(a.out) if a.out else None,
                        log=lambda s: print(s, file=sys.stderr))
        print(json.dumps(m, ensure_ascii=False, indent=1))
        return 0
    m = train_and_promote(seed=a.seed, target_precision=a.target_precision, force=a.force,
                          out_dir=Path(a.out) if a.out else None, log=lambda s: print(s, file=sys.stderr))
    print(json.dumps(m, ensure_ascii=False, indent=1))
    if not m["promoted"]:
        print(f"not promoted: dev micro-F1 {m['dev']['micro_f1']} < current {m['previous_dev_micro_f1']}", file=sys.stderr)
        return 1
    return 0
