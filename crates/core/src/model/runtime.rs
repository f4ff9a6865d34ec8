//! The languages and platforms a service can be built with, and what each one needs to know:
//! the versions on offer, the package managers, and sensible default commands.

use serde::Serialize;

/// What the service is written in; decides the build stages, the CI steps and the runtime image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    #[default]
    Node,
    Python,
    Go,
    Java,
    Rust,
    Dotnet,
    Ruby,
    Php,
    /// A static frontend (HTML, JS, CSS) built with Node.js and served by nginx.
    Static,
}

/// How dependencies are declared and installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageManager {
    Npm,
    Pnpm,
    Yarn,
    Pip,
    Poetry,
    Uv,
    GoModules,
    Maven,
    Gradle,
    Cargo,
    Nuget,
    Bundler,
    Composer,
}

impl Runtime {
    /// Every runtime, in the order the form lists them.
    pub const ALL: [Runtime; 9] = [
        Runtime::Node,
        Runtime::Python,
        Runtime::Go,
        Runtime::Java,
        Runtime::Rust,
        Runtime::Dotnet,
        Runtime::Ruby,
        Runtime::Php,
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
            Runtime::Dotnet => "dotnet",
            Runtime::Ruby => "ruby",
            Runtime::Php => "php",
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
            Runtime::Dotnet => ".NET",
            Runtime::Ruby => "Ruby",
            Runtime::Php => "PHP",
            Runtime::Static => "Static site (nginx)",
        }
    }

    pub fn from_id(id: &str) -> Option<Runtime> {
        Runtime::ALL.into_iter().find(|runtime| runtime.id() == id)
    }

    /// Versions with maintained official images today, newest last; the default is listed.
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Runtime::Node | Runtime::Static => &["22", "24", "26"],
            Runtime::Python => &["3.12", "3.13", "3.14"],
            Runtime::Go => &["1.25", "1.26"],
            Runtime::Java => &["21", "25"],
            Runtime::Rust => &["1.95"],
            Runtime::Dotnet => &["8.0", "10.0"],
            Runtime::Ruby => &["3.3", "3.4"],
            Runtime::Php => &["8.3", "8.4"],
        }
    }

    pub fn default_version(self) -> &'static str {
        match self {
            Runtime::Node | Runtime::Static => "24",
            Runtime::Python => "3.13",
            Runtime::Go => "1.25",
            Runtime::Java => "25",
            Runtime::Rust => "1.95",
            Runtime::Dotnet => "10.0",
            Runtime::Ruby => "3.4",
            Runtime::Php => "8.4",
        }
    }

    /// Package managers that work with this runtime; the first is the default.
    pub fn package_managers(self) -> &'static [PackageManager] {
        use PackageManager::*;
        match self {
            Runtime::Node | Runtime::Static => &[Npm, Pnpm, Yarn],
            Runtime::Python => &[Pip, Poetry, Uv],
            Runtime::Go => &[GoModules],
            Runtime::Java => &[Maven, Gradle],
            Runtime::Rust => &[Cargo],
            Runtime::Dotnet => &[Nuget],
            Runtime::Ruby => &[Bundler],
            Runtime::Php => &[Composer],
        }
    }

    /// The port frameworks of this runtime listen on out of the box.
    pub fn default_port(self) -> u16 {
        match self {
            Runtime::Node => 3000,
            Runtime::Python => 8000,
            Runtime::Ruby => 3000,
            Runtime::Go
            | Runtime::Java
            | Runtime::Rust
            | Runtime::Dotnet
            | Runtime::Php
            | Runtime::Static => 8080,
        }
    }

    /// Whether the service is built by Node.js tooling (a frontend served by nginx is).
    pub fn uses_node_tooling(self) -> bool {
        matches!(self, Runtime::Node | Runtime::Static)
    }
}

