//! Prometheus Operator objects per service: a ServiceMonitor that scrapes `/metrics`, and a
//! PrometheusRule with the alerts every service needs on day one. The metric names are the
//! ones the per-runtime snippets (`observability/snippets/`) expose.

use crate::yaml::Yaml;
use serde_json::{Value, json};

use super::types::{Object, Spec};
use super::{Context, documents};
use crate::model::Runtime;

/// Requests counted by status code, and their duration histogram, in every runtime's snippet.
pub const REQUESTS_METRIC: &str = "http_requests_total";
pub const DURATION_METRIC: &str = "http_request_duration_seconds";

/// A static site has no application to expose metrics.
pub(super) fn enabled(context: &Context) -> bool {
    context.project.observability.enabled && context.service.runtime != Runtime::Static
}

pub(super) fn service_monitor_spec(context: &Context) -> Value {
    json!({
        "selector": { "matchLabels": context.selector_labels() },
        "endpoints": endpoints(),
    })
}

/// Where Prometheus scrapes the service.
pub(super) fn endpoints() -> Value {
    json!([{ "port": "http", "path": "/metrics", "interval": "30s" }])
}

/// The alert groups: error rate and latency from the service's own metrics, restarts and
/// crash loops from kube-state-metrics.
pub(super) fn rule_groups(context: &Context) -> Value {
    let namespace = &context.environment.namespace;
    let service = context.name();
    let selector = format!("namespace=\"{namespace}\", service=\"{service}\"");
    let pods = format!("namespace=\"{namespace}\", container=\"{service}\"");
    let labels = |severity: &str| json!({ "severity": severity, "service": service });
    json!([{
        "name": format!("{service}.rules"),
        "rules": [
            {
                "alert": "HighErrorRate",
                "expr": format!(
                    "sum(rate({REQUESTS_METRIC}{{{selector}, status=~\"5..\"}}[5m])) / sum(rate({REQUESTS_METRIC}{{{selector}}}[5m])) > 0.05"
                ),
                "for": "5m",
                "labels": labels("critical"),
                "annotations": {
                    "summary": format!("{service}: more than 5% of requests fail"),
                    "description": "The 5xx share of requests has been above 5% for 5 minutes. Check the latest deployment and roll back if it started then.",
                },
            },
            {
                "alert": "HighLatency",
                "expr": format!(
                    "histogram_quantile(0.95, sum by (le) (rate({DURATION_METRIC}_bucket{{{selector}}}[5m]))) > 2"
                ),
                "for": "5m",
                "labels": labels("warning"),
                "annotations": {
                    "summary": format!("{service}: p95 latency above 2 s"),
                    "description": "95% of requests took longer than 2 seconds for 5 minutes. Check the database, the cache and the pods' CPU.",
                },
            },
            {
                "alert": "PodRestarting",
                "expr": format!("increase(kube_pod_container_status_restarts_total{{{pods}}}[15m]) > 2"),
                "labels": labels("warning"),
                "annotations": {
                    "summary": format!("{service}: a container restarted more than twice in 15 minutes"),
                    "description": "Check the liveness probe and the container's memory limit (OOMKilled).",
                },
            },
            {
                "alert": "CrashLooping",
                "expr": format!(
                    "max_over_time(kube_pod_container_status_waiting_reason{{{pods}, reason=\"CrashLoopBackOff\"}}[5m]) >= 1"
                ),
                "for": "5m",
                "labels": labels("critical"),
                "annotations": {
                    "summary": format!("{service}: a pod is crash-looping"),
                    "description": "A container keeps failing at start. Read its logs: kubectl logs --previous.",
                },
            },
        ],
    }])
}

/// The ServiceMonitor and PrometheusRule documents, labelled for the Prometheus release.
pub(super) fn documents_for(context: &Context) -> Yaml {
    let release = &context.project.observability.prometheus_release;
    let metadata = || {
        let mut metadata = context.metadata(context.name());
        metadata.labels.insert("release".into(), release.clone());
        metadata
    };
    let mut out = documents(&[Object {
        api_version: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: metadata(),
        body: Spec {
            spec: service_monitor_spec(context),
        },
    }]);
    out += documents(&[Object {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: metadata(),
        body: Spec {
            spec: json!({ "groups": rule_groups(context) }),
        },
    }]);
    out
}
