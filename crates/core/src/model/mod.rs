//! The user's description of their service, and the checks that keep every value usable.

mod runtime;
mod settings;
mod validate;

pub use runtime::Runtime;
pub use settings::{Field, Settings};
pub use validate::{FieldError, parse_health_path, parse_port, parse_service_name};
