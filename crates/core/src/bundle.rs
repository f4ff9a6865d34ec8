//! The bundle: every file generated for one set of settings, in a stable order.

/// One generated file, addressed by its path inside the user's repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
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
        files.sort_by(|a, b| a.path.cmp(&b.path));
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
        GeneratedFile {
            path: path.into(),
            contents: format!("contents of {path}"),
        }
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
