//! The migration planner's plans applied to a real PostgreSQL, phase by phase, the way each
//! migration tool runs the files the plan writes for it, with the reads and writes of every code
//! version the plan says is running at each point.
//!
//! One case per change and migration tool (the tools of the presets' services), each in a
//! database of its own on one server: the "before" table `orders` with rows; each phase's
//! migration as its tool sends it; the running versions' queries before and after each phase's
//! SQL, both versions where a phase rolls new code out beside old, and what one of them writes
//! read back through the other; the running versions again while the migration's transaction
//! holds its locks, before each statement that reads the whole table, and while an index build
//! `CONCURRENTLY` waits for a request's open transaction; batch copies repeated until they update
//! nothing, as the plan says; the end state; then each phase's undo in reverse order, back to the
//! schema before that phase. The files' SQL must be the plan's SQL.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use shipshape_core::migration::{Change, Plan, Request, plan};
use shipshape_core::model::{AppService, PRESETS, Runtime};

use super::services::Postgres;
use super::{Outcome, Report};

/// How long one statement may run on the server; every wait below is shorter or bounded by it.
const STATEMENT_LIMIT: Duration = Duration::from_secs(20);
/// How long psql may take to answer one statement.
const ANSWER_LIMIT: Duration = Duration::from_secs(30);
/// How long a running version's request may wait for a lock while a migration runs: a request
/// blocked longer than this is part of an outage.
const REQUEST_LOCK_LIMIT: &str = "500ms";
/// How long a statement that waits for open transactions is given to show that it waits.
const WAIT_SEEN: Duration = Duration::from_millis(300);
/// Runs of a batch copy after which "repeat until no row is updated" counts as endless.
const MAX_BATCHES: usize = 5;
/// How the failure of a batch copy that never ends begins.
const ENDLESS: &str = "repeated until no row is updated";

/// The table every case starts from: what the running code was written for, and a few orders.
/// Order 5 is never written by the versions' queries, so its values show what a phase kept.
const BEFORE: &str = "CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_email text NOT NULL,
    qty integer NOT NULL,
    total_cents integer NOT NULL,
    coupon_code text NOT NULL,
    status text NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (customer_email, qty, total_cents, coupon_code) VALUES
    ('ada@example.com', 1, 1250, 'WELCOME'),
    ('grace@example.com', 2, 4200, ''),
    ('linus@example.com', 3, 999, 'SPRING'),
    ('margaret@example.com', 1, 15000, ''),
    ('sentinel@example.com', 7, 4999, 'KEEP');";

/// The table's shape as `\d` shows it: columns with type, NOT NULL and default, indexes (and
/// whether they are valid), constraints (and whether they are validated). One line each, sorted.
const SCHEMA: &str = "SELECT line FROM (
    SELECT 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
        || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
    FROM pg_attribute a
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = 'orders'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(indexrelid)
        || CASE WHEN indisvalid THEN '' ELSE ' (invalid)' END
    FROM pg_index WHERE indrelid = 'orders'::regclass
    UNION ALL
    SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid)
        || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
    FROM pg_constraint WHERE conrelid = 'orders'::regclass
) AS shape ORDER BY line";

const INSERT_V1: &str = "INSERT INTO orders (customer_email, qty, total_cents, coupon_code) VALUES ('new@example.com', 1, 500, '')";
const READ_V1: &str =
    "SELECT id, customer_email, qty, total_cents, coupon_code, status FROM orders WHERE id = 1";
const UPDATE_V1: &str = "UPDATE orders SET status = 'paid' WHERE id = 2";
const V1_NAME: &str = "v1 (the code before the change)";

/// One version of the application's code: the reads and writes it does.
struct Version {
    name: &'static str,
    queries: &'static [&'static str],
    /// How it writes (`{v}` for the value) and reads order 1's value of the changed column,
    /// to check that what one version writes the other reads while both serve.
    shared: Option<(&'static str, &'static str)>,
}

/// What the plan says about one of its phases, as read from its title and reason.
struct Step {
    /// A part of the phase's title, so that a changed plan is noticed rather than misread.
    title: &'static str,
    /// Whether the phase rolls its code out before its SQL runs (otherwise after).
    code_first: bool,
    /// The versions running when the phase starts, and once it is done.
    from: &'static [usize],
    to: &'static [usize],
}

/// The phases of a change that copies a column into a new one (a rename, a change of type):
/// expand, code that writes both, code that uses only the new column, contract.
const COPY_TO_NEW_COLUMN: &[Step] = &[
    Step {
        title: "Expand",
        code_first: false,
        from: &[0],
        to: &[0],
    },
    Step {
        title: "Deploy code that writes both",
        code_first: true,
        from: &[0],
        to: &[1],
    },
    Step {
        title: "Deploy code that reads and writes only the new column",
        code_first: true,
        from: &[1],
        to: &[2],
    },
    Step {
        title: "Contract",
        code_first: false,
        from: &[2],
        to: &[2],
    },
];

/// A value the database must hold at some point.
enum Expect {
    /// A column of `orders` as "type[ not null]", or "absent".
    Column(&'static str, &'static str),
    /// What a query returns.
    Value(&'static str, &'static str),
}

/// A realistic request for a change, and what the code around it does.
struct Spec {
    request: Request,
    versions: &'static [Version],
    steps: &'static [Step],
    /// How a value of the changed column is written in the versions' `shared` queries, with
    /// `{n}` for a number that differs each time.
    value: &'static str,
    /// A placeholder in the plan's SQL and what a user writes in its place.
    fill: Option<(&'static str, &'static str)>,
    /// Values after a phase (numbered from 1).
    after: &'static [(usize, Expect)],
    /// Values once every phase ran.
    end: &'static [Expect],
    /// Another request for the same change, and what its first phase must leave.
    variant: Option<Variant>,
}

/// A request that differs from the spec's in one input, checked after the plan's first phase.
struct Variant {
    request: Request,
    why: &'static str,
    expect: Expect,
}

fn request(change: Change, column: &str, column_type: &str, new_name: &str) -> Request {
    Request {
        change,
        table: "orders".into(),
        column: column.into(),
        column_type: column_type.into(),
        new_name: new_name.into(),
    }
}

