"""The chat2crm HTTP service (CONTRACT.md section 5).

`create_app()` builds the FastAPI app: settings from the environment, the store
(migrated to head on start), the extractor (a dependency: tests inject a fake),
the webhook worker, Prometheus metrics and the reps' page at /app.
"""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Header, Path as PathParam, Query, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text

from api import service
from api.deps import (CurrentKey, ExtractorDep, KeyCache, Principal, ReadSessionDep, SessionDep, SettingsDep,
                      require_roles)
from api.errors import APIError, install_error_handlers
from api.metrics import BodyLimitMiddleware, Metrics, MetricsMiddleware
from api.pii import install_log_masking
from api.settings import Settings
from extractor.types import FIELDS, InputError, parse_time
from labeling.store.models import ConversationRow, Event, RecordField, SuggestionRow

log = logging.getLogger("chat2crm.api")
STATIC = Path(__file__).with_name("static")


class ErrorBody(BaseModel):
    class _E(BaseModel):
        code: str
        message: str
    error: _E


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "reject", "edit"]
    value: Any = Field(None, description="the edited value (edit); accept takes the suggested value")
    record_version: int | None = Field(None, ge=0, le=2**31 - 1,
                                       description="the record field version the decider saw; default: the "
                                                   "version when the suggestion was made")


class ManualWriteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Any
    record_version: int | None = Field(None, ge=0, le=2**31 - 1)


_MESSAGE_SCHEMA = {"type": "object", "required": ["id", "speaker", "time"], "properties": {
    "id": {"type": "string"}, "speaker": {"type": "string", "enum": ["rep", "customer", "other"]},
    "name": {"type": "string"}, "time": {"type": "string", "format": "date-time"}, "text": {"type": "string"}}}
EXTRACT_BODY = {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    {"type": "object", "title": "CanonicalConversation", "required": ["conversation_id", "messages"],
     "properties": {"conversation_id": {"type": "string", "minLength": 1},
                    "channel": {"type": "string", "enum": ["wechat", "wecom", "call", "other"]},
                    "rep": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                                             "team": {"type": "string"}}},
                    "customer_id": {"type": "string"},
                    "reference_time": {"type": "string", "format": "date-time"},
                    "messages": {"type": "array", "items": _MESSAGE_SCHEMA}}},
    {"type": "object", "title": "RawInput", "required": ["format", "content"],
     "properties": {"format": {"type": "string", "enum": ["auto", "json", "wechat", "wechat_csv", "wecom", "transcript"]},
                    "content": {"type": "string"}, "conversation_id": {"type": "string"},
                    "start_time": {"type": "string"}}}]}}}}
ERRORS = {c: {"model": ErrorBody} for c in (401, 403, 404, 409, 413, 422, 503)}


