//! Share links: the settings (never the files) in a URL fragment. The settings file's text is
//! DEFLATE-compressed and written in URL-safe base64 after a format tag, `s1.`; opening a link
//! reads it back through [`super::from_yaml`], so an older schema version is migrated and every
//! value is validated like a settings file's. The first links held the settings as JSON, and
//! since JSON is YAML they open the same way.
//!
//! Secret values are never in the settings (secret env vars carry only their names), so they
//! are never in a link either.

use super::load::{LoadError, from_yaml, to_yaml};
use super::project::Project;

/// The tag of this link format, so a later one can be told apart.
pub const TAG: &str = "s1.";
/// No settings come near this once inflated; anything larger is not a Shipshape link.
const MAX_TEXT_BYTES: usize = 1 << 20;

/// The share code for `project`: what follows `#s=` in a link.
pub fn encode(project: &Project) -> String {
    let text = to_yaml(project);
    let deflated = crate::deflate::compress(text.as_bytes());
    format!("{TAG}{}", base64url_encode(&deflated))
}

/// The settings a share code holds, or why it cannot be read.
pub fn decode(code: &str) -> Result<Project, LoadError> {
    let damaged = |why: &str| LoadError::Syntax {
        message: format!("the link is damaged ({why}); was it cut short when copied?"),
        line: None,
        column: None,
    };
    let body = code
        .trim()
        .strip_prefix(TAG)
        .ok_or_else(|| damaged("it does not start with a Shipshape settings tag"))?;
    let deflated =
        base64url_decode(body).ok_or_else(|| damaged("it has characters a link never has"))?;
    let text = crate::deflate::decompress(&deflated, MAX_TEXT_BYTES)
        .map_err(|_| damaged("its compressed settings do not unpack"))?;
    let text = String::from_utf8(text).map_err(|_| damaged("its settings are not text"))?;
    from_yaml(&text)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// URL-safe base64 (RFC 4648 section 5) without padding.
fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let value = ALPHABET.iter().position(|&a| a == c)?;
            n |= (value as u32) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..50 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url_encode(&bytes);
            assert!(text.bytes().all(|b| ALPHABET.contains(&b)), "{text}");
            assert_eq!(base64url_decode(&text), Some(bytes));
        }
        assert_eq!(base64url_encode(b"hello"), "aGVsbG8");
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("aGV*"), None);
    }

    #[test]
    fn every_preset_survives_a_link_unchanged_and_short() {
        for preset in PRESETS {
            let project = preset.project();
            let code = encode(&project);
            assert!(
                code.len() < 2500,
                "{}: {} characters",
                preset.name,
                code.len()
            );
            assert_eq!(decode(&code).unwrap(), project, "{}", preset.name);
        }
    }

    #[test]
    fn damaged_links_say_so() {
        let code = encode(&PRESETS[0].project());
        for broken in [
            "",
            "hello",
            &code[..code.len() / 2],
            &code.replace('A', "*"),
            &format!("{TAG}{}", base64url_encode(b"not deflate at all")),
        ] {
            let error = decode(broken).unwrap_err();
            assert!(error.to_string().contains("damaged"), "{broken:?}: {error}");
        }
    }

    #[test]
    fn a_link_with_an_invalid_value_is_refused_field_by_field() {
        let mut project = PRESETS[0].project();
        project.services[0].port = 0;
        let code = encode(&project);
        match decode(&code) {
            Err(LoadError::Invalid(errors)) => assert!(!errors.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    /// A link made by this version must open in every later one: keep this code as it is and
    /// add a fixture for each new format or schema version.
    #[test]
    fn a_version_1_link_still_opens() {
        let code = include_str!("../../tests/fixtures/share-v1.txt").trim();
        let project = decode(code).unwrap();
        assert_eq!(project.name, "catalog");
        assert_eq!(project.services[0].runtime.id(), "go");
    }
}