fn spec(change: Change) -> Spec {
    const V1: Version = Version {
        name: V1_NAME,
        queries: &[INSERT_V1, READ_V1, UPDATE_V1],
        shared: None,
    };
    match change {
        Change::AddNullableColumn => Spec {
            request: request(change, "gift_message", "text", ""),
            versions: &[
                V1,
                Version {
                    name: "v2 (writes gift_message)",
                    queries: &[
                        "INSERT INTO orders (customer_email, qty, total_cents, coupon_code, gift_message) VALUES ('new@example.com', 1, 500, '', 'Happy birthday')",
                        "SELECT id, customer_email, gift_message FROM orders WHERE id = 1",
                        "UPDATE orders SET gift_message = 'Enjoy' WHERE id = 2",
                    ],
                    shared: None,
                },
            ],
            steps: &[Step {
                title: "Add the column",
                code_first: false,
                from: &[0],
                to: &[1],
            }],
            value: "{n}",
            fill: None,
            after: &[],
            end: &[Expect::Column("gift_message", "text")],
            variant: None,
        },
        Change::AddNotNullColumn => Spec {
            request: request(change, "currency", "text", ""),
            versions: &[
                V1,
                Version {
                    name: "v2 (writes currency)",
                    queries: &[
                        "INSERT INTO orders (customer_email, qty, total_cents, coupon_code, currency) VALUES ('new@example.com', 1, 500, '', 'EUR')",
                        "SELECT id, currency FROM orders WHERE id = 1",
                        "UPDATE orders SET currency = 'EUR', status = 'paid' WHERE id = 2",
                    ],
                    shared: None,
                },
            ],
            steps: &[
                Step {
                    title: "Expand",
                    code_first: false,
                    from: &[0],
                    to: &[0],
                },
                Step {
                    title: "Deploy code that writes the column",
                    code_first: true,
                    from: &[0],
                    to: &[1],
                },
                Step {
                    title: "Contract",
                    code_first: false,
                    from: &[1],
                    to: &[1],
                },
            ],
            value: "{n}",
            fill: Some(("/* value */ NULL", "'EUR'")),
            after: &[(
                2,
                Expect::Value("SELECT count(*) FROM orders WHERE currency IS NULL", "0"),
            )],
            end: &[
                Expect::Column("currency", "text not null"),
                Expect::Value("SELECT currency FROM orders WHERE id = 5", "EUR"),
            ],
            variant: None,
        },
        // The planner's form calls the type optional for a rename ("what the undo recreates"),
        // so a user leaves it empty; it fits this text column.
        Change::RenameColumn => Spec {
            request: request(change, "customer_email", "", "email"),
            versions: &[
                Version {
                    shared: Some((
                        "UPDATE orders SET customer_email = '{v}' WHERE id = 1",
                        "SELECT customer_email FROM orders WHERE id = 1",
                    )),
                    ..V1
                },
                Version {
                    name: "v2 (writes customer_email and email, reads customer_email)",
                    queries: &[
                        "INSERT INTO orders (customer_email, email, qty, total_cents, coupon_code) VALUES ('new@example.com', 'new@example.com', 1, 500, '')",
                        "SELECT id, customer_email FROM orders WHERE id = 1",
                        "UPDATE orders SET customer_email = 'grace@example.org', email = 'grace@example.org' WHERE id = 2",
                    ],
                    shared: Some((
                        "UPDATE orders SET customer_email = '{v}', email = '{v}' WHERE id = 1",
                        "SELECT customer_email FROM orders WHERE id = 1",
                    )),
                },
                Version {
                    name: "v3 (reads and writes only email)",
                    queries: &[
                        "INSERT INTO orders (email, qty, total_cents, coupon_code) VALUES ('new@example.com', 1, 500, '')",
                        "SELECT id, email FROM orders WHERE id = 1",
                        "UPDATE orders SET email = 'grace@example.net' WHERE id = 2",
                    ],
                    shared: Some((
                        "UPDATE orders SET email = '{v}' WHERE id = 1",
                        "SELECT email FROM orders WHERE id = 1",
                    )),
                },
            ],
            steps: COPY_TO_NEW_COLUMN,
            value: "user{n}@example.com",
            fill: None,
            after: &[(
                2,
                Expect::Value(
                    "SELECT count(*) FROM orders WHERE email IS DISTINCT FROM customer_email",
                    "0",
                ),
            )],
            end: &[
                Expect::Column("email", "text not null"),
                Expect::Column("customer_email", "absent"),
                Expect::Value(
                    "SELECT email FROM orders WHERE id = 5",
                    "sentinel@example.com",
                ),
            ],
            // The same left-empty type on a column that is not text.
            variant: Some(Variant {
                request: request(change, "qty", "", "quantity"),
                why: "renaming qty (integer) to quantity with the type left empty, as the form allows (\"Optional: what the undo recreates\")",
                expect: Expect::Column("quantity", "integer"),
            }),
        },
        Change::DropColumn => Spec {
            request: request(change, "coupon_code", "", ""),
            versions: &[
                V1,
                Version {
                    name: "v2 (without coupon_code)",
                    queries: &[
                        "INSERT INTO orders (customer_email, qty, total_cents) VALUES ('new@example.com', 1, 500)",
                        "SELECT id, customer_email, qty, total_cents, status FROM orders WHERE id = 1",
                        UPDATE_V1,
                    ],
                    shared: None,
                },
            ],
            steps: &[
                // "Make it nullable first": the SQL runs, then the code rolls out.
                Step {
                    title: "Deploy code that no longer reads or writes the column",
                    code_first: false,
                    from: &[0],
                    to: &[1],
                },
                Step {
                    title: "Contract",
                    code_first: false,
                    from: &[1],
                    to: &[1],
                },
            ],
            value: "{n}",
            fill: None,
            after: &[],
            end: &[Expect::Column("coupon_code", "absent")],
            variant: None,
        },
        Change::ChangeColumnType => Spec {
            request: request(change, "total_cents", "bigint", ""),
            versions: &[
                Version {
                    shared: Some((
                        "UPDATE orders SET total_cents = {v} WHERE id = 1",
                        "SELECT total_cents FROM orders WHERE id = 1",
                    )),
                    ..V1
                },
                Version {
                    name: "v2 (writes total_cents and total_cents_new, reads total_cents)",
                    queries: &[
                        "INSERT INTO orders (customer_email, qty, total_cents, total_cents_new, coupon_code) VALUES ('new@example.com', 1, 500, 500, '')",
                        "SELECT id, total_cents FROM orders WHERE id = 1",
                        "UPDATE orders SET total_cents = 750, total_cents_new = 750 WHERE id = 2",
                    ],
                    shared: Some((
                        "UPDATE orders SET total_cents = {v}, total_cents_new = {v} WHERE id = 1",
                        "SELECT total_cents FROM orders WHERE id = 1",
                    )),
                },
                Version {
                    name: "v3 (reads and writes only the new column, total_cents_new)",
                    queries: &[
                        "INSERT INTO orders (customer_email, qty, total_cents_new, coupon_code) VALUES ('big@example.com', 1, 3000000000, '')",
                        "SELECT id, total_cents_new FROM orders WHERE id = 1",
                        "UPDATE orders SET total_cents_new = total_cents_new + 1 WHERE id = 2",
                    ],
                    shared: Some((
                        "UPDATE orders SET total_cents_new = {v} WHERE id = 1",
                        "SELECT total_cents_new FROM orders WHERE id = 1",
                    )),
                },
            ],
            // Its third phase goes on: "... Then swap the names".
            steps: COPY_TO_NEW_COLUMN,
            value: "{n}",
            fill: None,
            after: &[(
                2,
                Expect::Value(
                    "SELECT count(*) FROM orders WHERE total_cents_new IS DISTINCT FROM total_cents",
                    "0",
                ),
            )],
            end: &[
                Expect::Column("total_cents", "bigint not null"),
                Expect::Column("total_cents_new", "absent"),
                Expect::Column("total_cents_old", "absent"),
                Expect::Value("SELECT total_cents FROM orders WHERE id = 5", "4999"),
            ],
            variant: None,
        },
        Change::AddIndex => Spec {
            request: request(change, "customer_email", "", ""),
            versions: &[Version {
                queries: &[
                    INSERT_V1,
                    "SELECT id, status FROM orders WHERE customer_email = 'ada@example.com'",
                    UPDATE_V1,
                ],
                ..V1
            }],
            steps: &[Step {
                title: "Create the index concurrently",
                code_first: false,
                from: &[0],
                to: &[0],
            }],
            value: "{n}",
            fill: None,
            after: &[],
            end: &[Expect::Value(
                "SELECT coalesce((SELECT CASE WHEN indisvalid THEN 'valid' ELSE 'invalid' END FROM pg_index WHERE indexrelid = to_regclass('orders_customer_email_idx')), 'absent')",
                "valid",
            )],
            variant: None,
        },
    }
}

