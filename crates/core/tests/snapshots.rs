//! Every generated file of every preset, and every preset's settings, as reviewed snapshots.
//! A change to a generator shows up here as a diff to review like code.
#![cfg(not(target_arch = "wasm32"))]

use shipshape_core::generate;
use shipshape_core::model::{PRESETS, to_yaml};

#[test]
fn every_file_of_every_preset() {
    for preset in PRESETS {
        let bundle = generate(&preset.project());
        for file in bundle.files() {
            let name = format!("{}@{}", preset.name, file.path.replace('/', "~"));
            insta::assert_snapshot!(name, &file.contents);
        }
    }
}

#[test]
fn every_preset_s_settings() {
    for preset in PRESETS {
        insta::assert_snapshot!(
            format!("{}@settings.yaml", preset.name),
            to_yaml(&preset.project())
        );
    }
}
