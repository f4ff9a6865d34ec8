use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `ARG` and `ENV` whose name says it holds a secret (password, token, key...).
    ///
    /// ## Why is this bad?
    /// Both end up in the image's metadata: anyone who can pull the image can read them with
    /// `docker history` or `docker inspect`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_TOKEN
    /// ENV DATABASE_PASSWORD=hunter2
    /// ```
    ///
    /// ## Fix
    /// Use a build secret (`RUN --mount=type=secret,id=npm_token ...`) and set runtime secrets in
    /// the environment, from a secrets store.
    pub struct SecretInArgOrEnv;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD016",
    name: "secret-in-arg-or-env",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Pass secrets with RUN --mount=type=secret, and at runtime from a store.",
    docs: SecretInArgOrEnv::DOCS,
};

impl Rule for SecretInArgOrEnv {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "ARG" || i.keyword == "ENV")
            .filter_map(|i| {
                let name = i
                    .args
                    .split(['=', ' '])
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let word = crate::secrets::secret_word(&name)?;
                Some((
                    i,
                    format!(
                        "{} {name} looks like a secret ({word}); it is stored in the image.",
                        i.keyword
                    ),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_secret_names() {
        assert_eq!(
            findings(
                &SecretInArgOrEnv,
                "FROM a:1\nARG NPM_TOKEN\nENV DB_PASSWORD=x\n"
            )
            .len(),
            2
        );
    }

    #[test]
    fn stays_silent_on_ordinary_settings() {
        assert_eq!(
            findings(
                &SecretInArgOrEnv,
                "FROM a:1\nENV NODE_ENV=production PORT=8080\nARG VERSION\n"
            ),
            vec![]
        );
    }
}
