use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an `EXPOSE` port outside 1 to 65535.
    ///
    /// ## Why is this bad?
    /// No process can listen there; the build fails or the port is silently wrong.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80800
    /// ```
    ///
    /// ## Fix
    /// Expose the port the process listens on, e.g. `EXPOSE 8080`.
    pub struct ExposedPortOutOfRange;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD017",
    name: "exposed-port-out-of-range",
    family: Family::Dockerfile,
    severity: Severity::Error,
    fix: "Expose a port from 1 to 65535.",
    docs: ExposedPortOutOfRange::DOCS,
};

impl Rule for ExposedPortOutOfRange {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let mut found = Vec::new();
        for instruction in file.instructions.iter().filter(|i| i.keyword == "EXPOSE") {
            for word in instruction
                .args
                .split_whitespace()
                .filter(|w| !w.starts_with('$'))
            {
                let port = word.split('/').next().unwrap_or(word);
                let ok = port
                    .split('-')
                    .all(|p| p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)));
                if !ok {
                    found.push((
                        instruction,
                        format!("{word} is not a port from 1 to 65535."),
                    ));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_an_impossible_port() {
        assert_eq!(
            findings(&ExposedPortOutOfRange, "FROM a:1\nEXPOSE 80800 0\n").len(),
            2
        );
    }

    #[test]
    fn stays_silent_on_real_ports() {
        assert_eq!(
            findings(
                &ExposedPortOutOfRange,
                "FROM a:1\nEXPOSE 8080 53/udp 9000-9001 $PORT\n"
            ),
            vec![]
        );
    }
}
