//! The project's architecture as a picture: users reach the ingress, which routes to the
//! services in the cluster; services reach the database and cache; External Secrets brings
//! each service its secrets from the store; and, on AWS, the cluster, database and cache sit
//! in one VPC. Drawn from the settings, as the generated files are.

use crate::model::{Project, SecretsProvider};
use crate::picture::{Frame, Picture};
use crate::rollout::production_replicas;

/// The picture of `project`. Columns: outside (users, the secrets store), the ingress, the
/// services (and an in-cluster database), then the managed database and cache.
pub fn picture(project: &Project) -> Picture {
    let mut picture = Picture::default();
    let k8s = &project.kubernetes;
    let ingress = project
        .services
        .iter()
        .any(|s| s.ingress.is_some())
        .then(|| {
            let users = picture.node(
                "users",
                "outside",
                "Users",
                format!("HTTPS to {}", project.environments.production.hostname),
                (0, 0),
            );
            let ingress = picture.node(
                "ingress",
                "edge",
                format!("Ingress ({})", k8s.ingress_class),
                format!("TLS from {}", k8s.cluster_issuer),
                (1, 0),
            );
            picture.edge(users, ingress, "link");
            ingress
        });
    // The store, outside, and External Secrets in the cluster copying from it.
    let secrets = (project.secrets_provider != SecretsProvider::None).then(|| {
        let row = usize::from(ingress.is_some());
        let store = picture.node(
            "secrets-store",
            "outside store",
            project.secrets_provider.label(),
            "secret values, never in Git",
            (0, row),
        );
        let operator = picture.node(
            "external-secrets",
            "edge",
            "External Secrets",
            "copies them into Secrets",
            (1, row),
        );
        picture.edge(store, operator, "secret");
        operator
    });
    let services: Vec<usize> = project
        .services
        .iter()
        .enumerate()
        .map(|(row, service)| {
            let pods = match &service.autoscaling {
                Some(a) => format!("{} to {} pods", a.min_replicas, a.max_replicas),
                None => format!("{} pods", production_replicas(project, service)),
            };
            let node = picture.node(
                format!("service-{}", service.name),
                "service",
                &*service.name,
                format!("port {}, {pods}", service.port),
                (2, row),
            );
            if let (Some(ingress), Some(_)) = (ingress, &service.ingress) {
                picture.edge(ingress, node, "link");
            }
            // As the service's ExternalSecret does.
            if let (Some(operator), false) = (secrets, service.secret_keys().is_empty()) {
                picture.edge(operator, node, "secret");
            }
            node
        })
        .collect();
    // Rows the cluster holds: its services, an in-cluster database below them, and External
    // Secrets beside them.
    let operator_rows = secrets.map_or(0, |_| 1 + usize::from(ingress.is_some()));
    let mut cluster_rows = services.len().max(operator_rows);
    let mut data_rows = 0;
    let aws = project.aws.as_ref();
    if let Some(postgres) = &project.postgres {
        let label = format!("PostgreSQL {}", postgres.version);
        let database = if k8s.in_cluster_postgres {
            cluster_rows = cluster_rows.max(services.len() + 1);
            picture.node(
                "postgres",
                "data",
                label,
                "in the cluster, one pod",
                (2, services.len()),
            )
        } else {
            data_rows += 1;
            let detail = aws.map_or("managed, outside the cluster".into(), |aws| {
                format!("RDS {}", aws.db_instance_class)
            });
            picture.node("postgres", "data", label, detail, (3, 0))
        };
        for (service, &node) in project.services.iter().zip(&services) {
            if service.uses_postgres {
                picture.edge(node, database, "link");
            }
        }
    }
    if let Some(redis) = &project.redis {
        let detail = aws.map_or("managed, outside the cluster".into(), |aws| {
            format!("ElastiCache {}", aws.cache_node_type)
        });
        let cache = picture.node(
            "redis",
            "data",
            format!("Redis {}", redis.version),
            detail,
            (3, data_rows),
        );
        data_rows += 1;
        for (service, &node) in project.services.iter().zip(&services) {
            if service.uses_redis {
                picture.edge(node, cache, "link");
            }
        }
    }
    let first = if ingress.is_some() || secrets.is_some() {
        1
    } else {
        2
    };
    let namespaces = format!(
        "namespaces {} and {}",
        project.environments.staging.namespace, project.environments.production.namespace
    );
    let cluster = match aws {
        Some(aws) => {
            picture.frames.push(Frame {
                label: format!(
                    "AWS {}: VPC {}, {} zones",
                    aws.region, aws.vpc_cidr, aws.availability_zones
                ),
                columns: (first, if data_rows > 0 { 3 } else { 2 }),
                rows: cluster_rows.max(data_rows),
                depth: 0,
            });
            Frame {
                label: format!("EKS {}, {namespaces}", aws.cluster_version),
                columns: (first, 2),
                rows: cluster_rows,
                depth: 1,
            }
        }
        None => Frame {
            label: format!("Kubernetes, {namespaces}"),
            columns: (first, 2),
            rows: cluster_rows,
            depth: 0,
        },
    };
    picture.frames.push(cluster);
    picture
}

