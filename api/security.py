"""API keys: random secrets shown once, stored as HMAC-SHA256(pepper, key)."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.settings import ROLES, Settings
from labeling.store.models import ApiKey

KEY_PREFIX = "c2c_"


def pepper(settings: Settings) -> bytes:
    if settings.key_pepper:
        return settings.key_pepper.encode()
    from labeling.store.db import data_dir

    p = data_dir() / "key_pepper"
    if not p.exists():
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return p.read_text().strip().encode()


def hash_key(key: str, pep: bytes) -> str:
    return hmac.new(pep, key.encode(), hashlib.sha256).hexdigest()


def create_key(session: Session, settings: Settings, role: str, rep_id: str | None = None,
               name: str | None = None) -> tuple[ApiKey, str]:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if role == "rep" and not rep_id:
        raise ValueError("a rep key needs --rep-id")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(id="key_" + secrets.token_hex(6), key_hash=hash_key(secret, pepper(settings)),
                 prefix=secret[:8], role=role, rep_id=rep_id, name=name)
    session.add(row)
    session.commit()
    return row, secret


def lookup_key(session: Session, settings: Settings, secret: str) -> ApiKey | None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret, pepper(settings))))
    if row is None or row.revoked_at is not None:
        return None
    return row


def revoke_key(session: Session, key_id: str) -> bool:
    row = session.get(ApiKey, key_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        session.commit()
    return True
