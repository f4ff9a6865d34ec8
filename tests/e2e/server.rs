//! A small static file server for the built site, mounted under a sub-path the way GitHub Pages
//! serves a project site. It records every request, so a test can assert nothing was missing.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

pub struct StaticServer {
    pub base_url: String,
    log: Arc<Mutex<Vec<(String, u16)>>>,
    /// When set, connections are closed unanswered, as if the network were down.
    offline: Arc<AtomicBool>,
}

impl StaticServer {
    /// Serves `dist` at `http://127.0.0.1:<free port><public_url>`.
    pub fn start(dist: PathBuf, public_url: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let prefix = public_url.to_owned();
        let server_log = Arc::clone(&log);
        let offline = Arc::new(AtomicBool::new(false));
        let server_offline = Arc::clone(&offline);
        // Read once: the site does not change while it is served.
        let headers: Arc<str> = headers_file(&dist).into();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if server_offline.load(Ordering::SeqCst) {
                    drop(stream);
                    continue;
                }
                let (dist, prefix, log) = (dist.clone(), prefix.clone(), Arc::clone(&server_log));
                let headers = Arc::clone(&headers);
                thread::spawn(move || {
                    if let Some((path, status)) = respond(stream, &dist, &prefix, &headers) {
                        log.lock().unwrap().push((path, status));
                    }
                });
            }
        });
        StaticServer {
            base_url: format!("http://127.0.0.1:{port}{public_url}"),
            log,
            offline,
        }
    }

    /// From now on, every connection is dropped unanswered.
    pub fn go_offline(&self) {
        self.offline.store(true, Ordering::SeqCst);
    }

    /// Every request so far that was not answered 200.
    pub fn failures(&self) -> Vec<(String, u16)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, status)| *status != 200)
            .cloned()
            .collect()
    }

    pub fn requests(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

/// Answers one request for a file of `dist`, adding `headers` (CRLF-ended lines) to it.
fn respond(
    mut stream: TcpStream,
    dist: &Path,
    prefix: &str,
    headers: &str,
) -> Option<(String, u16)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    // Drain the headers; the server answers GET only and needs none of them.
    let mut line = String::new();
    while reader.read_line(&mut line).ok()? > 2 {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1)?.to_owned();
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let file = path
        .strip_prefix(prefix)
        .map(|rest| {
            if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_owned()
            }
        })
        .map(PathBuf::from)
        .filter(|rel| rel.components().all(|c| matches!(c, Component::Normal(_))))
        .map(|rel| dist.join(rel));
    let (status, body, content_type) =
        match file.and_then(|f| fs::read(&f).ok().map(|body| (f, body))) {
            Some((file, body)) => (200, body, content_type(&file)),
            None => (404, b"not found".to_vec(), "text/plain"),
        };
    let reason = if status == 200 { "OK" } else { "Not Found" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
        body.len(),
        headers,
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(&body).ok()?;
    Some((target, status))
}

/// The headers dist/_headers gives every path (its `/*` block), as Netlify and Cloudflare Pages
/// apply them, each ending in CRLF; nothing when there is no such file.
fn headers_file(dist: &Path) -> String {
    let Ok(text) = fs::read_to_string(dist.join("_headers")) else {
        return String::new();
    };
    let mut headers = String::new();
    let mut in_all = false;
    for line in text.lines() {
        if !line.starts_with(char::is_whitespace) {
            in_all = line.trim() == "/*";
        } else if in_all && let Some((name, value)) = line.trim().split_once(": ") {
            headers.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    headers
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") | Some("webmanifest") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}
