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
//! Layers, each using only those above it:
//! 1. vocabulary: [`addr`], [`reply`], [`codes`], [`command`], [`dns`], [`net`], [`time`], [`rng`], [`trace`],
//!    [`scenario`], [`json`];
//! 2. rules: [`world`], [`flavour`] and its table [`flavours`], [`policy`], [`message`], [`dsn`], [`mua`], [`ids`];
//! 3. engine: [`server`], [`session`], [`mailbox`], [`record`], and the run itself (`sim`, `relay`, `outcome`)
//!    behind [`run`];
//! 4. scenarios and reading the trace: [`fields`], [`file`], [`schema`], [`presets`], [`explain`], [`whatif`],
//!    [`report`].

pub mod named;

pub mod actor;
pub mod addr;
pub mod codes;
pub mod command;
pub mod dns;
pub mod net;
pub mod reply;
pub mod rng;
pub mod scenario;
pub mod time;
pub mod trace;

pub mod dsn;
pub mod explain;
pub mod flavour;
pub mod flavours;
pub mod ids;
pub mod message;
pub mod mua;
pub mod policy;
pub mod world;

pub mod fields;
pub mod file;
pub mod json;
pub mod permalink;
pub mod presets;
pub mod report;
pub mod scene;
pub mod schema;
pub mod whatif;

pub mod mailbox;
mod outcome;
pub mod record;
pub mod server;
pub mod session;
mod sim;

pub use scenario::Scenario;
pub use sim::{run, POP_WINDOW};
pub use trace::{Ending, Event, EventKind, Outcome, Trace, Verdict, Why};
