"""Message-level text classifier (character n-grams, linear) — placeholder until trained."""
from __future__ import annotations


def current_model():
    return None