/// A migration tool and the preset service the planner picks it for.
struct Target {
    tool: &'static str,
    service: AppService,
}

/// A preset service for each migration tool the planner picks: the first that is not a static
/// site, and uses PostgreSQL if one does.
fn targets() -> Vec<Target> {
    let probe = request(Change::AddIndex, "customer_email", "", "");
    let mut found: Vec<(Target, (bool, bool))> = Vec::new();
    for preset in PRESETS {
        for service in preset.project().services {
            let Ok(plan) = plan(&service, &probe) else {
                continue;
            };
            let fit = (service.runtime != Runtime::Static, service.uses_postgres);
            match found.iter_mut().find(|(t, _)| t.tool == plan.tool) {
                Some(entry) if fit > entry.1 => {
                    *entry = (
                        Target {
                            tool: plan.tool,
                            service,
                        },
                        fit,
                    );
                }
                Some(_) => {}
                None => found.push((
                    Target {
                        tool: plan.tool,
                        service,
                    },
                    fit,
                )),
            }
        }
    }
    found.into_iter().map(|(target, _)| target).collect()
}

pub(super) fn cases(report: &mut Report, dir: &Path) -> Result<(), String> {
    let targets = targets();
    let mut names = Vec::new();
    for change in Change::ALL {
        for (index, target) in targets.iter().enumerate() {
            names.push((
                change,
                index,
                format!("migration {} ({})", change.id(), target.tool),
            ));
        }
    }
    if !names.iter().any(|(_, _, name)| report.wants(name)) {
        return Ok(());
    }
    // One server for the family; every case gets databases of its own.
    let mut server = Server::start(dir);
    let mut counted = 0;
    for (change, index, name) in names {
        report.case(&name, || {
            let server = server.as_mut().map_err(|e| e.clone())?;
            let mut outcome = Outcome::default();
            let result = case(server, change, &targets[index], &mut outcome);
            outcome.processes += server.processes - counted;
            counted = server.processes;
            result.map(|()| outcome)
        });
    }
    Ok(())
}

/// How a tool sends a migration's statements.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// BEGIN, the statements, COMMIT: Alembic's and Knex's default, Flyway's
    /// `executeInTransaction=true`.
    Transaction,
    /// Each statement committed on its own: Alembic's `autocommit_block()`, Flyway's
    /// `executeInTransaction=false` or a script it finds cannot run in a transaction.
    Autocommit,
    /// The whole text as one simple-protocol query: PostgreSQL runs several statements in one
    /// implicit transaction and a single one outside any (golang-migrate without
    /// `x-multi-statement`, `knex.raw` outside a transaction, `psql -c`).
    OneQuery,
}

/// The statements a migration file runs one way (up or down), as its tool sends them.
struct Unit {
    path: String,
    statements: Vec<String>,
    mode: Mode,
}

impl Unit {
    fn new(path: &str, sql: &str, mode: Mode) -> Unit {
        Unit {
            path: path.to_owned(),
            statements: split_sql(sql),
            mode,
        }
    }

    fn in_transaction(&self) -> bool {
        match self.mode {
            Mode::Transaction => true,
            Mode::Autocommit => false,
            Mode::OneQuery => self.statements.len() > 1,
        }
    }
}

struct Migration {
    up: Unit,
    down: Unit,
}

/// The migrations of a plan's SQL phases, read back from the files the way `tool` reads them.
fn migrations(tool: &str, plan: &Plan) -> Result<Vec<Migration>, String> {
    let count = plan
        .phases
        .iter()
        .filter(|p| !p.up.trim().is_empty())
        .count();
    (1..=count).map(|n| migration(tool, plan, n)).collect()
}

