//! checkov, a policy scanner, over every preset's generated files (issue 11: the output should
//! leave such scanners little to say). Every finding fails the run unless it is in `KEPT`
//! below: a choice made on purpose, with the reason a reviewer would want. An entry that no
//! longer matches any finding fails the run too, so the list cannot go stale.
//!
//! Frameworks: Dockerfiles, Kubernetes manifests, Terraform, GitHub Actions workflows and the
//! secrets scanner (no credential in any file). Kustomize's framework repeats the Kubernetes
//! findings for the same objects, so it is not run.

use std::path::Path;
use std::process::Command;

use crate::tools::Toolchain;

/// A finding kept on purpose: the check, a piece of the resource's name it applies to (""
/// for every resource), and why.
struct Kept {
    check: &'static str,
    resource: &'static str,
    reason: &'static str,
}

const KEPT: &[Kept] = &[
    Kept {
        check: "CKV_K8S_43",
        resource: "",
        reason: "Image by digest: the manifests in k8s/ name the image by branch tag; every \
                 deploy job writes the digest CI just built and scanned into the environment's \
                 kustomization or Helm values, which is what the cluster runs.",
    },
    Kept {
        check: "CKV_K8S_35",
        resource: "",
        reason: "Secrets as files: the services read their settings from the environment, as \
                 every preset's framework expects. The values come from External Secrets into \
                 a Secret of the service's own namespace, never from the manifests.",
    },
    Kept {
        check: "CKV_K8S_40",
        resource: ".postgres",
        reason: "High UID: the in-cluster PostgreSQL runs as the official image's postgres user \
                 (70), which owns the data directory; app containers run as 10001.",
    },
    Kept {
        check: "CKV_AWS_31",
        resource: "aws_elasticache_replication_group.redis",
        reason: "Redis AUTH token: TLS in transit and encryption at rest are on, and only the \
                 cluster's nodes' security group reaches the subnet. A token would be one more \
                 secret to rotate; add one (or ElastiCache IAM auth) if anything else can reach it.",
    },
    Kept {
        check: "CKV2_AWS_50",
        resource: "aws_elasticache_replication_group.redis",
        reason: "Multi-AZ failover follows cache_nodes: production.tfvars sets 2 nodes, with \
                 failover and Multi-AZ on; staging runs 1 node to save cost. checkov reads the \
                 variable's default, not the environment's value.",
    },
    Kept {
        check: "CKV_AWS_191",
        resource: "",
        reason: "Customer-managed KMS key (ElastiCache): encrypted with the AWS-managed key. \
                 A CMK adds a key policy and a monthly cost; use one when you need your own \
                 rotation or cross-account control.",
    },
    Kept {
        check: "CKV_AWS_149",
        resource: "",
        reason: "Customer-managed KMS key (Secrets Manager): as above, the AWS-managed key.",
    },
    Kept {
        check: "CKV_AWS_119",
        resource: "aws_dynamodb_table.locks",
        reason: "Customer-managed KMS key (the state lock table): it holds lock ids, not \
                 state, and is encrypted with the AWS-managed key.",
    },
    Kept {
        check: "CKV_AWS_354",
        resource: "",
        reason: "Customer-managed KMS key (RDS Performance Insights): the AWS-managed key.",
    },
    Kept {
        check: "CKV_AWS_118",
        resource: "aws_db_instance.postgres",
        reason: "RDS enhanced monitoring: CloudWatch metrics and Performance Insights are on; \
                 OS-level enhanced monitoring needs one more IAM role and is billed per second.",
    },
    Kept {
        check: "CKV2_AWS_57",
        resource: "",
        reason: "Secrets Manager rotation: rotating needs a Lambda that can change each \
                 credential at its source. External Secrets copies the store into the Secret \
                 hourly; pods read it at start, so a rollout restart brings a rotated value in.",
    },
    Kept {
        check: "CKV_AWS_18",
        resource: "aws_s3_bucket.state",
        reason: "State bucket access logs: they need a second bucket; CloudTrail data events \
                 are the better audit of who read or wrote the state.",
    },
    Kept {
        check: "CKV_AWS_144",
        resource: "aws_s3_bucket.state",
        reason: "State bucket cross-region replication: the bucket is versioned, and a copy in \
                 a second region doubles its cost for a file Terraform can rebuild from the \
                 infrastructure.",
    },
    Kept {
        check: "CKV2_AWS_61",
        resource: "aws_s3_bucket.state",
        reason: "State bucket lifecycle: every past version of the state is kept on purpose, \
                 so any earlier state can be restored.",
    },
    Kept {
        check: "CKV2_AWS_62",
        resource: "aws_s3_bucket.state",
        reason: "State bucket event notifications: nothing consumes them.",
    },
    Kept {
        check: "CKV_AWS_394",
        resource: "aws_availability_zones.available",
        reason: "Zones by identity: the VPC takes the first N of the region's zone names, \
                 which come sorted, so a zone AWS adds later does not change which are used.",
    },
    Kept {
        check: "CKV_TF_1",
        resource: "",
        reason: "Module sources by commit hash: the registry modules are pinned to an exact \
                 version, and the registry serves versions, not commits.",
    },
];

