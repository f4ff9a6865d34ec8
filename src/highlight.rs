//! Syntax highlighting for the preview: one small tokenizer, told per language where comments
//! start, what a key looks like and which words are keywords. It colours; it does not parse.
//! Every character of a line ends up in exactly one token, so the text shown (and copied) is
//! the file's, unchanged.
//!
//! Why not syntect or tree-sitter: see docs/DECISIONS.md (highlighting). In short, syntect
//! with its default grammars measured far beyond the whole bundle budget, tree-sitter's
//! parsers are C, and what the preview needs is colour for six simple languages.

/// What a piece of text is, as a CSS class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Plain,
    Comment,
    Key,
    String,
    Number,
    Keyword,
    /// `${{ ... }}`, `${...}`, `$VAR`, `{{ ... }}`: filled in later by someone else.
    Variable,
}

impl Class {
    pub fn css(self) -> &'static str {
        match self {
            Class::Plain => "",
            Class::Comment => "t-comment",
            Class::Key => "t-key",
            Class::String => "t-string",
            Class::Number => "t-number",
            Class::Keyword => "t-keyword",
            Class::Variable => "t-variable",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Yaml,
    Dockerfile,
    Hcl,
    Json,
    Shell,
    Markdown,
    /// Go templates (Helm) and anything else: only the template actions stand out.
    Other,
}

impl Lang {
    pub fn of(path: &str) -> Lang {
        use shipshape_core::rules::{Kind, kind_of};
        if path.contains("/templates/") {
            return Lang::Other;
        }
        // The rule engine's names for the kinds it reads, then the rest by extension.
        match kind_of(path) {
            Some(Kind::Dockerfile) => return Lang::Dockerfile,
            Some(Kind::Yaml) => return Lang::Yaml,
            Some(Kind::Terraform) => return Lang::Hcl,
            None => {}
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        match name.rsplit('.').next().unwrap_or("") {
            "tfvars" | "tfbackend" => Lang::Hcl,
            "json" => Lang::Json,
            "sh" | "bash" => Lang::Shell,
            "md" => Lang::Markdown,
            _ if name.starts_with('.') && name.ends_with("ignore") => Lang::Shell,
            _ => Lang::Other,
        }
    }
}

const DOCKERFILE_WORDS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "AS",
];
const HCL_WORDS: &[&str] = &[
    "resource",
    "data",
    "variable",
    "output",
    "module",
    "provider",
    "terraform",
    "locals",
    "backend",
    "required_providers",
    "dynamic",
    "content",
    "for_each",
    "true",
    "false",
    "null",
];
const VALUE_WORDS: &[&str] = &["true", "false", "null", "~", "yes", "no", "on", "off"];

/// The tokens of one line.
pub fn line(lang: Lang, text: &str) -> Vec<(Class, &str)> {
    let mut out = Vec::new();
    let trimmed = text.trim_start();
    let indent = text.len() - trimmed.len();
    if indent > 0 {
        out.push((Class::Plain, &text[..indent]));
    }
    let comment = match lang {
        Lang::Yaml | Lang::Dockerfile | Lang::Shell => trimmed.starts_with('#'),
        Lang::Hcl => trimmed.starts_with('#') || trimmed.starts_with("//"),
        Lang::Markdown => false,
        _ => false,
    };
    if comment {
        out.push((Class::Comment, trimmed));
        return out;
    }
    if lang == Lang::Markdown {
        let class = if trimmed.starts_with('#') || trimmed.starts_with("```") {
            Class::Keyword
        } else {
            Class::Plain
        };
        out.push((class, trimmed));
        return out;
    }
    let mut rest = trimmed;
    // A line's leading word: a Dockerfile instruction, or a key before `:` / `=`.
    match lang {
        Lang::Dockerfile => {
            let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if DOCKERFILE_WORDS.contains(&rest[..word_end].to_ascii_uppercase().as_str()) {
                out.push((Class::Keyword, &rest[..word_end]));
                rest = &rest[word_end..];
            }
        }
        Lang::Yaml => {
            while let Some(after) = rest.strip_prefix("- ") {
                out.push((Class::Plain, "- "));
                rest = after;
            }
            if let Some(end) = yaml_key_end(rest) {
                out.push((Class::Key, &rest[..end]));
                rest = &rest[end..];
            }
        }
        Lang::Hcl => {
            let word_end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            let word = &rest[..word_end];
            if HCL_WORDS.contains(&word) {
                out.push((Class::Keyword, word));
                rest = &rest[word_end..];
            } else if !word.is_empty() && rest[word_end..].trim_start().starts_with('=') {
                out.push((Class::Key, word));
                rest = &rest[word_end..];
            }
        }
        _ => {}
    }
    values(lang, rest, &mut out);
    out
}

/// Where a YAML key ends (after its colon), if the line starts with one.
fn yaml_key_end(text: &str) -> Option<usize> {
    if let Some(quoted) = text.strip_prefix('"') {
        let close = quoted.find('"')? + 2;
        return text[close..].starts_with(':').then_some(close + 1);
    }
    let colon = text
        .find(": ")
        .or_else(|| text.strip_suffix(':').map(str::len))?;
    let key = &text[..colon];
    (!key.is_empty() && !key.contains(['#', '"', '\'', '{', '[']) && !key.starts_with("${{"))
        .then_some(colon + 1)
}

/// Strings, numbers, variables, trailing comments and words in the rest of a line.
fn values<'a>(lang: Lang, text: &'a str, out: &mut Vec<(Class, &'a str)>) {
    let bytes = text.as_bytes();
    let mut plain_start = 0;
    let mut at = 0;
    let flush = |out: &mut Vec<(Class, &'a str)>, from: usize, to: usize| {
        if to > from {
            out.push((Class::Plain, &text[from..to]));
        }
    };
    while at < bytes.len() {
        let rest = &text[at..];
        let found: Option<(Class, usize)> = if rest.starts_with("${{") || rest.starts_with("{{") {
            let close = rest.find("}}").map_or(rest.len(), |i| i + 2);
            Some((Class::Variable, close))
        } else if rest.starts_with("${") {
            Some((
                Class::Variable,
                rest.find('}').map_or(rest.len(), |i| i + 1),
            ))
        } else if rest.starts_with('$')
            && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        {
            let end = rest[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(rest.len(), |i| i + 1);
            Some((Class::Variable, end))
        } else if rest.starts_with('"') || (rest.starts_with('\'') && lang != Lang::Dockerfile) {
            let quote = rest.as_bytes()[0] as char;
            let mut chars = rest.char_indices().skip(1);
            let mut end = rest.len();
            while let Some((i, c)) = chars.next() {
                if c == '\\' {
                    chars.next();
                } else if c == quote {
                    end = i + 1;
                    break;
                }
            }
            Some((Class::String, end))
        } else if rest.starts_with(" #") && matches!(lang, Lang::Yaml | Lang::Shell | Lang::Hcl) {
            Some((Class::Comment, rest.len()))
        } else if (at == 0 || b" [,(=".contains(&bytes[at - 1]))
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            // A number stands alone: `2`, `[80, 443]`; not the `24` of `node:24-slim`.
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .unwrap_or(rest.len());
            let alone = rest[end..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || ",]})".contains(c));
            (alone && rest[..end].bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .then_some((Class::Number, end))
        } else if at == 0 || !bytes[at - 1].is_ascii_alphanumeric() {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '~'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            (!word.is_empty()
                && matches!(lang, Lang::Yaml | Lang::Json | Lang::Hcl)
                && VALUE_WORDS.contains(&word)
                && (end == rest.len() || !rest[end..].starts_with(':')))
            .then_some((Class::Keyword, end))
        } else {
            None
        };
        match found {
            Some((class, len)) if len > 0 => {
                flush(out, plain_start, at);
                // A JSON string followed by `:` is a key.
                let class = if lang == Lang::Json
                    && class == Class::String
                    && text[at + len..].trim_start().starts_with(':')
                {
                    Class::Key
                } else {
                    class
                };
                out.push((class, &text[at..at + len]));
                at += len;
                plain_start = at;
            }
            _ => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    flush(out, plain_start, bytes.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(lang: Lang, text: &str) -> Vec<(Class, String)> {
        let tokens = line(lang, text);
        let joined: String = tokens.iter().map(|(_, t)| *t).collect();
        assert_eq!(joined, text, "every character is kept, in order");
        tokens
            .into_iter()
            .filter(|(c, _)| *c != Class::Plain)
            .map(|(c, t)| (c, t.to_owned()))
            .collect()
    }

    #[test]
    fn yaml_keys_values_and_comments() {
        assert_eq!(
            classes(Lang::Yaml, "  - name: \"8080\" # why"),
            [
                (Class::Key, "name:".to_owned()),
                (Class::String, "\"8080\"".to_owned()),
                (Class::Comment, " # why".to_owned())
            ]
        );
        assert_eq!(
            classes(Lang::Yaml, "replicas: 2"),
            [
                (Class::Key, "replicas:".into()),
                (Class::Number, "2".into())
            ]
        );
        assert_eq!(
            classes(Lang::Yaml, "run: echo ${{ github.sha }} true"),
            [
                (Class::Key, "run:".into()),
                (Class::Variable, "${{ github.sha }}".into()),
                (Class::Keyword, "true".into())
            ]
        );
        assert_eq!(
            classes(Lang::Yaml, "# all comment"),
            [(Class::Comment, "# all comment".into())]
        );
        assert_eq!(
            classes(Lang::Yaml, "image: node:24-slim"),
            [(Class::Key, "image:".into())]
        );
    }

    #[test]
    fn dockerfile_instructions_and_variables() {
        assert_eq!(
            classes(Lang::Dockerfile, "FROM node:24 AS build"),
            [(Class::Keyword, "FROM".into())]
        );
        assert_eq!(
            classes(Lang::Dockerfile, "ENV PATH=\"/app/bin:$PATH\""),
            [
                (Class::Keyword, "ENV".into()),
                (Class::String, "\"/app/bin:$PATH\"".into())
            ]
        );
        assert_eq!(
            classes(Lang::Dockerfile, "# syntax=docker/dockerfile:1").len(),
            1
        );
    }

    #[test]
    fn hcl_blocks_attributes_and_interpolation() {
        assert_eq!(
            classes(Lang::Hcl, "resource \"aws_db_instance\" \"db\" {"),
            [
                (Class::Keyword, "resource".into()),
                (Class::String, "\"aws_db_instance\"".into()),
                (Class::String, "\"db\"".into())
            ]
        );
        assert_eq!(
            classes(Lang::Hcl, "  allocated_storage = 20"),
            [
                (Class::Key, "allocated_storage".into()),
                (Class::Number, "20".into())
            ]
        );
    }

    #[test]
    fn json_keys_differ_from_values() {
        assert_eq!(
            classes(Lang::Json, "  \"title\": \"Service\", \"x\": 1"),
            [
                (Class::Key, "\"title\"".into()),
                (Class::String, "\"Service\"".into()),
                (Class::Key, "\"x\"".into()),
                (Class::Number, "1".into())
            ]
        );
    }

    #[test]
    fn every_generated_file_is_kept_character_for_character() {
        for preset in shipshape_core::model::PRESETS {
            for file in shipshape_core::generate(&preset.project()).files() {
                let lang = Lang::of(&file.path);
                for text in file.contents.lines() {
                    let joined: String = line(lang, text).iter().map(|(_, t)| *t).collect();
                    assert_eq!(joined, text, "{}", file.path);
                }
            }
        }
    }

    #[test]
    fn files_are_named_as_the_rule_engine_names_them() {
        assert_eq!(Lang::of("api/Dockerfile"), Lang::Dockerfile);
        assert_eq!(Lang::of("docker/Dockerfile.dev"), Lang::Dockerfile);
        assert_eq!(Lang::of("k8s/a.yml"), Lang::Yaml);
        assert_eq!(Lang::of("terraform/environments/staging.tfvars"), Lang::Hcl);
        assert_eq!(
            Lang::of("charts/api/templates/deployment.yaml"),
            Lang::Other
        );
        assert_eq!(Lang::of("api/.dockerignore"), Lang::Shell);
    }

    #[test]
    fn hostile_lines_do_not_panic() {
        for text in [
            "\"unclosed",
            "${{",
            "${",
            "$",
            "\\",
            "key: \"a\\",
            "\"\\é\"",
            "é: ü",
            "- - - x",
            "\"k\":",
        ] {
            for lang in [
                Lang::Yaml,
                Lang::Dockerfile,
                Lang::Hcl,
                Lang::Json,
                Lang::Shell,
                Lang::Markdown,
                Lang::Other,
            ] {
                let joined: String = line(lang, text).iter().map(|(_, t)| *t).collect();
                assert_eq!(joined, text);
            }
        }
    }
}
