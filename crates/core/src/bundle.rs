//! The bundle: every file generated for one set of settings, in a stable order.

use crate::rules::{hcl, yaml};

/// One generated file, addressed by its path inside the user's repository.
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
    /// What the generator wrote `contents` from, with positions, so the rules need not parse
    /// it again. Only the generator sets it; a clone (which may be edited) goes without.
    pub(crate) tree: Option<Tree>,
}

/// The structure of a generated file, as the rules' parsers would read it from the text.
#[derive(Debug, PartialEq)]
pub(crate) enum Tree {
    Yaml(Vec<yaml::Node>),
    Hcl(Vec<hcl::Item>),
}

impl GeneratedFile {
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
            tree: None,
        }
    }

    pub(crate) fn with_tree(path: String, contents: String, tree: Tree) -> GeneratedFile {
        GeneratedFile {
            path,
            contents,
            tree: Some(tree),
        }
    }
}

impl GeneratedFile {
    /// Whether the tree the generator handed over is exactly what the rules' parser reads from
    /// the text (true when there is none). For tests: the rules trust the tree.
    #[doc(hidden)]
    pub fn tree_matches_text(&self) -> Result<(), String> {
        let differs = |parsed: String| {
            Err(format!(
                "{}: the generator's tree is not what the text reads as
{parsed}",
                self.path
            ))
        };
        match &self.tree {
            None => Ok(()),
            Some(Tree::Yaml(documents)) => match yaml::parse(&self.contents) {
                Ok(parsed) if parsed == *documents => Ok(()),
                parsed => differs(format!("{parsed:?}")),
            },
            Some(Tree::Hcl(items)) => match hcl::parse(&self.contents) {
                Ok(parsed) if parsed == *items => Ok(()),
                parsed => differs(format!("{parsed:?}")),
            },
        }
    }
}

impl Clone for GeneratedFile {
    fn clone(&self) -> Self {
        GeneratedFile::new(self.path.clone(), self.contents.clone())
    }
}

/// Files are equal when their paths and text are: the tree only follows from the text.
impl PartialEq for GeneratedFile {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.contents == other.contents
    }
}

impl Eq for GeneratedFile {}

impl std::fmt::Debug for GeneratedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedFile")
            .field("path", &self.path)
            .field("contents", &self.contents)
            .finish_non_exhaustive()
    }
}

/// All generated files, sorted by path so output is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bundle {
    files: Vec<GeneratedFile>,
    /// The file a reader should see first.
    first: String,
}

impl Bundle {
    /// Collects `files`; `first` names the one a reader should see first.
    pub fn new(mut files: Vec<GeneratedFile>, first: &str) -> Self {
        crate::order::sort_by(&mut files, |a, b| a.path.cmp(&b.path));
        debug_assert!(
            files.windows(2).all(|pair| pair[0].path != pair[1].path),
            "two generators wrote the same path"
        );
        debug_assert!(
            files.iter().any(|f| f.path == first),
            "{first} is not in the bundle"
        );
        Bundle {
            files,
            first: first.to_owned(),
        }
    }

    /// The file to open first: the one that matters most for these settings.
    pub fn first(&self) -> Option<&GeneratedFile> {
        self.get(&self.first).or_else(|| self.files.first())
    }

    pub fn files(&self) -> &[GeneratedFile] {
        &self.files
    }

    pub fn get(&self, path: &str) -> Option<&GeneratedFile> {
        self.files
            .binary_search_by(|file| file.path.as_str().cmp(path))
            .ok()
            .map(|index| &self.files[index])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> GeneratedFile {
        GeneratedFile::new(path, format!("contents of {path}"))
    }

    #[test]
    fn files_are_sorted_and_found_by_path() {
        let bundle = Bundle::new(
            vec![file("b/Dockerfile"), file(".dockerignore"), file("a")],
            "b/Dockerfile",
        );
        let paths: Vec<_> = bundle.files().iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [".dockerignore", "a", "b/Dockerfile"]);
        assert_eq!(
            bundle.get("b/Dockerfile").unwrap().contents,
            "contents of b/Dockerfile"
        );
        assert_eq!(bundle.get("missing"), None);
        assert_eq!(bundle.first().unwrap().path, "b/Dockerfile");
    }
}
