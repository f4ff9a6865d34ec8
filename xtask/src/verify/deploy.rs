//! The deploy jobs of every preset's workflows, run against stand-ins (see the parent module).
//!
//! Every deploy job gets three scenarios: the first deploy (a), the same digest again (a, a),
//! and a new digest after it (a, b). One job per distinct deploy script (production's; staging's
//! too where its script differs) also gets:
//! - **roll back with ...**: after a, b, each way back the runbook documents for the job's
//!   environment, run by hand from a clone: an hour later every client is on a again (for
//!   blue-green, the colour still running a), and Argo CD agrees with the remote; with none
//!   documented, **roll back as the runbook says** fails;
//! - **canary steps** (canary only; the run of "a new digest"): the new version's share of
//!   traffic takes each weight the manifests declare (the VirtualService steps, or the Rollout's
//!   setWeight steps), in order, and ends at 100%; public traffic through the Ingress follows
//!   the same weights;
//! - **canary never ready / canary answers with errors** (canary), **a new digest that never
//!   becomes ready** (the others): the run fails and every client stays on the previous
//!   version, then and an hour later;
//! - **two deploys at once**: two runs with different digests queued together, run as the job's
//!   `concurrency:` lets GitHub run them (queued one after the other, for every workflow today);
//!   the end state is one digest, the last successful run's, on the remote and in the cluster;
//! - **push loses the race to a teammate's commit / to another deploy** (jobs that push): a
//!   commit lands on the branch between the job's fetch and its push, a line at the end of the
//!   same values file (the push must go on top, keeping both) or the same change with another
//!   digest (the run must go on top or fail loudly; the remote and the cluster agree after);
//! - **without cluster credentials** (jobs that push): a GitOps deploy with the KUBECONFIG
//!   secret unset, as it should need none (issue 22, item 3);
//! - **at once with another service's job** (two services deploying from one branch): both jobs
//!   run truly at the same time against one remote and cluster.
//!
//! After every successful run every client of the Service (the mesh's and the Ingress's) gets
//! the image just built, and no request failed on the way if the Service served before; a job
//! that pushes left its commit where the Argo CD Application deploying the Service looks
//! (targetRevision, path, valueFiles) and Argo CD synced it; and the run's simulated time fits
//! its `timeout-minutes`.
//!
//! A job's scenarios run in one worker: the first deploy once, then each scenario in a copy of
//! that world (the remote and the cluster's state), so none repeats what another already did.

mod runbook;
mod world;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, mpsc};

use serde_json::Value;
use shipshape_core::Bundle;
use shipshape_core::generate;
use shipshape_core::model::{CanaryEngine, PRESETS, Strategy};
use shipshape_core::rules::yaml::{Node, parse};

use super::{Outcome, Report};
use runbook::Rollback;
use world::{RunOptions, Template, World};

/// Simulated seconds before each deploy, and after a rollback before looking.
const BETWEEN: u32 = 3600;

/// One deploy job: where it is, what it runs, and what its workflow says about it.
pub(super) struct Job {
    id: String,
    service: String,
    /// "staging" or "production", as the runbook names the environment.
    stage: String,
    /// The job's `run:` scripts, in order, with their step's environment.
    steps: Vec<(Vec<(String, String)>, String)>,
    working_directory: String,
    deployment: String,
    image: String,
    namespace: String,
    branch: String,
    /// The values file the job edits, when it commits one.
    values: Option<String>,
    manifests: Option<String>,
    timeout_minutes: u64,
    /// A concurrency group that queues a second run behind the first rather than cancelling.
    serialized: bool,
    /// The checkout keeps a token that may push.
    can_push: bool,
    /// The script runs `git push`.
    pushes: bool,
    strategy: Strategy,
    engine: CanaryEngine,
    rollbacks: Vec<Rollback>,
}

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    First,
    Again,
    NewDigest,
    RollBack(usize),
    NoRollback,
    CanarySteps,
    CanaryFails(&'static str),
    AtOnce,
    PushLosesRace,
    PushLosesToDeploy,
    WithoutClusterCredentials,
    BesideOther(usize),
}

struct Preset {
    name: &'static str,
    bundle: Bundle,
    jobs: Vec<Job>,
}

/// The wanted scenarios of one job, run in one worker: the first deploy once, then a copy of
/// its world for each scenario that starts from it.
struct Unit {
    preset: usize,
    job: usize,
    cases: Vec<(String, Scenario)>,
    dir: PathBuf,
}

