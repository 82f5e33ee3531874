"""Prometheus metrics (own registry per app, so several apps in one process don't clash)."""
from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("chat2crm_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("chat2crm_http_request_seconds", "HTTP request latency", ["method", "route"],
                                 registry=self.registry,
                                 buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.suggestions = Counter("chat2crm_suggestions_stored_total", "suggestions stored as pending", ["field"],
                                   registry=self.registry)
        self.decisions = Counter("chat2crm_decisions_total", "decisions stored", ["decision", "field"],
                                 registry=self.registry)
        self.conflicts = Counter("chat2crm_stale_conflicts_total", "409 stale-record answers", registry=self.registry)
        self.extract_seconds = Histogram("chat2crm_extract_seconds", "extractor time per conversation",
                                         registry=self.registry)


class MetricsMiddleware:
    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        status = {"code": 500}

        async def _send(msg):
            if msg["type"] == "http.response.start":
                status["code"] = msg["status"]
            await send(msg)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], path, str(status["code"])).inc()
            self.metrics.latency.labels(scope["method"], path).observe(time.perf_counter() - t0)


class BodyLimitMiddleware:
    """413 for bodies over the limit, by Content-Length or by counting the stream."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from api.errors import error_response

        msg = (f"request body over {self.max_bytes} bytes; split the conversation or raise "
               "CHAT2CRM_MAX_BODY_BYTES")
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    n = 0
                if n > self.max_bytes:
                    return await error_response(413, "body_too_large", msg)(scope, receive, send)
        seen = {"n": 0}
        started = {"v": False}

        from starlette.exceptions import HTTPException

        class TooLarge(HTTPException):
            def __init__(self):
                super().__init__(413, msg)

        async def _receive():
            m = await receive()
            if m["type"] == "http.request":
                seen["n"] += len(m.get("body", b""))
                if seen["n"] > self.max_bytes:
                    raise TooLarge
            return m

        async def _send(m):
            if m["type"] == "http.response.start":
                started["v"] = True
            await send(m)

        try:
            await self.app(scope, _receive, _send)
        except TooLarge:
            if not started["v"]:
                await error_response(413, "body_too_large", msg)(scope, receive, send)
