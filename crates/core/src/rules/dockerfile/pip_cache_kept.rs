use super::{Dockerfile, Instruction, Rule, commands};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `pip install` without `--no-cache-dir`.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in its cache, inside the layer, where it is never used
    /// again.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// `pip install --no-cache-dir -r requirements.txt` (or `ENV PIP_NO_CACHE_DIR=1`).
    pub struct PipCacheKept;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD013",
    name: "pip-cache-kept",
    family: Family::Dockerfile,
    severity: Severity::Info,
    fix: "Add --no-cache-dir to pip install.",
    docs: PipCacheKept::DOCS,
};

impl Rule for PipCacheKept {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let env_off = file
            .instructions
            .iter()
            .any(|i| i.keyword == "ENV" && i.args.contains("PIP_NO_CACHE_DIR"));
        if env_off {
            return Vec::new();
        }
        file.instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .filter(|i| {
                commands(&i.args).iter().any(|w| {
                    w.windows(2).any(|p| {
                        (p[0] == "pip" || p[0] == "pip3" || p[0].ends_with("/pip"))
                            && p[1] == "install"
                    }) && !w.contains(&"--no-cache-dir")
                })
            })
            .map(|i| (i, "pip keeps its download cache in this layer.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_without_the_flag() {
        assert_eq!(
            findings(
                &PipCacheKept,
                "FROM a:1\nRUN pip install -r requirements.txt\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_with_the_flag_or_the_variable() {
        assert_eq!(
            findings(
                &PipCacheKept,
                "FROM a:1\nRUN pip install --no-cache-dir x\n"
            ),
            vec![]
        );
        assert_eq!(
            findings(
                &PipCacheKept,
                "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n"
            ),
            vec![]
        );
    }
}
