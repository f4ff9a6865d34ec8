//! "Why is this line here?": explanations for the lines of the generated files, in a side
//! table keyed by file and line rather than as comments in the output.
//!
//! Each [`Topic`] names the kind of file and the key that starts a line (a Dockerfile
//! instruction, a YAML key, a Terraform attribute). [`explain`] finds every line of a bundle
//! that a topic covers. A test requires every topic to match a line of some preset's output,
//! so a generator change cannot orphan an explanation silently, and prints how many lines of
//! each kind of file are explained.

use crate::bundle::{Bundle, GeneratedFile};

/// The kinds of generated file that have explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    Manifest,
    Workflow,
    Compose,
    Terraform,
    ArgoCd,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Dockerfile,
        Kind::Manifest,
        Kind::Workflow,
        Kind::Compose,
        Kind::Terraform,
        Kind::ArgoCd,
    ];

    pub fn of(path: &str) -> Option<Kind> {
        if path.ends_with("Dockerfile") {
            Some(Kind::Dockerfile)
        } else if path.starts_with("k8s/") && path.ends_with(".yaml") {
            Some(Kind::Manifest)
        } else if path.starts_with(".github/workflows/") {
            Some(Kind::Workflow)
        } else if path == "docker-compose.yml" {
            Some(Kind::Compose)
        } else if path.ends_with(".tf") {
            Some(Kind::Terraform)
        } else if path.starts_with("argocd/") {
            Some(Kind::ArgoCd)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Dockerfile => "Dockerfile",
            Kind::Manifest => "Kubernetes manifests",
            Kind::Workflow => "GitHub Actions workflows",
            Kind::Compose => "docker-compose",
            Kind::Terraform => "Terraform",
            Kind::ArgoCd => "Argo CD",
        }
    }
}

/// Why lines starting with `key` are in files of `kind`, and what goes wrong without them.
pub struct Topic {
    pub kind: Kind,
    pub key: &'static str,
    pub why: &'static str,
    pub without: &'static str,
}

const fn topic(kind: Kind, key: &'static str, why: &'static str, without: &'static str) -> Topic {
    Topic {
        kind,
        key,
        why,
        without,
    }
}

use Kind::{ArgoCd, Compose, Dockerfile, Manifest, Terraform, Workflow};

