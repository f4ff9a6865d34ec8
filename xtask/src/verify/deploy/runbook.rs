//! The rollbacks the generated runbook documents, read from `docs/RUNBOOK.md`.

/// One way back the runbook offers: its comment line and the commands under it.
pub(super) struct Rollback {
    /// The tool and subcommand that changes something, for the case name ("helm rollback").
    pub name: String,
    pub comment: String,
    pub script: String,
}

/// The tools a rollback alternative may use; a group that runs anything else (a database
/// migration tool, say) is not a way back for traffic and is left out.
const TOOLS: [&str; 4] = ["helm", "kubectl", "git", "argocd"];

/// Subcommands that only read.
const READS: [&str; 7] = ["history", "log", "get", "status", "show", "diff", "list"];

/// The alternatives under "## Rolling back", "### STAGE (namespace ...)", "**SERVICE**".
pub(super) fn rollbacks(runbook: &str, stage: &str, service: &str) -> Vec<Rollback> {
    let Some(section) = runbook.split("\n## Rolling back").nth(1) else {
        return Vec::new();
    };
    let section = section.split("\n## ").next().unwrap_or_default();
    let Some(environment) = section
        .split("\n### ")
        .skip(1)
        .find(|s| s.starts_with(&format!("{stage} ")) || s.starts_with(&format!("{stage}\n")))
    else {
        return Vec::new();
    };
    let Some(block) = environment
        .split(&format!("**{service}**"))
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("\n```").next())
    else {
        return Vec::new();
    };
    // Commands continued with a backslash are one line.
    let joined = block.replace("\\\n", " ");
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for line in joined.lines() {
        let line = line.trim_end();
        if let Some(comment) = line.trim_start().strip_prefix('#') {
            groups.push((comment.trim().to_owned(), Vec::new()));
        } else if !line.trim().is_empty() {
            if groups.is_empty() {
                groups.push((String::new(), Vec::new()));
            }
            groups.last_mut().expect("pushed").1.push(line.to_owned());
        }
    }
    groups
        .into_iter()
        .filter(|(_, lines)| !lines.is_empty() && lines.iter().all(|l| runs_tools(l)))
        // `kubectl exec` runs the database migration tool in a pod: an undo of the schema,
        // not a way back for traffic.
        .filter(|(_, lines)| !lines.iter().any(|l| l.contains(" exec ")))
        .filter_map(|(comment, lines)| {
            let name = lines.iter().find_map(|l| changing_command(l))?;
            Some(Rollback {
                name,
                comment,
                script: lines.join("\n") + "\n",
            })
        })
        .collect()
}

/// Whether a line runs only the allowed tools (or sets a variable from them).
fn runs_tools(line: &str) -> bool {
    let line = line.trim();
    let command = match line.split_once("=$(") {
        Some((name, rest)) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => rest,
        _ => line,
    };
    let first = command.split_whitespace().next().unwrap_or_default();
    TOOLS.contains(&first) || (line.contains("=$(") && command.trim_start().starts_with('['))
}

/// "tool subcommand" of the first command in `line` that changes something.
fn changing_command(line: &str) -> Option<String> {
    for command in line.split("&&") {
        let mut words = command.split_whitespace();
        let Some(tool) = words.next().filter(|w| TOOLS.contains(w)) else {
            continue;
        };
        let mut sub = None;
        let mut skip = false;
        for word in words {
            if skip {
                skip = false;
                continue;
            }
            if word == "-n" || word == "--namespace" || word == "-C" {
                skip = true;
                continue;
            }
            if word.starts_with('-') {
                continue;
            }
            sub = Some(word);
            break;
        }
        let sub = sub?;
        if READS.contains(&sub) {
            continue;
        }
        // `kubectl rollout undo`, `kubectl argo rollouts promote`: the verb is further on.
        let verb = command
            .split_whitespace()
            .skip_while(|w| *w != sub)
            .skip(1)
            .find(|w| !w.starts_with('-'))
            .filter(|_| matches!(sub, "rollout" | "argo" | "app"));
        return Some(match verb {
            Some(_) if sub == "argo" => format!("{tool} argo rollouts"),
            Some(verb) => format!("{tool} {sub} {verb}"),
            None => format!("{tool} {sub}"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNBOOK: &str = "# Runbook\n\n## Rolling back\n\n### staging (namespace `x-staging`)\n\n**api**\n\n```sh\n# The release Helm applied before this one:\nhelm -n x-staging history api\nhelm -n x-staging rollback api\n# Or switch back:\nlive=$(kubectl -n x-staging get service api -o jsonpath='{.spec.selector.version}')\nold=$([ \"$live\" = blue ] && echo green || echo blue)\nhelm -n x-staging upgrade api charts/api --reuse-values \\\n  --set-string \"service.extraSelector.version=$old\"\n# Undo the last database migration, only if needed:\n./mvnw flyway:undo\n```\n\n### production (namespace `x-production`)\n\n**api**\n\n```sh\n# Argo CD deploys what Git says: revert the deploy commit and push.\ngit log --oneline -- charts/api/values/production.yaml\ngit revert <deploy-commit> && git push\n```\n";

    #[test]
    fn reads_each_way_back_and_leaves_out_the_migration() {
        let staging = rollbacks(RUNBOOK, "staging", "api");
        let names: Vec<&str> = staging.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["helm rollback", "helm upgrade"]);
        assert!(staging[1].script.starts_with("live=$(kubectl"));
        let production = rollbacks(RUNBOOK, "production", "api");
        assert_eq!(production.len(), 1);
        assert_eq!(production[0].name, "git revert");
    }

    #[test]
    fn finds_nothing_for_a_service_it_does_not_document() {
        assert!(rollbacks(RUNBOOK, "staging", "web").is_empty());
        assert!(rollbacks("# Runbook\n", "staging", "api").is_empty());
    }
}
