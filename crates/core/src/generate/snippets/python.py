"""Metrics and health endpoints for @@SERVICE@@ (FastAPI + prometheus_client).

Add to your app:  from app.observability import install; install(app)
Dependencies:     prometheus-client, and sqlalchemy / redis when you use them.
"""
import os
import time

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

# The names the alerts and the dashboard use.
REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
DURATION = Histogram("http_request_duration_seconds", "HTTP request duration", ["method", "route"])
PROBES = {"@@STARTUP@@", "@@LIVE@@", "@@READY@@", "/metrics"}


def check_database() -> None:
    """Raises when the database is unreachable; does nothing without DATABASE_URL."""
    url = os.environ.get("DATABASE_URL")
    if url:
        import sqlalchemy

        with sqlalchemy.create_engine(url, pool_pre_ping=True).connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))


def check_cache() -> None:
    """Raises when Redis is unreachable; does nothing without REDIS_URL."""
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        redis.Redis.from_url(url, socket_timeout=2).ping()


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def measure(request: Request, call_next):
        if request.url.path in PROBES:
            return await call_next(request)
        started = time.perf_counter()
        response = await call_next(request)
        # The router sets the matched route while handling the request, not before.
        template = getattr(request.scope.get("route"), "path", "unmatched")
        DURATION.labels(request.method, template).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, template, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("@@LIVE@@", include_in_schema=False)
    def live() -> dict:
        # Alive means the process answers: checking dependencies here would restart
        # healthy pods whenever the database is slow.
        return {"status": "alive"}

    @app.get("@@STARTUP@@", include_in_schema=False)
    def startup() -> JSONResponse:
        try:
            check_database()
        except Exception as error:  # noqa: BLE001 - any failure means not started
            return JSONResponse({"status": "starting", "error": str(error)}, status_code=503)
        return JSONResponse({"status": "started"})

    @app.get("@@READY@@", include_in_schema=False)
    def ready() -> JSONResponse:
        try:
            check_database()
            check_cache()
        except Exception as error:  # noqa: BLE001 - not ready for traffic
            return JSONResponse({"status": "not ready", "error": str(error)}, status_code=503)
        return JSONResponse({"status": "ready"})