/// The picture as an `<svg>` element, named for screen readers by what it holds.
pub fn svg(project: &Project) -> String {
    let names: Vec<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
    let picture = picture(project);
    let label = format!(
        "Architecture: services {}; {} boxes in all.",
        names.join(", "),
        picture.nodes.len()
    );
    picture.svg("architecture", &label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    fn ids(picture: &Picture) -> Vec<&str> {
        picture.nodes.iter().map(|n| n.id.as_str()).collect()
    }

    #[test]
    fn the_full_stack_has_its_users_ingress_services_data_store_and_network() {
        let project = PRESETS[0].project();
        let picture = picture(&project);
        assert_eq!(
            ids(&picture),
            [
                "users",
                "ingress",
                "secrets-store",
                "external-secrets",
                "service-backend",
                "service-frontend",
                "postgres",
                "redis"
            ]
        );
        let svg = svg(&project);
        assert!(svg.contains(">AWS Secrets Manager<"), "{svg}");
        assert!(
            svg.contains(">RDS db.t4g.medium<") || svg.contains(">RDS "),
            "{svg}"
        );
        assert!(
            svg.contains(">AWS eu-west-1: VPC 10.0.0.0/16, 3 zones<"),
            "{svg}"
        );
        // The backend reaches both stores; the frontend neither, but both take secrets.
        let edges = |class: &str| {
            picture
                .edges
                .iter()
                .filter(|e| e.class == class)
                .map(|e| (ids(&picture)[e.from], ids(&picture)[e.to]))
                .collect::<Vec<_>>()
        };
        assert!(edges("link").contains(&("service-backend", "postgres")));
        assert!(edges("link").contains(&("service-backend", "redis")));
        assert!(
            !edges("link")
                .iter()
                .any(|(from, _)| *from == "service-frontend")
        );
        assert_eq!(
            picture.frames.iter().map(|f| f.depth).collect::<Vec<_>>(),
            [0, 1]
        );
    }

    #[test]
    fn every_preset_has_a_box_per_service_and_an_arrow_per_connection() {
        for preset in PRESETS {
            let mut project = preset.project();
            for in_cluster in [false, true] {
                project.kubernetes.in_cluster_postgres = in_cluster;
                let picture = picture(&project);
                let svg = svg(&project);
                for service in &project.services {
                    let id = format!("data-node=\"service-{}\"", service.name);
                    assert_eq!(svg.matches(&id).count(), 1, "{}: {id}", preset.name);
                }
                let wanted = project
                    .services
                    .iter()
                    .map(|s| {
                        usize::from(s.ingress.is_some())
                            + usize::from(s.uses_postgres && project.postgres.is_some())
                            + usize::from(s.uses_redis && project.redis.is_some())
                    })
                    .sum::<usize>()
                    + usize::from(project.services.iter().any(|s| s.ingress.is_some()));
                let links = picture.edges.iter().filter(|e| e.class == "link").count();
                assert_eq!(links, wanted, "{}", preset.name);
                assert_eq!(
                    svg.matches("class=\"link\"").count() + svg.matches("class=\"secret\"").count(),
                    picture.edges.len()
                );
                // No two boxes share a place.
                let mut places: Vec<_> = picture.nodes.iter().map(|n| (n.column, n.row)).collect();
                places.sort_unstable();
                places.dedup();
                assert_eq!(places.len(), picture.nodes.len(), "{}", preset.name);
                // An in-cluster database is inside the cluster's frame.
                let cluster = picture.frames.last().unwrap();
                if let Some(db) = picture.nodes.iter().find(|n| n.id == "postgres") {
                    let inside = db.column >= cluster.columns.0
                        && db.column <= cluster.columns.1
                        && db.row < cluster.rows;
                    assert_eq!(inside, in_cluster, "{}", preset.name);
                }
            }
        }
    }

    #[test]
    fn without_a_cloud_there_is_only_the_cluster() {
        let mut project = PRESETS[0].project();
        project.aws = None;
        let picture = picture(&project);
        assert_eq!(picture.frames.len(), 1);
        assert!(
            picture.frames[0]
                .label
                .starts_with("Kubernetes, namespaces")
        );
        assert!(
            picture
                .nodes
                .iter()
                .any(|n| n.detail == "managed, outside the cluster")
        );
    }
}
