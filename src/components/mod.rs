//! The app's components, one per file.

mod header;
mod preview;
mod runtime_field;
mod settings_form;
mod text_field;

pub use header::Header;
pub use preview::Preview;
pub use runtime_field::RuntimeField;
pub use settings_form::SettingsForm;
pub use text_field::TextField;
