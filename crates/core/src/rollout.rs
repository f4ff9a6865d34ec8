//! The rollout simulator: how a release replaces a service's pods, step by step, for its
//! strategy and settings. A rolling update follows the Deployment controller's two rules: at
//! most `replicas + maxSurge` pods exist, and at least `replicas - maxUnavailable` are ready.
//! Blue-green starts a whole second set and switches at once; a canary moves traffic over in
//! the service's steps. Each [`Step`] says which pods exist and in what state, so the app can
//! draw them and show when capacity drops below the desired count.

use crate::model::{AppService, Project, Stage, Strategy};

/// One pod's state in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pod {
    /// The old version, ready and serving.
    Old,
    /// The old version, told to stop: finishing its requests, no new ones.
    Stopping,
    /// The new version, started but not yet passing its readiness probe.
    Starting,
    /// The new version, ready and serving.
    New,
}

impl Pod {
    pub fn id(self) -> &'static str {
        match self {
            Pod::Old => "old",
            Pod::Stopping => "stopping",
            Pod::Starting => "starting",
            Pod::New => "new",
        }
    }
}

/// The pods at one moment of the rollout, and what happened to get there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub pods: Vec<Pod>,
    /// The share of requests the new version gets, in percent.
    pub new_traffic: u32,
    /// What this step shows, when the counts alone do not say it.
    pub note: &'static str,
}

impl Step {
    /// Pods that answer requests: ready pods of either version.
    pub fn serving(&self) -> usize {
        self.pods
            .iter()
            .filter(|p| matches!(p, Pod::Old | Pod::New))
            .count()
    }

    /// How many pods are in each state, in the order old, stopping, starting, new.
    pub fn counts(&self) -> [usize; 4] {
        [Pod::Old, Pod::Stopping, Pod::Starting, Pod::New]
            .map(|kind| self.pods.iter().filter(|p| **p == kind).count())
    }
}

/// A rollout, its settings resolved to pod counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub strategy: Strategy,
    pub replicas: u32,
    pub surge: u32,
    pub unavailable: u32,
    pub steps: Vec<Step>,
}

impl Plan {
    /// The fewest pods serving at any step: the desired count means no capacity was lost.
    pub fn least_serving(&self) -> usize {
        self.steps.iter().map(Step::serving).min().unwrap_or(0)
    }

    /// What this rollout teaches: for a rolling update, why its maxUnavailable keeps every pod
    /// serving or how far it lets capacity dip.
    pub fn lesson(&self) -> String {
        let (replicas, surge, unavailable) = (self.replicas, self.surge, self.unavailable);
        let least = self.least_serving();
        match self.strategy {
            Strategy::Rolling if least >= replicas as usize => format!(
                "maxUnavailable {unavailable}: an old pod stops only once a new one is ready, so all {replicas} pods serve at every step: no downtime, for room for {} pods at once.",
                replicas + surge
            ),
            Strategy::Rolling => format!(
                "maxUnavailable {unavailable}: old pods stop before new ones are ready, so at one step only {least} of {replicas} serve; 0 would keep them all."
            ),
            Strategy::BlueGreen => "Blue-green needs room for twice the pods and moves every request at once; switching back is as quick.".into(),
            Strategy::Canary => "A canary sends a few requests to the new version first; if it does worse, the rollout stops before most users see it.".into(),
        }
    }
}

/// A maxSurge or maxUnavailable value as pods out of `replicas`: Kubernetes rounds a surge
/// percentage up and an unavailable percentage down. Unreadable text counts as 0; the form
/// refuses it before it gets here.
pub fn pods_of(value: &str, replicas: u32, round_up: bool) -> u32 {
    match value.strip_suffix('%') {
        Some(percent) => {
            let share = replicas * percent.parse::<u32>().unwrap_or(0).min(100);
            if round_up {
                share.div_ceil(100)
            } else {
                share / 100
            }
        }
        None => value.parse().unwrap_or(0),
    }
}