pub static TOPICS: &[Topic] = &[
    // Dockerfile instructions.
    topic(
        Dockerfile,
        "FROM",
        "Starts a stage from a pinned base image; the last stage is what runs, so build tools stay in earlier ones.",
        "One stage ships compilers and caches; an unpinned tag builds a different image tomorrow.",
    ),
    topic(
        Dockerfile,
        "ENV",
        "Settings the process reads at run time, fixed in the image.",
        "The service depends on whatever the platform happens to set.",
    ),
    topic(
        Dockerfile,
        "WORKDIR",
        "An absolute working directory, so relative paths mean one thing.",
        "Files land in / and commands run from a surprising place.",
    ),
    topic(
        Dockerfile,
        "COPY",
        "Copies the lockfile first and the source later, so the dependency layer stays cached until dependencies change.",
        "Every code change reinstalls every dependency.",
    ),
    topic(
        Dockerfile,
        "RUN",
        "A build step; cache mounts keep package downloads out of the layers.",
        "Layers grow with caches, and builds redo work.",
    ),
    topic(
        Dockerfile,
        "USER",
        "Runs the process as an unprivileged user.",
        "A process that escapes the container is root on the node.",
    ),
    topic(
        Dockerfile,
        "EXPOSE",
        "Documents the port the process listens on; compose and Kubernetes use the same one.",
        "Readers guess the port, and files disagree about it.",
    ),
    topic(
        Dockerfile,
        "HEALTHCHECK",
        "Lets Docker and compose know when the service answers on its liveness path.",
        "depends_on starts dependents before the service is ready.",
    ),
    topic(
        Dockerfile,
        "CMD",
        "The default command, in exec form so signals reach the process.",
        "A shell in front swallows the stop signal; shutdowns wait for the kill.",
    ),
    // Kubernetes: probes, security, rollout, scaling, disruption.
    topic(
        Manifest,
        "startupProbe:",
        "Gives a slow start its own allowance before liveness takes over.",
        "A liveness probe kills pods that are only slow to start.",
    ),
    topic(
        Manifest,
        "livenessProbe:",
        "Restarts a container that stops answering.",
        "A hung process keeps its pod, and its traffic, forever.",
    ),
    topic(
        Manifest,
        "readinessProbe:",
        "Sends traffic only to pods whose dependencies answer.",
        "Requests reach pods that cannot serve them, during rollouts too.",
    ),
    topic(
        Manifest,
        "runAsNonRoot:",
        "Refuses to start the container as root.",
        "A container escape is root on the node.",
    ),
    topic(
        Manifest,
        "allowPrivilegeEscalation:",
        "No process may gain more rights than its parent (setuid binaries).",
        "A setuid binary in the image can become root.",
    ),
    topic(
        Manifest,
        "readOnlyRootFilesystem:",
        "The image cannot be changed at run time; writable emptyDirs are mounted where needed.",
        "An attacker can drop tools into the container's filesystem.",
    ),
    topic(
        Manifest,
        "capabilities:",
        "Drops every Linux capability; none is needed to serve HTTP.",
        "The process keeps rights such as changing file owners or raw sockets.",
    ),
    topic(
        Manifest,
        "seccompProfile:",
        "Filters system calls to the runtime's default set.",
        "Every system call is open to an attacker.",
    ),
    topic(
        Manifest,
        "resources:",
        "Requests reserve CPU and memory for scheduling; limits cap what a pod may take.",
        "One leaking pod starves its neighbours, and the quota refuses pods without them.",
    ),
    topic(
        Manifest,
        "maxSurge:",
        "How many extra pods a rollout may start above the desired count.",
        "Rollouts are slower, or need more spare capacity than the cluster has.",
    ),
    topic(
        Manifest,
        "maxUnavailable:",
        "How many pods may be down during a rollout; 0 keeps full capacity.",
        "A rollout can take capacity away while new pods start.",
    ),
    topic(
        Manifest,
        "minReplicas:",
        "The fewest pods the autoscaler keeps, so a quiet hour does not leave one pod.",
        "Scaled down to one, a node drain means downtime.",
    ),
    topic(
        Manifest,
        "maxReplicas:",
        "The most pods the autoscaler adds; the namespace quota holds them.",
        "A traffic spike or a bug scales without bound.",
    ),
    topic(
        Manifest,
        "averageUtilization:",
        "The CPU share of the request the autoscaler aims for.",
        "The autoscaler has no target to scale on.",
    ),
    topic(
        Manifest,
        "minAvailable:",
        "Pods a voluntary disruption (a node drain) must leave running.",
        "A drain can stop every pod at once.",
    ),
    topic(
        Manifest,
        "terminationGracePeriodSeconds:",
        "Time a pod has to finish its requests after SIGTERM.",
        "In-flight requests are cut off at every deploy.",
    ),
    topic(
        Manifest,
        "preStop:",
        "Waits a moment before shutdown so load balancers stop sending traffic first.",
        "Requests arrive at a pod that is already shutting down.",
    ),
    topic(
        Manifest,
        "kind: NetworkPolicy",
        "Allows only the traffic the service needs: from the ingress controller and Prometheus.",
        "Any pod in the cluster can reach the service.",
    ),
    topic(
        Manifest,
        "kind: ExternalSecret",
        "Copies the service's secret keys from the store into a Secret; values never touch Git.",
        "Secrets end up in manifests, or are created by hand and drift.",
    ),
    topic(
        Manifest,
        "remoteRef:",
        "Where each key's value lives in the secrets store.",
        "The key maps to nothing, and the pod fails to start.",
    ),
    // GitHub Actions.
    topic(
        Workflow,
        "permissions:",
        "Least privilege for the workflow token: read by default, write only where a job needs it.",
        "A compromised step can push code or packages with the token.",
    ),
    topic(
        Workflow,
        "concurrency:",
        "One run per branch at a time; a newer push cancels an outdated pull request run.",
        "Runs pile up, and two deploys race.",
    ),
    topic(
        Workflow,
        "timeout-minutes:",
        "Stops a stuck job before the six-hour default.",
        "A hung job burns runner minutes for hours.",
    ),
    topic(
        Workflow,
        "needs:",
        "Orders the jobs: test after lint, deploy after build.",
        "A deploy can start before the checks pass.",
    ),
    topic(
        Workflow,
        "environment:",
        "Deploys through a GitHub environment, where approvals and secrets are scoped.",
        "Production deploys need no approval, and every job sees every secret.",
    ),
    topic(
        Workflow,
        "uses: actions/cache",
        "Restores the package manager's download cache keyed on the lockfile.",
        "Every run downloads every dependency again.",
    ),
    topic(
        Workflow,
        "uses: actions/upload-artifact",
        "Keeps a report or the image reference for later jobs and for people.",
        "The deploy job cannot know which image the build pushed.",
    ),
    topic(
        Workflow,
        "persist-credentials:",
        "Checks out without leaving the token in the repository's Git config.",
        "Later steps could push with the token.",
    ),
    // docker-compose.
    topic(
        Compose,
        "healthcheck:",
        "Compose knows when the container is ready, not just started.",
        "depends_on starts dependents too early.",
    ),
    topic(
        Compose,
        "depends_on:",
        "Starts the app after its database and cache are healthy.",
        "The app crashes on boot while the database is still starting.",
    ),
    // Terraform.
    topic(
        Terraform,
        "backend \"s3\"",
        "Keeps the state in a versioned, encrypted bucket every run shares.",
        "State on a laptop: lost, or two people overwrite each other's changes.",
    ),
    topic(
        Terraform,
        "use_lockfile",
        "S3's own lock file lets one run at a time change the infrastructure.",
        "Two applies at once corrupt the state.",
    ),
    topic(
        Terraform,
        "dynamodb_table",
        "A DynamoDB lock lets one run at a time change the infrastructure.",
        "Two applies at once corrupt the state.",
    ),
    topic(
        Terraform,
        "storage_encrypted",
        "Encrypts the database's disks and snapshots.",
        "A copied snapshot is readable by anyone who gets it.",
    ),
    topic(
        Terraform,
        "publicly_accessible",
        "Keeps the database off the internet; it is reached from inside the VPC.",
        "Only the password stands between the database and everyone.",
    ),
    topic(
        Terraform,
        "deletion_protection",
        "A production database cannot be deleted by an apply.",
        "One wrong plan deletes the data.",
    ),
    topic(
        Terraform,
        "backup_retention_period",
        "Keeps automated backups for point-in-time recovery.",
        "A bad migration cannot be undone.",
    ),
    // Argo CD.
    topic(
        ArgoCd,
        "syncPolicy:",
        "How Argo CD applies changes from Git.",
        "Changes wait for someone to press sync.",
    ),
    topic(
        ArgoCd,
        "prune:",
        "Deletes objects that were removed from Git.",
        "Removed objects linger in the cluster.",
    ),
    topic(
        ArgoCd,
        "selfHeal:",
        "Reverts changes made by hand in the cluster back to what Git says.",
        "The cluster drifts from Git after a kubectl edit.",
    ),
];

