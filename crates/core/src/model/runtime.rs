//! The languages and platforms a service can be built with.

use serde::{Deserialize, Serialize};

/// What the service is written in; decides the build stages and the runtime image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    #[default]
    Node,
    Python,
    Go,
    Java,
    Rust,
    /// A static frontend (HTML, JS, CSS) served by nginx.
    Static,
}

impl Runtime {
    /// Every runtime, in the order the form lists them.
    pub const ALL: [Runtime; 6] = [
        Runtime::Node,
        Runtime::Python,
        Runtime::Go,
        Runtime::Java,
        Runtime::Rust,
        Runtime::Static,
    ];

    /// Stable identifier, used in saved settings and in the form's `<option value>`.
    pub fn id(self) -> &'static str {
        match self {
            Runtime::Node => "node",
            Runtime::Python => "python",
            Runtime::Go => "go",
            Runtime::Java => "java",
            Runtime::Rust => "rust",
            Runtime::Static => "static",
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Runtime::Node => "Node.js",
            Runtime::Python => "Python",
            Runtime::Go => "Go",
            Runtime::Java => "Java",
            Runtime::Rust => "Rust",
            Runtime::Static => "Static site (nginx)",
        }
    }

    pub fn from_id(id: &str) -> Option<Runtime> {
        Runtime::ALL.into_iter().find(|runtime| runtime.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for runtime in Runtime::ALL {
            assert_eq!(Runtime::from_id(runtime.id()), Some(runtime));
        }
        let mut ids: Vec<_> = Runtime::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Runtime::ALL.len());
        assert_eq!(Runtime::from_id("cobol"), None);
    }
}
