"""Webhook delivery from the outbox table: at-least-once, exponential back-off, survives restarts.

Each accepted change writes an `outbox` row in the same transaction as the change. A
background thread in the server claims due rows (a lease in `locked_until`, so several
instances can share the table), POSTs the event as JSON with an `X-Chat2crm-Event-Id`
header for dedup, and on failure retries after min(2**attempts, 3600) s (+ jitter)
until `webhook_max_attempts`, then marks the row failed (the pull feed still has it).
"""
from __future__ import annotations

import logging
import random
import threading
from datetime import timedelta

from sqlalchemy import or_, select, update

from labeling.store.models import Event, Outbox, utcnow

log = logging.getLogger("chat2crm.webhook")


def backoff_seconds(attempts: int) -> float:
    return min(2.0 ** attempts, 3600.0) * (1 + random.random() * 0.1)


def deliver_due(sessionmaker, settings, client=None, batch: int = 20) -> int:
    """One pass: deliver what is due. Returns the number delivered."""
    import httpx

    from api.service import serialize_event

    own = client is None
    client = client or httpx.Client(timeout=settings.webhook_timeout_seconds)
    done = 0
    try:
        with sessionmaker() as s:
            now = utcnow()
            ids = list(s.scalars(select(Outbox.id).where(
                Outbox.delivered_at.is_(None), Outbox.failed_at.is_(None), Outbox.next_attempt_at <= now,
                or_(Outbox.locked_until.is_(None), Outbox.locked_until < now)).order_by(Outbox.id).limit(batch)))
            s.commit()
        for oid in ids:
            with sessionmaker() as s:
                now = utcnow()
                claimed = s.execute(update(Outbox).where(
                    Outbox.id == oid, Outbox.delivered_at.is_(None),
                    or_(Outbox.locked_until.is_(None), Outbox.locked_until < now))
                    .values(locked_until=now + timedelta(seconds=60))).rowcount
                s.commit()
                if not claimed:
                    continue
                ob = s.get(Outbox, oid)
                ev = s.scalar(select(Event).where(Event.event_id == ob.event_id))
                body = serialize_event(ev) if ev else {"id": ob.event_id}
                err = None
                try:
                    r = client.post(ob.url, json=body, headers={"X-Chat2crm-Event-Id": ob.event_id})
                    if not (200 <= r.status_code < 300):
                        err = f"HTTP {r.status_code}"
                except Exception as e:  # noqa: BLE001 - any network failure is retried
                    err = f"{type(e).__name__}: {e}"
                ob.attempts += 1
                ob.locked_until = None
                if err is None:
                    ob.delivered_at = utcnow()
                    done += 1
                else:
                    ob.last_error = err[:500]
                    if ob.attempts >= settings.webhook_max_attempts:
                        ob.failed_at = utcnow()
                        log.warning("webhook gave up on %s after %d attempts: %s", ob.event_id, ob.attempts, err)
                    else:
                        ob.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(ob.attempts))
                s.commit()
    finally:
        if own:
            client.close()
    return done


class WebhookWorker:
    def __init__(self, sessionmaker, settings):
        self.sessionmaker, self.settings = sessionmaker, settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chat2crm-webhook", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_due(self.sessionmaker, self.settings)
            except Exception as e:  # noqa: BLE001 - keep the worker alive
                log.warning("webhook pass failed: %s", e)
            self._stop.wait(self.settings.webhook_poll_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
