"""FastAPI dependencies: settings, DB session, the extractor and the caller's API key.

Same pattern as full-stack-fastapi-template: `SessionDep`, `CurrentKey` as Annotated
dependencies; tests override `get_extractor` (or `get_session`) with
`app.dependency_overrides`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.errors import APIError
from api.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


def load_extractor(spec: str) -> Callable[[dict], Any]:
    mod, _, fn = spec.partition(":")
    return getattr(importlib.import_module(mod), fn or "extract_payload")


def get_extractor(request: Request) -> Callable[[dict], Any]:
    """dict payload -> ExtractionResult (default: extractor.pipeline.extract_payload)."""
    ex = getattr(request.app.state, "extractor", None)
    if ex is None:
        ex = request.app.state.extractor = load_extractor(request.app.state.settings.extractor)
    return ex


def get_read_session(request: Request) -> Iterator[Session]:
    """For endpoints that only read: on SQLite these never take the write lock (WAL readers)."""
    with request.app.state.read_sessionmaker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
ExtractorDep = Annotated[Callable[[dict], Any], Depends(get_extractor)]


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    rep_id: str | None
    name: str | None

    @property
    def who(self) -> str:
        return self.rep_id or self.name or self.key_id


def _secret_from(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def get_principal(request: Request, session: ReadSessionDep, settings: SettingsDep) -> Principal:
    from api.security import lookup_key

    secret = _secret_from(request)
    if not secret:
        raise APIError(401, "unauthorized", "missing API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
                       headers={"WWW-Authenticate": "Bearer"})
    cache = request.app.state.key_cache
    p = cache.get(secret)
    if p is None:
        row = lookup_key(session, settings, secret)
        session.commit()  # end the read transaction (SQLite: releases the lock before the real work)
        if row is None:
            raise APIError(401, "unauthorized", "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
        p = Principal(row.id, row.role, row.rep_id, row.name)
        cache.put(secret, p)
    request.state.principal = p
    return p


CurrentKey = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str):
    def _dep(p: CurrentKey) -> Principal:
        if p.role not in roles:
            raise APIError(403, "forbidden", f"role '{p.role}' may not do this (allowed: {', '.join(roles)})")
        return p
    return _dep


class KeyCache:
    """Short-lived cache of key lookups (revocation takes effect within `ttl` seconds)."""

    def __init__(self, ttl: float = 5.0, size: int = 1024):
        import time

        self._t, self.ttl, self.size, self._d = time.monotonic, ttl, size, {}

    def get(self, secret: str):
        hit = self._d.get(secret)
        if hit and self._t() - hit[0] < self.ttl:
            return hit[1]
        return None

    def put(self, secret: str, p: Principal) -> None:
        if len(self._d) >= self.size:
            self._d.clear()
        self._d[secret] = (self._t(), p)
