//! The app's components, one per file.

mod break_it;
mod changes;
mod check_field;
mod checklist;
pub mod extras;
mod field_frame;
mod header;
mod own_files;
mod own_text;
mod pictures;
mod planner;
mod preset_picker;
mod preview;
mod rollout;
mod rule_catalogue;
mod select_field;
mod service_tabs;
mod settings_form;
mod text_field;

pub use break_it::BreakIt;
pub use changes::{Changed, Changes};
pub use check_field::check_field;
pub use checklist::checklist;
pub use header::Header;
pub use own_files::OwnFiles;
pub use own_text::{OwnText, use_own_text};
pub use pictures::Pictures;
pub use planner::Planner;
pub use preset_picker::preset_picker;
pub use preview::Preview;
pub use rollout::Rollout;
pub use rule_catalogue::{RuleCatalogue, rule_anchor};
pub use select_field::SelectField;
pub use service_tabs::ServiceTabs;
pub use settings_form::SettingsForm;
pub use text_field::TextField;
