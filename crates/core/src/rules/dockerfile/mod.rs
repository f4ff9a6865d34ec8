//! Dockerfile rules, and the parser they read: instructions with their positions, continuation
//! lines joined, heredoc bodies skipped, stages numbered. The parser never panics and reads at
//! most [`MAX_BYTES`]; what it cannot read becomes a finding, not a crash.

mod add_instead_of_copy;
mod apk_cache_kept;
mod apt_lists_kept;
mod apt_recommends_installed;
mod copy_from_unknown_stage;
mod duplicate_stage_name;
mod exposed_port_out_of_range;
mod last_user_root;
mod latest_tag;
mod missing_healthcheck;
mod pip_cache_kept;
mod pipe_without_pipefail;
mod relative_workdir;
mod repeated_final_instruction;
mod secret_in_arg_or_env;
mod shell_form_command;
mod sudo_used;
mod untagged_base_image;

use super::{Diagnostic, RuleInfo};

/// Larger inputs are refused with a finding: nothing legitimate is this big.
pub const MAX_BYTES: usize = 1 << 20;

/// One instruction, with its arguments joined across continuation lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: FROM, RUN, ...
    pub keyword: String,
    pub args: String,
    /// 1-based position of the keyword, and of the instruction's last line.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// The stage the instruction belongs to (0 for the first FROM and what precedes it).
    pub stage: usize,
}

/// A parsed Dockerfile.
#[derive(Debug, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    /// Lines that could not be read as an instruction: (line, reason).
    pub problems: Vec<(usize, String)>,
    /// Stage names from `FROM ... AS name`, in order, lower-cased.
    pub stage_names: Vec<Option<String>>,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Dockerfile {
        let mut file = Dockerfile::default();
        if text.len() > MAX_BYTES {
            file.problems.push((
                1,
                format!(
                    "The file is {} bytes; files over {MAX_BYTES} bytes are not read.",
                    text.len()
                ),
            ));
            return file;
        }
        let lines: Vec<&str> = text.lines().collect();
        let mut index = 0;
        let mut stage = 0;
        let mut seen_from = false;
        while index < lines.len() {
            let raw = lines[index];
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                index += 1;
                continue;
            }
            let line = index + 1;
            let column = raw.len() - trimmed.len() + 1;
            // Join continuation lines; comments inside a continued instruction are skipped.
            let mut joined = String::new();
            let mut current = trimmed.to_owned();
            loop {
                let continued = current.trim_end().ends_with('\\');
                let part = if continued {
                    current.trim_end().trim_end_matches('\\').to_owned()
                } else {
                    current.clone()
                };
                joined.push_str(part.trim_end());
                if !continued || index + 1 >= lines.len() {
                    break;
                }
                index += 1;
                while index + 1 < lines.len() && lines[index].trim_start().starts_with('#') {
                    index += 1;
                }
                joined.push(' ');
                current = lines[index].trim().to_owned();
            }
            let end_line = index + 1;
            index += 1;
            let (keyword, args) = match joined.split_once(char::is_whitespace) {
                Some((keyword, args)) => (keyword.to_ascii_uppercase(), args.trim().to_owned()),
                None => (joined.to_ascii_uppercase(), String::new()),
            };
            if !keyword.chars().all(|c| c.is_ascii_alphabetic()) {
                file.problems.push((
                    line,
                    format!(
                        "\"{}\" is not a Dockerfile instruction.",
                        keyword.chars().take(40).collect::<String>()
                    ),
                ));
                continue;
            }
            // A heredoc (`RUN <<EOF`) runs until its delimiter line; its body is not instructions.
            if let Some(delimiter) = heredoc_delimiter(&args) {
                while index < lines.len() && lines[index].trim() != delimiter {
                    index += 1;
                }
                index += 1;
            }
            if keyword == "FROM" {
                if seen_from {
                    stage += 1;
                }
                seen_from = true;
                let words: Vec<&str> = args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let name = match words.as_slice() {
                    [_, as_word, name] if as_word.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                file.stage_names.push(name);
            }
            file.instructions.push(Instruction {
                keyword,
                args,
                line,
                column,
                end_line,
                stage,
            });
            if file.instructions.len() > 10_000 {
                file.problems.push((
                    line,
                    "More than 10000 instructions; the rest is not read.".into(),
                ));
                break;
            }
        }
        file
    }

    /// The index of the last stage: the one the image is made of.
    pub fn final_stage(&self) -> usize {
        self.instructions.iter().map(|i| i.stage).max().unwrap_or(0)
    }

    /// The instructions of `stage`.
    pub fn stage(&self, stage: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions.iter().filter(move |i| i.stage == stage)
    }
}

fn heredoc_delimiter(args: &str) -> Option<String> {
    let start = args.find("<<")?;
    let rest = args[start + 2..].trim_start_matches('-');
    let word: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// A Dockerfile rule.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Findings in `file`, as (instruction, message) pairs.
    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)>;
}

