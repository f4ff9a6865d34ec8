//! The CI/CD pipeline as a picture: a service's workflow read back as a graph of jobs, each
//! placed one column right of the last job it `needs`, with the environment it deploys to and
//! whether that environment waits for a person's approval. It is read from the generated
//! workflow file itself, so the picture cannot disagree with the file.

use std::fmt::Write as _;

use crate::Bundle;
use crate::generate::github_actions;
use crate::model::{AppService, Project};
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
        [
            &project.environments.staging,
            &project.environments.production,
        ]
        .iter()
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

/// Node size and gaps, in SVG units.
const WIDTH: usize = 210;
const HEIGHT: usize = 48;
const GAP_X: usize = 40;
const GAP_Y: usize = 14;

impl Pipeline {
    /// The graph as an SVG element: a box per job (`class="job"`, `data-job` its id), an arrow
    /// per `needs`, and the environment and approval gate in the box of each deploy. Every text
    /// from the workflow is escaped.
    pub fn svg(&self) -> String {
        let columns = self.jobs.iter().map(|j| j.column + 1).max().unwrap_or(1);
        let rows = self.jobs.iter().map(|j| j.row + 1).max().unwrap_or(1);
        let (width, height) = (
            columns * (WIDTH + GAP_X) - GAP_X + 2,
            rows * (HEIGHT + GAP_Y) - GAP_Y + 2,
        );
        let gates = self.jobs.iter().filter(|j| j.approval).count();
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg id=\"pipeline-graph\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"Jobs: {}. Waiting for approval: {gates}.\"><defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0 0L8 4L0 8z\"/></marker></defs>",
            self.jobs.len()
        );
        let at = |job: &Job| {
            (
                1 + job.column * (WIDTH + GAP_X),
                1 + job.row * (HEIGHT + GAP_Y),
            )
        };
        for job in &self.jobs {
            let (x2, y2) = at(job);
            for need in self.jobs.iter().filter(|n| job.needs.contains(&n.id)) {
                let (x1, y1) = at(need);
                let (x1, y1, y2) = (x1 + WIDTH, y1 + HEIGHT / 2, y2 + HEIGHT / 2);
                let middle = (x1 + x2) / 2;
                let _ = write!(
                    svg,
                    "<path class=\"need\" d=\"M{x1} {y1}C{middle} {y1} {middle} {y2} {x2} {y2}\" marker-end=\"url(#arrow)\"/>"
                );
            }
        }
        for job in &self.jobs {
            let (x, y) = at(job);
            let mut detail = job.environment.clone().unwrap_or_default();
            if let Some(branch) = &job.branch {
                if !detail.is_empty() {
                    detail.push_str(", ");
                }
                let _ = write!(detail, "on {branch}");
            }
            if job.approval {
                detail.push_str(", approval");
            }
            let _ = write!(
                svg,
                "<g class=\"job{}\" data-job=\"{}\" transform=\"translate({x} {y})\"><rect width=\"{WIDTH}\" height=\"{HEIGHT}\" rx=\"6\"/><text x=\"8\" y=\"20\">{}</text><text class=\"detail\" x=\"8\" y=\"38\">{}</text></g>",
                if job.approval { " gate" } else { "" },
                escape(&job.id, 40),
                escape(&job.name, 25),
                escape(&detail, 32),
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

/// Text for SVG markup, cut to `most` characters.
fn escape(text: &str, most: usize) -> String {
    let long = text.chars().nth(most).is_some();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if long && i + 1 == most {
            out.push('…');
            break;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
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
