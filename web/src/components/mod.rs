//! The app's components.

pub mod bounce;
pub mod console;
pub mod controls;
pub mod panels;
pub mod playback;
pub mod present;
pub mod reader;
pub mod select;
pub mod share;
pub mod stage;
pub mod why;
