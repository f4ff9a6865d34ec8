//! Observability beyond the cluster objects: a Grafana dashboard for the project, and for each
//! service a code snippet that exposes the metrics the alerts use and the three health
//! endpoints the probes call, in that service's own language and framework.

use serde_json::{Value, json};

use super::kubernetes::monitoring::{DURATION_METRIC, REQUESTS_METRIC};
use crate::bundle::GeneratedFile;
use crate::model::{AppService, Project, Runtime};

/// The snippet template and file name per runtime. Placeholders use `@@...@@`, which no target
/// language gives a meaning to; only validated values (name, paths) fill them.
fn snippet(runtime: Runtime) -> Option<(&'static str, &'static str)> {
    Some(match runtime {
        Runtime::Python => ("observability.py", include_str!("snippets/python.py")),
        Runtime::Node => ("observability.js", include_str!("snippets/node.js")),
        Runtime::Go => ("observability.go", include_str!("snippets/go.go")),
        Runtime::Java => ("MetricsFilter.java", include_str!("snippets/java.java")),
        Runtime::Rust => ("observability.rs", include_str!("snippets/rust.rs")),
        Runtime::Dotnet => ("Observability.cs", include_str!("snippets/dotnet.cs")),
        Runtime::Ruby => ("observability.rb", include_str!("snippets/ruby.rb")),
        Runtime::Php => ("observability.php", include_str!("snippets/php.php")),
        Runtime::Static => return None,
    })
}

fn fill(template: &str, service: &AppService) -> String {
    template
        .replace("@@SERVICE@@", &service.name)
        .replace("@@STARTUP@@", &service.health.startup)
        .replace("@@LIVE@@", &service.health.liveness)
        .replace("@@READY@@", &service.health.readiness)
}

pub fn files(project: &Project) -> Vec<GeneratedFile> {
    if !project.observability.enabled {
        return Vec::new();
    }
    let mut files: Vec<GeneratedFile> = project
        .services
        .iter()
        .filter_map(|service| {
            let (name, template) = snippet(service.runtime)?;
            Some(GeneratedFile {
                path: format!("observability/snippets/{}/{name}", service.name),
                contents: fill(template, service),
            })
        })
        .collect();
    if !files.is_empty() {
        files.push(GeneratedFile {
            path: format!("observability/grafana/{}.json", project.name),
            contents: serde_json::to_string_pretty(&dashboard(project)).expect("serializes") + "\n",
        });
    }
    files
}

fn panel(id: u32, title: &str, unit: &str, expr: String, legend: &str, x: u32, y: u32) -> Value {
    json!({
        "id": id,
        "type": "timeseries",
        "title": title,
        "datasource": { "type": "prometheus", "uid": "${datasource}" },
        "gridPos": { "h": 8, "w": 12, "x": x, "y": y },
        "fieldConfig": { "defaults": { "unit": unit }, "overrides": [] },
        "options": { "legend": { "displayMode": "list", "placement": "bottom" } },
        "targets": [{ "refId": "A", "expr": expr, "legendFormat": legend }],
    })
}

/// Request rate, error rate, p95 latency and pod CPU, for a service chosen at the top.
pub fn dashboard(project: &Project) -> Value {
    let selector = "namespace=\"$namespace\", service=\"$service\"";
    let variable = |name: &str, query: String| {
        json!({
            "name": name,
            "type": "query",
            "datasource": { "type": "prometheus", "uid": "${datasource}" },
            "query": { "query": query, "refId": name },
            "refresh": 2,
            "sort": 1,
        })
    };
    json!({
        "title": format!("{} services", project.name),
        "uid": format!("shipshape-{}", project.name).chars().take(40).collect::<String>(),
        "tags": ["shipshape", project.name],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": { "from": "now-6h", "to": "now" },
        "templating": {
            "list": [
                { "name": "datasource", "type": "datasource", "query": "prometheus" },
                variable("namespace", format!("label_values({REQUESTS_METRIC}, namespace)")),
                variable("service", format!("label_values({REQUESTS_METRIC}{{namespace=\"$namespace\"}}, service)")),
            ],
        },
        "panels": [
            panel(1, "Request rate", "reqps", format!("sum by (route) (rate({REQUESTS_METRIC}{{{selector}}}[5m]))"), "{{route}}", 0, 0),
            panel(
                2,
                "Error rate (5xx)",
                "percentunit",
                format!("sum(rate({REQUESTS_METRIC}{{{selector}, status=~\"5..\"}}[5m])) / sum(rate({REQUESTS_METRIC}{{{selector}}}[5m]))"),
                "errors",
                12,
                0,
            ),
            panel(3, "p95 latency", "s", format!("histogram_quantile(0.95, sum by (le) (rate({DURATION_METRIC}_bucket{{{selector}}}[5m])))"), "p95", 0, 8),
            panel(
                4,
                "Pod CPU",
                "cores",
                "sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=\"$namespace\", container=\"$service\"}[5m]))".to_owned(),
                "{{pod}}",
                12,
                8,
            ),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PRESETS, preset};

    #[test]
    fn snippets_expose_the_alerted_metrics_and_the_probed_paths() {
        for preset in PRESETS {
            let project = preset.project();
            let bundle = crate::generate(&project);
            for service in project
                .services
                .iter()
                .filter(|s| s.runtime != Runtime::Static)
            {
                let (name, _) = snippet(service.runtime).unwrap();
                let text = &bundle
                    .get(&format!("observability/snippets/{}/{name}", service.name))
                    .unwrap()
                    .contents;
                for expected in [
                    REQUESTS_METRIC,
                    DURATION_METRIC,
                    "/metrics",
                    &service.health.startup,
                    &service.health.liveness,
                    &service.health.readiness,
                ] {
                    assert!(
                        text.contains(expected),
                        "{}: {name} lacks {expected}",
                        preset.name
                    );
                }
                assert!(!text.contains("@@"), "{name}: a placeholder is left");
            }
        }
    }

    #[test]
    fn the_dashboard_has_the_four_panels() {
        let dashboard = dashboard(&preset("fullstack-fastapi-react").unwrap().project());
        let titles: Vec<&str> = dashboard["panels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Request rate", "Error rate (5xx)", "p95 latency", "Pod CPU"]
        );
    }
}
