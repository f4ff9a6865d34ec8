//! The zero-downtime migration planner. A schema change that old code cannot live with (a NOT
//! NULL column the running version does not write, a renamed column it still reads) breaks
//! the rolling update in which old and new pods serve side by side. The planner says whether a
//! change is backward compatible and, where it is not, splits it into expand, migrate and
//! contract phases, each safe to deploy on its own, with PostgreSQL for each step and its
//! undo, and a migration file skeleton for the service's migration tool.

use crate::model::{AppService, Runtime};

/// The schema changes the planner knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    AddNullableColumn,
    AddNotNullColumn,
    RenameColumn,
    DropColumn,
    ChangeColumnType,
    AddIndex,
}

impl Change {
    pub const ALL: [Change; 6] = [
        Change::AddNullableColumn,
        Change::AddNotNullColumn,
        Change::RenameColumn,
        Change::DropColumn,
        Change::ChangeColumnType,
        Change::AddIndex,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Change::AddNullableColumn => "add-nullable-column",
            Change::AddNotNullColumn => "add-not-null-column",
            Change::RenameColumn => "rename-column",
            Change::DropColumn => "drop-column",
            Change::ChangeColumnType => "change-column-type",
            Change::AddIndex => "add-index",
        }
    }

    pub fn from_id(id: &str) -> Option<Change> {
        Change::ALL.into_iter().find(|c| c.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Change::AddNullableColumn => "Add a nullable column",
            Change::AddNotNullColumn => "Add a NOT NULL column",
            Change::RenameColumn => "Rename a column",
            Change::DropColumn => "Drop a column",
            Change::ChangeColumnType => "Change a column's type",
            Change::AddIndex => "Add an index",
        }
    }

    /// Whether the change needs the column's type (the new type, for a change of type).
    pub fn needs_type(self) -> bool {
        matches!(
            self,
            Change::AddNullableColumn | Change::AddNotNullColumn | Change::ChangeColumnType
        )
    }
}

/// The part of a [`Request`] a refusal is about, so a form can say it next to that input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Table,
    Column,
    Type,
    NewName,
}

/// What to change: the table and column, and for some changes a new name or type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub change: Change,
    pub table: String,
    pub column: String,
    /// The column's type (add, change type) as PostgreSQL writes it, e.g. `text`, `bigint`.
    pub column_type: String,
    /// The new name, for a rename.
    pub new_name: String,
}

/// One deployable step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    pub title: String,
    pub why: String,
    /// SQL to run, or empty for a code-only step.
    pub up: String,
    pub down: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub backward_compatible: bool,
    pub summary: String,
    pub phases: Vec<Phase>,
    /// The migration tool the service uses, and the files of the first SQL phase for it.
    pub tool: &'static str,
    pub files: Vec<(String, String)>,
}

impl Plan {
    /// The whole plan as text: the verdict, each phase with its SQL and undo, then the
    /// migration files of `service`. The CLI prints it and the app shows it.
    pub fn text(&self, service: &str) -> String {
        let mut out = String::new();
        out.push_str(if self.backward_compatible {
            "Backward compatible."
        } else {
            "Not backward compatible: deploy it in phases."
        });
        for part in ["\n", &self.summary, "\n\n"] {
            out.push_str(part);
        }
        for phase in &self.phases {
            for part in ["## ", &phase.title, "\n", &phase.why, "\n"] {
                out.push_str(part);
            }
            for (label, sql) in [("\nUp:\n", &phase.up), ("\nDown:\n", &phase.down)] {
                if !sql.is_empty() {
                    out.push_str(label);
                    out.push_str(sql.trim_end());
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        for part in ["# Migration files for ", service, " (", self.tool, ")\n\n"] {
            out.push_str(part);
        }
        for (path, text) in &self.files {
            for part in ["--- ", path, "\n", text.trim_end(), "\n\n"] {
                out.push_str(part);
            }
        }
        out
    }
}

/// A PostgreSQL identifier the plan may write unquoted: lowercase letters, digits and
/// underscores, starting with a letter or underscore, at most 63 bytes.
fn identifier(what: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} {name:?}: use lowercase letters, digits and underscores (at most 63), starting with a letter."
        ))
    }
}