pub(super) fn cases(
    report: &mut Report,
    python: &Path,
    root: &Path,
    out: &Path,
) -> Result<(), String> {
    let standin = root.join("xtask/standins/cluster.py");
    let mut presets = Vec::new();
    for preset in PRESETS {
        let project = preset.project();
        let bundle = generate(&project);
        let runbook = bundle
            .get("docs/RUNBOOK.md")
            .map(|f| f.contents.clone())
            .unwrap_or_default();
        let mut jobs = Vec::new();
        for service in &project.services {
            let path = format!(".github/workflows/{}.yml", service.name);
            let Some(file) = bundle.get(&path) else {
                continue;
            };
            let documents = parse(&file.contents).map_err(|e| format!("{path}: {e:?}"))?;
            let workflow = documents.first().ok_or("an empty workflow")?;
            for job_id in ["deploy-staging", "deploy-production"] {
                if let Some(mut job) = read_job(workflow, job_id, &service.name)? {
                    job.strategy = service.rollout.strategy;
                    job.engine = service.rollout.canary_engine;
                    job.rollbacks = runbook::rollbacks(&runbook, &job.stage, &service.name);
                    jobs.push(job);
                }
            }
        }
        presets.push(Preset {
            name: preset.name,
            bundle,
            jobs,
        });
    }

    let mut units = Vec::new();
    for (p, preset) in presets.iter().enumerate() {
        for (j, job) in preset.jobs.iter().enumerate() {
            let mut cases = Vec::new();
            let mut plan = |scenario: Scenario, what: &str| {
                let name = format!("deploy {}/{} {}: {what}", preset.name, job.service, job.id);
                if report.wants(&name) {
                    cases.push((name, scenario));
                }
            };
            plan(Scenario::First, "first deploy");
            plan(Scenario::Again, "same digest again");
            plan(Scenario::NewDigest, "a new digest");
            if representative(preset, job) {
                for (index, rollback) in job.rollbacks.iter().enumerate() {
                    plan(
                        Scenario::RollBack(index),
                        &format!("roll back with {}", rollback.name),
                    );
                }
                if job.rollbacks.is_empty() {
                    plan(Scenario::NoRollback, "roll back as the runbook says");
                }
                if job.strategy == Strategy::Canary {
                    plan(Scenario::CanarySteps, "canary steps");
                    plan(Scenario::CanaryFails("never-ready"), "canary never ready");
                    plan(
                        Scenario::CanaryFails("errors"),
                        "canary answers with errors",
                    );
                } else {
                    plan(
                        Scenario::CanaryFails("never-ready"),
                        "a new digest that never becomes ready",
                    );
                }
                plan(Scenario::AtOnce, "two deploys at once");
                if job.pushes && job.values.is_some() {
                    plan(
                        Scenario::PushLosesRace,
                        "push loses the race to a teammate's commit",
                    );
                    plan(
                        Scenario::PushLosesToDeploy,
                        "push loses the race to another deploy",
                    );
                    plan(
                        Scenario::WithoutClusterCredentials,
                        "without cluster credentials",
                    );
                }
                for (o, other) in preset.jobs.iter().enumerate() {
                    if o > j
                        && other.id == job.id
                        && other.pushes
                        && job.pushes
                        && other.branch == job.branch
                    {
                        plan(
                            Scenario::BesideOther(o),
                            &format!("at once with {}'s {}", other.service, other.id),
                        );
                    }
                }
            }
            if !cases.is_empty() {
                units.push(Unit {
                    preset: p,
                    job: j,
                    cases,
                    dir: out.join(format!("{}-{}-{}", preset.name, job.service, job.id)),
                });
            }
        }
    }
    if units.is_empty() {
        return Ok(());
    }

    // One set of stand-in commands; one repository per preset, made by the first unit that
    // needs it and cloned by each.
    let bin = out.join("bin");
    world::standins(python, &standin, &bin)?;
    let templates: Vec<OnceLock<Result<Template, String>>> =
        presets.iter().map(|_| OnceLock::new()).collect();
    let template = |index: usize| {
        templates[index].get_or_init(|| {
            let preset = &presets[index];
            let mut branches: Vec<String> = preset.jobs.iter().map(|j| j.branch.clone()).collect();
            branches.sort();
            branches.dedup();
            let dir = out.join(format!("template-{}", preset.name));
            Template::new(&preset.bundle, &branches, &dir)
        })
    };

    // Units run two at a time (each mostly waits on processes), the biggest first so that no
    // worker idles at the end; reports stay in order.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 2);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(units[i].cases.len()));
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, order, units, presets) = (&next, &order, &units, &presets);
            let (standin, bin, template) = (&standin, &bin, &template);
            scope.spawn(move || {
                while let Some(&index) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let unit = &units[index];
                    let results = match template(unit.preset) {
                        Ok(template) => {
                            let preset = &presets[unit.preset];
                            let context = Context {
                                python,
                                standin,
                                bin,
                                template,
                                preset,
                                job: &preset.jobs[unit.job],
                            };
                            run_unit(&context, unit)
                        }
                        Err(why) => unit
                            .cases
                            .iter()
                            .map(|_| Err(format!("the preset's repository: {why}")))
                            .collect(),
                    };
                    if sender.send((index, results)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut results: Vec<Option<Vec<Result<Outcome, String>>>> =
            units.iter().map(|_| None).collect();
        let mut reported = 0;
        for (index, done) in receiver {
            results[index] = Some(done);
            while let Some(done) = results.get_mut(reported).and_then(Option::take) {
                for ((name, _), result) in units[reported].cases.iter().zip(done) {
                    report.case(name, || result);
                }
                reported += 1;
            }
        }
    });
    Ok(())
}

/// Staging's deploy script is production's with other values: the scenarios beyond the first
/// three run once per distinct script.
fn representative(preset: &Preset, job: &Job) -> bool {
    if job.id == "deploy-production" {
        return true;
    }
    let scripts = |j: &Job| j.steps.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>();
    !preset.jobs.iter().any(|o| {
        o.service == job.service && o.id == "deploy-production" && scripts(o) == scripts(job)
    })
}

