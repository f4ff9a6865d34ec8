//! Metrics and health endpoints for @@SERVICE@@ (axum + prometheus).
//!
//! Use:          let app = observability::install(routes, checks);
//!               (after your routes: the layer measures the routes already on the router)
//! Dependencies: axum, prometheus, once_cell (or std::sync::LazyLock).
use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus::{register_histogram_vec, register_int_counter_vec, Encoder, HistogramVec, IntCounterVec, TextEncoder};

// The names the alerts and the dashboard use.
static REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!("http_requests_total", "HTTP requests", &["method", "route", "status"]).unwrap()
});
static DURATION: LazyLock<HistogramVec> = LazyLock::new(|| {
    register_histogram_vec!("http_request_duration_seconds", "HTTP request duration", &["method", "route"]).unwrap()
});

/// What the startup and readiness endpoints check; return Err with a reason when unreachable.
#[derive(Clone)]
pub struct Checks {
    pub database: fn() -> Result<(), String>,
    pub every_dependency: fn() -> Result<(), String>,
}

async fn measure(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    DURATION.with_label_values(&[&method, &route]).observe(started.elapsed().as_secs_f64());
    REQUESTS.with_label_values(&[&method, &route, response.status().as_str()]).inc();
    response
}

fn answer(result: Result<(), String>, ok: &'static str) -> Response {
    match result {
        Ok(()) => ok.into_response(),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason).into_response(),
    }
}

pub fn install(app: Router, checks: Checks) -> Router {
    let (startup, ready) = (checks.clone(), checks);
    // Probes and /metrics are added after the layer, so they are not measured.
    app.layer(middleware::from_fn(measure))
        .route("/metrics", get(|| async {
            let (encoder, mut body) = (TextEncoder::new(), Vec::new());
            encoder.encode(&prometheus::gather(), &mut body).unwrap();
            // Prometheus 3 refuses a scrape without a scrape format's content type.
            ([(axum::http::header::CONTENT_TYPE, encoder.format_type().to_owned())], body)
        }))
        // Alive means the process answers; dependencies are readiness's job.
        .route("@@LIVE@@", get(|| async { "alive" }))
        .route("@@STARTUP@@", get(move || async move { answer((startup.database)(), "started") }))
        .route("@@READY@@", get(move || async move { answer((ready.every_dependency)(), "ready") }))
}