fn migration(tool: &str, plan: &Plan, n: usize) -> Result<Migration, String> {
    let name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_owned();
    let files: Vec<(&str, &str)> = plan
        .files
        .iter()
        .filter(|(path, _)| number(&name(path)) == Some(n))
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let find = |test: &dyn Fn(&str) -> bool, what: &str| {
        files
            .iter()
            .find(|(path, _)| test(&name(path)))
            .copied()
            .ok_or_else(|| {
                let paths: Vec<&str> = plan.files.iter().map(|(p, _)| p.as_str()).collect();
                format!("no {what} for migration {n} among {paths:?}")
            })
    };
    match tool {
        "Alembic" => {
            let (path, text) = find(&|f| f.ends_with(".py"), "Python file")?;
            let (upgrade, downgrade) = text
                .split_once("def downgrade()")
                .ok_or_else(|| format!("{path} has no downgrade()"))?;
            let unit = |part: &str| Unit {
                path: path.to_owned(),
                statements: python_statements(part),
                mode: if part.contains("autocommit_block()") {
                    Mode::Autocommit
                } else {
                    Mode::Transaction
                },
            };
            Ok(Migration {
                up: unit(upgrade),
                down: unit(downgrade),
            })
        }
        "Knex" => {
            let (path, text) = find(&|f| f.ends_with(".js"), "JavaScript file")?;
            let (up, down) = text
                .split_once("exports.down")
                .ok_or_else(|| format!("{path} has no exports.down"))?;
            let mode = if text.contains("transaction: false") {
                Mode::OneQuery
            } else {
                Mode::Transaction
            };
            let raw = |part: &str| part.split('`').nth(1).unwrap_or_default().to_owned();
            Ok(Migration {
                up: Unit::new(path, &raw(up), mode),
                down: Unit::new(path, &raw(down), mode),
            })
        }
        "golang-migrate" | "plain SQL files" => {
            // Plain files run as golang-migrate and `psql -c` run them: one query each.
            let (up_path, up) = find(&|f| f.ends_with(".up.sql"), "up file")?;
            let (down_path, down) = find(&|f| f.ends_with(".down.sql"), "down file")?;
            Ok(Migration {
                up: Unit::new(up_path, up, Mode::OneQuery),
                down: Unit::new(down_path, down, Mode::OneQuery),
            })
        }
        "Flyway" => {
            let sql = |f: &str| f.ends_with(".sql");
            let (up_path, up) = find(&|f| f.starts_with('V') && sql(f), "V file")?;
            let (down_path, down) = find(&|f| f.starts_with('U') && sql(f), "U file")?;
            let unit = |path: &str, text: &str| {
                let conf = plan
                    .files
                    .iter()
                    .find(|(p, _)| *p == format!("{path}.conf"))
                    .map(|(_, t)| t.as_str());
                let mut unit = Unit::new(path, text, Mode::Transaction);
                unit.mode = flyway_mode(&unit.statements, conf);
                unit
            };
            Ok(Migration {
                up: unit(up_path, up),
                down: unit(down_path, down),
            })
        }
        other => Err(format!(
            "verify has no model of how {other} runs a migration: add one to verify/migration.rs"
        )),
    }
}

