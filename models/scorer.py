"""Adds the trained message classifier's belief to rule candidates (when an artifact exists)."""
from __future__ import annotations


def rescore(ctx, cands):
    from models.textclf import current_model
    model = current_model()
    if model is None:
        return cands
    return model.rescore(ctx, cands)