/// The pods `service` runs in production in normal operation, the count its rollouts are shown
/// for: the autoscaler's minimum, or the environment's override, or the service's own count.
pub fn production_replicas(project: &Project, service: &AppService) -> u32 {
    service.min_replicas(project.environment(Stage::Production).replicas)
}

/// The rollout of `service` running `replicas` pods.
pub fn plan(service: &AppService, replicas: u32) -> Plan {
    let rollout = &service.rollout;
    let replicas = replicas.clamp(1, 50);
    let mut surge = pods_of(&rollout.max_surge, replicas, true);
    let unavailable = pods_of(&rollout.max_unavailable, replicas, false).min(replicas);
    if surge == 0 && unavailable == 0 {
        // Kubernetes refuses this; the form says so. Show the smallest rollout that can move.
        surge = 1;
    }
    let steps = match rollout.strategy {
        Strategy::Rolling => rolling(replicas, surge, unavailable),
        Strategy::BlueGreen => blue_green(replicas),
        Strategy::Canary => canary(replicas, &rollout.canary_steps),
    };
    Plan {
        strategy: rollout.strategy,
        replicas,
        surge,
        unavailable,
        steps,
    }
}

fn pods(counts: [(Pod, u32); 4]) -> Vec<Pod> {
    counts
        .iter()
        .flat_map(|&(pod, count)| std::iter::repeat_n(pod, count as usize))
        .collect()
}

fn step(counts: [u32; 4], new_traffic: u32, note: &'static str) -> Step {
    let [old, stopping, starting, new] = counts;
    Step {
        pods: pods([
            (Pod::Old, old),
            (Pod::Stopping, stopping),
            (Pod::Starting, starting),
            (Pod::New, new),
        ]),
        new_traffic,
        note,
    }
}

fn rolling(replicas: u32, surge: u32, unavailable: u32) -> Vec<Step> {
    let (mut old, mut stopping, mut starting, mut new) = (replicas, 0, 0, 0);
    let mut steps = vec![step([old, 0, 0, 0], 0, "The old version serves.")];
    // Each round: stopped pods are gone and started ones ready; then the controller stops
    // what the availability floor allows, and starts what the surge allows. A stopping pod no
    // longer counts against the surge, though it still finishes its requests.
    for _ in 0..4 * replicas + 4 {
        if old == 0 && starting == 0 && stopping == 0 {
            break;
        }
        new += starting;
        stopping = old.min((old + new).saturating_sub(replicas - unavailable));
        old -= stopping;
        starting = ((replicas + surge).saturating_sub(old + new)).min(replicas - new);
        let traffic = (100 * new).checked_div(old + new).unwrap_or(0);
        steps.push(step([old, stopping, starting, new], traffic, ""));
    }
    steps
}

fn blue_green(r: u32) -> Vec<Step> {
    vec![
        step([r, 0, 0, 0], 0, "Blue, the old version, serves."),
        step(
            [r, 0, r, 0],
            0,
            "Green, a full second set, starts beside it.",
        ),
        step(
            [r, 0, 0, r],
            0,
            "Green is ready and can be tried on its preview Service.",
        ),
        step(
            [r, 0, 0, r],
            100,
            "The Service switches every request to green at once.",
        ),
        step([0, r, 0, r], 100, "Blue is scaled down."),
        step([0, 0, 0, r], 100, "Green serves alone."),
    ]
}