/// Runs checkov over `out` (the generated files of every preset) and fails on any finding
/// not in `KEPT`. Returns a one-line summary.
pub fn run(toolchain: &Toolchain, out: &Path) -> Result<String, String> {
    let report_dir = out.join(".checkov");
    let mut command = Command::new(toolchain.scanner("checkov")?);
    command
        .arg("--directory")
        .arg(out)
        .args(["--framework", "dockerfile", "kubernetes", "terraform"])
        .args(["github_actions", "secrets"])
        .args(["--skip-download", "--quiet", "--compact"])
        .args(["--output", "json", "--output-file-path"])
        .arg(&report_dir)
        // Pinned in tools.toml: no asking PyPI for a newer version.
        .env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true");
    // checkov exits non-zero when it finds anything; the report says what.
    toolchain.capture(&mut command)?;
    let path = report_dir.join("results_json.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("checkov wrote no report at {}: {e}", path.display()))?;
    let report: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let findings = findings(&report);
    let (passed, failed) = totals(&report);
    let mut unexplained = Vec::new();
    let mut used = vec![0; KEPT.len()];
    for finding in &findings {
        match KEPT.iter().position(|k| k.matches(finding)) {
            Some(index) => used[index] += 1,
            None => unexplained.push(finding.to_string()),
        }
    }
    println!("\ncheckov findings kept on purpose:");
    for (kept, count) in KEPT.iter().zip(&used) {
        println!("  {:<12} {count:>3}x  {}", kept.check, kept.reason);
    }
    let stale: Vec<&str> = KEPT
        .iter()
        .zip(&used)
        .filter(|(_, count)| **count == 0)
        .map(|(kept, _)| kept.check)
        .collect();
    if !unexplained.is_empty() {
        return Err(format!(
            "checkov: {} finding(s) neither fixed nor kept with a reason in xtask/src/checkov.rs:\n  {}",
            unexplained.len(),
            unexplained.join("\n  ")
        ));
    }
    if !stale.is_empty() {
        return Err(format!(
            "checkov: kept findings that no longer occur (remove them from xtask/src/checkov.rs): {stale:?}"
        ));
    }
    Ok(format!(
        "{passed} checks passed, {failed} findings, all {} kinds kept on purpose",
        KEPT.len()
    ))
}

/// One failed check: its id, name, resource and file.
struct Finding {
    check: String,
    name: String,
    resource: String,
    file: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} in {} ({})",
            self.check, self.resource, self.file, self.name
        )
    }
}

impl Kept {
    fn matches(&self, finding: &Finding) -> bool {
        finding.check == self.check && finding.resource.contains(self.resource)
    }
}

/// checkov's JSON is one report per framework, or a single report when only one ran.
fn reports(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    match report.as_array() {
        Some(list) => list.iter().collect(),
        None => vec![report],
    }
}

fn findings(report: &serde_json::Value) -> Vec<Finding> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    reports(report)
        .into_iter()
        .flat_map(|r| {
            r["results"]["failed_checks"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .map(|f| Finding {
            check: text(&f["check_id"]),
            name: text(&f["check_name"]),
            resource: text(&f["resource"]),
            file: text(&f["file_path"]),
        })
        .collect()
}

fn totals(report: &serde_json::Value) -> (u64, u64) {
    reports(report).into_iter().fold((0, 0), |(p, f), r| {
        let summary = &r["summary"];
        (
            p + summary["passed"].as_u64().unwrap_or(0),
            f + summary["failed"].as_u64().unwrap_or(0),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"[
      {"check_type": "kubernetes", "summary": {"passed": 5, "failed": 2},
       "results": {"failed_checks": [
         {"check_id": "CKV_K8S_40", "check_name": "high UID", "resource": "StatefulSet.db.postgres", "file_path": "/a/postgres.yaml"},
         {"check_id": "CKV_K8S_40", "check_name": "high UID", "resource": "Deployment.app.api", "file_path": "/a/api.yaml"}
       ]}},
      {"check_type": "terraform", "summary": {"passed": 3, "failed": 0}, "results": {"failed_checks": []}}
    ]"#;

    #[test]
    fn findings_are_read_from_every_framework_and_matched_by_check_and_resource() {
        let report: serde_json::Value = serde_json::from_str(REPORT).unwrap();
        let found = findings(&report);
        assert_eq!(found.len(), 2);
        assert_eq!(totals(&report), (8, 2));
        let postgres = KEPT.iter().find(|k| k.check == "CKV_K8S_40").unwrap();
        assert!(
            postgres.matches(&found[0]),
            "the database's own user is kept"
        );
        assert!(
            !KEPT.iter().any(|k| k.matches(&found[1])),
            "an app container with a low UID is not"
        );
    }

    #[test]
    fn every_kept_finding_has_a_reason() {
        for kept in KEPT {
            assert!(kept.check.starts_with("CKV"), "{}", kept.check);
            assert!(kept.reason.len() > 40, "{}: say why", kept.check);
        }
    }
}