fn read_job(workflow: &Node, id: &str, service: &str) -> Result<Option<Job>, String> {
    let Some(job) = workflow.at(&["jobs", id]) else {
        return Ok(None);
    };
    let scalar_map = |node: Option<&Node>| -> Vec<(String, String)> {
        node.map_or(&[][..], Node::entries)
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
            .collect()
    };
    let mut environment = scalar_map(workflow.get("env"));
    environment.extend(scalar_map(job.get("env")));
    let image = environment
        .iter()
        .find(|(k, _)| k == "IMAGE_NAME")
        .map(|(_, v)| v.clone())
        .ok_or("the workflow sets no IMAGE_NAME")?;
    let mut steps = Vec::new();
    let mut can_push = true;
    for step in job.get("steps").map_or(&[][..], Node::items) {
        if let Some(script) = step.get("run").and_then(Node::as_str) {
            let mut env = environment.clone();
            env.extend(scalar_map(step.get("env")));
            steps.push((env, script.to_owned()));
        }
        if step
            .get("uses")
            .and_then(Node::as_str)
            .is_some_and(|u| u.starts_with("actions/checkout@"))
            && step
                .at(&["with", "persist-credentials"])
                .is_some_and(|v| v.as_bool() == Some(false) || v.as_str() == Some("false"))
        {
            can_push = false;
        }
    }
    let contents = job
        .at(&["permissions", "contents"])
        .or_else(|| workflow.at(&["permissions", "contents"]))
        .and_then(Node::as_str);
    if contents.is_some_and(|c| c != "write") {
        can_push = false;
    }
    let setting = |name: &str| {
        steps
            .iter()
            .flat_map(|(env, _)| env)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let concurrency = job
        .get("concurrency")
        .or_else(|| workflow.get("concurrency"));
    let serialized = concurrency.is_some_and(|c| {
        let group = c
            .get("group")
            .or(Some(c))
            .and_then(Node::as_str)
            .unwrap_or("");
        let cancels = c
            .get("cancel-in-progress")
            .and_then(Node::as_str)
            .unwrap_or("false")
            .replace(' ', "");
        // Two pushes to one branch share a group unless it names the run or the commit; the
        // workflows' `github.event_name == 'pull_request'` is false for a push.
        !group.is_empty()
            && !group.contains("run_id")
            && !group.contains("github.sha")
            && (cancels == "false" || cancels == "${{github.event_name=='pull_request'}}")
    });
    Ok(Some(Job {
        id: id.to_owned(),
        service: service.to_owned(),
        stage: id.trim_start_matches("deploy-").to_owned(),
        working_directory: job
            .at(&["defaults", "run", "working-directory"])
            .and_then(Node::as_str)
            .unwrap_or(".")
            .to_owned(),
        deployment: setting("DEPLOYMENT").unwrap_or_else(|| service.to_owned()),
        namespace: setting("NAMESPACE").ok_or_else(|| format!("{id} sets no NAMESPACE"))?,
        branch: setting("BRANCH").unwrap_or_else(|| "main".into()),
        values: setting("VALUES"),
        manifests: setting("MANIFESTS"),
        timeout_minutes: job
            .get("timeout-minutes")
            .and_then(Node::as_u64)
            .unwrap_or(360),
        serialized,
        can_push,
        pushes: steps.iter().any(|(_, s)| s.contains("git push")),
        image,
        steps,
        strategy: Strategy::Rolling,
        engine: CanaryEngine::Istio,
        rollbacks: Vec::new(),
    }))
}

fn reference(job: &Job, fill: char) -> String {
    format!("{}@sha256:{}", job.image, fill.to_string().repeat(64))
}

/// What a unit's scenarios share.
struct Context<'a> {
    python: &'a Path,
    standin: &'a Path,
    bin: &'a Path,
    template: &'a Template,
    preset: &'a Preset,
    job: &'a Job,
}

