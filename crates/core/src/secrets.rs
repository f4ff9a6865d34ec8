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
}
