//! The app's components.

pub mod controls;
pub mod panels;
pub mod playback;
pub mod stage;
pub mod why;
