//! Saved settings as YAML: written by the CLI and the app, read back with every problem
//! reported at its line and column, and older schema versions migrated.

use std::fmt;

use super::project::{Project, SCHEMA_VERSION};
use super::validate::FieldError;

/// Why settings could not be loaded.
#[derive(Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Not YAML, an unknown key, or a value of the wrong type, at a position when known.
    Syntax {
        message: String,
        line: Option<usize>,
        column: Option<usize>,
    },
    /// A schema version this build does not know.
    Version(String),
    /// The file is well formed, but values fail field validation.
    Invalid(Vec<FieldError>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Syntax {
                message,
                line: Some(line),
                column: Some(column),
            } => {
                write!(f, "line {line}, column {column}: {message}")
            }
            LoadError::Syntax { message, .. } => write!(f, "{message}"),
            LoadError::Version(message) => write!(f, "{message}"),
            LoadError::Invalid(errors) => {
                writeln!(f, "{} invalid value(s):", errors.len())?;
                for error in errors {
                    writeln!(f, "  {error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads settings written by any Shipshape version and checks every value. JSON is YAML too,
/// so this reads the settings JSON older share links hold as well.
pub fn from_yaml(text: &str) -> Result<Project, LoadError> {
    let documents = crate::rules::yaml::parse(text).map_err(|error| LoadError::Syntax {
        message: error.message,
        line: Some(error.line),
        column: Some(error.column),
    })?;
    let root = match documents.as_slice() {
        [root] => root,
        [] => {
            return Err(LoadError::Version(
                "the file is empty: is this a Shipshape settings file?".into(),
            ));
        }
        [_, second, ..] => {
            return Err(LoadError::Syntax {
                message: "settings are one YAML document; this is the start of a second".into(),
                line: Some(second.line),
                column: Some(second.column),
            });
        }
    };
    // The version first, on its own, so a newer file is refused for its version rather than
    // for a field this build does not know.
    check_version(root.get("schema_version").map(|v| v.as_u64()))?;
    validated(super::read::project(root)?)
}

/// Accepts the current schema version. Older versions are migrated here as the schema
/// evolves; version 1 is the first, so there is nothing to migrate yet.
fn check_version(version: Option<Option<u64>>) -> Result<(), LoadError> {
    let Some(version) = version else {
        return Err(LoadError::Version(
            "missing `schema_version`: is this a Shipshape settings file?".into(),
        ));
    };
    match version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => Ok(()),
        Some(v) if v > u64::from(SCHEMA_VERSION) => Err(LoadError::Version(format!(
            "schema_version {v} was written by a newer Shipshape; this one reads up to {SCHEMA_VERSION}"
        ))),
        _ => Err(LoadError::Version(format!(
            "schema_version must be a whole number from 1 to {SCHEMA_VERSION}"
        ))),
    }
}

fn validated(project: Project) -> Result<Project, LoadError> {
    let errors = project.validate();
    if errors.is_empty() {
        Ok(project)
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// The settings as YAML, in the order of the form: what the CLI writes, the app saves and
/// exports, and a share link compresses.
pub fn to_yaml(project: &Project) -> String {
    crate::yaml::to_string(project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    #[test]
    fn every_preset_round_trips() {
        for preset in PRESETS {
            let project = preset.project();
            let text = to_yaml(&project);
            assert_eq!(from_yaml(&text), Ok(project), "{}:\n{text}", preset.name);
        }
    }

    #[test]
    fn the_checklist_travels_with_the_settings_and_only_names_its_items() {
        let mut project = PRESETS[0].project();
        assert!(
            !to_yaml(&project).contains("checklist"),
            "omitted while empty"
        );
        project.toggle_check("health");
        project.toggle_check("migrations");
        project.toggle_check("record");
        project.toggle_check("health");
        assert_eq!(
            project.checklist,
            ["migrations", "record"],
            "in checklist order"
        );
        project.toggle_check("no-such-item");
        assert_eq!(project.checklist, ["migrations", "record"]);
        let text = to_yaml(&project);
        assert!(
            text.contains("checklist:\n  - migrations\n  - record\n"),
            "{text}"
        );
        assert_eq!(from_yaml(&text), Ok(project.clone()));
        let link = crate::model::share::encode(&project);
        assert_eq!(crate::model::share::decode(&link), Ok(project));

        let typo = text.replace("  - record", "  - recrod");
        match from_yaml(&typo) {
            Err(LoadError::Syntax {
                message,
                line: Some(line),
                ..
            }) => {
                assert!(message.contains("`recrod`"), "{message}");
                assert_eq!(typo.lines().nth(line - 1), Some("  - recrod"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_key_is_reported_with_its_position() {
        let text =
            to_yaml(&Project::default()).replace("\nrepository:", "\ncolour: blue\nrepository:");
        match from_yaml(&text) {
            Err(LoadError::Syntax {
                message,
                line: Some(line),
                column: Some(_),
            }) => {
                assert!(message.contains("unknown field `colour`"), "{message}");
                assert_eq!(text.lines().nth(line - 1), Some("colour: blue"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_is_reported_with_its_position() {
        let text = to_yaml(&Project::default()).replace("port: 3000", "port: lots");
        let error = from_yaml(&text).unwrap_err();
        assert!(
            matches!(error, LoadError::Syntax { line: Some(_), .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "line 19, column 11: services[0].port: expected a whole number, found `lots`"
        );
    }

    #[test]
    fn an_invalid_value_is_reported_per_field() {
        let text = to_yaml(&Project::default()).replace("name: api", "name: Not_A_Label");
        match from_yaml(&text) {
            Err(LoadError::Invalid(errors)) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].field.path(), "services[0].name");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn versions_are_checked() {
        let text = to_yaml(&Project::default());
        let newer = text.replace("schema_version: 1", "schema_version: 99");
        assert!(matches!(from_yaml(&newer), Err(LoadError::Version(m)) if m.contains("newer")));
        let missing = text.replace("schema_version: 1\n", "");
        assert!(matches!(from_yaml(&missing), Err(LoadError::Version(m)) if m.contains("missing")));
    }
}
