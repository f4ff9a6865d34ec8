//! A minimal axum app for `cargo xtask verify snippets`: one ordinary route with a path
//! parameter, and the generated observability snippet installed as its header says, with
//! checks that reach the PostgreSQL and Redis named by DATABASE_URL and REDIS_URL.
//!
//! The snippet takes its checks as plain `fn() -> Result<(), String>`, so they cannot hold a
//! pool or await; they speak just enough of each wire protocol over a blocking socket, with
//! the two-second timeouts the other runtimes' snippets use.

mod observability;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;

const TIMEOUT: Duration = Duration::from_secs(2);

async fn order(Path(id): Path<u64>) -> String {
    format!("{{\"id\":{id}}}")
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("PORT must be a port number");
    let routes = Router::new().route("/orders/{id}", get(order));
    let app = observability::install(
        routes,
        observability::Checks {
            database,
            every_dependency,
        },
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("cannot listen");
    axum::serve(listener, app).await.expect("server failed");
}

fn every_dependency() -> Result<(), String> {
    database()?;
    cache()
}

/// `host:port` and what follows the first `/`, from `scheme://[user[:password]@]host:port[/rest]`.
struct Url {
    user: String,
    address: String,
    path: String,
}

fn parse(url: &str, schemes: &[&str]) -> Result<Url, String> {
    let (scheme, rest) = url.split_once("://").ok_or("not a URL")?;
    if !schemes.contains(&scheme) {
        return Err(format!("unsupported scheme {scheme}://"));
    }
    let (credentials, rest) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (address, path) = rest.split_once('/').unwrap_or((rest, ""));
    Ok(Url {
        user: credentials.split(':').next().unwrap_or("").to_owned(),
        address: address.to_owned(),
        path: path.split('?').next().unwrap_or("").to_owned(),
    })
}

fn connect(address: &str) -> Result<TcpStream, String> {
    let target = address
        .to_socket_addrs()
        .map_err(|e| format!("{address}: {e}"))?
        .next()
        .ok_or_else(|| format!("{address}: no address"))?;
    let stream =
        TcpStream::connect_timeout(&target, TIMEOUT).map_err(|e| format!("{address}: {e}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    Ok(stream)
}

/// Opens a session (trust authentication only), runs `SELECT 1` and closes it.
fn database() -> Result<(), String> {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        return Ok(());
    };
    let url = parse(&url, &["postgres", "postgresql"])?;
    let mut stream = connect(&url.address)?;
    let mut startup = Vec::new();
    startup.extend_from_slice(&196_608u32.to_be_bytes()); // protocol 3.0
    for (key, value) in [("user", url.user.as_str()), ("database", url.path.as_str())] {
        startup.extend_from_slice(key.as_bytes());
        startup.push(0);
        startup.extend_from_slice(value.as_bytes());
        startup.push(0);
    }
    startup.push(0);
    send(&mut stream, None, &startup)?;
    until_ready(&mut stream)?;
    send(&mut stream, Some(b'Q'), b"SELECT 1\0")?;
    until_ready(&mut stream)?;
    send(&mut stream, Some(b'X'), b"")
}

fn send(stream: &mut TcpStream, kind: Option<u8>, body: &[u8]) -> Result<(), String> {
    let mut message = Vec::with_capacity(body.len() + 5);
    message.extend(kind);
    message.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    message.extend_from_slice(body);
    stream.write_all(&message).map_err(|e| e.to_string())
}

/// Reads server messages up to ReadyForQuery; an error or a password request is an Err.
fn until_ready(stream: &mut TcpStream) -> Result<(), String> {
    loop {
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).map_err(|e| e.to_string())?;
        let length = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let mut body = vec![0u8; length.saturating_sub(4)];
        stream.read_exact(&mut body).map_err(|e| e.to_string())?;
        match head[0] {
            b'Z' => return Ok(()),
            b'R' if body.get(..4) != Some(&[0, 0, 0, 0]) => {
                return Err("the server asks for a password; this app speaks trust only".into());
            }
            b'E' => {
                let message = body
                    .split(|b| *b == 0)
                    .find_map(|field| field.strip_prefix(b"M"))
                    .unwrap_or_default();
                return Err(String::from_utf8_lossy(message).into_owned());
            }
            _ => {}
        }
    }
}

/// Sends PING and expects PONG.
fn cache() -> Result<(), String> {
    let Ok(url) = std::env::var("REDIS_URL") else {
        return Ok(());
    };
    let url = parse(&url, &["redis"])?;
    let mut stream = connect(&url.address)?;
    stream.write_all(b"PING\r\n").map_err(|e| e.to_string())?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    if answer.starts_with("+PONG") {
        Ok(())
    } else {
        Err(format!("redis answered {:?}", answer.trim_end()))
    }
}