/// A PostgreSQL type name: letters, digits, spaces, parentheses and commas, e.g.
/// `numeric(10, 2)` or `timestamp with time zone`.
fn type_name(name: &str) -> Result<(), String> {
    let ok = !name.trim().is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '(' | ')' | ',' | '_'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Type {name:?}: write a PostgreSQL type such as text, bigint or numeric(10, 2)."
        ))
    }
}

/// The plan for `request` on a service, or which input cannot be planned and why.
pub fn plan(service: &AppService, request: &Request) -> Result<Plan, (Input, String)> {
    let Request {
        change,
        table,
        column,
        column_type,
        new_name,
    } = request;
    identifier("Table", table).map_err(|m| (Input::Table, m))?;
    identifier("Column", column).map_err(|m| (Input::Column, m))?;
    // Where the type is optional (the undo of a rename or drop), one that is given is still
    // checked: it goes into the SQL as written.
    if change.needs_type() || !column_type.is_empty() {
        type_name(column_type).map_err(|m| (Input::Type, m))?;
    }
    if *change == Change::RenameColumn {
        identifier("New name", new_name).map_err(|m| (Input::NewName, m))?;
    }
    let (backward_compatible, summary, steps) = steps(*change);
    // The templates name the request's parts in braces; see `fill`.
    let fill = |template: &str| {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            match name {
                "table" => out.push_str(table),
                "column" => out.push_str(column),
                "type" => out.push_str(type_or(column_type)),
                "new" => out.push_str(new_name),
                _ => out.push_str(&rest[open..=open + close]),
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    };
    let phases: Vec<Phase> = steps
        .iter()
        .map(|&[title, why, up, down]| Phase {
            title: title.into(),
            why: why.into(),
            up: fill(up),
            down: fill(down),
        })
        .collect();
    // One migration per phase with SQL, numbered and chained in order.
    let name = format!("{}_{table}_{column}", change.id().replace('-', "_"));
    let mut files = Vec::new();
    let sql_phases = phases.iter().filter(|p| !p.up.is_empty());
    for (n, phase) in sql_phases.enumerate() {
        files.extend(skeleton(
            service,
            &name,
            n + 1,
            phase,
            *change == Change::AddIndex,
        ));
    }
    let tool = Tool::of(service).name();
    Ok(Plan {
        backward_compatible,
        summary: summary.into(),
        phases,
        tool,
        files,
    })
}

/// Each phase as title, why, SQL up and SQL down, with `{table}`, `{column}`, `{type}` and
/// `{new}` standing for the request's parts.
type Step = [&'static str; 4];

/// Whether a change is backward compatible, the summary, and its phases.
fn steps(change: Change) -> (bool, &'static str, &'static [Step]) {
    match change {
        Change::AddNullableColumn => (
            true,
            "Backward compatible: old code does not know the column and does not need to.",
            &[[
                "Add the column",
                "A nullable column without a default is a catalog change: no rewrite, no long lock.",
                "ALTER TABLE {table} ADD COLUMN {column} {type};\n",
                "ALTER TABLE {table} DROP COLUMN {column};\n",
            ]],
        ),
        Change::AddNotNullColumn => (
            false,
            "Not backward compatible in one step: the running version inserts rows without the column, and NOT NULL would refuse them. Expand, migrate, then contract.",
            &[
                [
                    "1. Expand: add the column, nullable",
                    "Old pods keep inserting without it; nothing is refused.",
                    "ALTER TABLE {table} ADD COLUMN {column} {type};\n",
                    "ALTER TABLE {table} DROP COLUMN {column};\n",
                ],
                [
                    "2. Deploy code that writes the column, then backfill",
                    "Once every pod writes it, fill the old rows in batches so no lock is held for long.",
                    "-- Repeat until no row is updated; set the value your code would have written.\nUPDATE {table} SET {column} = /* value */ NULL\nWHERE ctid IN (SELECT ctid FROM {table} WHERE {column} IS NULL LIMIT 10000);\n",
                    "-- No undo: the filled values are harmless to keep.\n",
                ],
                [
                    "3. Contract: require the column",
                    "A CHECK added NOT VALID takes no long lock; validating it scans without blocking writes, and lets SET NOT NULL skip its own scan.",
                    "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_not_null CHECK ({column} IS NOT NULL) NOT VALID;\nALTER TABLE {table} VALIDATE CONSTRAINT {table}_{column}_not_null;\nALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;\nALTER TABLE {table} DROP CONSTRAINT {table}_{column}_not_null;\n",
                    "ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;\n",
                ],
            ],
        ),
        Change::RenameColumn => (
            false,
            "Not backward compatible: the running version reads and writes the old name. Add the new column, write both, move reads, then drop the old.",
            &[
                [
                    "1. Expand: add the new column",
                    "Nothing reads it yet.",
                    "ALTER TABLE {table} ADD COLUMN {new} {type};\n",
                    "ALTER TABLE {table} DROP COLUMN {new};\n",
                ],
                [
                    "2. Deploy code that writes both columns, then copy",
                    "New rows get both; old rows are copied in batches.",
                    "UPDATE {table} SET {new} = {column}\nWHERE ctid IN (SELECT ctid FROM {table} WHERE {new} IS DISTINCT FROM {column} LIMIT 10000);\n",
                    "-- No undo: the copied values are harmless to keep.\n",
                ],
                [
                    "3. Deploy code that reads and writes only the new column",
                    "The old column is now unused by every running pod.",
                    "",
                    "",
                ],
                [
                    "4. Contract: drop the old column",
                    "Only after no running version reads it.",
                    "ALTER TABLE {table} DROP COLUMN {column};\n",
                    "ALTER TABLE {table} ADD COLUMN {column} {type};\n",
                ],
            ],
        ),
        Change::DropColumn => (
            false,
            "Not backward compatible while any running version reads the column. Stop using it, then drop it.",
            &[
                [
                    "1. Deploy code that no longer reads or writes the column",
                    "Make it nullable first if it is NOT NULL, so the new code's inserts succeed.",
                    "ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;\n",
                    "-- No undo: NOT NULL would fail on the rows written without the column since.\n",
                ],
                [
                    "2. Contract: drop the column",
                    "The data is gone after this; the undo brings the column back empty.",
                    "ALTER TABLE {table} DROP COLUMN {column};\n",
                    "ALTER TABLE {table} ADD COLUMN {column} {type};\n",
                ],
            ],
        ),
        Change::ChangeColumnType => (
            false,
            "Not backward compatible: changing the type rewrites the table under an exclusive lock, and old code may not read the new type. Add a column of the new type, write both, move reads, drop the old.",
            &[
                [
                    "1. Expand: add a column of the new type",
                    "No rewrite of the existing table.",
                    "ALTER TABLE {table} ADD COLUMN {column}_new {type};\n",
                    "ALTER TABLE {table} DROP COLUMN {column}_new;\n",
                ],
                [
                    "2. Deploy code that writes both, then convert old rows",
                    "In batches, so no lock is held for long.",
                    "UPDATE {table} SET {column}_new = {column}::{type}\nWHERE ctid IN (SELECT ctid FROM {table} WHERE {column}_new IS NULL AND {column} IS NOT NULL LIMIT 10000);\n",
                    "-- No undo: the converted values are harmless to keep.\n",
                ],
                [
                    "3. Deploy code that reads and writes only the new column",
                    "Then swap the names, both in one migration: the tools run each in one transaction.",
                    "ALTER TABLE {table} RENAME COLUMN {column} TO {column}_old;\nALTER TABLE {table} RENAME COLUMN {column}_new TO {column};\n",
                    "ALTER TABLE {table} RENAME COLUMN {column} TO {column}_new;\nALTER TABLE {table} RENAME COLUMN {column}_old TO {column};\n",
                ],
                [
                    "4. Contract: drop the old column",
                    "Only after no running version reads it.",
                    "ALTER TABLE {table} DROP COLUMN {column}_old;\n",
                    "-- No undo: the old column's values are gone.\n",
                ],
            ],
        ),
        Change::AddIndex => (
            true,
            "Backward compatible: old code does not notice an index. Build it CONCURRENTLY so writes go on meanwhile.",
            &[[
                "Create the index concurrently",
                "CONCURRENTLY cannot run inside a transaction: the migration must opt out of the tool's transaction. An interrupted build leaves an invalid index: undo, then run it again.",
                "CREATE INDEX CONCURRENTLY {table}_{column}_idx ON {table} ({column});\n",
                "DROP INDEX CONCURRENTLY IF EXISTS {table}_{column}_idx;\n",
            ]],
        ),
    }
}

fn type_or(column_type: &str) -> &str {
    if column_type.trim().is_empty() {
        "text"
    } else {
        column_type
    }
}

/// The migration tool a service's runtime usually has.
#[derive(Clone, Copy)]
enum Tool {
    Alembic,
    Knex,
    GolangMigrate,
    Flyway,
    PlainSql,
}

impl Tool {
    fn of(service: &AppService) -> Tool {
        match service.runtime {
            Runtime::Python => Tool::Alembic,
            Runtime::Node | Runtime::Static => Tool::Knex,
            Runtime::Go => Tool::GolangMigrate,
            Runtime::Java => Tool::Flyway,
            _ => Tool::PlainSql,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tool::Alembic => "Alembic",
            Tool::Knex => "Knex",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Flyway => "Flyway",
            Tool::PlainSql => "plain SQL files",
        }
    }
}

/// How a service's image runs its migration tool: the stage the tool comes from, the lines of
/// the runtime stage that put the tool and the migrations in the image, the command the
/// migration Job runs (exec form: Kubernetes expands `$(DATABASE_URL)`) and the shell command
/// that undoes the last migration in a running container.
pub struct Runner {
    pub tool: &'static str,
    pub stage: &'static str,
    pub copy: &'static str,
    pub up: &'static [&'static str],
    pub undo: &'static str,
}

/// golang-migrate's CLI, a static binary from its official image at a pinned version: it runs
/// the numbered `.up.sql`/`.down.sql` files the planner writes for Go and plain SQL.
const MIGRATE_STAGE: &str = "# golang-migrate's CLI, a static binary, from its pinned official image.\n\
                             FROM migrate/migrate:v4.19.0 AS migrate\n\n";
const MIGRATE_COPY: &str = "COPY --from=migrate /usr/local/bin/migrate /usr/local/bin/migrate\n\
                            COPY --from=build /src/migrations ./migrations\n";
const MIGRATE_UP: &[&str] = &[
    "migrate",
    "-path",
    "migrations",
    "-database",
    "$(DATABASE_URL)",
    "up",
];
const MIGRATE_UNDO: &str = "migrate -path migrations -database \"$DATABASE_URL\" down 1";

/// The runner of the service's migration tool (see [`Runner`]).
pub fn runner(service: &AppService) -> Runner {
    let (tool, stage, copy, up, undo): (_, _, _, &'static [&'static str], _) = match service.runtime
    {
        Runtime::Python => (
            "Alembic",
            "",
            "COPY --from=build --chown=10001:10001 /app/alembic.ini ./\n\
             COPY --from=build --chown=10001:10001 /app/migrations ./migrations\n",
            &["alembic", "upgrade", "head"],
            "alembic downgrade -1",
        ),
        Runtime::Node | Runtime::Static => (
            "Knex",
            "",
            "COPY --from=build --chown=10001:10001 /app/knexfile.js ./\n\
             COPY --from=build --chown=10001:10001 /app/migrations ./migrations\n",
            &["node_modules/.bin/knex", "migrate:latest"],
            "node_modules/.bin/knex migrate:rollback",
        ),
        Runtime::Java => (
            "Flyway",
            "# Flyway's command line, from its pinned official image.\n\
             FROM flyway/flyway:11-alpine AS flyway\n\n",
            "COPY --from=flyway /flyway /flyway\n\
             COPY --from=build /src/src/main/resources/db/migration ./db/migration\n",
            &[
                "java",
                "-cp",
                "/flyway/lib/*:/flyway/lib/flyway/*:/flyway/drivers/*",
                "org.flywaydb.commandline.Main",
                "-url=$(DATABASE_URL)",
                "-locations=filesystem:db/migration",
                "migrate",
            ],
            // Flyway's launcher script needs bash, which the JRE image lacks: the image's own JVM
            // runs its main class and expands the class path's wildcards itself. Undo runs the
            // U files, which needs a Flyway Teams licence (FLYWAY_LICENSE_KEY).
            concat!(
                "java -cp \"/flyway/lib/*:/flyway/lib/flyway/*:/flyway/drivers/*\" org.flywaydb.commandline.Main",
                " -url=\"$DATABASE_URL\" -locations=filesystem:db/migration undo"
            ),
        ),
        Runtime::Ruby => (
            "Rails",
            "",
            "",
            &["bin/rails", "db:migrate"],
            "bin/rails db:rollback STEP=1",
        ),
        Runtime::Php => (
            "Laravel",
            "",
            "",
            &["php", "artisan", "migrate", "--force"],
            "php artisan migrate:rollback --step=1 --force",
        ),
        Runtime::Go | Runtime::Rust | Runtime::Dotnet => (
            Tool::of(service).name(),
            MIGRATE_STAGE,
            MIGRATE_COPY,
            MIGRATE_UP,
            MIGRATE_UNDO,
        ),
    };
    Runner {
        tool,
        stage,
        copy,
        up,
        undo,
    }
}