/// The number a migration file's name starts with (`0002_…`, `000002_…`, `V2__…`, `U2__…`).
fn number(file: &str) -> Option<usize> {
    let digits: String = file
        .trim_start_matches(['V', 'U'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Flyway's choice: the script's `.conf` file if it sets `executeInTransaction`, otherwise a
/// transaction unless a statement cannot run in one (Flyway's PostgreSQL parser looks for
/// `CREATE|DROP [UNIQUE] INDEX CONCURRENTLY`, among others).
fn flyway_mode(statements: &[String], conf: Option<&str>) -> Mode {
    let set = conf.and_then(|c| {
        c.lines()
            .find_map(|l| l.trim().strip_prefix("executeInTransaction="))
    });
    match set.map(str::trim) {
        Some("false") => Mode::Autocommit,
        Some(_) => Mode::Transaction,
        None if statements.iter().any(|s| concurrent_index(s)) => Mode::Autocommit,
        None => Mode::Transaction,
    }
}

/// The SQL of each `op.execute("""…""")` in a part of an Alembic file.
fn python_statements(part: &str) -> Vec<String> {
    part.split("op.execute(\"\"\"")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("\"\"\")")
                .map(|(sql, _)| sql.trim().to_owned())
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Code,
    Comment,
    Literal,
}

/// Each character of SQL text with what it is part of, so that a `;` in a comment or a string
/// is not taken for the end of a statement.
fn sql_chars(text: &str) -> Vec<(char, Kind)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        let (end, kind) = match (chars[i], next) {
            ('-', Some('-')) => (
                (i..chars.len())
                    .find(|&j| chars[j] == '\n')
                    .unwrap_or(chars.len()),
                Kind::Comment,
            ),
            ('/', Some('*')) => (
                (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                    .map_or(chars.len(), |j| j + 2),
                Kind::Comment,
            ),
            ('\'', _) => (
                (i + 1..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .map_or(chars.len(), |j| j + 1),
                Kind::Literal,
            ),
            _ => (i + 1, Kind::Code),
        };
        out.extend(chars[i..end].iter().map(|&c| (c, kind)));
        i = end;
    }
    out
}

/// The statements of SQL text, without their `;`, leaving out those that are only comments.
fn split_sql(text: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut finish = |current: &mut String| {
        if !code(current).is_empty() {
            statements.push(current.trim().to_owned());
        }
        current.clear();
    };
    for (c, kind) in sql_chars(text) {
        if c == ';' && kind == Kind::Code {
            finish(&mut current);
        } else {
            current.push(c);
        }
    }
    finish(&mut current);
    statements
}

/// A statement without its comments, on one line: to compare, classify and show it.
fn code(statement: &str) -> String {
    let text: String = sql_chars(statement)
        .into_iter()
        .filter(|(_, kind)| *kind != Kind::Comment)
        .map(|(c, _)| c)
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn concurrent_index(statement: &str) -> bool {
    let code = code(statement).to_uppercase();
    [
        "CREATE INDEX CONCURRENTLY",
        "CREATE UNIQUE INDEX CONCURRENTLY",
        "DROP INDEX CONCURRENTLY",
    ]
    .iter()
    .any(|p| code.starts_with(p))
}

/// Whether a statement reads every row of the table (a scan, a rewrite, a batch copy): what
/// the running code must not be locked out of while it runs.
fn reads_every_row(statement: &str) -> bool {
    let code = code(statement).to_uppercase();
    code.starts_with("UPDATE")
        || code.starts_with("CREATE INDEX")
        || code.starts_with("CREATE UNIQUE INDEX")
        || code.contains("VALIDATE CONSTRAINT")
        || (code.contains("ALTER COLUMN") && code.contains(" TYPE "))
}

/// A batch copy: "repeat until no row is updated".
fn batch(statement: &str) -> bool {
    let code = code(statement).to_uppercase();
    code.starts_with("UPDATE") && code.contains(" LIMIT ")
}

fn column_sql(column: &str) -> String {
    format!(
        "SELECT coalesce((SELECT format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = '{column}' AND NOT attisdropped), 'absent')"
    )
}

/// The running versions, and where in the plan they run, for the checks made while a
/// migration is under way.
struct Watch<'a> {
    at: &'a str,
    running: &'a [usize],
    versions: &'a [Version],
}

fn case(
    server: &mut Server,
    change: Change,
    target: &Target,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let spec = spec(change);
    let plan = plan(&target.service, &spec.request)
        .map_err(|(input, why)| format!("the planner refuses the request ({input:?}): {why}"))?;
    let titles_match = plan.phases.len() == spec.steps.len()
        && plan
            .phases
            .iter()
            .zip(spec.steps)
            .all(|(phase, step)| phase.title.contains(step.title));
    outcome.check(titles_match, || {
        let titles: Vec<&str> = plan.phases.iter().map(|p| p.title.as_str()).collect();
        format!(
            "the plan's phases changed: {titles:?}; update what verify/migration.rs expects of them"
        )
    });
    if !titles_match {
        return Ok(());
    }
    let Some(units) = phase_migrations(target.tool, &plan, outcome) else {
        return Ok(());
    };
    let label = format!("{}_{}", change.id(), target.tool);
    let run = Run {
        spec: &spec,
        plan: &plan,
        units: &units,
        label: &label,
    };
    let (db, snapshots) = forward(&run, server, outcome)?;
    undo(&run, server, db, &snapshots, outcome)?;
    interrupted_index_builds(&run, server, outcome)?;
    if let Some(variant) = &spec.variant {
        check_variant(server, &spec, variant, target, &label, outcome)?;
    }
    Ok(())
}

/// One case's plan, its migrations (one per phase, `None` for a phase without SQL) and what it
/// expects.
struct Run<'a> {
    spec: &'a Spec,
    plan: &'a Plan,
    units: &'a [Option<Migration>],
    label: &'a str,
}

/// The migration of each phase with SQL, read back from the tool's files; they must run what
/// the phase says.
fn phase_migrations(
    tool: &str,
    plan: &Plan,
    outcome: &mut Outcome,
) -> Option<Vec<Option<Migration>>> {
    let mut files = match migrations(tool, plan) {
        Ok(m) => m.into_iter(),
        Err(why) => {
            outcome.check(false, || why);
            return None;
        }
    };
    let mut units = Vec::new();
    for (k, phase) in plan.phases.iter().enumerate() {
        if phase.up.trim().is_empty() {
            units.push(None);
            continue;
        }
        let Some(m) = files.next() else {
            outcome.check(false, || format!("phase {}: no migration file", k + 1));
            return None;
        };
        for (unit, sql, way) in [(&m.up, &phase.up, "up"), (&m.down, &phase.down, "down")] {
            let want: Vec<String> = split_sql(sql).iter().map(|s| code(s)).collect();
            let got: Vec<String> = unit.statements.iter().map(|s| code(s)).collect();
            outcome.check(got == want, || {
                format!(
                    "phase {} {way}: {} runs {got:?}, the plan says {want:?}",
                    k + 1,
                    unit.path
                )
            });
        }
        units.push(Some(m));
    }
    Some(units)
}

/// Every phase in order, with the running versions' queries around its SQL. Returns the
/// database and its schema before the first phase and after each phase applied.
fn forward(
    run: &Run,
    server: &mut Server,
    outcome: &mut Outcome,
) -> Result<(Db, Vec<Vec<String>>), String> {
    let spec = run.spec;
    let mut db = server.create(run.label, spec)?;
    let mut snapshots = vec![db.schema()?];
    let mut counter = 0;
    run_versions(
        &mut db,
        spec,
        spec.steps[0].from,
        "before the change",
        outcome,
    );
    for (k, phase) in run.plan.phases.iter().enumerate() {
        let step = &spec.steps[k];
        let at = format!("phase {} ({})", k + 1, phase.title);
        let rollout = union(step.from, step.to);
        let rolls = step.from != step.to;
        if step.code_first && rolls {
            let at = format!("{at}, old and new code side by side before its SQL");
            side_by_side(&mut db, spec, &rollout, &at, &mut counter, outcome);
        }
        if let Some(m) = &run.units[k] {
            let running = if step.code_first { step.to } else { step.from };
            let watch = Watch {
                at: &at,
                running,
                versions: spec.versions,
            };
            if let Some((placeholder, _)) = spec.fill
                && m.up.statements.iter().any(|s| s.contains(placeholder))
            {
                // Left as written, the placeholder may refuse to run, but must not run forever.
                let as_written = migrate(&mut db, &m.up, None, None, outcome);
                let endless = matches!(&as_written, Err(e) if e.starts_with(ENDLESS));
                outcome.check(!endless, || {
                    format!(
                        "{at}, as written (placeholder {placeholder} not yet replaced): {}",
                        as_written.clone().unwrap_err()
                    )
                });
            }
            let result = migrate(&mut db, &m.up, spec.fill, Some(&watch), outcome);
            outcome.check(result.is_ok(), || {
                format!("{at}: {}", result.clone().unwrap_err())
            });
            if result.is_err() {
                return Ok((db, snapshots));
            }
        }
        if !step.code_first && rolls {
            let at = format!("{at}, old and new code side by side after its SQL");
            side_by_side(&mut db, spec, &rollout, &at, &mut counter, outcome);
        } else {
            run_versions(&mut db, spec, step.to, &format!("{at}, after it"), outcome);
        }
        for (_, expect) in spec.after.iter().filter(|(n, _)| *n == k + 1) {
            check_value(&mut db, expect, &format!("{at}, after it"), outcome);
        }
        snapshots.push(db.schema()?);
    }
    for expect in spec.end {
        check_value(&mut db, expect, "after the last phase", outcome);
    }
    Ok((db, snapshots))
}

/// Each applied phase's undo, last first, must bring back the schema from before that phase,
/// and the versions that ran then must work again. Where it cannot (the plan says so, or a
/// check failed), the next undo starts from a database rebuilt up to the phase before.
fn undo(
    run: &Run,
    server: &mut Server,
    mut db: Db,
    snapshots: &[Vec<String>],
    outcome: &mut Outcome,
) -> Result<(), String> {
    let spec = run.spec;
    for index in (0..snapshots.len() - 1).rev() {
        let Some(m) = &run.units[index] else {
            continue;
        };
        let step = &spec.steps[index];
        let at = format!(
            "undo of phase {} ({})",
            index + 1,
            run.plan.phases[index].title
        );
        let running = if step.code_first { step.to } else { step.from };
        let watch = Watch {
            at: &at,
            running,
            versions: spec.versions,
        };
        let result = migrate(&mut db, &m.down, spec.fill, Some(&watch), outcome);
        outcome.check(result.is_ok(), || {
            format!("{at}: {}", result.clone().unwrap_err())
        });
        let mut back = false;
        if result.is_ok() {
            let now = db.schema()?;
            // A down migration of comments only is the plan saying there is no undo.
            let declared = m.down.statements.is_empty();
            back = now == snapshots[index];
            if back {
                let before = if step.code_first {
                    union(step.from, step.to)
                } else {
                    step.from.to_vec()
                };
                run_versions(&mut db, spec, &before, &format!("{at}, after it"), outcome);
            } else if !declared {
                outcome.check(false, || {
                    format!(
                        "{at}: the schema is not what it was before phase {}: {}",
                        index + 1,
                        difference(&snapshots[index], &now)
                    )
                });
            }
        }
        if !back && run.units[..index].iter().any(Option::is_some) {
            server.drop(db);
            db = match replay(server, spec, &run.units[..index], run.label) {
                Ok(db) => db,
                Err(why) => {
                    outcome.check(false, || {
                        format!("cannot rebuild the state before phase {}: {why}", index + 1)
                    });
                    return Ok(());
                }
            };
        }
    }
    server.drop(db);
    Ok(())
}

/// A concurrent index build that was interrupted (a deploy's deadline, a cancelled job) leaves
/// an invalid index behind; the migration run again may fail, but must not report success and
/// leave the index invalid.
fn interrupted_index_builds(
    run: &Run,
    server: &mut Server,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let spec = run.spec;
    for (index, m) in run.units.iter().enumerate() {
        let Some(m) = m else { continue };
        if !m.up.statements.iter().any(|s| concurrent_index(s)) {
            continue;
        }
        let at = format!(
            "phase {} ({}) run again after an interrupted run",
            index + 1,
            run.plan.phases[index].title
        );
        let mut db = replay(server, spec, &run.units[..index], run.label)?;
        let writer = spec.versions[spec.steps[index].from[0]].queries[0];
        db.request.run("BEGIN", ANSWER_LIMIT)?;
        db.request.run(writer, ANSWER_LIMIT)?;
        db.migrator
            .run("SET statement_timeout = '1s'", ANSWER_LIMIT)?;
        let first = migrate(&mut db, &m.up, spec.fill, None, outcome);
        db.request.run("COMMIT", ANSWER_LIMIT)?;
        db.migrator.run("RESET statement_timeout", ANSWER_LIMIT)?;
        if let Err(stopped) = first {
            let again = migrate(&mut db, &m.up, spec.fill, None, outcome);
            let now = db.schema()?;
            let invalid: Vec<&String> = now.iter().filter(|l| l.ends_with("(invalid)")).collect();
            outcome.check(again.is_err() || invalid.is_empty(), || {
                let skips = m
                    .up
                    .statements
                    .iter()
                    .any(|s| code(s).to_uppercase().contains("IF NOT EXISTS"));
                format!(
                    "{at}: it reports success but leaves {invalid:?}; the first run stopped while it waited for a transaction ({stopped}){}",
                    if skips {
                        ", and `IF NOT EXISTS` skips the invalid index it left instead of building it"
                    } else {
                        ""
                    }
                )
            });
        }
        server.drop(db);
    }
    Ok(())
}

/// The variant request's first phase, as the tool runs it, must leave what it expects.
fn check_variant(
    server: &mut Server,
    spec: &Spec,
    variant: &Variant,
    target: &Target,
    label: &str,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let plan = plan(&target.service, &variant.request)
        .map_err(|(input, why)| format!("the planner refuses the variant ({input:?}): {why}"))?;
    let first = migrations(target.tool, &plan)?
        .into_iter()
        .next()
        .ok_or("the variant's plan has no migration")?;
    let mut db = server.create(label, spec)?;
    let at = format!("{}, phase 1 ({})", variant.why, plan.phases[0].title);
    let result = migrate(&mut db, &first.up, None, None, outcome);
    outcome.check(result.is_ok(), || {
        format!("{at}: {}", result.clone().unwrap_err())
    });
    check_value(&mut db, &variant.expect, &at, outcome);
    server.drop(db);
    Ok(())
}

fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut all = a.to_vec();
    all.extend(b.iter().filter(|v| !a.contains(v)));
    all
}

fn difference(before: &[String], now: &[String]) -> String {
    let gone: Vec<&String> = before.iter().filter(|l| !now.contains(l)).collect();
    let new: Vec<&String> = now.iter().filter(|l| !before.contains(l)).collect();
    format!("before {gone:?}, now {new:?}")
}

/// A database in the state after `done` phases, built from the before state.
fn replay(
    server: &mut Server,
    spec: &Spec,
    done: &[Option<Migration>],
    label: &str,
) -> Result<Db, String> {
    let mut db = server.create(label, spec)?;
    let mut ignored = Outcome::default();
    for (n, m) in done.iter().enumerate() {
        if let Some(m) = m {
            migrate(&mut db, &m.up, spec.fill, None, &mut ignored)
                .map_err(|e| format!("phase {}: {e}", n + 1))?;
        }
    }
    Ok(db)
}

/// Runs a migration as its tool would, and a batch copy again until it updates nothing.
fn migrate(
    db: &mut Db,
    unit: &Unit,
    fill: Option<(&str, &str)>,
    watch: Option<&Watch>,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let statements: Vec<String> = unit
        .statements
        .iter()
        .map(|s| match fill {
            Some((placeholder, value)) => s.replace(placeholder, value),
            None => s.clone(),
        })
        .collect();
    let mut updated = run_unit(db, unit, &statements, watch, outcome)?;
    if !statements.iter().any(|s| batch(s)) {
        return Ok(());
    }
    for _ in 1..MAX_BATCHES {
        if updated == 0 {
            return Ok(());
        }
        updated = run_unit(db, unit, &statements, None, outcome)?;
    }
    if updated == 0 {
        Ok(())
    } else {
        Err(format!(
            "{ENDLESS}, as the plan says, it still updates {updated} rows after {MAX_BATCHES} runs: it never ends"
        ))
    }
}

/// Sends a migration's statements the way its tool does; returns the rows UPDATEs changed.
fn run_unit(
    db: &mut Db,
    unit: &Unit,
    statements: &[String],
    watch: Option<&Watch>,
    outcome: &mut Outcome,
) -> Result<u64, String> {
    let in_transaction = unit.in_transaction();
    let mut updated = 0;
    if in_transaction {
        db.migrator.run("BEGIN", ANSWER_LIMIT)?;
    }
    for (i, statement) in statements.iter().enumerate() {
        let shown = code(statement);
        if let Some(watch) = watch
            && in_transaction
            && i > 0
            && reads_every_row(statement)
        {
            let at = format!(
                "{}: before `{shown}`, in the transaction {} runs it in",
                watch.at, unit.path
            );
            requests(db, watch, &at, outcome);
        }
        let result = match watch {
            Some(watch) if !in_transaction && concurrent_index(statement) => {
                concurrently(db, statement, watch, outcome)
            }
            _ => db.migrator.run(&format!("{statement};"), ANSWER_LIMIT),
        };
        match result {
            Ok(lines) => {
                updated += lines
                    .iter()
                    .filter_map(|l| l.strip_prefix("UPDATE ")?.trim().parse::<u64>().ok())
                    .sum::<u64>();
            }
            Err(e) => {
                if in_transaction {
                    let _ = db.migrator.run("ROLLBACK", ANSWER_LIMIT);
                }
                return Err(format!("`{shown}` ({}) fails: {e}", unit.path));
            }
        }
    }
    if in_transaction {
        db.migrator
            .run("COMMIT", ANSWER_LIMIT)
            .map_err(|e| format!("COMMIT ({}) fails: {e}", unit.path))?;
    }
    Ok(updated)
}

/// Runs a statement that waits for open transactions (an index built or dropped
/// CONCURRENTLY) while a request of a running version holds one open: the running versions
/// must go on reading and writing while it waits.
fn concurrently(
    db: &mut Db,
    statement: &str,
    watch: &Watch,
    outcome: &mut Outcome,
) -> Result<Vec<String>, String> {
    let writer = watch.versions[watch.running[0]].queries[0];
    db.request.run("BEGIN", ANSWER_LIMIT)?;
    db.request.run(writer, ANSWER_LIMIT)?;
    db.migrator.send(&format!("{statement};"))?;
    let early = db.migrator.poll(WAIT_SEEN);
    outcome.check(early.as_ref().is_none_or(Result::is_err), || {
        format!(
            "{}: `{}` did not wait for a request's open transaction, so whether requests go on while it waits was not seen",
            watch.at,
            code(statement)
        )
    });
    if early.is_none() {
        let at = format!(
            "{}: while `{}` waits for a request's open transaction",
            watch.at,
            code(statement)
        );
        requests(db, watch, &at, outcome);
    }
    let committed = db.request.run("COMMIT", ANSWER_LIMIT);
    let result = match early {
        Some(result) => result,
        None => db.migrator.poll(ANSWER_LIMIT).unwrap_or_else(|| {
            Err(format!(
                "no answer within {} s after the request's transaction ended",
                ANSWER_LIMIT.as_secs()
            ))
        }),
    };
    committed?;
    result
}

/// The running versions' queries, each allowed to wait only briefly for a lock.
fn requests(db: &mut Db, watch: &Watch, at: &str, outcome: &mut Outcome) {
    for &v in watch.running {
        let version = &watch.versions[v];
        let pod = &mut db.pods[v];
        let limited = pod.run(
            &format!("SET lock_timeout = '{REQUEST_LOCK_LIMIT}'"),
            ANSWER_LIMIT,
        );
        for query in version.queries {
            let result = limited.clone().and_then(|_| pod.run(query, ANSWER_LIMIT));
            outcome.check(result.is_ok(), || {
                format!(
                    "{at}: {} `{query}` is held up: {}",
                    version.name,
                    result.clone().unwrap_err()
                )
            });
        }
        let _ = pod.run("RESET lock_timeout", ANSWER_LIMIT);
    }
}

/// Each version's queries must succeed.
fn run_versions(db: &mut Db, spec: &Spec, versions: &[usize], at: &str, outcome: &mut Outcome) {
    for &v in versions {
        let version = &spec.versions[v];
        for query in version.queries {
            let result = db.pods[v].run(query, ANSWER_LIMIT);
            outcome.check(result.is_ok(), || {
                format!(
                    "{at}: {} `{query}` fails: {}",
                    version.name,
                    result.clone().unwrap_err()
                )
            });
        }
    }
}

/// Versions serving side by side: each one's queries succeed, and what one writes, the
/// others read.
fn side_by_side(
    db: &mut Db,
    spec: &Spec,
    versions: &[usize],
    at: &str,
    counter: &mut u32,
    outcome: &mut Outcome,
) {
    run_versions(db, spec, versions, at, outcome);
    for &writer in versions {
        for &reader in versions {
            let (Some((write, _)), Some((_, read))) =
                (spec.versions[writer].shared, spec.versions[reader].shared)
            else {
                continue;
            };
            if writer == reader {
                continue;
            }
            *counter += 1;
            let value = spec.value.replace("{n}", &(100 + *counter).to_string());
            let wrote = db.pods[writer].run(&write.replace("{v}", &value), ANSWER_LIMIT);
            let read = wrote.and_then(|_| db.pods[reader].run(read, ANSWER_LIMIT));
            let read = read.map(|lines| lines.join(" "));
            let (writer, reader) = (spec.versions[writer].name, spec.versions[reader].name);
            outcome.check(read.as_deref() == Ok(value.as_str()), || match &read {
                Ok(got) => {
                    format!("{at}: {writer} writes {value} for order 1, {reader} reads {got}")
                }
                Err(e) => format!("{at}: {writer} writes order 1 and {reader} reads it back: {e}"),
            });
        }
    }
}

fn check_value(db: &mut Db, expect: &Expect, at: &str, outcome: &mut Outcome) {
    let (sql, want, what) = match expect {
        Expect::Column(column, want) => (column_sql(column), *want, format!("column {column}")),
        Expect::Value(sql, want) => ((*sql).to_owned(), *want, format!("`{sql}`")),
    };
    let got = db.migrator.run(&sql, ANSWER_LIMIT).map(|l| l.join(" "));
    outcome.check(got.as_deref() == Ok(want), || match &got {
        Ok(got) => format!("{at}: {what} is {got}, expected {want}"),
        Err(e) => format!("{at}: {what}: {e}"),
    });
}

/// The case family's PostgreSQL, and a session in its `postgres` database to create and drop
/// the cases' databases.
struct Server {
    psql: PathBuf,
    port: u16,
    admin: Session,
    databases: usize,
    processes: usize,
    // Last, so the sessions end before the server stops.
    _postgres: Postgres,
}

impl Server {
    fn start(dir: &Path) -> Result<Server, String> {
        let postgres = Postgres::start(dir)?;
        let psql = psql_program();
        let admin = Session::open(&psql, postgres.port, "postgres", "verify-admin")?;
        Ok(Server {
            psql,
            port: postgres.port,
            admin,
            databases: 0,
            // initdb, postgres, the psql that made `app`, and the admin session.
            processes: 4,
            _postgres: postgres,
        })
    }

    fn session(&mut self, database: &str, name: &str) -> Result<Session, String> {
        self.processes += 1;
        Session::open(&self.psql, self.port, database, name)
    }

    /// A new database with the before state, a session for the migrations, one per version (its
    /// pods), and one for a request that stays open.
    fn create(&mut self, label: &str, spec: &Spec) -> Result<Db, String> {
        self.databases += 1;
        let name: String = format!("m{}_{label}", self.databases)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(63)
            .collect();
        self.admin
            .run(&format!("CREATE DATABASE {name}"), ANSWER_LIMIT)
            .map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
        let mut migrator = self.session(&name, "migration")?;
        migrator
            .run(BEFORE, ANSWER_LIMIT)
            .map_err(|e| format!("the before state: {e}"))?;
        let request = self.session(&name, "request")?;
        let pods = (0..spec.versions.len())
            .map(|v| self.session(&name, &format!("pod-v{}", v + 1)))
            .collect::<Result<_, _>>()?;
        Ok(Db {
            name,
            migrator,
            request,
            pods,
        })
    }

    fn drop(&mut self, db: Db) {
        let name = db.name.clone();
        drop(db);
        let _ = self.admin.run(
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ANSWER_LIMIT,
        );
    }
}

/// The newest psql of Debian's PostgreSQL packages (services.rs made sure they are installed).
fn psql_program() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let psql = entry.path().join("bin/psql");
            psql.is_file().then_some((version, psql))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map_or_else(|| PathBuf::from("psql"), |(_, psql)| psql)
}