/// One explained line.
pub struct Explained {
    pub path: String,
    /// 1-based.
    pub line: usize,
    pub topic: &'static Topic,
}

/// The topic that explains `line` of a file of `kind`, if any.
pub fn topic_of(kind: Kind, line: &str) -> Option<&'static Topic> {
    let line = line.trim_start();
    let line = line.strip_prefix("- ").unwrap_or(line);
    TOPICS.iter().find(|topic| {
        topic.kind == kind
            && line.starts_with(topic.key)
            && line[topic.key.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
    })
}

/// Every explained line of `file`.
pub fn file(file: &GeneratedFile) -> Vec<Explained> {
    let Some(kind) = Kind::of(&file.path) else {
        return Vec::new();
    };
    file.contents
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            Some(Explained {
                path: file.path.clone(),
                line: i + 1,
                topic: topic_of(kind, line)?,
            })
        })
        .collect()
}

/// Every explained line of the bundle.
pub fn explain(bundle: &Bundle) -> Vec<Explained> {
    bundle.files().iter().flat_map(file).collect()
}

/// Per kind of file: (kind, lines explained, lines of content), comments and blank lines not
/// counted. Content under an explained key (a probe's fields) is counted as not explained.
pub fn coverage(bundle: &Bundle) -> Vec<(Kind, usize, usize)> {
    Kind::ALL
        .iter()
        .map(|&kind| {
            let mut explained = 0;
            let mut total = 0;
            for file in bundle.files() {
                if Kind::of(&file.path) != Some(kind) {
                    continue;
                }
                for line in file.contents.lines() {
                    let content = line.trim();
                    if content.is_empty() || content.starts_with('#') || content == "---" {
                        continue;
                    }
                    total += 1;
                    if topic_of(kind, line).is_some() {
                        explained += 1;
                    }
                }
            }
            (kind, explained, total)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::model::PRESETS;

    /// Every explanation explains a line some preset generates: a generator change that
    /// removes or renames its target fails here rather than leaving it orphaned.
    #[test]
    fn every_topic_explains_a_generated_line() {
        let bundles: Vec<Bundle> = PRESETS.iter().map(|p| generate(&p.project())).collect();
        let explained: Vec<Explained> = bundles.iter().flat_map(explain).collect();
        let orphans: Vec<String> = TOPICS
            .iter()
            .filter(|topic| {
                !explained
                    .iter()
                    .any(|e| e.topic.kind == topic.kind && e.topic.key == topic.key)
            })
            .map(|topic| format!("{:?} {:?}", topic.kind, topic.key))
            .collect();
        assert!(orphans.is_empty(), "no preset has a line for: {orphans:?}");
    }

    #[test]
    fn keys_match_whole_words_only() {
        assert!(topic_of(Kind::Dockerfile, "USER 10001:10001").is_some());
        assert!(topic_of(Kind::Dockerfile, "USERNAME x").is_none());
        assert!(topic_of(Kind::Workflow, "      - uses: actions/cache@v4").is_some());
        assert!(topic_of(Kind::Manifest, "  maxSurge: 1").is_some());
    }

    /// Prints the coverage (run with --nocapture) and keeps it from falling to nothing.
    #[test]
    fn coverage_per_kind_of_file() {
        let bundle = generate(&PRESETS[0].project());
        for (kind, explained, total) in coverage(&bundle) {
            println!("{}: {explained} of {total} lines explained", kind.label());
            if total > 0 {
                assert!(explained > 0, "{}: no line explained", kind.label());
            }
        }
    }
}
