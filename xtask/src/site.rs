//! What `cargo xtask dist` does to Trunk's output before it ships:
//!
//! - minifies the scripts with terser (Trunk's own JS minifier fails on wasm-bindgen's glue),
//!   and rewrites the `integrity` hashes Trunk put on them in index.html;
//! - adds the Content Security Policy: a `<meta>` tag in index.html, with the hash of the one
//!   inline script Trunk writes, and a `_headers` file for static hosts that read one
//!   (Netlify, Cloudflare Pages). `frame-ancestors` only works as a header, so it is only there.

use std::fs;
use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha384};

use crate::tools::Toolchain;

/// The policy, before the inline script's hash is added to `script-src`.
///
/// - scripts: the site's own, the inline bootstrap by hash, and `wasm-unsafe-eval`, which
///   compiling WebAssembly needs; no `unsafe-inline`, no `unsafe-eval`;
/// - styles, images and the service worker: the site's own files only;
/// - `connect-src 'self'`: the page can fetch its own files and nothing else, so nothing the
///   user types can be sent anywhere;
/// - everything else (objects, frames, fonts, forms, `<base>`) is refused.
const POLICY: [(&str, &str); 10] = [
    ("default-src", "'none'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
    ("object-src", "'none'"),
];

/// Minifies dist/'s scripts and adds the Content Security Policy; prints what it did.
pub fn finish(toolchain: &Toolchain, dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let mut html = read(&index)?;
    for entry in fs::read_dir(dist).map_err(|e| format!("read {}: {e}", dist.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("js") {
            continue;
        }
        let before = fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        // The service worker is a classic script of its own; the glue is an ES module.
        let worker = path.file_name().and_then(|n| n.to_str()) == Some("sw.js");
        let mut terser = Command::new("terser");
        terser
            .arg(&path)
            .args(["--compress", "--mangle", "--output"]);
        terser.arg(&path);
        terser.arg(if worker { "--toplevel" } else { "--module" });
        toolchain.run(&mut terser)?;
        let after = fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        println!(
            "minified {}: {} -> {} bytes",
            path.display(),
            before.len(),
            after.len()
        );
        let old = integrity(&before);
        if html.contains(&old) {
            html = html.replace(&old, &integrity(&after));
        }
    }
    let policy = policy(&inline_scripts(&html));
    html = with_meta_policy(&html, &policy)?;
    write(&index, &html)?;
    write(&dist.join("_headers"), &headers(&policy))?;
    println!("content security policy: {policy}");
    Ok(())
}

/// The value of an `integrity` attribute for `bytes`, as Trunk writes it.
fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

/// The text of every `<script>` in `html` that has no `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(tag_end) = rest[start..].find('>').map(|i| start + i) else {
            break;
        };
        let tag = &rest[start..tag_end];
        let Some(close) = rest[tag_end..].find("</script>").map(|i| tag_end + i) else {
            break;
        };
        if !tag.contains(" src=") {
            scripts.push(&rest[tag_end + 1..close]);
        }
        rest = &rest[close..];
    }
    scripts
}

/// The policy, allowing exactly `inline` (the inline scripts' texts) by their SHA-256.
fn policy(inline: &[&str]) -> String {
    POLICY
        .iter()
        .map(|(directive, sources)| {
            let mut sources = sources.to_string();
            if *directive == "script-src" {
                for script in inline {
                    let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
                    sources.push_str(&format!(" 'sha256-{hash}'"));
                }
            }
            format!("{directive} {sources}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `html` with the policy as the first thing in its head, so it covers every script and style.
fn with_meta_policy(html: &str, policy: &str) -> Result<String, String> {
    // Trunk's minifier drops the quotes; the source's own form is accepted too.
    let charset = ["<meta charset=utf-8>", "<meta charset=\"utf-8\" />"]
        .into_iter()
        .find(|tag| html.contains(tag))
        .ok_or("index.html has no <meta charset=utf-8> to put the policy after")?;
    let meta = format!("<meta http-equiv=Content-Security-Policy content=\"{policy}\">");
    Ok(html.replacen(charset, &format!("{charset}{meta}"), 1))
}

/// The `_headers` file: the same policy, plus what only a header can say.
fn headers(policy: &str) -> String {
    format!(
        "/*\n  Content-Security-Policy: {policy}; frame-ancestors 'none'\n  \
         X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n"
    )
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!doctype html><html><meta charset=utf-8><title>t</title>\
        <script type=module>import init from '/a.js';\nawait init();</script>\
        <script src=/b.js></script></html>";

    #[test]
    fn inline_scripts_are_found_and_scripts_with_src_are_not() {
        assert_eq!(
            inline_scripts(PAGE),
            vec!["import init from '/a.js';\nawait init();"]
        );
    }

    #[test]
    fn the_policy_allows_the_inline_script_by_hash_and_nothing_unsafe() {
        let policy = policy(&inline_scripts(PAGE));
        let expected = STANDARD.encode(Sha256::digest(
            "import init from '/a.js';\nawait init();".as_bytes(),
        ));
        assert!(
            policy.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';"
            )),
            "{policy}"
        );
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
        for directive in [
            "default-src 'none'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
    }

    #[test]
    fn the_meta_tag_comes_first_and_the_header_adds_frame_ancestors() {
        let policy = policy(&inline_scripts(PAGE));
        let html = with_meta_policy(PAGE, &policy).unwrap();
        let meta = html.find("Content-Security-Policy").unwrap();
        assert!(meta < html.find("<script").unwrap() && meta < html.find("<title>").unwrap());
        assert!(with_meta_policy("<html></html>", &policy).is_err());
        let headers = headers(&policy);
        assert!(headers.starts_with("/*\n  Content-Security-Policy: default-src 'none';"));
        assert!(headers.contains("; frame-ancestors 'none'\n"));
    }

    #[test]
    fn integrity_matches_the_sri_format() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