impl PackageManager {
    pub const ALL: [PackageManager; 13] = [
        PackageManager::Npm,
        PackageManager::Pnpm,
        PackageManager::Yarn,
        PackageManager::Pip,
        PackageManager::Poetry,
        PackageManager::Uv,
        PackageManager::GoModules,
        PackageManager::Maven,
        PackageManager::Gradle,
        PackageManager::Cargo,
        PackageManager::Nuget,
        PackageManager::Bundler,
        PackageManager::Composer,
    ];

    pub fn id(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Yarn => "yarn",
            PackageManager::Pip => "pip",
            PackageManager::Poetry => "poetry",
            PackageManager::Uv => "uv",
            PackageManager::GoModules => "go-modules",
            PackageManager::Maven => "maven",
            PackageManager::Gradle => "gradle",
            PackageManager::Cargo => "cargo",
            PackageManager::Nuget => "nuget",
            PackageManager::Bundler => "bundler",
            PackageManager::Composer => "composer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PackageManager::GoModules => "Go modules",
            PackageManager::Nuget => "NuGet",
            PackageManager::Maven => "Maven",
            PackageManager::Gradle => "Gradle",
            PackageManager::Poetry => "Poetry",
            PackageManager::Bundler => "Bundler",
            PackageManager::Composer => "Composer",
            PackageManager::Cargo => "Cargo",
            other => other.id(),
        }
    }

    pub fn from_id(id: &str) -> Option<PackageManager> {
        PackageManager::ALL.into_iter().find(|pm| pm.id() == id)
    }

    /// The files that pin dependencies: copied first in the Dockerfile, hashed for CI caches.
    pub fn manifests(self) -> &'static [&'static str] {
        match self {
            PackageManager::Npm => &["package.json", "package-lock.json"],
            PackageManager::Pnpm => &["package.json", "pnpm-lock.yaml"],
            PackageManager::Yarn => &["package.json", "yarn.lock"],
            PackageManager::Pip => &["requirements.txt"],
            PackageManager::Poetry => &["pyproject.toml", "poetry.lock"],
            PackageManager::Uv => &["pyproject.toml", "uv.lock"],
            PackageManager::GoModules => &["go.mod", "go.sum"],
            PackageManager::Maven => &["pom.xml"],
            PackageManager::Gradle => &[
                "build.gradle.kts",
                "settings.gradle.kts",
                "gradle.properties",
            ],
            PackageManager::Cargo => &["Cargo.toml", "Cargo.lock"],
            PackageManager::Nuget => &["*.csproj", "packages.lock.json"],
            PackageManager::Bundler => &["Gemfile", "Gemfile.lock"],
            PackageManager::Composer => &["composer.json", "composer.lock"],
        }
    }

    /// The file whose hash keys the dependency cache.
    pub fn lockfile(self) -> &'static str {
        match self {
            PackageManager::Pip | PackageManager::Maven => self.manifests()[0],
            PackageManager::Gradle => "build.gradle.kts",
            PackageManager::Nuget => "packages.lock.json",
            _ => self.manifests()[1],
        }
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
        for pm in PackageManager::ALL {
            assert_eq!(PackageManager::from_id(pm.id()), Some(pm));
        }
        let mut ids: Vec<_> = Runtime::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Runtime::ALL.len());
        assert_eq!(Runtime::from_id("cobol"), None);
    }

    #[test]
    fn serde_names_match_ids() {
        for runtime in Runtime::ALL {
            let json = serde_json::to_string(&runtime).unwrap();
            assert_eq!(json, format!("\"{}\"", runtime.id()));
        }
        for pm in PackageManager::ALL {
            assert_eq!(
                serde_json::to_string(&pm).unwrap(),
                format!("\"{}\"", pm.id())
            );
        }
    }

    #[test]
    fn every_runtime_offers_its_default_version_and_a_package_manager() {
        for runtime in Runtime::ALL {
            assert!(
                runtime.versions().contains(&runtime.default_version()),
                "{runtime:?}"
            );
            assert!(!runtime.package_managers().is_empty(), "{runtime:?}");
        }
    }
}