/// Runs a unit's scenarios, returning one result per case, in order.
fn run_unit(context: &Context, unit: &Unit) -> Vec<Result<Outcome, String>> {
    let wanted = |s: Scenario| unit.cases.iter().any(|(_, x)| *x == s);
    let mut results: Vec<(Scenario, Result<Outcome, String>)> = Vec::new();
    let base = match first_deploy(context, &unit.dir) {
        Ok(base) => base,
        Err(why) => {
            return unit.cases.iter().map(|_| Err(why.clone())).collect();
        }
    };
    let (world, first, deployed) = base;
    results.push((Scenario::First, Ok(first)));
    let job = context.job;
    let a = reference(job, 'a');
    let b = reference(job, 'b');
    // The scenarios that start from the first deploy.
    let from = |name: &str, failing: &[(String, &str)]| world.fork(&unit.dir.join(name), failing);
    type Results = Vec<(Scenario, Result<Outcome, String>)>;
    let run =
        |results: &mut Results, scenario: Scenario, body: &dyn Fn() -> Result<Outcome, String>| {
            if wanted(scenario) {
                let result = if deployed {
                    body()
                } else {
                    Err("the first deploy failed (see its case)".into())
                };
                results.push((scenario, result));
            }
        };
    run(&mut results, Scenario::Again, &|| {
        let world = from("again", &[])?;
        let mut outcome = Outcome::default();
        deploy(&world, job, &a, Some(&a), true, &mut outcome)?;
        Ok(outcome)
    });
    // A new digest: its run is also the canary's rollout, and where the rollbacks start.
    let needs_new = wanted(Scenario::NewDigest)
        || wanted(Scenario::CanarySteps)
        || (0..job.rollbacks.len()).any(|i| wanted(Scenario::RollBack(i)));
    if needs_new && deployed {
        match new_digest(context, &world, &unit.dir.join("new-digest")) {
            Ok((after_b, new, steps, new_ok)) => {
                if wanted(Scenario::NewDigest) {
                    results.push((Scenario::NewDigest, Ok(new)));
                }
                if wanted(Scenario::CanarySteps) {
                    results.push((Scenario::CanarySteps, steps));
                }
                for (index, rollback) in job.rollbacks.iter().enumerate() {
                    if wanted(Scenario::RollBack(index)) {
                        let result = if new_ok {
                            roll_back(
                                &after_b,
                                job,
                                rollback,
                                &a,
                                &unit.dir.join(format!("rollback-{index}")),
                            )
                        } else {
                            Err("deploying a new digest failed (see \"a new digest\")".into())
                        };
                        results.push((Scenario::RollBack(index), result));
                    }
                }
            }
            Err(why) => {
                for scenario in [Scenario::NewDigest, Scenario::CanarySteps]
                    .into_iter()
                    .chain((0..job.rollbacks.len()).map(Scenario::RollBack))
                {
                    if wanted(scenario) {
                        results.push((scenario, Err(why.clone())));
                    }
                }
            }
        }
    }
    run(&mut results, Scenario::NoRollback, &|| {
        let mut outcome = Outcome::default();
        outcome.check(false, || {
            format!(
                "docs/RUNBOOK.md documents no way back for {} in {}",
                job.service, job.stage
            )
        });
        Ok(outcome)
    });
    for mode in ["never-ready", "errors"] {
        run(&mut results, Scenario::CanaryFails(mode), &|| {
            let world = from(&format!("canary-{mode}"), &[(b.clone(), mode)])?;
            canary_fails(&world, job, &a, &b, mode)
        });
    }
    run(&mut results, Scenario::AtOnce, &|| {
        let world = from("at-once", &[])?;
        at_once(&world, job, &b, &reference(job, 'c'))
    });
    run(&mut results, Scenario::PushLosesRace, &|| {
        let world = from("push-race", &[])?;
        push_loses_race(&world, job, &b, None)
    });
    run(&mut results, Scenario::PushLosesToDeploy, &|| {
        let world = from("push-race-deploy", &[])?;
        push_loses_race(&world, job, &b, Some(&reference(job, 'c')))
    });
    run(&mut results, Scenario::WithoutClusterCredentials, &|| {
        let world = from("no-credentials", &[])?;
        without_cluster_credentials(&world, job, &b)
    });
    for (o, other) in context.preset.jobs.iter().enumerate() {
        run(&mut results, Scenario::BesideOther(o), &|| {
            let world = from(&format!("beside-{}", other.service), &[])?;
            beside_other(&world, job, other, &b)
        });
    }
    unit.cases
        .iter()
        .map(|(_, scenario)| {
            let at = results.iter().position(|(s, _)| s == scenario);
            match at {
                Some(at) => results.remove(at).1,
                None => Err("not run: what it starts from did not run".into()),
            }
        })
        .collect()
}

/// The first deploy into a fresh world: its own case, and where the other scenarios start.
fn first_deploy<'a>(
    context: &Context<'a>,
    dir: &Path,
) -> Result<(World<'a>, Outcome, bool), String> {
    let world = World::new(
        context.python,
        context.standin,
        context.template,
        context.bin,
        &dir.join("first"),
    )?;
    let mut outcome = Outcome::default();
    let job = context.job;
    let deployed = deploy(&world, job, &reference(job, 'a'), None, true, &mut outcome)?;
    Ok((world, outcome, deployed))
}

/// A new digest after the first: the case's outcome, and for a canary the steps' outcome.
fn new_digest<'a>(
    context: &Context<'a>,
    base: &World<'a>,
    dir: &Path,
) -> Result<(World<'a>, Outcome, Result<Outcome, String>, bool), String> {
    let job = context.job;
    let (a, b) = (reference(job, 'a'), reference(job, 'b'));
    let world = base.fork(dir, &[])?;
    let before = world.settle(BETWEEN)?;
    let run = world.run(job, &b, &RunOptions::default())?;
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    let mut steps = Outcome::default();
    if let Err(why) = &run.result {
        outcome.check(false, || why.clone());
        steps.check(false, || format!("deploying a new digest fails: {why}"));
        return Ok((world, outcome, Ok(steps), false));
    }
    let after = world.report()?;
    check_deployed(job, &before, &after, &run.id, &b, Some(&a), &mut outcome);
    let steps = if job.strategy == Strategy::Canary {
        check_canary_weights(job, &context.preset.bundle, &before, &after, &b, &mut steps)
            .map(|()| steps)
    } else {
        Ok(steps)
    };
    Ok((world, outcome, steps, true))
}

fn roll_back(
    after_b: &World,
    job: &Job,
    rollback: &Rollback,
    a: &str,
    dir: &Path,
) -> Result<Outcome, String> {
    let world = after_b.fork(dir, &[])?;
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    if let Err(why) = world.by_hand(&job.branch, &rollback.script)? {
        outcome.check(false, || {
            format!("the runbook's \"{}\" fails {why}", rollback.comment)
        });
        return Ok(outcome);
    }
    let after = world.settle(BETWEEN)?;
    let when = format!("an hour after the runbook's \"{}\"", rollback.comment);
    check_serving(job, &after, a, &when, &mut outcome);
    check_argocd_agrees(job, &after, &when, &mut outcome);
    Ok(outcome)
}

