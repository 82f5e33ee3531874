"""Personal data masking with same-length replacement, so evidence offsets stay valid.

Masks mainland mobile numbers, resident ID card numbers, bank card numbers and e-mail
addresses. Every replacement has exactly the length of what it replaces.
"""
from __future__ import annotations

import logging
import re
from typing import Any

_PATTERNS = [
    # e-mail: keep the first character and the domain
    ("email", re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])([A-Za-z0-9._%+-]*)(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")),
    # resident ID card: 6 region + 8 birth date + 3 + check digit
    ("id_card", re.compile(r"(?<!\d)([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})([\dXx])(?!\d)")),
    # bank card: 16-19 digits, optionally grouped by spaces or dashes
    ("bank_card", re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)")),
    # mobile: 1[3-9]x, optionally +86 / grouped 3-4-4
    ("mobile", re.compile(r"(?<!\d)((?:\+?86[ -]?)?1[3-9]\d)([ -]?\d{4})([ -]?\d{4})(?!\d)")),
]


def _star(s: str) -> str:
    return "".join(c if c in " -" else "*" for c in s)


def _mask_digits_keep(s: str, head: int, tail: int) -> str:
    idx = [i for i, c in enumerate(s) if c.isdigit()]
    hide = set(idx[head:len(idx) - tail])
    return "".join("*" if i in hide else c for i, c in enumerate(s))


def mask_text(text: str) -> str:
    if not text:
        return text
    out = text
    for kind, pat in _PATTERNS:
        if kind == "email":
            out = pat.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), out)
        elif kind == "id_card":
            out = pat.sub(lambda m: m.group(1) + "*" * (len(m.group(2)) + 1), out)
        elif kind == "bank_card":
            out = pat.sub(lambda m: _mask_digits_keep(m.group(0), 4, 4), out)
        else:
            out = pat.sub(lambda m: m.group(1) + _star(m.group(2)) + m.group(3), out)
    assert len(out) == len(text)
    return out


def mask_obj(obj: Any) -> Any:
    """Mask every string inside a JSON-like object (keys untouched)."""
    if isinstance(obj, str):
        return mask_text(obj)
    if isinstance(obj, list):
        return [mask_obj(x) for x in obj]
    if isinstance(obj, dict):
        return {k: mask_obj(v) for k, v in obj.items()}
    return obj


class MaskingFilter(logging.Filter):
    """Masks personal data in log records (message and arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001
            return True
        record.msg, record.args = mask_text(msg), ()
        return True


def install_log_masking(names=("", "chat2crm", "uvicorn", "uvicorn.access", "uvicorn.error")) -> None:
    for n in names:
        lg = logging.getLogger(n)
        if not any(isinstance(f, MaskingFilter) for f in lg.filters):
            lg.addFilter(MaskingFilter())
        for h in lg.handlers:
            if not any(isinstance(f, MaskingFilter) for f in h.filters):
                h.addFilter(MaskingFilter())