/// One case's database and the sessions that use it.
struct Db {
    name: String,
    migrator: Session,
    /// A request of a running version that keeps its transaction open.
    request: Session,
    /// One session per version, as its pods' connections.
    pods: Vec<Session>,
}

impl Db {
    fn schema(&mut self) -> Result<Vec<String>, String> {
        self.migrator
            .run(SCHEMA, ANSWER_LIMIT)
            .map_err(|e| format!("cannot read the schema: {e}"))
    }
}

/// What psql prints after each statement a session sends, to know where its answer ends.
const MARK: &str = "<<verify-migration ";

/// A psql process kept open, as an application keeps its connection: statements go in on
/// standard input, and what psql prints (rows, command tags, errors) comes back up to a mark.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    sent: u64,
    busy: bool,
    /// What psql printed so far for the statement in flight.
    partial: Vec<String>,
}

impl Session {
    fn open(psql: &Path, port: u16, database: &str, name: &str) -> Result<Session, String> {
        let (reader, writer) = std::io::pipe().map_err(|e| format!("cannot make a pipe: {e}"))?;
        let errors = writer
            .try_clone()
            .map_err(|e| format!("cannot make a pipe: {e}"))?;
        // The Command holds the pipe's writing ends; it is dropped at the end of the statement,
        // so the reader sees the end when psql exits.
        let mut child = Command::new(psql)
            .args(["-X", "-A", "-t", "-h", "127.0.0.1", "-U", "app", "-p"])
            .arg(port.to_string())
            .args(["-d", database])
            .env("PGAPPNAME", name)
            .env("PGCONNECT_TIMEOUT", "5")
            .env(
                "PGOPTIONS",
                format!(
                    "-c statement_timeout={}s -c lock_timeout={}s",
                    STATEMENT_LIMIT.as_secs(),
                    STATEMENT_LIMIT.as_secs() / 2
                ),
            )
            .stdin(Stdio::piped())
            .stdout(writer)
            .stderr(errors)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start psql: {e}"))?;
        let stdin = child.stdin.take();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                if sender.send(text).is_err() {
                    break;
                }
                line.clear();
            }
        });
        let mut session = Session {
            child,
            stdin,
            lines,
            sent: 0,
            busy: false,
            partial: Vec::new(),
        };
        session
            .run("SELECT 1", ANSWER_LIMIT)
            .map_err(|e| format!("psql cannot connect to {database}: {e}"))?;
        Ok(session)
    }

    fn send(&mut self, sql: &str) -> Result<(), String> {
        if self.busy {
            return Err("the session is still busy with an earlier statement".into());
        }
        self.sent += 1;
        let text = format!("{sql}\n;\n\\echo {MARK}{}\n", self.sent);
        let stdin = self.stdin.as_mut().ok_or("the session is closed")?;
        stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("cannot write to psql: {e}"))?;
        self.busy = true;
        Ok(())
    }

    /// The answer to the statement sent last, if it comes within `limit`: the lines psql
    /// printed (without notices), or its error.
    fn poll(&mut self, limit: Duration) -> Option<Result<Vec<String>, String>> {
        let mark = format!("{MARK}{}", self.sent);
        let deadline = Instant::now() + limit;
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) if line == mark => break,
                Ok(line) => self.partial.push(line),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    self.busy = false;
                    let printed = std::mem::take(&mut self.partial).join(" | ");
                    return Some(Err(format!("psql ended: {printed}")));
                }
            }
        }
        self.busy = false;
        let lines = std::mem::take(&mut self.partial);
        let failed = lines
            .iter()
            .any(|l| l.contains("ERROR:") || l.contains("FATAL:"));
        if failed {
            let message: Vec<&str> = lines
                .iter()
                .filter_map(|l| {
                    ["ERROR:", "FATAL:", "DETAIL:", "HINT:"]
                        .iter()
                        .find_map(|k| l.find(k))
                        .map(|at| l[at..].trim())
                })
                .collect();
            Some(Err(message.join(" ")))
        } else {
            Some(Ok(lines
                .into_iter()
                .filter(|l| !l.contains("NOTICE:") && !l.contains("WARNING:"))
                .collect()))
        }
    }

    fn run(&mut self, sql: &str, limit: Duration) -> Result<Vec<String>, String> {
        self.send(sql)?;
        self.poll(limit)
            .unwrap_or_else(|| Err(format!("no answer within {} s", limit.as_secs())))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // psql ends at the end of its input; one still busy is stopped.
        self.stdin = None;
        for _ in 0..20 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        crate::run::stop(&mut self.child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_semicolons_outside_comments_and_strings() {
        let sql = "-- Repeat until none; then stop\nUPDATE t SET a = 'x;y' /* ; */\nWHERE b;\n-- only a comment\n";
        assert_eq!(
            split_sql(sql),
            vec!["-- Repeat until none; then stop\nUPDATE t SET a = 'x;y' /* ; */\nWHERE b"]
        );
        assert_eq!(code(&split_sql(sql)[0]), "UPDATE t SET a = 'x;y' WHERE b");
        assert!(split_sql("-- No undo: nothing to do.\n").is_empty());
    }

    #[test]
    fn every_tool_of_the_presets_has_a_model() {
        let targets = targets();
        assert!(
            targets.len() >= 5,
            "{:?}",
            targets.iter().map(|t| t.tool).collect::<Vec<_>>()
        );
        for target in &targets {
            for change in Change::ALL {
                let plan = plan(&target.service, &spec(change).request).unwrap();
                let migrations = migrations(target.tool, &plan).unwrap();
                assert!(!migrations.is_empty(), "{} {}", target.tool, change.id());
            }
        }
    }

    #[test]
    fn flyway_runs_a_concurrent_index_outside_a_transaction_unless_told_otherwise() {
        let statements = split_sql("DROP INDEX CONCURRENTLY IF EXISTS x;\n");
        assert_eq!(flyway_mode(&statements, None), Mode::Autocommit);
        assert_eq!(
            flyway_mode(&statements, Some("executeInTransaction=true\n")),
            Mode::Transaction
        );
        let statements = split_sql("ALTER TABLE t ADD COLUMN c text;\n");
        assert_eq!(flyway_mode(&statements, None), Mode::Transaction);
    }
}