fn canary_fails(world: &World, job: &Job, a: &str, b: &str, mode: &str) -> Result<Outcome, String> {
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    world.settle(BETWEEN)?;
    let run = world.run(job, b, &RunOptions::default())?;
    let what = if mode == "errors" {
        "answers with errors (its analysis fails)"
    } else {
        "never becomes ready"
    };
    outcome.check(run.result.is_err(), || {
        format!("the new version {what}, yet the run succeeds: nothing stopped the rollout")
    });
    let after = world.report()?;
    check_serving(job, &after, a, "after the failed deploy", &mut outcome);
    let later = world.settle(BETWEEN)?;
    check_serving(
        job,
        &later,
        a,
        "an hour after the failed deploy",
        &mut outcome,
    );
    Ok(outcome)
}

/// Two runs queued together: GitHub runs them as the job's `concurrency:` says, and the end
/// state is one digest, the last successful run's, on the remote and in the cluster.
fn at_once(world: &World, job: &Job, b: &str, c: &str) -> Result<Outcome, String> {
    let plain = RunOptions::default();
    world.settle(BETWEEN)?;
    let (first, second) = if job.serialized {
        // GitHub queues the second run until the first is done; it checks out then.
        let first = world.run(job, b, &plain);
        (first, world.run(job, c, &plain))
    } else {
        std::thread::scope(|scope| {
            let first = scope.spawn(|| world.run(job, b, &plain));
            let second = world.run(job, c, &plain);
            (first.join().expect("a run thread"), second)
        })
    };
    let (first, second) = (first?, second?);
    let mut outcome = Outcome {
        processes: 2,
        ..Outcome::default()
    };
    let succeeded: Vec<&str> = [(&first, b), (&second, c)]
        .iter()
        .filter(|(run, _)| run.result.is_ok())
        .map(|(_, image)| *image)
        .collect();
    if job.serialized {
        for (run, image) in [(&first, b), (&second, c)] {
            if let Err(why) = &run.result {
                outcome.check(false, || {
                    format!("the run deploying {} fails: {why}", short(image))
                });
            }
        }
    }
    let after = world.report()?;
    let serving = served_image(job, &after);
    outcome.check(
        serving.as_deref().is_some_and(|s| {
            succeeded.last() == Some(&s) || (!job.serialized && succeeded.contains(&s))
        }),
        || {
            format!(
                "after two deploys queued together (concurrency {}), the Service serves {}, \
                 while the runs that succeeded deployed {:?}",
                if job.serialized {
                    "queues them"
                } else {
                    "lets them run together"
                },
                serving.as_deref().map_or("nothing whole".into(), short),
                succeeded.iter().map(|s| short(s)).collect::<Vec<_>>()
            )
        },
    );
    check_argocd_agrees(
        job,
        &after,
        "after two deploys queued together",
        &mut outcome,
    );
    Ok(outcome)
}

/// The job's push loses the race to a commit that lands between its fetch and its push: a
/// teammate's edit at the end of the same values file (the push must go on top, keeping both),
/// or with `rival`, another deploy of that digest changing the same line (the run must go on
/// top or fail loudly, and the remote and the cluster must agree either way).
fn push_loses_race(
    world: &World,
    job: &Job,
    b: &str,
    rival: Option<&str>,
) -> Result<Outcome, String> {
    let values = job
        .values
        .as_deref()
        .expect("planned for jobs with a values file");
    let hooks = world.dir.join("hooks");
    std::fs::create_dir_all(&hooks).map_err(|e| e.to_string())?;
    let hook = hooks.join("pre-push");
    let digest = |image: &str| image[image.find('@').map_or(0, |i| i + 1)..].to_owned();
    std::fs::write(
        &hook,
        race_hook(
            &world.remote,
            &job.branch,
            values,
            rival.map(|r| (digest(b), digest(r))),
        ),
    )
    .map_err(|e| e.to_string())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let before = world.settle(BETWEEN)?;
    let options = RunOptions {
        hooks: Some(hooks.clone()),
        ..RunOptions::default()
    };
    let run = world.run(job, b, &options)?;
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    outcome.check(hooks.join("raced").exists(), || {
        "the job never pushed, so the race was not run".into()
    });
    if let Some(rival) = rival {
        // Losing to another deploy of the same line: on top of it, or a loud failure after
        // which Argo CD (at its next poll) deploys what the remote says.
        match &run.result {
            Ok(()) => {
                let after = world.report()?;
                check_deployed(job, &before, &after, &run.id, b, None, &mut outcome);
            }
            Err(_) => {
                let after = world.settle(BETWEEN)?;
                check_argocd_agrees(
                    job,
                    &after,
                    &format!(
                        "an hour after the run lost its push to a deploy of {} and failed",
                        short(rival)
                    ),
                    &mut outcome,
                );
            }
        }
        return Ok(outcome);
    }
    if let Err(why) = run.result {
        outcome.check(false, || {
            format!(
                "a teammate's commit landed on {} first, and the run fails: {why}",
                job.branch
            )
        });
        return Ok(outcome);
    }
    let after = world.report()?;
    check_deployed(job, &before, &after, &run.id, b, None, &mut outcome);
    let text = world.remote_file(&job.branch, values).unwrap_or_default();
    outcome.check(text.contains(TEAMMATE_LINE), || {
        format!(
            "the teammate's change to {values} is gone from {}",
            job.branch
        )
    });
    outcome.check(text.contains(&digest(b)), || {
        format!(
            "{values} on {} does not name the digest deployed",
            job.branch
        )
    });
    Ok(outcome)
}

