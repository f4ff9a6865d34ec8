//! Prometheus Operator objects per service: a ServiceMonitor that scrapes `/metrics`, and a
//! PrometheusRule with the alerts every service needs on day one. The metric names are the
//! ones the per-runtime snippets (`observability/snippets/`) expose.

use serde::Serialize;

use crate::yaml::Yaml;

use super::Context;
use super::types::{Object, Spec};
use crate::model::Runtime;

/// Requests counted by status code, and their duration histogram, in every runtime's snippet.
pub const REQUESTS_METRIC: &str = "http_requests_total";
pub const DURATION_METRIC: &str = "http_request_duration_seconds";

/// A static site has no application to expose metrics.
pub(super) fn enabled(context: &Context) -> bool {
    context.project.observability.enabled && context.service.runtime != Runtime::Static
}

#[derive(Serialize)]
pub(super) struct ServiceMonitorSpec {
    selector: super::types::LabelSelector,
    endpoints: [Endpoint; 1],
}

/// Where and how often Prometheus scrapes.
#[derive(Serialize)]
pub(super) struct Endpoint {
    port: &'static str,
    path: &'static str,
    interval: &'static str,
}

pub(super) fn service_monitor_spec(context: &Context) -> ServiceMonitorSpec {
    ServiceMonitorSpec {
        selector: super::types::LabelSelector {
            match_labels: context.selector_labels(),
        },
        endpoints: endpoints(),
    }
}

/// Where Prometheus scrapes the service.
pub(super) fn endpoints() -> [Endpoint; 1] {
    [Endpoint {
        port: "http",
        path: "/metrics",
        interval: "30s",
    }]
}

/// A group of alerting rules, as the Prometheus Operator reads them.
#[derive(Serialize)]
pub(super) struct RuleGroup {
    name: String,
    rules: Vec<AlertRule>,
}

#[derive(Serialize)]
struct AlertRule {
    alert: &'static str,
    expr: String,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    wait: Option<&'static str>,
    labels: AlertLabels,
    annotations: Annotations,
}

#[derive(Serialize)]
struct AlertLabels {
    severity: &'static str,
    service: String,
}

#[derive(Serialize)]
struct Annotations {
    summary: String,
    description: &'static str,
}

#[derive(Serialize)]
struct Groups {
    groups: Vec<RuleGroup>,
}

/// The alert groups: error rate and latency from the service's own metrics, restarts and
/// crash loops from kube-state-metrics.
pub(super) fn rule_groups(context: &Context) -> Vec<RuleGroup> {
    let namespace = &context.environment.namespace;
    let service = context.name();
    let selector = format!("namespace=\"{namespace}\", service=\"{service}\"");
    let pods = format!("namespace=\"{namespace}\", container=\"{service}\"");
    let rule = |alert, expr, wait, severity, summary: &str, description| AlertRule {
        alert,
        expr,
        wait,
        labels: AlertLabels {
            severity,
            service: service.to_owned(),
        },
        annotations: Annotations {
            summary: format!("{service}: {summary}"),
            description,
        },
    };
    vec![RuleGroup {
        name: format!("{service}.rules"),
        rules: vec![
            rule(
                "HighErrorRate",
                format!(
                    "sum(rate({REQUESTS_METRIC}{{{selector}, status=~\"5..\"}}[5m])) / sum(rate({REQUESTS_METRIC}{{{selector}}}[5m])) > 0.05"
                ),
                Some("5m"),
                "critical",
                "more than 5% of requests fail",
                "The 5xx share of requests has been above 5% for 5 minutes. Check the latest deployment and roll back if it started then.",
            ),
            rule(
                "HighLatency",
                format!(
                    "histogram_quantile(0.95, sum by (le) (rate({DURATION_METRIC}_bucket{{{selector}}}[5m]))) > 2"
                ),
                Some("5m"),
                "warning",
                "p95 latency above 2 s",
                "95% of requests took longer than 2 seconds for 5 minutes. Check the database, the cache and the pods' CPU.",
            ),
            rule(
                "PodRestarting",
                format!("increase(kube_pod_container_status_restarts_total{{{pods}}}[15m]) > 2"),
                None,
                "warning",
                "a container restarted more than twice in 15 minutes",
                "Check the liveness probe and the container's memory limit (OOMKilled).",
            ),
            rule(
                "CrashLooping",
                format!(
                    "max_over_time(kube_pod_container_status_waiting_reason{{{pods}, reason=\"CrashLoopBackOff\"}}[5m]) >= 1"
                ),
                Some("5m"),
                "critical",
                "a pod is crash-looping",
                "A container keeps failing at start. Read its logs: kubectl logs --previous.",
            ),
        ],
    }]
}

/// The ServiceMonitor and PrometheusRule documents, labelled for the Prometheus release.
pub(super) fn documents_for(context: &Context) -> Yaml {
    let release = &context.project.observability.prometheus_release;
    let metadata = || {
        let mut metadata = context.metadata(context.name());
        metadata.labels.insert("release".into(), release.clone());
        metadata
    };
    let mut out = Yaml::default();
    out.document(&Object {
        api_version: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: metadata(),
        body: Spec {
            spec: service_monitor_spec(context),
        },
    });
    out.document(&Object {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: metadata(),
        body: Spec {
            spec: Groups {
                groups: rule_groups(context),
            },
        },
    });
    out
}
