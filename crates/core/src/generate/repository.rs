//! Repository rules for the branch model: feature branches merge into the staging branch by
//! pull request, and the staging branch into the production branch. A GitHub ruleset per
//! protected branch (pull requests, approvals, the required check, no force pushes or
//! deletion), CODEOWNERS for the reviews, and Dependabot for every ecosystem in use.

use serde::Serialize;

use super::github_actions::{GATE_CHECK, GATE_PATH, gate};
use crate::bundle::GeneratedFile;
use crate::model::{DeployTool, PackageManager, Project, Stage};
use crate::picture::Picture;
use crate::yaml::{Map, Scalar, Yaml};

/// GitHub's own app, whose token the workflows push with.
const GITHUB_ACTIONS_APP: u32 = 15368;
/// The repository role "Admin" (GitHub gives the built-in roles fixed ids: maintain 2,
/// write 4, admin 5).
const ADMIN_ROLE: u32 = 5;

/// A repository ruleset, as GitHub's API and its "Import a ruleset" take it.
#[derive(Serialize)]
struct Ruleset {
    name: String,
    target: &'static str,
    enforcement: &'static str,
    bypass_actors: Vec<Bypass>,
    conditions: Conditions,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Bypass {
    actor_id: u32,
    actor_type: &'static str,
    bypass_mode: &'static str,
}

#[derive(Serialize)]
struct Conditions {
    ref_name: RefName,
}

#[derive(Serialize)]
struct RefName {
    include: Vec<String>,
    exclude: Vec<String>,
}

#[derive(Serialize)]
struct Rule {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<Parameters>,
}

/// The parameters of the pull request rule or of the status checks rule.
#[derive(Serialize, Default)]
struct Parameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    required_approving_review_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dismiss_stale_reviews_on_push: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    require_code_owner_review: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    require_last_push_approval: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required_review_thread_resolution: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strict_required_status_checks_policy: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    required_status_checks: Vec<Map<&'static str, &'static str>>,
}

/// The ruleset of a stage's branch: production needs two approvals, staging one.
fn ruleset(project: &Project, stage: Stage) -> Ruleset {
    let branch = project.branch(stage);
    let approvals = match stage {
        Stage::Production => 2,
        Stage::Staging => 1,
    };
    let rule = |kind| Rule {
        kind,
        parameters: None,
    };
    Ruleset {
        name: format!("{} branch", stage.key()),
        target: "branch",
        enforcement: "active",
        bypass_actors: {
            // An admin may push a rollback straight to the branch (docs/RUNBOOK.md); GitHub
            // logs every bypass.
            let mut actors = vec![Bypass {
                actor_id: ADMIN_ROLE,
                actor_type: "RepositoryRole",
                bypass_mode: "always",
            }];
            // With Argo CD, deploy jobs commit the new image digest to this branch.
            if project.deploy_tool == DeployTool::ArgoCd {
                actors.push(Bypass {
                    actor_id: GITHUB_ACTIONS_APP,
                    actor_type: "Integration",
                    bypass_mode: "always",
                });
            }
            actors
        },
        conditions: Conditions {
            ref_name: RefName {
                include: vec![format!("refs/heads/{branch}")],
                exclude: Vec::new(),
            },
        },
        rules: vec![
            rule("deletion"),
            rule("non_fast_forward"),
            Rule {
                kind: "pull_request",
                parameters: Some(Parameters {
                    required_approving_review_count: Some(approvals),
                    dismiss_stale_reviews_on_push: Some(true),
                    require_code_owner_review: Some(true),
                    require_last_push_approval: Some(true),
                    required_review_thread_resolution: Some(true),
                    ..Parameters::default()
                }),
            },
            Rule {
                kind: "required_status_checks",
                // Not "up to date before merging": the deploy jobs commit to this branch after
                // every merge, which would make every open pull request stale, and the gate
                // already checks each pull request's own head.
                parameters: Some(Parameters {
                    strict_required_status_checks_policy: Some(false),
                    required_status_checks: vec![Map::from([("context", GATE_CHECK)])],
                    ..Parameters::default()
                }),
            },
        ],
    }
}

#[derive(Serialize)]
struct Dependabot {
    version: u32,
    updates: Vec<Update>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Update {
    package_ecosystem: &'static str,
    directory: String,
    target_branch: String,
    schedule: Map<&'static str, &'static str>,
    /// A release is proposed only once it is a week old: most hijacked releases are found and
    /// pulled within days, before a pull request would bring them in.
    cooldown: Map<&'static str, Scalar>,
    /// One pull request a week per ecosystem and folder, not one per package.
    groups: Map<&'static str, Map<&'static str, Vec<&'static str>>>,
}

/// Dependabot's name for the ecosystem of a package manager; the others share our ids.
fn ecosystem(manager: PackageManager) -> &'static str {
    match manager {
        PackageManager::Npm | PackageManager::Pnpm | PackageManager::Yarn => "npm",
        PackageManager::Pip | PackageManager::Poetry => "pip",
        PackageManager::GoModules => "gomod",
        other => other.id(),
    }
}

fn dependabot(project: &Project) -> Dependabot {
    let update = |package_ecosystem, directory: String| Update {
        package_ecosystem,
        directory,
        // Updates go through staging like any other change.
        target_branch: project.branches.staging.clone(),
        schedule: Map::from([("interval", "weekly")]),
        cooldown: Map::from([("default-days", Scalar::Number(7))]),
        groups: Map::from([("all", Map::from([("patterns", vec!["*"])]))]),
    };
    let mut updates = vec![update("github-actions", "/".into())];
    if project.aws.is_some() {
        // The Terraform providers and registry modules.
        updates.push(update("terraform", "/terraform".into()));
    }
    for service in &project.services {
        let directory = format!("/{}", service.folder_prefix().trim_end_matches('/'));
        updates.push(update(
            ecosystem(service.package_manager),
            directory.clone(),
        ));
        // The Dockerfile's base images.
        updates.push(update("docker", directory));
    }
    Dependabot {
        version: 2,
        updates,
    }
}