fn without_cluster_credentials(world: &World, job: &Job, b: &str) -> Result<Outcome, String> {
    let before = world.settle(BETWEEN)?;
    let secrets: Vec<(String, String)> = job
        .steps
        .iter()
        .flat_map(|(env, _)| env)
        .filter_map(|(_, v)| {
            let name = v.trim_start_matches("${{").trim_end_matches("}}").trim();
            let name = name.strip_prefix("secrets.")?;
            name.contains("KUBE")
                .then(|| (name.to_owned(), String::new()))
        })
        .collect();
    let options = RunOptions {
        secrets,
        ..RunOptions::default()
    };
    let run = world.run(job, b, &options)?;
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    if let Err(why) = run.result {
        outcome.check(false, || {
            format!(
                "the GitOps deploy needs cluster credentials: with the KUBECONFIG secret \
                 unset it fails: {why}"
            )
        });
        return Ok(outcome);
    }
    let after = world.report()?;
    check_deployed(job, &before, &after, &run.id, b, None, &mut outcome);
    Ok(outcome)
}

/// This job and another service's job of the same kind, truly at the same time.
fn beside_other(world: &World, job: &Job, other: &Job, b: &str) -> Result<Outcome, String> {
    let plain = RunOptions::default();
    let before = world.settle(BETWEEN)?;
    let theirs_image = reference(other, 'b');
    let (mine, theirs) = std::thread::scope(|scope| {
        let theirs = scope.spawn(|| world.run(other, &theirs_image, &plain));
        let mine = world.run(job, b, &plain);
        (mine, theirs.join().expect("a run thread"))
    });
    let (mine, theirs) = (mine?, theirs?);
    let mut outcome = Outcome {
        processes: 2,
        ..Outcome::default()
    };
    for (run, who) in [(&mine, job), (&theirs, other)] {
        if let Err(why) = &run.result {
            outcome.check(false, || format!("{}'s run fails: {why}", who.service));
        }
    }
    if mine.result.is_ok() && theirs.result.is_ok() {
        let after = world.report()?;
        check_deployed(job, &before, &after, &mine.id, b, None, &mut outcome);
        check_deployed(
            other,
            &before,
            &after,
            &theirs.id,
            &theirs_image,
            None,
            &mut outcome,
        );
    }
    Ok(outcome)
}

/// Deploys `image` an hour after what came before; with `check`, checks the result.
fn deploy(
    world: &World,
    job: &Job,
    image: &str,
    previous: Option<&str>,
    check: bool,
    outcome: &mut Outcome,
) -> Result<bool, String> {
    let before = world.settle(BETWEEN)?;
    let run = world.run(job, image, &RunOptions::default())?;
    outcome.processes += 1;
    if let Err(why) = run.result {
        outcome.check(false, || format!("deploying {}: {why}", short(image)));
        return Ok(false);
    }
    if check {
        let after = world.report()?;
        check_deployed(job, &before, &after, &run.id, image, previous, outcome);
    }
    Ok(true)
}

const TEAMMATE_LINE: &str = "# Reviewed by the on-call team.";

/// A pre-push hook that, the first time, lands a commit on the branch before the job's push
/// reaches the remote: a teammate's line at the end of the values file, or with `rival`
/// (digest deployed, rival digest) the job's own change to the values file with the rival
/// digest, as another run of the deploy would have pushed it. Hooks run at the top of the
/// job's work tree.
fn race_hook(remote: &Path, branch: &str, values: &str, rival: Option<(String, String)>) -> String {
    let change = match rival {
        None => format!(
            "printf '\\n{TEAMMATE_LINE}\\n' >> \"$clone/{values}\"\nmessage='Note on {values}'\n"
        ),
        Some((mine, theirs)) => format!(
            "git diff HEAD~1 HEAD -- '{values}' | sed 's/{mine}/{theirs}/g' | git -C \"$clone\" apply\n\
             message='Deploy {theirs} (another run)'\n"
        ),
    };
    format!(
        "#!/bin/bash\nset -e\nmarker=\"$(dirname \"$0\")/raced\"\n[ -e \"$marker\" ] && exit 0\n\
         : > \"$marker\"\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0\n\
         clone=\"$(dirname \"$0\")/other\"\n\
         git clone --quiet --branch '{branch}' '{remote}' \"$clone\"\n\
         {change}\
         git -C \"$clone\" -c user.name=Other -c user.email=other@example.com commit --quiet -am \"$message\"\n\
         git -C \"$clone\" push --quiet origin 'HEAD:{branch}'\n",
        remote = remote.display()
    )
}

/// The image a Service's clients all get, if they all get one.
fn served_image(job: &Job, report: &Value) -> Option<String> {
    let service = &report["services"][format!("{}/{}", job.namespace, job.deployment)];
    let view = served_view(service);
    let shares = view.as_object()?;
    let (image, share) = shares.iter().next()?;
    (shares.len() == 1 && share.as_f64().is_some_and(|s| s >= 99.9)).then(|| image.clone())
}

/// What the Service's clients get: the mesh's split when a VirtualService routes the host,
/// else the Service's endpoints.
fn served_view(service: &Value) -> &Value {
    if service["mesh"].is_null() {
        &service["endpoints"]
    } else {
        &service["mesh"]
    }
}