/// Every Dockerfile rule.
pub static RULES: &[&dyn Rule] = &[
    &untagged_base_image::UntaggedBaseImage,
    &latest_tag::LatestTag,
    &last_user_root::LastUserRoot,
    &missing_healthcheck::MissingHealthcheck,
    &repeated_final_instruction::RepeatedFinalInstruction,
    &add_instead_of_copy::AddInsteadOfCopy,
    &shell_form_command::ShellFormCommand,
    &relative_workdir::RelativeWorkdir,
    &copy_from_unknown_stage::CopyFromUnknownStage,
    &duplicate_stage_name::DuplicateStageName,
    &apt_recommends_installed::AptRecommendsInstalled,
    &apt_lists_kept::AptListsKept,
    &pip_cache_kept::PipCacheKept,
    &apk_cache_kept::ApkCacheKept,
    &sudo_used::SudoUsed,
    &secret_in_arg_or_env::SecretInArgOrEnv,
    &exposed_port_out_of_range::ExposedPortOutOfRange,
    &pipe_without_pipefail::PipeWithoutPipefail,
];

/// What each of [`RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static INFOS: &[&RuleInfo] = &[
    &untagged_base_image::INFO,
    &latest_tag::INFO,
    &last_user_root::INFO,
    &missing_healthcheck::INFO,
    &repeated_final_instruction::INFO,
    &add_instead_of_copy::INFO,
    &shell_form_command::INFO,
    &relative_workdir::INFO,
    &copy_from_unknown_stage::INFO,
    &duplicate_stage_name::INFO,
    &apt_recommends_installed::INFO,
    &apt_lists_kept::INFO,
    &pip_cache_kept::INFO,
    &apk_cache_kept::INFO,
    &sudo_used::INFO,
    &secret_in_arg_or_env::INFO,
    &exposed_port_out_of_range::INFO,
    &pipe_without_pipefail::INFO,
];

/// Every Dockerfile finding in `text`, the file named `path`.
pub fn lint(path: &str, text: &str, file: &Dockerfile) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = file
        .problems
        .iter()
        .map(|(line, message)| {
            Diagnostic::unreadable(
                "SD000",
                "unreadable-dockerfile",
                path,
                (*line, 1),
                message.clone(),
                "Correct the line so Docker can read it.",
            )
        })
        .collect();
    for rule in RULES {
        let info = rule.info();
        for (instruction, message) in rule.check(file) {
            found.push(Diagnostic {
                code: info.code,
                name: info.name,
                severity: info.severity,
                message,
                file: path.into(),
                line: instruction.line,
                column: instruction.column,
                end_line: instruction.end_line,
                end_column: text
                    .lines()
                    .nth(instruction.end_line - 1)
                    .map_or(1, |l| l.len() + 1),
                fix: info.fix,
                field: None,
            });
        }
    }
    found
}

/// The words of a shell command, split on whitespace and the usual separators.
pub(crate) fn commands(run: &str) -> Vec<Vec<&str>> {
    run.split(['&', ';', '|'])
        .map(|part| part.split_whitespace().collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
        .collect()
}

#[cfg(test)]
pub(crate) fn findings(rule: &dyn Rule, text: &str) -> Vec<(usize, String)> {
    let file = Dockerfile::parse(text);
    rule.check(&file)
        .into_iter()
        .map(|(i, m)| (i.line, m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_continuations_comments_and_stages() {
        let file = Dockerfile::parse(
            "# syntax=docker/dockerfile:1\nFROM node:24 AS deps\nRUN npm ci \\\n # a comment\n && npm test\n\nfrom nginx:1.29\nCMD [\"nginx\"]\n",
        );
        let keywords: Vec<_> = file
            .instructions
            .iter()
            .map(|i| (i.keyword.as_str(), i.line, i.stage))
            .collect();
        assert_eq!(
            keywords,
            [("FROM", 2, 0), ("RUN", 3, 0), ("FROM", 7, 1), ("CMD", 8, 1)]
        );
        assert_eq!(file.instructions[1].args, "npm ci && npm test");
        assert_eq!(file.instructions[1].end_line, 5);
        assert_eq!(file.stage_names, [Some("deps".into()), None]);
        assert_eq!(file.final_stage(), 1);
    }

    #[test]
    fn heredoc_bodies_are_not_instructions() {
        let file = Dockerfile::parse("FROM alpine:3.22\nRUN <<EOF\nUSER root\nEOF\nUSER 1001\n");
        let keywords: Vec<_> = file
            .instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect();
        assert_eq!(keywords, ["FROM", "RUN", "USER"]);
    }

    #[test]
    fn garbage_and_huge_input_become_findings_not_panics() {
        let found = super::super::lint_file("Dockerfile", "FROM alpine:3.22\n!!! what\n");
        assert!(
            found.iter().any(|d| d.code == "SD000" && d.line == 2),
            "{found:?}"
        );
        let huge = "RUN true\n".repeat(MAX_BYTES / 8);
        assert!(
            super::super::lint_file("Dockerfile", &huge)
                .iter()
                .any(|d| d.code == "SD000")
        );
        for text in [
            "\\",
            "FROM",
            "\\\n\\\n",
            "RUN <<",
            "FROM a AS",
            "\u{0}\u{202E}",
        ] {
            let _ = super::super::lint_file("Dockerfile", text);
        }
    }
}