/// The migration files for the phase, in the service's tool, with its undo.
fn skeleton(
    service: &AppService,
    name: &str,
    number: usize,
    phase: &Phase,
    no_transaction: bool,
) -> Vec<(String, String)> {
    let folder = service.folder_prefix();
    let revision = format!("{number:04}_{name}");
    let previous = if number > 1 {
        format!("\"{}\"", revision_id(number - 1, name))
    } else {
        "None  # set to the current head".to_owned()
    };
    let indent =
        |sql: &str, by: &str| -> String { sql.lines().map(|l| format!("{by}{l}\n")).collect() };
    match Tool::of(service) {
        Tool::Alembic => vec![(
            format!("{folder}migrations/versions/{revision}.py"),
            format!(
                "\"\"\"{title}\"\"\"\nfrom alembic import op\n\nrevision = \"{id}\"\ndown_revision = {previous}\n\n\ndef upgrade() -> None:\n{ctx}{up}\n\ndef downgrade() -> None:\n{ctx}{down}",
                title = phase.title,
                id = revision_id(number, name),
                ctx = if no_transaction {
                    "    with op.get_context().autocommit_block():\n"
                } else {
                    ""
                },
                up = python_sql(&phase.up, no_transaction),
                down = python_sql(&phase.down, no_transaction),
            ),
        )],
        Tool::Knex => vec![(
            format!("{folder}migrations/{revision}.js"),
            format!(
                "// {title}\n{config}exports.up = async (knex) => {{\n  await knex.raw(`\n{up}  `);\n}};\n\nexports.down = async (knex) => {{\n  await knex.raw(`\n{down}  `);\n}};\n",
                title = phase.title,
                config = if no_transaction {
                    "exports.config = { transaction: false };\n\n"
                } else {
                    ""
                },
                up = indent(&phase.up, "    "),
                down = indent(&phase.down, "    "),
            ),
        )],
        Tool::GolangMigrate => vec![
            (
                format!("{folder}migrations/{number:06}_{name}.up.sql"),
                format!("-- {}\n{}", phase.title, phase.up),
            ),
            (
                format!("{folder}migrations/{number:06}_{name}.down.sql"),
                phase.down.clone(),
            ),
        ],
        Tool::Flyway => vec![
            (
                format!("{folder}src/main/resources/db/migration/V{number}__{name}.sql"),
                format!("-- {}\n{}", phase.title, phase.up),
            ),
            (
                format!("{folder}src/main/resources/db/migration/U{number}__{name}.sql"),
                format!(
                    "-- Undo (Flyway Teams runs U files; otherwise run by hand)\n{}",
                    phase.down
                ),
            ),
            (
                format!("{folder}src/main/resources/db/migration/V{number}__{name}.sql.conf"),
                format!("executeInTransaction={}\n", !no_transaction),
            ),
        ],
        Tool::PlainSql => vec![
            (
                format!("{folder}migrations/{revision}.up.sql"),
                format!("-- {}\n{}", phase.title, phase.up),
            ),
            (
                format!("{folder}migrations/{revision}.down.sql"),
                phase.down.clone(),
            ),
        ],
    }
}

