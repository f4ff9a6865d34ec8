//! Kubernetes invariants, for every preset and for generated variations: selectors match
//! their pod templates, Services and Ingresses reach a real named port, probes use the
//! container's port, HPAs target a real workload, and no PodDisruptionBudget can block a drain.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_norway::Value;
use shipshape_core::generate;
use shipshape_core::model::{Autoscaling, CanaryEngine, PRESETS, Project, Strategy, preset};

/// Every Kubernetes document of the bundle, per environment folder.
fn documents(project: &Project) -> Vec<(String, Vec<Value>)> {
    let bundle = generate(project);
    let mut folders: Vec<(String, Vec<Value>)> = Vec::new();
    for file in bundle
        .files()
        .iter()
        .filter(|f| f.path.starts_with("k8s/") && f.path.ends_with(".yaml"))
    {
        let folder = file.path.rsplit_once('/').unwrap().0.to_owned();
        let docs: Vec<Value> = serde_norway::Deserializer::from_str(&file.contents)
            .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", file.path)))
            .collect();
        match folders.iter_mut().find(|(f, _)| *f == folder) {
            Some((_, all)) => all.extend(docs),
            None => folders.push((folder, docs)),
        }
    }
    folders
}

use serde::Deserialize;

fn kind(doc: &Value) -> &str {
    doc["kind"].as_str().unwrap_or_default()
}

fn name(doc: &Value) -> &str {
    doc["metadata"]["name"].as_str().unwrap()
}

fn is_subset(small: &Value, big: &Value) -> bool {
    let (Some(small), Some(big)) = (small.as_mapping(), big.as_mapping()) else {
        return false;
    };
    small.iter().all(|(k, v)| big.get(k) == Some(v))
}

fn workloads(docs: &[Value]) -> Vec<&Value> {
    docs.iter()
        .filter(|d| matches!(kind(d), "Deployment" | "StatefulSet" | "Rollout"))
        .collect()
}

fn container_port(workload: &Value, port_name: &str) -> Option<u64> {
    workload["spec"]["template"]["spec"]["containers"][0]["ports"]
        .as_sequence()?
        .iter()
        .find(|p| p["name"].as_str() == Some(port_name))
        .and_then(|p| p["containerPort"].as_u64())
}

