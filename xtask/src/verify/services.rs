//! Real PostgreSQL and Redis servers for verify's cases, from Debian's packages, each on a
//! loopback port of its own with its data in a folder of this run, stopped when dropped.
//!
//! PostgreSQL refuses to run as root; when xtask runs as root, the server runs as Debian's
//! `postgres` user (created by the package) through `setpriv`, which execs without forking, so
//! the process group [`crate::run::stop`] ends is the server's own.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::free_port;
use crate::tools::is_root;

/// How long a server may take to accept connections after it starts.
const START_LIMIT: Duration = Duration::from_secs(30);

/// The folder of Debian's newest PostgreSQL server programs, installing the package if needed.
pub(crate) fn postgres_bin() -> Result<PathBuf, String> {
    let newest = || -> Option<PathBuf> {
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    };
    if let Some(bin) = newest() {
        return Ok(bin);
    }
    crate::tools::require_program("psql", &["postgresql", "postgresql-client"])?;
    newest()
        .ok_or_else(|| "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb".into())
}

/// A PostgreSQL server with one database, `app`, for user `app` (trust authentication on
/// loopback only).
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    child: Option<Child>,
    as_postgres: bool,
}

impl Postgres {
    /// Creates a cluster in a new folder under `dir` and starts it.
    pub fn start(dir: &Path) -> Result<Postgres, String> {
        let bin = postgres_bin()?;
        let as_postgres = is_root();
        let data = dir.join("pgdata");
        if data.exists() {
            fs::remove_dir_all(&data)
                .map_err(|e| format!("cannot clear {}: {e}", data.display()))?;
        }
        fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        let mut server = Postgres {
            bin,
            data,
            port: free_port()?,
            child: None,
            as_postgres,
        };
        if as_postgres {
            crate::run::output(
                Command::new("chown")
                    .arg("-R")
                    .arg("postgres:postgres")
                    .arg(dir),
            )?;
        }
        let initdb = server
            .command("initdb")
            .args([
                "--auth=trust",
                "--username=app",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&server.data)
            .output()
            .map_err(|e| format!("cannot run initdb: {e}"))?;
        if !initdb.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&initdb.stderr).trim()
            ));
        }
        server.resume()?;
        server.psql("postgres", "CREATE DATABASE app")?;
        Ok(server)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("setpriv");
            command
                .args([
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--init-groups",
                    "--",
                ])
                .arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    /// The URL an app uses: `postgresql://app@127.0.0.1:PORT/app`.
    pub fn url(&self) -> String {
        format!("postgresql://app@127.0.0.1:{}/app", self.port)
    }

    /// Starts (again) a stopped server on the same port and data.
    pub fn resume(&mut self) -> Result<(), String> {
        let log = fs::File::create(self.data.with_file_name("postgres.log"))
            .map_err(|e| format!("cannot create the server log: {e}"))?;
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(&self.data)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "unix_socket_directories=", "-p"])
            .arg(self.port.to_string())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start postgres: {e}"))?;
        self.child = Some(child);
        let started = Instant::now();
        loop {
            let ready = self
                .command("pg_isready")
                .args(["-q", "-h", "127.0.0.1", "-U", "app", "-d", "postgres", "-p"])
                .arg(self.port.to_string())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            let exited = self
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || started.elapsed() > START_LIMIT {
                return Err(format!(
                    "postgres did not accept connections within {} s: {}",
                    START_LIMIT.as_secs(),
                    fs::read_to_string(self.data.with_file_name("postgres.log"))
                        .unwrap_or_default()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server (an outage for the apps using it); [`Postgres::resume`] starts it again.
    pub fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Fast shutdown: open sessions are ended, as in an outage.
            crate::run::stop_with(&mut child, "-INT");
        }
    }

    /// Runs SQL with psql in `database`, stopping at the first error; returns what it printed
    /// (unaligned, tuples only).
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let output = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "app",
                "-p",
            ])
            .arg(self.port.to_string())
            .args(["-d", database, "-c", sql])
            .output()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.pause();
    }
}

/// A Redis server with no persistence.
pub struct Redis {
    program: PathBuf,
    pub port: u16,
    child: Option<Child>,
}

impl Redis {
    pub fn start() -> Result<Redis, String> {
        let program = crate::tools::require_program("redis-server", &["redis-server"])?;
        let mut server = Redis {
            program,
            port: free_port()?,
            child: None,
        };
        server.resume()?;
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub fn resume(&mut self) -> Result<(), String> {
        let child = Command::new(&self.program)
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--port",
            ])
            .arg(self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start redis-server: {e}"))?;
        self.child = Some(child);
        let started = Instant::now();
        loop {
            if ping(self.port) {
                return Ok(());
            }
            if started.elapsed() > START_LIMIT {
                return Err(format!(
                    "redis did not answer within {} s",
                    START_LIMIT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::run::stop(&mut child);
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.pause();
    }
}

/// Whether a Redis server answers PING on the port.
fn ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts both servers, runs SQL, stops and resumes PostgreSQL. Needs the Debian packages,
    /// so it runs only when asked: `cargo test -p xtask -- --ignored services`.
    #[test]
    #[ignore]
    fn services_start_answer_and_stop() {
        let dir = std::env::temp_dir().join(format!("xtask-services-{}", std::process::id()));
        let mut pg = Postgres::start(&dir).unwrap();
        assert_eq!(pg.psql("app", "SELECT 1 + 1").unwrap().trim(), "2");
        pg.pause();
        assert!(pg.psql("app", "SELECT 1").is_err());
        pg.resume().unwrap();
        assert_eq!(pg.psql("app", "SELECT 3").unwrap().trim(), "3");
        let redis = Redis::start().unwrap();
        assert!(ping(redis.port));
        drop(pg);
        drop(redis);
        let _ = fs::remove_dir_all(dir);
    }
}