/// A migration's id: its number and name, cut to the 32 characters of Alembic's
/// `alembic_version` column, which refuses a longer one when the migration runs.
fn revision_id(number: usize, name: &str) -> String {
    let id = format!("{number:04}_{name}");
    if id.len() <= 32 {
        return id;
    }
    // The start to read, and a hash of the whole so that two cut alike stay apart.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in id.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    format!("{}_{hash:08x}", &id[..23])
}

/// SQL as Alembic `op.execute` calls, one per statement.
fn python_sql(sql: &str, nested: bool) -> String {
    let pad = if nested { "        " } else { "    " };
    let mut out = String::new();
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        // Comment lines become Python comments; the rest is one op.execute.
        let (comments, code): (Vec<&str>, Vec<&str>) =
            statement.lines().partition(|l| l.starts_with("--"));
        for comment in comments {
            out.push_str(&format!("{pad}# {}\n", comment.trim_start_matches("-- ")));
        }
        if !code.is_empty() {
            out.push_str(&format!(
                "{pad}op.execute(\"\"\"{}\"\"\")\n",
                code.join("\n")
            ));
        }
    }
    if !out.contains("op.execute") {
        out.push_str(&format!("{pad}pass\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Runtime, preset};

    fn request(change: Change) -> Request {
        Request {
            change,
            table: "users".into(),
            column: "email".into(),
            column_type: "text".into(),
            new_name: "email_address".into(),
        }
    }

    /// Every change for a service of each tool, as a whole plan: reviewed like code.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn plans_for_every_change_and_tool() {
        let mut out = String::new();
        for runtime in [
            Runtime::Python,
            Runtime::Node,
            Runtime::Go,
            Runtime::Java,
            Runtime::Rust,
        ] {
            let service = AppService::new("api", "api", runtime);
            for change in Change::ALL {
                let plan = plan(&service, &request(change)).unwrap();
                out.push_str(&format!(
                    "=== {} / {} ({}) compatible: {}\n{}\n",
                    runtime.id(),
                    change.id(),
                    plan.tool,
                    plan.backward_compatible,
                    plan.summary
                ));
                for phase in &plan.phases {
                    out.push_str(&format!(
                        "--- {}\n{}\nup:\n{}down:\n{}",
                        phase.title, phase.why, phase.up, phase.down
                    ));
                }
                for (path, text) in &plan.files {
                    out.push_str(&format!("+++ {path}\n{text}"));
                }
            }
        }
        insta::assert_snapshot!(out);
    }

    /// The Alembic skeletons are Python that compiles.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn alembic_files_compile() {
        let service = AppService::new("api", ".", Runtime::Python);
        let dir = std::env::temp_dir().join(format!("shipshape-alembic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut paths = Vec::new();
        for change in Change::ALL {
            for (i, (_, text)) in plan(&service, &request(change))
                .unwrap()
                .files
                .iter()
                .enumerate()
            {
                let path = dir.join(format!("{}_{i}.py", change.id().replace('-', "_")));
                std::fs::write(&path, text).unwrap();
                paths.push(path);
            }
        }
        let status = std::process::Command::new("python3")
            .args(["-m", "py_compile"])
            .args(&paths)
            .status()
            .expect("python3 runs (the validators need it too)");
        assert!(status.success());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_additions_and_indexes_are_compatible_in_one_step() {
        let service = &preset("go-api").unwrap().project().services[0];
        for change in Change::ALL {
            let compatible = plan(service, &request(change)).unwrap().backward_compatible;
            assert_eq!(
                compatible,
                matches!(change, Change::AddNullableColumn | Change::AddIndex),
                "{change:?}"
            );
        }
    }

    #[test]
    fn a_not_null_column_takes_three_phases_each_with_its_undo_where_it_has_sql() {
        let service = AppService::new("api", ".", Runtime::Python);
        let plan = plan(&service, &request(Change::AddNotNullColumn)).unwrap();
        assert_eq!(plan.phases.len(), 3);
        assert!(plan.phases[0].up.contains("ADD COLUMN email text;"));
        assert!(!plan.phases[0].up.contains("NOT NULL"));
        assert!(plan.phases[2].up.contains("SET NOT NULL"));
        assert!(plan.phases[2].down.contains("DROP NOT NULL"));
        let (path, text) = &plan.files[0];
        assert!(path.starts_with("migrations/versions/"), "{path}");
        assert!(text.contains("def downgrade()"));
    }

    #[test]
    fn names_that_could_break_the_sql_are_refused() {
        let service = AppService::new("api", ".", Runtime::Go);
        for (table, column, column_type) in [
            ("users; DROP TABLE x", "email", "text"),
            ("users", "Email", "text"),
            ("users", "1st", "text"),
            ("users", "email", "text); DROP TABLE users; --"),
            ("", "email", "text"),
        ] {
            for change in Change::ALL {
                let request = Request {
                    change,
                    table: table.into(),
                    column: column.into(),
                    column_type: column_type.into(),
                    new_name: "email_address".into(),
                };
                let (input, message) = plan(&service, &request).unwrap_err();
                let named = match input {
                    Input::Table => "Table",
                    Input::Column => "Column",
                    Input::Type => "Type",
                    Input::NewName => "New name",
                };
                assert!(message.starts_with(named), "{input:?}: {message}");
            }
        }
    }
}