fn check(project: &Project) -> Result<(), TestCaseError> {
    for (folder, docs) in documents(project) {
        let workloads = workloads(&docs);
        for workload in &workloads {
            let spec = &workload["spec"];
            prop_assert!(
                is_subset(
                    &spec["selector"]["matchLabels"],
                    &spec["template"]["metadata"]["labels"]
                ),
                "{folder}/{}: selector not in template labels",
                name(workload)
            );
            let container = &spec["template"]["spec"]["containers"][0];
            for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                if let Some(port) = container[probe]["httpGet"]["port"].as_str() {
                    prop_assert!(
                        container_port(workload, port).is_some(),
                        "{folder}/{}: {probe} port {port} is not a container port",
                        name(workload)
                    );
                }
            }
        }
        for service in docs.iter().filter(|d| kind(d) == "Service") {
            let selector = &service["spec"]["selector"];
            let matches: Vec<&&Value> = workloads
                .iter()
                .filter(|w| is_subset(selector, &w["spec"]["template"]["metadata"]["labels"]))
                .collect();
            prop_assert!(
                !matches.is_empty(),
                "{folder}/{}: the Service selects no pods",
                name(service)
            );
            for port in service["spec"]["ports"].as_sequence().unwrap() {
                let target = port["targetPort"].as_str().unwrap();
                for workload in &matches {
                    prop_assert!(
                        container_port(workload, target).is_some(),
                        "{folder}/{}: targetPort {target} is not a port of {}",
                        name(service),
                        name(workload)
                    );
                }
            }
            if let Some(app) = project.services.iter().find(|s| s.name == name(service)) {
                for workload in &matches {
                    prop_assert_eq!(container_port(workload, "http"), Some(u64::from(app.port)));
                }
            }
        }
        for ingress in docs.iter().filter(|d| kind(d) == "Ingress") {
            for rule in ingress["spec"]["rules"].as_sequence().unwrap() {
                for path in rule["http"]["paths"].as_sequence().unwrap() {
                    let backend = path["backend"]["service"]["name"].as_str().unwrap();
                    prop_assert!(
                        docs.iter()
                            .any(|d| kind(d) == "Service" && name(d) == backend),
                        "{folder}: ingress to a missing Service {backend}"
                    );
                }
            }
        }
        for hpa in docs.iter().filter(|d| kind(d) == "HorizontalPodAutoscaler") {
            let target = &hpa["spec"]["scaleTargetRef"];
            let workload = workloads.iter().find(|w| {
                Some(name(w)) == target["name"].as_str() && Some(kind(w)) == target["kind"].as_str()
            });
            prop_assert!(
                workload.is_some(),
                "{folder}: HPA {} targets nothing",
                name(hpa)
            );
            prop_assert!(
                workload.unwrap()["spec"].get("replicas").is_none(),
                "{folder}: replicas set beside an HPA"
            );
        }
        for pdb in docs.iter().filter(|d| kind(d) == "PodDisruptionBudget") {
            let selector = &pdb["spec"]["selector"]["matchLabels"];
            let selected: Vec<&&Value> = workloads
                .iter()
                .filter(|w| is_subset(selector, &w["spec"]["template"]["metadata"]["labels"]))
                .collect();
            prop_assert!(
                !selected.is_empty(),
                "{folder}: PDB {} selects no pods",
                name(pdb)
            );
            // The fewest pods normally running under this budget: every selected workload at
            // its HPA minimum, or its replicas.
            let fewest: u64 = selected
                .iter()
                .map(|w| {
                    let hpa_min = docs
                        .iter()
                        .filter(|d| kind(d) == "HorizontalPodAutoscaler")
                        .find(|h| h["spec"]["scaleTargetRef"]["name"].as_str() == Some(name(w)))
                        .and_then(|h| h["spec"]["minReplicas"].as_u64());
                    hpa_min
                        .or_else(|| w["spec"]["replicas"].as_u64())
                        .unwrap_or(1)
                })
                .sum();
            if let Some(min_available) = pdb["spec"]["minAvailable"].as_u64() {
                prop_assert!(
                    min_available < fewest,
                    "{folder}: PDB {} minAvailable {min_available} blocks a drain at {fewest} pods",
                    name(pdb)
                );
            } else {
                prop_assert!(
                    pdb["spec"]["maxUnavailable"].as_u64().unwrap_or(0) >= 1,
                    "{folder}: PDB {} allows no disruption",
                    name(pdb)
                );
            }
        }
    }
    Ok(())
}

#[test]
fn every_preset_holds_the_invariants() {
    for preset in PRESETS {
        check(&preset.project()).unwrap_or_else(|e| panic!("{}: {e}", preset.name));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn variations_hold_the_invariants(
        replicas in 1u32..8,
        autoscale in prop::option::of((1u32..5, 0u32..6)),
        override_replicas in prop::option::of(1u32..5),
        strategy in prop::sample::select(Strategy::ALL.to_vec()),
        engine in prop::sample::select(CanaryEngine::ALL.to_vec()),
        port in 1024u16..65535,
        name in "[a-z][a-z0-9-]{0,20}[a-z0-9]",
    ) {
        let mut project = preset("fullstack-fastapi-react").unwrap().project();
        let service = &mut project.services[0];
        service.replicas = replicas;
        service.autoscaling = autoscale.map(|(min, extra)| Autoscaling { min_replicas: min, max_replicas: min + extra, cpu_percent: 70, memory_percent: None });
        service.rollout.strategy = strategy;
        service.rollout.canary_engine = engine;
        if port != project.services[1].port {
            project.services[0].port = port;
        }
        if name != project.services[1].name {
            // Through the edit, which keeps the frontend's {{backend.url}} pointing at it.
            let field = shipshape_core::model::Field::Service(0, shipshape_core::model::ServiceField::Name);
            let _ = project.set(field, &name);
        }
        project.environments.production.replicas = override_replicas;
        prop_assume!(project.validate().is_empty());
        check(&project)?;
    }
}