fn canary(replicas: u32, weights: &[u32]) -> Vec<Step> {
    let mut steps = vec![step([replicas, 0, 0, 0], 0, "The stable version serves.")];
    for &weight in weights {
        let weight = weight.min(100);
        // Pods in proportion to the weight, at least one; the stable pods stay until the end.
        let new = (replicas * weight).div_ceil(100).max(1);
        let old = if weight >= 100 { 0 } else { replicas };
        steps.push(step(
            [old, 0, 0, new],
            weight,
            "The canary's errors and latency decide the next step.",
        ));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AppService;

    fn service(strategy: Strategy, surge: &str, unavailable: &str) -> AppService {
        let mut service = AppService::new("api", ".", crate::model::Runtime::Go);
        service.rollout.strategy = strategy;
        service.rollout.max_surge = surge.into();
        service.rollout.max_unavailable = unavailable.into();
        service
    }

    #[test]
    fn percentages_round_as_kubernetes_does() {
        assert_eq!(pods_of("25%", 3, true), 1);
        assert_eq!(pods_of("25%", 3, false), 0);
        assert_eq!(pods_of("50%", 4, false), 2);
        assert_eq!(pods_of("2", 4, true), 2);
    }

    /// maxUnavailable 0: a pod stops only once its replacement is ready, so every step serves
    /// the full count, and no step runs more pods than the surge allows.
    #[test]
    fn max_unavailable_zero_never_loses_capacity() {
        for replicas in 1..=12 {
            for surge in ["1", "25%", "100%"] {
                let plan = plan(&service(Strategy::Rolling, surge, "0"), replicas);
                assert_eq!(plan.least_serving(), replicas as usize, "{plan:?}");
                for step in &plan.steps {
                    let running = step.pods.iter().filter(|p| **p != Pod::Stopping).count();
                    assert!(running as u32 <= replicas + plan.surge, "{plan:?}");
                }
                let last = plan.steps.last().unwrap();
                assert_eq!(last.counts(), [0, 0, 0, replicas as usize], "{plan:?}");
            }
        }
    }

    /// With maxUnavailable above 0 the rollout may go below the count, never below the floor.
    #[test]
    fn max_unavailable_is_the_floor() {
        let plan = plan(&service(Strategy::Rolling, "0", "1"), 4);
        assert_eq!(plan.least_serving(), 3, "{plan:?}");
        assert_eq!(plan.steps[1].counts(), [3, 1, 1, 0]);
        assert_eq!(plan.steps.last().unwrap().counts(), [0, 0, 0, 4]);
    }

    #[test]
    fn a_surge_of_one_replaces_one_pod_at_a_time() {
        let plan = plan(&service(Strategy::Rolling, "1", "0"), 3);
        let shapes: Vec<[usize; 4]> = plan.steps.iter().map(Step::counts).collect();
        assert_eq!(
            shapes,
            [
                [3, 0, 0, 0],
                [3, 0, 1, 0],
                [2, 1, 1, 1],
                [1, 1, 1, 2],
                [0, 1, 0, 3],
                [0, 0, 0, 3],
            ]
        );
    }

    #[test]
    fn blue_green_doubles_then_switches_at_once() {
        let plan = plan(&service(Strategy::BlueGreen, "25%", "0"), 2);
        assert_eq!(plan.least_serving(), 2);
        assert!(plan.steps.iter().any(|s| s.pods.len() == 4));
        let traffic: Vec<u32> = plan.steps.iter().map(|s| s.new_traffic).collect();
        assert_eq!(traffic, [0, 0, 0, 100, 100, 100]);
    }

    #[test]
    fn a_canary_follows_the_service_s_weights() {
        let mut canary = service(Strategy::Canary, "25%", "0");
        canary.rollout.canary_steps = vec![10, 50, 100];
        let plan = plan(&canary, 4);
        let traffic: Vec<u32> = plan.steps.iter().map(|s| s.new_traffic).collect();
        assert_eq!(traffic, [0, 10, 50, 100]);
        assert_eq!(plan.steps[1].counts(), [4, 0, 0, 1]);
        assert_eq!(plan.steps[3].counts(), [0, 0, 0, 4]);
    }

    #[test]
    fn a_rollout_that_cannot_move_is_shown_with_a_surge_of_one() {
        let plan = plan(&service(Strategy::Rolling, "0", "0"), 2);
        assert_eq!(plan.surge, 1);
        assert_eq!(plan.steps.last().unwrap().counts(), [0, 0, 0, 2]);
    }
}
