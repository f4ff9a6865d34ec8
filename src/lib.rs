//! Shipshape's web app: Yew components that edit Settings and show what shipshape-core returns.
//!
//! `main.rs` only mounts [`app::App`], so browser tests can mount any component.

pub mod app;
pub mod browser;
pub mod components;
pub mod highlight;
pub mod lazy;
pub mod state;
