//! Field validation: turns what the user typed into a value, or a message saying what to change.
//!
//! Messages are written to be shown next to the field, so they name the problem and the fix.

use std::fmt;

use super::settings::Field;

/// Why a value was refused, addressed to the field it was typed into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl FieldError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

impl std::error::Error for FieldError {}

/// Longest DNS-1123 label; Kubernetes object names built from the service name must fit.
pub const MAX_NAME_LEN: usize = 63;

/// Longest health path we accept; far beyond any real one, short enough to keep files readable.
pub const MAX_PATH_LEN: usize = 256;

/// A service name must be a DNS-1123 label: it names the image, the container and the
/// Kubernetes objects, and each of those refuses anything else.
pub fn parse_service_name(text: &str) -> Result<String, FieldError> {
    let error = |message: String| Err(FieldError::new(Field::ServiceName, message));
    if text.is_empty() {
        return error("Enter a service name, e.g. \"api\".".into());
    }
    let length = text.chars().count();
    if length > MAX_NAME_LEN {
        return error(format!(
            "At most {MAX_NAME_LEN} characters; this one has {length}."
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let hint = if bad.is_ascii_uppercase() {
            " Use lowercase letters.".to_owned()
        } else {
            String::new()
        };
        return error(format!(
            "{} is not allowed: use lowercase letters, digits and hyphens.{hint}",
            describe(bad)
        ));
    }
    if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return error("Start with a letter or a digit, not a hyphen.".into());
    }
    if !text.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        return error("End with a letter or a digit, not a hyphen.".into());
    }
    Ok(text.to_owned())
}

/// A TCP port the process listens on: a whole number from 1 to 65535.
pub fn parse_port(text: &str) -> Result<u16, FieldError> {
    let error = |message: &str| Err(FieldError::new(Field::Port, message));
    if text.is_empty() {
        return error("Enter a port from 1 to 65535, e.g. 8080.");
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return error("Use digits only: a whole number from 1 to 65535.");
    }
    match text.parse::<u32>() {
        Ok(0) => error("Port 0 cannot be listened on; use 1 to 65535."),
        Ok(port) if port <= u32::from(u16::MAX) => Ok(port as u16),
        _ => error("Ports go up to 65535."),
    }
}

/// An absolute URL path. It is written into the Dockerfile's HEALTHCHECK and the probes, so only
/// characters that need no quoting in any of those files are accepted.
pub fn parse_health_path(text: &str) -> Result<String, FieldError> {
    let error = |message: String| Err(FieldError::new(Field::HealthPath, message));
    if !text.starts_with('/') {
        return error("Start with \"/\", e.g. \"/healthz\".".into());
    }
    let length = text.chars().count();
    if length > MAX_PATH_LEN {
        return error(format!(
            "At most {MAX_PATH_LEN} characters; this one has {length}."
        ));
    }
    if let Some(bad) = text.chars().find(|c| !is_path_char(*c)) {
        return error(format!(
            "{} is not allowed in a health path: use letters, digits and - . _ ~ / : @ + , = %.",
            describe(bad)
        ));
    }
    if !percent_escapes_are_valid(text) {
        return error("\"%\" must start an escape such as %20.".into());
    }
    Ok(text.to_owned())
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~/:@+,=%".contains(c)
}

fn percent_escapes_are_valid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Names a character so the user can find it, even when it is invisible.
fn describe(c: char) -> String {
    match c {
        ' ' => "A space".to_owned(),
        '\t' => "A tab".to_owned(),
        '\n' | '\r' => "A line break".to_owned(),
        c if c.is_control() || c.is_whitespace() || is_format_char(c) => {
            format!("The invisible character U+{:04X}", c as u32)
        }
        c => format!("\"{c}\""),
    }
}

/// Zero-width and direction marks, which look like nothing but change what a file means.
fn is_format_char(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message<T: fmt::Debug>(result: Result<T, FieldError>) -> String {
        result.unwrap_err().message
    }

    #[test]
    fn service_name_accepts_dns_labels() {
        for name in ["a", "api", "web-2", "0day", &"a".repeat(63)] {
            assert_eq!(parse_service_name(name).as_deref(), Ok(name));
        }
    }

    #[test]
    fn service_name_refuses_what_kubernetes_refuses() {
        assert!(message(parse_service_name("")).contains("Enter a service name"));
        assert!(message(parse_service_name(&"a".repeat(64))).contains("this one has 64"));
        assert!(message(parse_service_name("Api")).contains("Use lowercase"));
        assert!(message(parse_service_name("my_api")).contains("\"_\" is not allowed"));
        assert!(message(parse_service_name("my api")).contains("A space"));
        assert!(message(parse_service_name("api\u{202E}")).contains("U+202E"));
        assert!(message(parse_service_name("-api")).contains("Start with"));
        assert!(message(parse_service_name("api-")).contains("End with"));
        assert!(message(parse_service_name("ápi")).contains("\"á\""));
    }

    #[test]
    fn port_accepts_1_to_65535() {
        assert_eq!(parse_port("1"), Ok(1));
        assert_eq!(parse_port("8080"), Ok(8080));
        assert_eq!(parse_port("65535"), Ok(65535));
    }

    #[test]
    fn port_refuses_out_of_range_and_non_numbers() {
        assert!(message(parse_port("")).contains("Enter a port"));
        assert!(message(parse_port("0")).contains("Port 0"));
        assert!(message(parse_port("65536")).contains("up to 65535"));
        assert!(message(parse_port("99999999999999999999")).contains("up to 65535"));
        assert!(message(parse_port("80a")).contains("digits only"));
        assert!(message(parse_port(" 80")).contains("digits only"));
        assert!(message(parse_port("-1")).contains("digits only"));
    }

    #[test]
    fn health_path_accepts_ordinary_paths() {
        for path in [
            "/",
            "/healthz",
            "/health/live",
            "/api/v1/status",
            "/a%20b",
            "/_ah/health",
        ] {
            assert_eq!(parse_health_path(path).as_deref(), Ok(path));
        }
    }

    #[test]
    fn health_path_refuses_what_would_need_quoting() {
        assert!(message(parse_health_path("")).contains("Start with \"/\""));
        assert!(message(parse_health_path("healthz")).contains("Start with \"/\""));
        assert!(message(parse_health_path("/a b")).contains("A space"));
        assert!(message(parse_health_path("/a\"b")).contains("\"\"\""));
        assert!(message(parse_health_path("/a\nb")).contains("A line break"));
        assert!(message(parse_health_path("/$(reboot)")).contains("\"$\""));
        assert!(message(parse_health_path("/a%2")).contains("escape"));
        assert!(message(parse_health_path("/a%41%zz")).contains("escape"));
        assert!(message(parse_health_path(&format!("/{}", "a".repeat(300)))).contains("At most"));
    }
}