fn codeowners(project: &Project) -> String {
    let owner = &project.repository.owner;
    let mut out = format!(
        "# Generated by Shipshape; change the settings rather than this file.\n\
         # Who reviews changes, by path; the rulesets require their approval. @{owner} must be a\n\
         # user: for an organization, write a team instead, such as @{owner}/platform.\n\
         * @{owner}\n\
         /.github/ @{owner}\n"
    );
    for service in &project.services {
        let folder = service.folder_prefix();
        if !folder.is_empty() {
            out.push_str(&format!("/{folder} @{owner}\n"));
        }
    }
    out
}

/// Every file of the repository rules.
pub fn files(project: &Project) -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    for stage in [Stage::Staging, Stage::Production] {
        files.push(GeneratedFile::new(
            format!(".github/rulesets/{}.json", stage.key()),
            crate::yaml::json::to_string_pretty(&ruleset(project, stage)) + "\n",
        ));
    }
    files.push(GeneratedFile::new(
        ".github/CODEOWNERS",
        codeowners(project),
    ));
    let mut yaml = Yaml::with_comments(
        "# Generated by Shipshape; change the settings rather than this file.\n",
    );
    yaml.document(&dependabot(project));
    files.push(yaml.into_file(".github/dependabot.yml".into()));
    files.push(gate(project).into_file(GATE_PATH.into()));
    files.push(GeneratedFile::new(YAMLLINT_PATH, YAMLLINT));
    files
}

pub const YAMLLINT_PATH: &str = ".yamllint.yaml";

/// yamllint's settings for the repository. The YAML writer folds at the same width
/// (`yaml::MAX_WIDTH`); a test keeps the two equal.
const YAMLLINT: &str = "\
# Generated by Shipshape; change the settings rather than this file.
# Default rules; 120 columns leave room for pinned actions' version comments.
---
extends: default
rules:
  line-length:
    max: 120
";

/// The branch model as a picture: feature branches, staging, production.
pub fn picture(project: &Project) -> Picture {
    let mut picture = Picture::default();
    let branches = &project.branches;
    let feature = picture.node(
        "feature",
        "outside",
        format!("{}*", branches.feature_prefix),
        "a branch per change",
        (0, 0),
    );
    let staging = picture.node(
        "staging",
        "edge",
        &*branches.staging,
        "deploys to staging",
        (1, 0),
    );
    let production = picture.node(
        "production",
        "gate",
        &*branches.production,
        "deploys to production",
        (2, 0),
    );
    picture.edge(feature, staging, "link");
    picture.edge(staging, production, "link");
    picture
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    #[test]
    fn production_needs_two_approvals_and_staging_one_and_both_the_gate() {
        let project = PRESETS[0].project();
        let files = files(&project);
        let text = |path: &str| {
            files
                .iter()
                .find(|f| f.path == path)
                .map(|f| f.contents.clone())
                .unwrap()
        };
        let production = text(".github/rulesets/production.json");
        assert!(production.contains("\"required_approving_review_count\": 2"));
        assert!(production.contains("\"refs/heads/main\""));
        assert!(production.contains("\"context\": \"All checks passed\""));
        let staging = text(".github/rulesets/staging.json");
        assert!(staging.contains("\"required_approving_review_count\": 1"));
        assert!(staging.contains("\"refs/heads/dev\""));
        // Argo CD deploys commit to the branches, so GitHub Actions may push there.
        assert!(staging.contains("\"actor_id\": 15368"));
        let gate = text(GATE_PATH);
        assert!(gate.contains(&format!("name: {GATE_CHECK}")));
        assert!(
            !gate.contains("paths:"),
            "the gate must run for every pull request"
        );
    }

    #[test]
    fn yamllint_allows_the_width_the_yaml_writer_folds_at() {
        assert!(YAMLLINT.contains(&format!("    max: {}\n", crate::yaml::MAX_WIDTH)));
    }

    #[test]
    fn dependabot_watches_actions_and_each_service_s_packages_and_images() {
        let project = PRESETS[0].project();
        let text = &files(&project)
            .into_iter()
            .find(|f| f.path == ".github/dependabot.yml")
            .unwrap()
            .contents;
        for wanted in [
            "package-ecosystem: github-actions",
            "package-ecosystem: pip\n    directory: /backend",
            "package-ecosystem: npm\n    directory: /frontend",
            "package-ecosystem: docker\n    directory: /backend",
            "target-branch: dev",
            "package-ecosystem: terraform\n    directory: /terraform",
        ] {
            assert!(text.contains(wanted), "{wanted}\n{text}");
        }
    }

    #[test]
    fn only_admins_bypass_when_no_job_pushes() {
        let mut project = PRESETS[0].project();
        let argo = ruleset(&project, Stage::Production);
        assert_eq!(argo.bypass_actors.len(), 2, "admins and the deploy jobs");
        project.deploy_tool = DeployTool::Helm;
        let helm = ruleset(&project, Stage::Production);
        assert_eq!(helm.bypass_actors.len(), 1);
        assert_eq!(helm.bypass_actors[0].actor_type, "RepositoryRole");
        assert_eq!(helm.bypass_actors[0].actor_id, ADMIN_ROLE);
    }
}
