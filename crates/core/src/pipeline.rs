//! The CI/CD pipeline as a picture: a service's workflow read back as a graph of jobs, each
//! placed one column right of the last job it `needs`, with the environment it deploys to and
//! whether that environment waits for a person's approval. It is read from the generated
//! workflow file itself, so the picture cannot disagree with the file.

use crate::Bundle;
use crate::generate::github_actions;
use crate::model::{AppService, Project, Stage};
use crate::picture::Picture;
use crate::rules::github_actions::{jobs, needs};
use crate::rules::yaml::Node;
use crate::rules::{Form, Parsed};

/// One job of the workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    /// Its `name:`, or its id.
    pub name: String,
    /// The ids of the jobs it waits for.
    pub needs: Vec<String>,
    /// The GitHub environment it deploys to.
    pub environment: Option<String>,
    /// Whether that environment asks a reviewer before the job runs.
    pub approval: bool,
    /// The branch its `if:` limits it to (`refs/heads/<branch>`).
    pub branch: Option<String>,
    /// Where it is drawn: column (how many jobs wait before it) and row.
    pub column: usize,
    pub row: usize,
}

/// The jobs of one workflow, in the file's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub jobs: Vec<Job>,
}

/// The pipeline of `service`'s workflow in `bundle`; `None` when the bundle has none.
pub fn of(project: &Project, bundle: &Bundle, service: &AppService) -> Option<Pipeline> {
    let file = bundle.get(&github_actions::path(service))?;
    let parsed = Parsed::of(file);
    let Form::Yaml(Ok(documents)) = &parsed.form else {
        return None;
    };
    let workflow = documents.first()?;
    let approval = |name: &str| {
        Stage::ALL
            .iter()
            .map(|&stage| project.environment(stage))
            .any(|e| e.name == name && e.approval_required)
    };
    Some(read(workflow, approval))
}

/// Reads the jobs of a workflow document; `approval` says which environments have reviewers.
pub fn read(workflow: &Node, approval: impl Fn(&str) -> bool) -> Pipeline {
    let mut all: Vec<Job> = jobs(workflow)
        .iter()
        .filter_map(|(id, job)| {
            let id = id.as_str()?.to_string();
            let environment = job
                .get("environment")
                .and_then(|e| e.as_str().or_else(|| e.get("name")?.as_str()))
                .map(str::to_string);
            let branch = job.get("if").and_then(Node::as_str).and_then(|condition| {
                let (_, rest) = condition.split_once("refs/heads/")?;
                Some(rest.split(['\'', '"', ' ']).next()?.to_string())
            });
            Some(Job {
                name: job
                    .get("name")
                    .and_then(Node::as_str)
                    .map_or_else(|| id.clone(), str::to_string),
                needs: needs(job)
                    .into_iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect(),
                approval: environment.as_deref().is_some_and(&approval),
                environment,
                branch,
                id,
                column: 0,
                row: 0,
            })
        })
        .collect();
    // Longest chain of needs before each job. A cycle (which rule SG002 reports) cannot push a
    // job further right than there are jobs.
    for _ in 0..all.len() {
        let mut moved = false;
        for i in 0..all.len() {
            let column = all
                .iter()
                .filter(|other| all[i].needs.contains(&other.id))
                .map(|other| other.column + 1)
                .max()
                .unwrap_or(0)
                .min(all.len());
            moved |= column != all[i].column;
            all[i].column = column;
        }
        if !moved {
            break;
        }
    }
    for i in 0..all.len() {
        all[i].row = all[..i]
            .iter()
            .filter(|before| before.column == all[i].column)
            .count();
    }
    Pipeline { jobs: all }
}

