//! Shipshape's core: Project -> generators -> a bundle of files.
//!
//! Plain Rust with no browser APIs, so the web app, the command line and the native tests all run
//! the same code.

pub mod architecture;
pub mod breakage;
pub mod bundle;
pub(crate) mod deflate;
pub mod diff;
pub mod explain;
pub mod generate;
pub mod hcl;
pub mod migration;
pub mod model;
pub mod order;
pub mod picture;
pub mod pipeline;
pub mod rollout;
pub mod rules;
pub mod secrets;
pub mod text;
pub mod yaml;
pub mod zip;

pub use bundle::{Bundle, GeneratedFile};
pub use generate::generate;
pub use model::{Field, FieldError, Project, Runtime};
