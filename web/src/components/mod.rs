//! The app's components.

pub mod stage;
