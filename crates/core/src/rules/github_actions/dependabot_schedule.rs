use super::Rule;
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an entry of a Dependabot configuration (`.github/dependabot.yml`) whose `schedule.interval` is missing or is not one Dependabot knows (`daily`, `weekly`, `monthly`, `quarterly`, `semiannually`, `yearly`, `cron`), or whose `cron` interval has no `cronjob`.
    ///
    /// ## Why is this bad?
    /// GitHub refuses the whole file: no update of any ecosystem runs, and the only sign is an error on the repository's Dependabot page.
    ///
    /// ## Example
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: npm
    ///     directory: /
    ///     schedule:
    ///       interval: fortnightly
    /// ```
    ///
    /// ## Fix
    /// Use one of the intervals, or `interval: cron` with a `cronjob`.
    pub struct DependabotSchedule;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG011",
    name: "dependabot-invalid-schedule",
    family: Family::GithubActions,
    severity: Severity::Error,
    fix: "Set schedule.interval to daily, weekly, monthly, quarterly, semiannually, yearly or cron.",
    docs: DependabotSchedule::DOCS,
};

const INTERVALS: [&str; 7] = [
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "semiannually",
    "yearly",
    "cron",
];

impl Rule for DependabotSchedule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, config: &'a Node) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for update in config.get("updates").map_or(&[][..], Node::items) {
            let schedule = update.get("schedule");
            match schedule.and_then(|s| s.get("interval")) {
                None => found.push((
                    schedule.unwrap_or(update),
                    "This update has no schedule.interval.".to_owned(),
                )),
                Some(interval) => {
                    let text = interval.as_str().unwrap_or("");
                    if !INTERVALS.contains(&text) {
                        found.push((interval, format!("Dependabot has no interval {text:?}.")));
                    } else if text == "cron" && schedule.and_then(|s| s.get("cronjob")).is_none() {
                        found.push((interval, "interval: cron needs a cronjob.".to_owned()));
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::github_actions::findings;

    const GOOD: &str = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n";

    #[test]
    fn fires() {
        let text = GOOD.replace("weekly", "fortnightly");
        assert_eq!(
            findings(&DependabotSchedule, &text),
            vec![(6, "Dependabot has no interval \"fortnightly\".".to_owned())]
        );
        let text = GOOD.replace("weekly", "cron");
        assert_eq!(findings(&DependabotSchedule, &text).len(), 1);
        let text = GOOD.replace("    schedule:\n      interval: weekly\n", "");
        assert_eq!(findings(&DependabotSchedule, &text).len(), 1);
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&DependabotSchedule, GOOD), vec![]);
        let cron = GOOD.replace(
            "interval: weekly",
            "interval: cron\n      cronjob: \"0 6 * * 1\"",
        );
        assert_eq!(findings(&DependabotSchedule, &cron), vec![]);
    }
}
