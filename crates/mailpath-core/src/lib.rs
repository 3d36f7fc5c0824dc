//! # Mailpath simulation core
//!
//! A pure, deterministic model of the path an email takes — mail program, provider's server, DNS, an optional
//! middle-man, the recipient's server, the mailbox and the recipient's mail program — as real mail servers
//! (Postfix first; Sendmail, Exim, Exchange, qmail and Stalwart as data) decide and word it.
//!
//! ```
//! use mailpath_core::{presets, run, Ending};
//!
//! let scenario = presets::get("outlook-express").unwrap().scenario();
//! let trace = run(&scenario);
//! assert_eq!(trace.outcome.ending, Ending::Refused);
//! let (_, decision) = trace.first_refusal().unwrap();
//! assert_eq!(decision.rule, "Basic_check_rcpt: Relaying denied");
//! ```
//!
//! ## Layers
//!
//! Each module uses only its own layer and the layers above it, and modules of one layer form no cycle (the
//! test `tests/layers.rs` reads every `crate::` path and checks both, and that this list, the `mod` lines
//! below and the README's list agree):
//!
//! 1. **vocabulary** — [`named`], [`actor`], [`addr`], [`codes`], [`command`], [`dns`], [`json`], [`net`],
//!    [`reply`], [`rng`], [`scenario`], [`time`], [`trace`]
//! 2. **rules** — [`world`], [`flavour`], [`flavours`], [`postconf`], [`policy`], [`message`], [`dsn`], [`mua`],
//!    [`ids`]
//! 3. **engine** — [`server`], [`session`], [`mailbox`], [`record`], `outcome`, `sim` (the run itself)
//! 4. **scenarios and reading** — [`fields`], [`file`], [`schema`], [`permalink`], [`presets`], [`explain`],
//!    [`whatif`], [`report`], [`scene`], [`console`], [`bounce`], [`predict`],
//!    [`challenge`]

// 1. vocabulary
pub mod actor;
pub mod addr;
pub mod codes;
pub mod command;
pub mod dns;
pub mod json;
pub mod named;
pub mod net;
pub mod reply;
pub mod rng;
pub mod scenario;
pub mod time;
pub mod trace;

// 2. rules
pub mod dsn;
pub mod flavour;
pub mod flavours;
pub mod ids;
pub mod message;
pub mod mua;
pub mod policy;
pub mod postconf;
pub mod world;

// 3. engine
pub mod mailbox;
mod outcome;
pub mod record;
pub mod server;
pub mod session;
mod sim;

// 4. scenarios and reading
pub mod bounce;
pub mod challenge;
pub mod console;
pub mod explain;
pub mod fields;
pub mod file;
pub mod permalink;
pub mod predict;
pub mod presets;
pub mod report;
pub mod scene;
pub mod schema;
pub mod whatif;

pub use scenario::Scenario;
pub use sim::{run, POP_WINDOW};
pub use trace::{Ending, Event, EventKind, Outcome, Trace, Verdict, Why};
