"""Calibration: raw component scores → probabilities a rep would accept as is.

Per field (and per tag value where dev has enough of it), a monotone map fitted on the dev
split (isotonic regression, stored as breakpoints so inference needs no sklearn) and a
threshold chosen to reach the target precision. Without a fitted artifact the raw score passes through unchanged.
"""
from __future__ import annotations

import bisect
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ARTIFACT_DIR = Path(__file__).parent / "artifacts"
DEFAULT_THRESHOLD = 0.5


@dataclass
class Calibrator:
    version: str = ""
    maps: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)  # on the calibrated scale (for display/reports)
    raw_thresholds: dict[str, float] = field(default_factory=dict)  # on the raw score: what decides emission

    def key(self, fld: str, value: object = None, source: str | None = None) -> str:
        """The map/threshold key: a source of its own ("decision_role@textclf": the classifier's
        own proposals, not a rescored rule) or a value of its own ("tag:价格讨论") where one was
        fitted, else the field."""
        if source:
            k = f"{fld}@{source}"
            if k in self.maps:
                return k
        if value is not None and isinstance(value, str):
            k = f"{fld}:{value}"
            if k in self.maps:
                return k
        return fld

    def calibrate(self, fld: str, raw: float, value: object = None, source: str | None = None) -> float:
        m = self.maps.get(self.key(fld, value, source))
        if not m:
            return float(max(0.0, min(1.0, raw)))
        xs, ys = m
        if raw <= xs[0]:
            return ys[0]
        if raw >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, raw)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1

    def threshold(self, fld: str) -> float:
        return self.thresholds.get(fld, DEFAULT_THRESHOLD)

    def shows(self, fld: str, raw: float, calibrated: float, value: object = None, source: str | None = None) -> bool:
        """Emit? Decided on the raw score, which keeps the ranking the isotonic plateaus flatten."""
        k = self.key(fld, value, source)
        if k in self.raw_thresholds:
            return raw >= self.raw_thresholds[k]
        return calibrated >= self.threshold(k)

    def to_dict(self) -> dict:
        return {"version": self.version, "maps": self.maps, "thresholds": self.thresholds,
                "raw_thresholds": self.raw_thresholds}

    @classmethod
    def from_dict(cls, d: dict) -> "Calibrator":
        return cls(d.get("version", ""), {k: (list(v[0]), list(v[1])) for k, v in d.get("maps", {}).items()},
                   dict(d.get("thresholds", {})), dict(d.get("raw_thresholds", {})))


def model_dir() -> Path:
    return Path(os.environ.get("CHAT2CRM_MODEL_DIR") or ARTIFACT_DIR)


@contextmanager
def using_model_dir(path):
    """Run the extractor with the artifacts in `path` (training, re-scoring, evaluation),
    then go back to the previous directory; the loaded models are dropped both ways."""
    from models import textclf
    old = os.environ.get("CHAT2CRM_MODEL_DIR")
    os.environ["CHAT2CRM_MODEL_DIR"] = str(path)
    current.cache_clear()
    textclf.current_model.cache_clear()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CHAT2CRM_MODEL_DIR", None)
        else:
            os.environ["CHAT2CRM_MODEL_DIR"] = old
        current.cache_clear()
        textclf.current_model.cache_clear()


@lru_cache(maxsize=1)
def current() -> Calibrator:
    p = model_dir() / "calibration.json"
    if p.exists() and not os.environ.get("CHAT2CRM_RULES_ONLY"):
        return Calibrator.from_dict(json.loads(p.read_text(encoding="utf-8")))
    return Calibrator()