impl Pipeline {
    /// The graph as an SVG element: a box per job (`class="job"`, `data-node` its id), an
    /// arrow per `needs`, and the environment and approval gate in the box of each deploy.
    pub fn svg(&self) -> String {
        let mut picture = Picture::default();
        for job in &self.jobs {
            let mut detail = job.environment.clone().unwrap_or_default();
            if let Some(branch) = &job.branch {
                if !detail.is_empty() {
                    detail.push_str(", ");
                }
                detail.push_str("on ");
                detail.push_str(branch);
            }
            if job.approval {
                detail.push_str(", approval");
            }
            let class = if job.approval { "job gate" } else { "job" };
            picture.node(&*job.id, class, &*job.name, detail, (job.column, job.row));
        }
        for (to, job) in self.jobs.iter().enumerate() {
            for (from, _) in self
                .jobs
                .iter()
                .enumerate()
                .filter(|(_, n)| job.needs.contains(&n.id))
            {
                picture.edge(from, to, "need");
            }
        }
        let gates = self.jobs.iter().filter(|j| j.approval).count();
        picture.svg(
            "pipeline-graph",
            &format!("Jobs: {}. Waiting for approval: {gates}.", self.jobs.len()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;
    use crate::rules::yaml;

    fn pipeline(text: &str) -> Pipeline {
        read(&yaml::parse(text).unwrap()[0], |name| name == "production")
    }

    #[test]
    fn jobs_go_one_column_right_of_what_they_need() {
        let p = pipeline(
            "on: push\njobs:\n  lint: {}\n  test:\n    needs: lint\n  audit: {}\n  build:\n    needs: [test, audit]\n  deploy:\n    needs: build\n    if: github.ref == 'refs/heads/main'\n    environment:\n      name: production\n",
        );
        let placed: Vec<(&str, usize, usize)> = p
            .jobs
            .iter()
            .map(|j| (j.id.as_str(), j.column, j.row))
            .collect();
        assert_eq!(
            placed,
            [
                ("lint", 0, 0),
                ("test", 1, 0),
                ("audit", 0, 1),
                ("build", 2, 0),
                ("deploy", 3, 0)
            ]
        );
        let deploy = &p.jobs[4];
        assert_eq!(deploy.environment.as_deref(), Some("production"));
        assert_eq!(deploy.branch.as_deref(), Some("main"));
        assert!(deploy.approval);
        assert!(!p.jobs[3].approval);
    }

    #[test]
    fn a_cycle_still_draws() {
        let p = pipeline("on: push\njobs:\n  a:\n    needs: b\n  b:\n    needs: a\n");
        assert!(p.jobs.iter().all(|j| j.column <= 2));
        assert_eq!(p.svg().matches("class=\"need\"").count(), 2);
    }

    #[test]
    fn text_from_the_workflow_is_escaped_and_cut() {
        let p = pipeline(
            "on: push\njobs:\n  x:\n    name: \"<script>alert(1)</script> & a very long name indeed\"\n    environment: \"a\\\"b\"\n",
        );
        let svg = p.svg();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains(">&lt;script&gt;alert(1)&lt;/script…<"),
            "{svg}"
        );
        assert!(svg.contains("a&quot;b"), "{svg}");
    }

    #[test]
    fn every_preset_draws_every_job_and_need_of_each_workflow() {
        for preset in PRESETS {
            let (name, project) = (preset.name, preset.project());
            let bundle = crate::generate(&project);
            for service in &project.services {
                let p = of(&project, &bundle, service)
                    .unwrap_or_else(|| panic!("{name}/{}: no pipeline", service.name));
                let text = &bundle.get(&github_actions::path(service)).unwrap().contents;
                let svg = p.svg();
                // One box per job the file has, and one arrow per name in a `needs`.
                let jobs_at = text.find("\njobs:\n").unwrap();
                let in_jobs = text[jobs_at..]
                    .lines()
                    .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
                    .count();
                assert_eq!(svg.matches("<g class=\"job").count(), in_jobs, "{name}");
                let needs: usize = p.jobs.iter().map(|j| j.needs.len()).sum();
                assert_eq!(svg.matches("class=\"need\"").count(), needs, "{name}");
                assert!(needs >= p.jobs.len() - 1, "{name}: jobs are not chained");
                // Production deploys behind its approval, as the presets ask.
                let production = &project.environments.production;
                let deploys = p
                    .jobs
                    .iter()
                    .filter(|j| j.environment.as_deref() == Some(&production.name));
                for job in deploys {
                    assert_eq!(job.approval, production.approval_required, "{name}");
                    assert!(job.column > 0);
                }
            }
        }
    }
}