fn share(view: &Value, image: &str) -> f64 {
    view[image].as_f64().unwrap_or(0.0)
}

/// An image reference, short: the repository's last part and the digest's first characters.
fn short(image: &str) -> String {
    let name = image.rsplit('/').next().unwrap_or(image);
    match name.split_once("@sha256:") {
        Some((repository, digest)) => format!("{repository}@{}", &digest[..digest.len().min(6)]),
        None => name.to_owned(),
    }
}

fn describe(view: &Value) -> String {
    let Some(shares) = view.as_object() else {
        return "nothing".into();
    };
    let mut shares: Vec<(&String, f64)> = shares
        .iter()
        .map(|(k, v)| (k, v.as_f64().unwrap_or(0.0)))
        .collect();
    shares.sort_by(|x, y| y.1.total_cmp(&x.1));
    shares
        .iter()
        .map(|(k, v)| format!("{v}% {}", short(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every client of the Service gets `image`: the mesh's, and the Ingress's where there is one.
fn check_serving(job: &Job, report: &Value, image: &str, when: &str, outcome: &mut Outcome) {
    let key = format!("{}/{}", job.namespace, job.deployment);
    let service = &report["services"][&key];
    if service.is_null() {
        outcome.check(false, || format!("{when}, there is no Service {key}"));
        return;
    }
    let view = served_view(service);
    outcome.check((share(view, image) - 100.0).abs() < 0.05, || {
        format!(
            "{when}, clients of Service {key} get {}, not all {}",
            describe(view),
            short(image)
        )
    });
    if service["ingress"].as_bool() == Some(true) && !service["mesh"].is_null() {
        let endpoints = &service["endpoints"];
        outcome.check((share(endpoints, image) - 100.0).abs() < 0.05, || {
            format!(
                "{when}, public traffic through the Ingress (the Service's endpoints, outside the \
                 mesh's VirtualService) gets {}, not all {}",
                describe(endpoints),
                short(image)
            )
        });
    }
}

/// The Argo CD Application that deploys the job's Service, if any.
fn application<'r>(job: &Job, report: &'r Value) -> Option<(&'r String, &'r Value)> {
    let service = format!("{}/service/{}", job.namespace, job.deployment);
    report["apps"].as_object()?.iter().find(|(_, app)| {
        app["managed"]
            .as_array()
            .is_some_and(|m| m.iter().any(|k| k.as_str() == Some(service.as_str())))
    })
}

fn source(app: &Value) -> String {
    let source = &app["source"];
    format!(
        "targetRevision {}, path {}, valueFiles {}",
        source["targetRevision"].as_str().unwrap_or("HEAD"),
        source["path"].as_str().unwrap_or("."),
        source["helm"]["valueFiles"]
    )
}

/// For a job that pushes: Argo CD synced the tip of what its Application tracks, and the live
/// objects are what the remote says.
fn check_argocd_agrees(job: &Job, report: &Value, when: &str, outcome: &mut Outcome) {
    if !job.pushes {
        return;
    }
    let Some((name, app)) = application(job, report) else {
        outcome.check(false, || {
            format!(
                "{when}, no Argo CD Application deploys Service {} in {}",
                job.deployment, job.namespace
            )
        });
        return;
    };
    outcome.check(
        app["synced"] == app["tip"] && app["sync"] == "Synced" && app["error"].is_null(),
        || {
            format!(
                "{when}, Argo CD Application {name} is {} at {} while {} is at {} ({}){}",
                app["sync"].as_str().unwrap_or("?"),
                app["synced"]
                    .as_str()
                    .map_or("nothing", |s| &s[..s.len().min(8)]),
                source(app),
                app["tip"]
                    .as_str()
                    .map_or("nothing", |s| &s[..s.len().min(8)]),
                app["health"].as_str().unwrap_or("?"),
                app["error"]
                    .as_str()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )
        },
    );
}

/// After a successful run of `job` deploying `image`.
fn check_deployed(
    job: &Job,
    before: &Value,
    after: &Value,
    run: &str,
    image: &str,
    previous: Option<&str>,
    outcome: &mut Outcome,
) {
    let key = format!("{}/{}", job.namespace, job.deployment);
    check_serving(job, after, image, "after the run", outcome);
    let service = &after["services"][&key];

    // Blue-green: the other colour still runs the previous image, for the switch back.
    let version = service["selector"]["version"].as_str().unwrap_or("");
    if let Some(previous) = previous.filter(|p| *p != image)
        && matches!(version, "blue" | "green")
    {
        let other = if version == "blue" { "green" } else { "blue" };
        let idle = format!("{}/deployment/{}-{other}", job.namespace, job.deployment);
        let runs = after["workloads"][&idle]["image"].as_str();
        outcome.check(runs == Some(previous), || {
            format!(
                "{idle} runs {}, not the previous image {}: nothing to switch back to",
                runs.map_or("nothing".into(), short),
                short(previous)
            )
        });
    }

    // GitOps: the commit is where the Application looks, and Argo CD applied it.
    if job.pushes {
        check_argocd_agrees(job, after, "after the run", outcome);
        if let Some((name, app)) = application(job, after) {
            for (workload, runs) in after["workloads"].as_object().into_iter().flatten() {
                if runs["owner"].as_str() != Some(&format!("argocd:{name}"))
                    || runs["ready"][image].is_null()
                {
                    continue;
                }
                let desired = app["desired"][workload].as_str();
                outcome.check(desired == Some(image), || {
                    format!(
                        "the remote, read as Application {name} reads it ({}), gives {workload} {}, \
                         not {}: the deploy commit is not where Argo CD looks",
                        source(app),
                        desired.map_or("nothing".into(), short),
                        short(image)
                    )
                });
            }
        }
    }

    // The run fits its job's timeout, in the simulated time its waits and sleeps took.
    let elapsed = after["runs"][run]["elapsed"].as_f64().unwrap_or(0.0);
    outcome.check(elapsed <= (job.timeout_minutes * 60) as f64, || {
        format!(
            "the run takes {:.0} min of waiting; the job's timeout-minutes is {}",
            elapsed / 60.0,
            job.timeout_minutes
        )
    });

    // Nothing failed on the way, where the Service served before.
    let served_before = &before["services"][&key];
    let whole = |view: &Value| {
        view.as_object()
            .is_some_and(|s| !s.is_empty() && s.keys().all(|k| !k.starts_with('(')))
    };
    if !served_before.is_null()
        && whole(served_view(served_before))
        && whole(&served_before["endpoints"])
    {
        let seen = before["traffic"][&key].as_array().map_or(0, Vec::len);
        let history = after["traffic"][&key]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let failed = history.iter().skip(seen).find(|entry| {
            ["mesh", "endpoints"].iter().any(|v| {
                entry[v]
                    .as_object()
                    .is_some_and(|s| s.keys().any(|k| k.starts_with('(')))
            })
        });
        outcome.check(failed.is_none(), || {
            let entry = failed.expect("checked");
            format!(
                "requests fail during the deploy: at {:.0} s the mesh sends {} and the endpoints get {}",
                entry["t"].as_f64().unwrap_or(0.0) - before["clock"].as_f64().unwrap_or(0.0),
                describe(&entry["mesh"]),
                describe(&entry["endpoints"])
            )
        });
    }
}

/// The canary weights the manifests declare: the VirtualService of each step file, or the
/// Rollout's setWeight steps.
fn declared_weights(job: &Job, bundle: &Bundle, after: &Value) -> Result<Vec<f64>, String> {
    if job.engine == CanaryEngine::ArgoRollouts {
        let key = format!("{}/rollout/{}", job.namespace, job.deployment);
        return Ok(after["workloads"][&key]["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["setWeight"].as_f64())
            .collect());
    }
    let folder = job
        .manifests
        .clone()
        .unwrap_or_else(|| format!("k8s/{}", job.stage));
    let prefix = format!("{folder}/{}-canary-step-", job.deployment);
    let mut weights = Vec::new();
    for file in bundle
        .files()
        .iter()
        .filter(|f| f.path.starts_with(&prefix))
    {
        let documents = parse(&file.contents).map_err(|e| format!("{}: {e:?}", file.path))?;
        for document in &documents {
            for rule in document.at(&["spec", "http"]).map_or(&[][..], Node::items) {
                for route in rule.get("route").map_or(&[][..], Node::items) {
                    if route.at(&["destination", "subset"]).and_then(Node::as_str) == Some("canary")
                    {
                        weights
                            .push(route.get("weight").and_then(Node::as_u64).unwrap_or(0) as f64);
                    }
                }
            }
        }
    }
    Ok(weights)
}

fn check_canary_weights(
    job: &Job,
    bundle: &Bundle,
    before: &Value,
    after: &Value,
    image: &str,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let declared = declared_weights(job, bundle, after)?;
    outcome.check(!declared.is_empty(), || {
        "no canary weights declared to check the rollout against".into()
    });
    let key = format!("{}/{}", job.namespace, job.deployment);
    let seen = before["traffic"][&key].as_array().map_or(0, Vec::len);
    let history: Vec<Value> = after["traffic"][&key]
        .as_array()
        .map(|h| h.iter().skip(seen).cloned().collect())
        .unwrap_or_default();
    let meshed = history.iter().any(|e| !e["mesh"].is_null());
    let mut observed: Vec<f64> = Vec::new();
    for entry in &history {
        let view = if meshed {
            &entry["mesh"]
        } else {
            &entry["endpoints"]
        };
        let value = (share(view, image) * 10.0).round() / 10.0;
        if observed.last() != Some(&value) {
            observed.push(value);
        }
    }
    // Each declared weight, in order, within a point.
    let mut rest = observed.iter();
    let missing = declared
        .iter()
        .find(|w| !rest.any(|o| (o - *w).abs() <= 1.0));
    outcome.check(missing.is_none(), || {
        format!(
            "the manifests declare canary weights {declared:?}; the new version's share of {} \
             traffic went {observed:?}",
            if meshed {
                "the mesh's"
            } else {
                "the Service's"
            }
        )
    });
    if meshed {
        // Public traffic comes through the Ingress to the Service's endpoints, not the mesh.
        let ahead = history.iter().find(|e| {
            e["ingress"].as_bool() == Some(true)
                && share(&e["endpoints"], image) > share(&e["mesh"], image) + 1.0
        });
        outcome.check(ahead.is_none(), || {
            let entry = ahead.expect("checked");
            format!(
                "public traffic through the Ingress skips the VirtualService's weights: {}% reaches \
                 the new version while the mesh sends {}%",
                share(&entry["endpoints"], image),
                share(&entry["mesh"], image)
            )
        });
    }
    Ok(())
}
