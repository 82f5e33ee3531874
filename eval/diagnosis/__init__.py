"""Per-rep capability diagnosis (CONTRACT.md section 6). Importable without FastAPI, sklearn or
matplotlib: the classifiers load on the first `diagnose` call, matplotlib on `heatmap_png`.

    from eval.diagnosis import diagnose, heatmap_png
    matrix = diagnose(conversations, since="2026-03-01", until="2026-03-31")
    png = heatmap_png(matrix)
"""
from __future__ import annotations

from .matrix import DIMENSIONS, MIN_SUBSTANTIVE_CONVERSATIONS, MIN_SUBSTANTIVE_MESSAGES, diagnose


def heatmap_png(matrix: dict) -> bytes:
    from .heatmap import heatmap_png as _h
    return _h(matrix)


__all__ = ["diagnose", "heatmap_png", "DIMENSIONS", "MIN_SUBSTANTIVE_MESSAGES", "MIN_SUBSTANTIVE_CONVERSATIONS"]
