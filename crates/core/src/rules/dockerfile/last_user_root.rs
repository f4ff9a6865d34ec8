use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a final stage whose last `USER` is root, or that sets no user at all.
    ///
    /// ## Why is this bad?
    /// A process running as root inside the container is one kernel bug away from root on the
    /// node; Kubernetes' restricted Pod Security refuses such pods outright.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:24-trixie-slim
    /// USER root
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Create a user and switch to it last: `USER 10001:10001`.
    pub struct LastUserRoot;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD003",
    name: "last-user-root",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "End the final stage with USER set to a non-root uid.",
    docs: LastUserRoot::DOCS,
};

impl Rule for LastUserRoot {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let stage = file.final_stage();
        let Some(from) = file.stage(stage).find(|i| i.keyword == "FROM") else {
            return Vec::new();
        };
        if from.args.split_whitespace().next() == Some("scratch") {
            return Vec::new();
        }
        match file.stage(stage).filter(|i| i.keyword == "USER").last() {
            None => vec![(
                from,
                "The final stage sets no USER, so it runs as root.".into(),
            )],
            Some(user) => {
                let name = user.args.split(':').next().unwrap_or("").trim();
                (name == "root" || name == "0")
                    .then(|| (user, "The image runs as root.".to_owned()))
                    .into_iter()
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_root_or_no_user() {
        assert_eq!(
            findings(&LastUserRoot, "FROM alpine:3.22\nUSER 1001\nUSER root\n").len(),
            1
        );
        assert_eq!(
            findings(&LastUserRoot, "FROM alpine:3.22\nCMD [\"sh\"]\n").len(),
            1
        );
        assert_eq!(
            findings(&LastUserRoot, "FROM alpine:3.22\nUSER 0:0\n").len(),
            1
        );
    }

    #[test]
    fn stays_silent_for_a_non_root_final_stage() {
        assert_eq!(
            findings(
                &LastUserRoot,
                "FROM alpine:3.22 AS build\nUSER root\nFROM alpine:3.22\nUSER 1001:0\n"
            ),
            vec![]
        );
    }
}
