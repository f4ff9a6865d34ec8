//! Issue 11: saved settings and share links never lose work. Every settings file an earlier
//! version wrote still opens (one fixture per preset per schema version), and any project a
//! user can make by editing fields comes back unchanged from the settings file and the link.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::cases;
use proptest::prelude::*;
use shipshape_core::model::{CHECKLIST, PRESETS, SCHEMA_VERSION, from_yaml, share, to_yaml};

/// The settings of every preset as version 1 wrote them (`shipshape settings --preset X`).
/// Keep these files as they are; when the schema moves on, add the new version's beside them.
#[test]
fn every_saved_version_still_opens() {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/settings-v1");
    let mut opened = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let project = from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(project.validate(), vec![], "{}", path.display());
        if SCHEMA_VERSION == 1 {
            // Nothing dropped or changed: saving again writes the same file.
            assert_eq!(to_yaml(&project), text, "{}", path.display());
        }
        opened += 1;
    }
    assert_eq!(opened, PRESETS.len(), "a version 1 file for each preset");
}

/// Text that fields take: ordinary values of each kind, and some that most fields refuse.
const VALUES: &[&str] = &[
    "api",
    "worker-2",
    "8081",
    "3",
    "0",
    "25%",
    "1",
    "250m",
    "1Gi",
    "/healthz",
    "/ready",
    "api.example.com",
    "staging-2",
    "eu-central-1",
    "10.20.0.0/16",
    "true",
    "false",
    "go",
    "python",
    "node",
    "helm",
    "argocd",
    "rolling",
    "canary",
    "blue-green",
    "vault",
    "aws-secrets-manager",
    "none",
    "https://vault.example.com:8200",
    "make test",
    "say \"hi\"",
    "🚢 é",
    "a: b # c",
    "",
    "99999",
    "-1",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    /// A user edits any fields of any preset, some values taken and some refused, and ticks
    /// the checklist; whatever project results is saved and loaded, and shared and opened,
    /// unchanged.
    #[test]
    fn any_edited_project_survives_save_and_load_and_a_share_link(
        preset in 0..PRESETS.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(VALUES)), 1..40),
        ticks in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let mut project = PRESETS[preset].project();
        // Ticks and unticks on the deployment checklist, which the settings carry too.
        for tick in ticks {
            project.toggle_check(CHECKLIST[tick.index(CHECKLIST.len())].id);
        }
        let mut taken = 0;
        for (pick, text) in edits {
            let fields = project.fields();
            if project.set(fields[pick.index(fields.len())], text).is_ok() {
                taken += 1;
            }
        }
        prop_assert_eq!(project.validate(), vec![]);
        prop_assert_eq!(from_yaml(&to_yaml(&project)), Ok(project.clone()), "after {} edits", taken);
        prop_assert_eq!(share::decode(&share::encode(&project)), Ok(project.clone()));
    }
}
