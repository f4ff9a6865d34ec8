//! Telling secrets from ordinary values: by the name they are stored under and by their shape.
//! The rules use it to flag secrets written in plain text; the form uses the same test.

/// Words in a variable name that say it holds a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// The secret word in `name` (compared without case), if it has one.
pub fn secret_word(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_uppercase();
    SECRET_WORDS
        .iter()
        .copied()
        .find(|word| name.contains(word))
}

/// Prefixes of credentials that vendors issue, so a leaked one is recognised.
const CREDENTIAL_PREFIXES: &[(&str, &str)] = &[
    ("ghp_", "a GitHub personal access token"),
    ("gho_", "a GitHub OAuth token"),
    ("ghs_", "a GitHub app token"),
    ("github_pat_", "a GitHub fine-grained token"),
    ("glpat-", "a GitLab token"),
    ("sk_live_", "a Stripe secret key"),
    ("rk_live_", "a Stripe restricted key"),
    ("sk-", "an API secret key"),
    ("xoxb-", "a Slack bot token"),
    ("xoxp-", "a Slack user token"),
    ("AIza", "a Google API key"),
    ("-----BEGIN", "a private key or certificate"),
];

/// What `value` looks like when its shape gives it away as a credential: a vendor's token
/// prefix, an AWS access key id, or a URL with a password in it.
pub fn secret_shape(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if let Some((_, what)) = CREDENTIAL_PREFIXES
        .iter()
        .find(|(prefix, _)| value.starts_with(prefix) && value.len() >= prefix.len() + 8)
    {
        return Some(what);
    }
    let aws_key = value.len() == 20
        && (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if aws_key {
        return Some("an AWS access key id");
    }
    if looks_random(value) {
        return Some("a generated key (random letters and digits)");
    }
    // scheme://user:password@host
    if let Some((_, rest)) = value.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
            && !password.is_empty()
            && !password.starts_with('$')
        {
            return Some("a URL with a password in it");
        }
    }
    None
}

/// Whether `value` looks like a generated key: 20 or more characters of the base64 or hex
/// alphabets, letters and digits mixed, switching between upper case, lower case and digits
/// at 45% or more of its letters and digits, as random text does (about 65% for base64, 47%
/// for hex) and names and words do not (`MyApplicationName2`: 18%). UUIDs are identifiers.
fn looks_random(value: &str) -> bool {
    let (mut alnum, mut digits, mut switches, mut last) = (0, 0, 0, 9);
    for b in value.bytes() {
        if !b.is_ascii_alphanumeric() {
            if b"+/=_-".contains(&b) {
                continue;
            }
            return false;
        }
        let class = b.is_ascii_uppercase() as u8 + 2 * b.is_ascii_digit() as u8;
        switches += (last != 9 && last != class) as usize;
        digits += b.is_ascii_digit() as usize;
        alnum += 1;
        last = class;
    }
    let uuid = value.len() == 36 && value.split('-').count() == 5;
    alnum >= 20 && !uuid && digits > 0 && digits < alnum && switches * 100 >= 45 * (alnum - 1)
}

/// Why a plain (not secret) variable `name` = `value` looks like a secret, if it does: its
/// value's shape, else its name. The form, the share link and the rules use it.
pub fn suspicion(name: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.starts_with("$(") {
        return None;
    }
    match (secret_shape(value), secret_word(name)) {
        (Some(shape), _) => Some(format!("looks like {shape}")),
        (None, Some(word)) => Some(format!("is named like a secret ({word})")),
        (None, None) => None,
    }
}

/// Why `var` looks like a secret while it is a plain variable, if it does; a variable already
/// marked secret has no value here to worry about.
pub fn plain_suspicion(var: &crate::model::EnvVar) -> Option<String> {
    if var.secret {
        return None;
    }
    suspicion(&var.name, &var.value)
}

/// Why each plain variable of `project` that looks like a secret does, naming it: e.g.
/// "API_TOKEN is named like a secret (TOKEN)".
pub fn suspects(project: &crate::model::Project) -> Vec<String> {
    let variables = project.services.iter().flat_map(|s| &s.env);
    variables
        .filter_map(|var| Some(format!("{} {}", var.name, plain_suspicion(var)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_hold_secrets() {
        for name in [
            "DATABASE_PASSWORD",
            "npm_token",
            "Stripe_Api_Key",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(secret_word(name).is_some(), "{name}");
        }
        for name in ["PORT", "LOG_LEVEL", "DATABASE_HOST", "PASS"] {
            assert_eq!(secret_word(name), None, "{name}");
        }
    }

    #[test]
    fn values_shaped_like_credentials() {
        for value in [
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "sk-proj-abcdefghijklmnop",
            "AKIAIOSFODNN7EXAMPLE",
            "postgresql://app:hunter2@db:5432/app",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
        ] {
            assert!(secret_shape(value).is_some(), "{value}");
        }
        for value in [
            "production",
            "8080",
            "https://example.com/path",
            "postgresql://app@db:5432/app",
            "postgresql://app:${DB_PASSWORD}@db/app",
            "sk-",
            "AKIA",
            "https://user@example.com/a:b@c",
        ] {
            assert_eq!(secret_shape(value), None, "{value}");
        }
    }

    #[test]
    fn generated_keys_look_random_and_names_words_and_ids_do_not() {
        for value in [
            // Made up here, shaped like what `openssl rand -base64 24` and `-hex 20` print.
            "q8Vz3KfT0pLm9XwR2bYc7HnJ",
            "Zk4vN9q2Lw7RxT1m8PbC5sYd3FgH6jK0",
            "3f9a1c7e0b4d8a2f6c5e9b1d7a3f0c8e",
            "sKt0_9XbQ-2mLr8Vz4Pw+7Yh/3Nc=",
        ] {
            assert_eq!(
                secret_shape(value),
                Some("a generated key (random letters and digits)"),
                "{value}"
            );
        }
        for value in [
            "MyApplicationNameVersion2",
            "release_2024_11_30_build_7",
            "550e8400-e29b-41d4-a716-446655440000",
            "eu-west-1",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "12345678901234567890123",
            "postgres.example.internal",
            "/var/lib/data/2024/archive",
            "text/html; charset=utf-8",
        ] {
            assert_eq!(secret_shape(value), None, "{value}");
        }
    }

    #[test]
    fn suspicion_says_why_by_shape_first_then_by_name() {
        assert_eq!(
            suspicion("GREETING", "ghp_abcdefghijklmnopqrstuvwxyz0123456789").as_deref(),
            Some("looks like a GitHub personal access token")
        );
        assert_eq!(
            suspicion("API_TOKEN", "hunter2").as_deref(),
            Some("is named like a secret (TOKEN)")
        );
        assert_eq!(suspicion("API_TOKEN", ""), None);
        assert_eq!(suspicion("API_TOKEN", "$(cat /run/token)"), None);
        assert_eq!(suspicion("LOG_LEVEL", "debug"), None);
    }
}