def create_app(settings: Settings | None = None, *, extractor=None, migrate: bool = True) -> FastAPI:
    settings = settings or Settings()
    from labeling.store.db import make_engine, make_sessionmaker, upgrade

    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    if migrate:
        upgrade(engine)
    if settings.mask_pii:
        install_log_masking()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import anyio.to_thread

        # fewer worker threads than clients: on SQLite writes are serial anyway, and fewer runnable
        # threads means the one holding the write lock gets the GIL sooner (shorter tails)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        worker = None
        if settings.webhook_url:
            from api.webhook import WebhookWorker

            worker = WebhookWorker(app.state.sessionmaker, settings)
            worker.start()
        try:
            yield
        finally:
            if worker:
                worker.stop()

    app = FastAPI(title="chat2crm", version="2026.11.0", lifespan=lifespan,
                  description="Proposes CRM field updates from Chinese sales chats; reps confirm them.")
    app.state.settings, app.state.engine = settings, engine
    app.state.sessionmaker = make_sessionmaker(engine)
    if engine.dialect.name == "sqlite":
        app.state.read_engine = make_engine(settings.database_url, readonly=True)
        app.state.read_sessionmaker = make_sessionmaker(app.state.read_engine)
    else:
        app.state.read_engine, app.state.read_sessionmaker = engine, app.state.sessionmaker
    app.state.extractor = extractor
    app.state.key_cache = KeyCache()
    app.state.metrics = metrics = Metrics()
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    # ------------------------------------------------------------ public

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/app")

    @app.get("/app", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/app/{name}", include_in_schema=False)
    def page_asset(name: str):
        files = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8",
                 "manifest.json": "application/json"}
        if name not in files:
            raise APIError(404, "not_found", f"no page asset {name!r}")
        return FileResponse(STATIC / name, media_type=files[name], headers={"Cache-Control": "no-cache"})

    @app.get("/healthz", tags=["ops"])
    def healthz(session: ReadSessionDep):
        try:
            session.execute(text("SELECT 1"))
            session.commit()
            db = "ok"
        except Exception as e:  # noqa: BLE001
            return JSONResponse({"status": "degraded", "db": type(e).__name__}, status_code=503)
        return {"status": "ok", "db": db, "dialect": engine.dialect.name}

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def prom():
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/me", tags=["auth"], responses=ERRORS)
    def me(p: CurrentKey, s: SettingsDep):
        return {"key_id": p.key_id, "role": p.role, "rep_id": p.rep_id, "name": p.name,
                "hidden_fields": sorted(service.hidden_for(p, s))}

    # ------------------------------------------------------------ extraction

    @app.post("/v1/extract", tags=["suggestions"], responses=ERRORS,
              openapi_extra={"requestBody": EXTRACT_BODY})
    def extract(request: Request, session: SessionDep, rsession: ReadSessionDep, s: SettingsDep,
                extractor: ExtractorDep,
                p: Annotated[Principal, Depends(require_roles("rep", "manager", "channel", "service"))],
                payload: Annotated[Any, Body()] = None):
        conv, fmt = service.parse_conversation(payload)
        service.check_limits(conv, s)
        rep_id = (conv.rep or {}).get("id")
        if p.role == "rep" or (p.role == "channel" and p.rep_id):
            if rep_id is None:
                conv.rep = {**(conv.rep or {}), "id": p.rep_id}
            elif str(rep_id) != p.rep_id:
                raise APIError(403, "forbidden", "a rep key may only post its own conversations (rep.id)")
        chash = service.canonical_hash(payload)
        replay = service.find_replay(rsession, conv.conversation_id, chash)
        if replay is not None:
            rows = service.stored_suggestions(rsession, conv.conversation_id)
            rsession.commit()
            return JSONResponse(service.extraction_response(replay, rows, p, s),
                                headers={"Idempotent-Replay": "true"})
        rsession.commit()  # no transaction held while extracting
        t0 = time.perf_counter()
        try:
            result = extractor(payload)
        except InputError as e:
            raise APIError(422, "invalid_input", str(e)) from None
        except APIError:
            raise
        except Exception as e:  # noqa: BLE001
            log.error("extractor failed on %s: %s: %s", conv.conversation_id, type(e).__name__, e)
            raise APIError(503, "extraction_failed", "the extractor failed on this conversation; it was not stored")
        metrics.extract_seconds.observe(time.perf_counter() - t0)

        def _store(sess):
            again = service.find_replay(sess, conv.conversation_id, chash)
            if again is not None:
                return again, service.stored_suggestions(sess, conv.conversation_id), False
            row, rows = service.store_extraction(sess, s, conv, fmt, result, chash)
            return row, rows, True

        row, rows, fresh = service.with_retry(session, _store)
        if fresh:
            for r in rows:
                metrics.suggestions.labels(r.field).inc()
        body = service.extraction_response(row, [r for r in rows if r.status != "superseded"], p, s)
        return JSONResponse(body, headers=None if fresh else {"Idempotent-Replay": "true"})

    # ------------------------------------------------------------ queue and decisions

    @app.get("/v1/suggestions", tags=["suggestions"], responses=ERRORS)
    def suggestions(session: ReadSessionDep, s: SettingsDep, p: CurrentKey,
                    rep_id: Annotated[str | None, Query(max_length=128)] = None,
                    status: Literal["pending", "accepted", "edited", "rejected", "superseded", "all"] = "pending",
                    conversation_id: Annotated[str | None, Query(max_length=200)] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 50):
        """A rep's queue, most useful first (confidence × field importance, then newest)."""
        if p.role == "rep" or (p.role == "channel" and p.rep_id):
            if rep_id is not None and rep_id != p.rep_id:
                raise APIError(403, "forbidden", "a rep key sees only its own queue")
            rep_id = p.rep_id
        items = service.list_queue(session, s, p, rep_id, status, limit, conversation_id)
        session.commit()
        return {"rep_id": rep_id, "status": status, "count": len(items), "suggestions": items}

    @app.get("/v1/suggestions/{suggestion_id}", tags=["suggestions"], responses=ERRORS)
    def one_suggestion(session: ReadSessionDep, s: SettingsDep, p: CurrentKey,
                       suggestion_id: Annotated[str, PathParam(max_length=64)]):
        row = session.get(SuggestionRow, suggestion_id)
        if row is None or row.field in service.hidden_for(p, s):
            raise APIError(404, "not_found", f"no suggestion {suggestion_id!r}")
        if (p.role == "rep" or (p.role == "channel" and p.rep_id)) and row.rep_id != p.rep_id:
            raise APIError(403, "forbidden", "this suggestion is in another rep's queue")
        items = service.list_queue(session, s, p, row.rep_id, "all", 500, row.conversation_id)
        session.commit()
        for it in items:
            if it["id"] == suggestion_id:
                return it
        raise APIError(404, "not_found", f"no suggestion {suggestion_id!r}")

    @app.post("/v1/suggestions/{suggestion_id}/decision", tags=["suggestions"], responses=ERRORS)
    def decision(session: SessionDep, s: SettingsDep,
                 p: Annotated[Principal, Depends(require_roles("rep", "manager", "channel"))],
                 suggestion_id: Annotated[str, PathParam(max_length=64)], body: DecisionIn,
                 idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None):
        raw = body.model_dump()
        if body.decision == "edit" and body.value is None:
            raise APIError(422, "invalid_request", "decision 'edit' needs a value")

        def _do(sess):
            return service.decide(sess, s, p, suggestion_id, body.decision, body.value, body.record_version,
                                  idempotency_key, raw)
        try:
            code, out = service.with_retry(session, _do)
        except APIError as e:
            if e.code == "stale_record":
                metrics.conflicts.inc()
            raise
        if out.get("label_id") is not None:
            metrics.decisions.labels(body.decision, out.get("record", {}) and out["record"]["field"]
                                     if out.get("record") else "-").inc()
        return JSONResponse(out, status_code=code)

    # ------------------------------------------------------------ records

    def _check_record_access(session, p: Principal, customer_id: str):
        if p.role == "rep" or (p.role == "channel" and p.rep_id):
            own = session.scalar(select(SuggestionRow.id).where(SuggestionRow.record_key == customer_id,
                                                                SuggestionRow.rep_id == p.rep_id).limit(1))
            if own is None:
                raise APIError(403, "forbidden", "a rep key sees only records of its own conversations")

    @app.get("/v1/records/{customer_id}", tags=["records"], responses=ERRORS)
    def record(session: ReadSessionDep, s: SettingsDep, p: CurrentKey,
               customer_id: Annotated[str, PathParam(max_length=220)]):
        _check_record_access(session, p, customer_id)
        out = service.record_view(session, customer_id, service.hidden_for(p, s))
        session.commit()
        return out

    @app.put("/v1/records/{customer_id}/fields/{field}", tags=["records"], responses=ERRORS)
    def manual_write(session: SessionDep, s: SettingsDep,
                     p: Annotated[Principal, Depends(require_roles("manager", "service"))],
                     customer_id: Annotated[str, PathParam(max_length=220)],
                     field: Literal[FIELDS], body: ManualWriteIn):  # type: ignore[valid-type]
        """A value a person typed (in the CRM): bumps the field version, so older suggestions get 409."""
        if field in service.hidden_for(p, s):
            raise APIError(404, "not_found", f"no field {field!r}")
        value = service.validate_value(field, body.value)

        def _do(sess):
            rf, ev = service.write_field(sess, s, record_key=customer_id, field=field, new_value=value,
                                         expected_version=body.record_version, origin="manual", actor=p.who,
                                         key_id=p.key_id)
            return {"customer_id": customer_id, "field": field, "value": rf.value, "version": rf.version,
                    "event_id": ev.event_id if ev else None}
        return service.with_retry(session, _do)

    # ------------------------------------------------------------ CRM hand-off

    @app.get("/v1/events", tags=["crm"], responses=ERRORS)
    def events(session: ReadSessionDep, s: SettingsDep,
               p: Annotated[Principal, Depends(require_roles("service", "manager"))],
               after: Annotated[str, Query(max_length=18, pattern=r"^\d*$")] = "",
               limit: Annotated[int, Query(ge=1, le=1000)] = 100):
        """Accepted changes after CURSOR, oldest first. At-least-once: dedup on `id` (stable)."""
        cur = int(after or 0)
        hidden = service.hidden_for(p, s)
        q = select(Event).where(Event.seq > cur).order_by(Event.seq).limit(min(limit, s.events_page_max))
        rows = list(session.scalars(q))
        session.commit()
        evs = [service.serialize_event(e) for e in rows if e.field not in hidden]
        nxt = str(rows[-1].seq) if rows else (str(cur) if after else "0")
        return {"events": evs, "next_cursor": nxt, "has_more": len(rows) == limit}

    @app.get("/v1/labels", tags=["labels"], responses=ERRORS)
    def labels(session: ReadSessionDep, p: Annotated[Principal, Depends(require_roles("analyst", "manager", "service"))],
               field: Literal[FIELDS] | None = None,  # type: ignore[valid-type]
               format: Literal["json", "jsonl"] = "json",
               after: Annotated[int, Query(ge=0, le=2**62)] = 0,
               limit: Annotated[int | None, Query(ge=1, le=100_000)] = None):
        """Every decision as a label (see labeling.store); page with after=next_cursor."""
        import itertools
        import json as _json

        from labeling.store import iter_labels

        it = iter_labels(session, field=field, after=after)
        items = list(itertools.islice(it, limit) if limit else it)
        session.commit()
        if format == "jsonl":
            return PlainTextResponse("".join(_json.dumps(d, ensure_ascii=False) + "\n" for d in items),
                                     media_type="application/x-ndjson")
        nxt = items[-1]["label_id"] if items else after
        return {"count": len(items), "labels": items, "next_cursor": nxt}

    # ------------------------------------------------------------ diagnosis

    @app.get("/v1/diagnosis", tags=["diagnosis"], responses=ERRORS)
    def diagnosis(session: ReadSessionDep, p: Annotated[Principal, Depends(require_roles("manager", "analyst", "service"))],
                  team: Annotated[str | None, Query(max_length=128)] = None,
                  since: Annotated[str | None, Query(max_length=40)] = None,
                  until: Annotated[str | None, Query(max_length=40)] = None):
        try:
            t_since = parse_time(since, "since") if since else None
            t_until = parse_time(until, "until") if until else None
        except InputError as e:
            raise APIError(422, "invalid_request", str(e)) from None
        try:
            from eval.diagnosis import diagnose
        except Exception as e:  # noqa: BLE001 - missing or broken module: the service still runs
            raise APIError(503, "diagnosis_unavailable",
                           f"the capability diagnosis is not available in this build ({type(e).__name__})") from None
        q = select(ConversationRow)
        if team:
            q = q.where(ConversationRow.team == team)
        if t_since:
            q = q.where(ConversationRow.ref_time >= t_since)
        if t_until:
            q = q.where(ConversationRow.ref_time <= t_until)
        from extractor.types import Conversation

        convs = []
        for row in session.scalars(q.order_by(ConversationRow.ref_time)):
            try:
                convs.append(Conversation.from_dict(row.payload))
            except InputError:
                continue
        session.commit()
        try:
            out = diagnose(convs)
        except Exception as e:  # noqa: BLE001
            log.error("diagnosis failed: %s: %s", type(e).__name__, e)
            raise APIError(503, "diagnosis_failed", "the diagnosis failed on the stored conversations") from None
        if isinstance(out, dict) and (since or until):
            out.setdefault("period", {"from": since, "to": until})
        return out

    return app


def app_from_env() -> FastAPI:
    """uvicorn factory: `uvicorn --factory api.app:app_from_env`."""
    return create_app()
