//! Challenges: short stories from the article's world, each a starting scenario, the settings the learner may
//! touch, a goal checked on the simulation's own outcome, three hints and a par. "Read the bounce" challenges
//! ask which server refused and why, and are graded against the run (or, for a pasted bounce, against the
//! bounce reader's reading).
//!
//! A goal is a list of probes, each a run made from the learner's scenario (the mail as it is set up, Alice at
//! home, Mallory trying to relay…) with the ending it must have. Teachers' challenges (`#v1;…;c=…;allow=…`) are
//! the same data, made from the current scenario.

use crate::actor::HostId;
use crate::fields::{self, Kind, Value};
use crate::named::Named;
use crate::named_enum;
use crate::presets;
use crate::scenario::*;
use crate::time::HOUR;
use crate::trace::{Ending, EventKind, Trace, Why};

named_enum! {
    /// The three sets.
    pub enum Set {
        /// Alice travels and has to get her mail out.
        Road = "on-the-road" / "On the road",
        /// The administrator's side: relay rules that let the right people through.
        Server = "run-the-server" / "Run the server",
        /// Say which server refused and why.
        Bounce = "read-the-bounce" / "Read the bounce",
    }
}

named_enum! {
    /// A run a goal checks, made from the learner's scenario: the same servers, configured as the learner left
    /// them, with another sender or client.
    pub enum Probe {
        /// The mail as it is set up.
        AsSet = "as-set" / "The mail as it is set up",
        /// Alice at home on port 25, no password, to Bob.
        AliceHome = "alice-home" / "Alice at home, port 25 without a password, to Bob",
        /// Alice at the hotel on port 587 with TLS and her password, to Bob.
        AliceRoad = "alice-road" / "Alice at the hotel, port 587 with TLS and her password, to Bob",
        /// Alice at home to Bob while mx1 is down for two hours (the mail goes to the backup MX).
        AliceBackup = "alice-backup" / "Alice to Bob while mx1 is down for two hours",
        /// Mallory relays to another domain through the provider's server.
        MalloryProvider = "mallory-provider" / "Mallory relays through the provider's server",
        /// Mallory relays to another domain through the middle-man.
        MalloryMiddle = "mallory-middle" / "Mallory relays through the middle-man",
        /// Mallory relays to another domain through mx1.
        MalloryMx = "mallory-mx" / "Mallory relays through the recipient's server",
        /// Mallory sends to a made-up mailbox at the recipient's domain through the backup MX, with a forged
        /// sender.
        MalloryBackscatter = "mallory-backscatter" / "Mallory sends to a made-up mailbox through the backup MX",
    }
}

impl Probe {
    /// The probe's run, made from the learner's scenario.
    pub fn scenario(self, s: &Scenario) -> Scenario {
        let mut p = s.clone();
        let rd = p.names.recipient.domain.clone();
        let alice = |p: &mut Scenario| {
            p.sender = Sender::Alice;
            p.message.from = format!("alice@{}", p.names.provider.domain);
            p.message.header_from.clear();
            p.message.to = vec![format!("bob@{rd}")];
            p.message.attachment_kb = 0;
            p.client.server = Outgoing::Provider;
            p.client.pop_before_smtp = false;
            p.network.port25 = Port25::Open;
        };
        let mallory = |p: &mut Scenario, via: Outgoing, to: String| {
            p.sender = Sender::Mallory;
            p.message.from = "offers@mallory.example".into();
            p.message.header_from.clear();
            p.message.to = vec![to];
            p.message.attachment_kb = 0;
            p.client.server = via;
            p.client.port = Port::P25;
            p.client.tls = false;
            p.client.auth = Auth::Off;
            p.client.pop_before_smtp = false;
        };
        let victim = || "victim@elsewhere.example".to_string();
        match self {
            Probe::AsSet => {}
            Probe::AliceHome | Probe::AliceBackup => {
                alice(&mut p);
                p.network.place = Place::Home;
                p.client.port = Port::P25;
                p.client.tls = false;
                p.client.auth = Auth::Off;
                if self == Probe::AliceBackup {
                    p.recipient.down = Window { at: 0, length: 2 * HOUR };
                }
            }
            Probe::AliceRoad => {
                alice(&mut p);
                p.network.place = Place::Hotel;
                p.client.port = Port::P587;
                p.client.tls = true;
                p.client.auth = Auth::Right;
            }
            Probe::MalloryProvider => mallory(&mut p, Outgoing::Provider, victim()),
            Probe::MalloryMiddle => mallory(&mut p, Outgoing::Middle, victim()),
            Probe::MalloryMx => mallory(&mut p, Outgoing::Recipient, victim()),
            Probe::MalloryBackscatter => {
                mallory(&mut p, Outgoing::Middle, format!("nobody@{rd}"));
                p.message.from = "ceo@elsewhere.example".into();
            }
        }
        p
    }
}

/// One part of a goal: a probe and the ending it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aim {
    /// The run.
    pub probe: Probe,
    /// Its ending.
    pub ending: Ending,
}

impl Aim {
    /// The aim in words: `Mallory relays through the provider's server: refused`.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.probe.label(), self.ending.label().to_ascii_lowercase())
    }
}

/// What a "Read the bounce" challenge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// The bounce of a preset's run.
    Bounce(&'static str),
    /// The SMTP transcript of a preset's run (the conversation with the sender's program).
    Transcript(&'static str),
    /// A bounce the learner pastes.
    Pasted,
}

/// What a challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Change the allowed settings until every aim holds.
    Fix {
        /// The aims.
        goal: &'static [Aim],
        /// The stored solution: settings and values.
        solution: &'static [(&'static str, &'static str)],
    },
    /// Say which server refused and why.
    Diagnose(Evidence),
}

/// One challenge.
#[derive(Debug, Clone, Copy)]
pub struct Challenge {
    /// Stable slug (links, the command line).
    pub slug: &'static str,
    /// Its set.
    pub set: Set,
    /// Its title.
    pub title: &'static str,
    /// The story.
    pub story: &'static str,
    /// The preset it starts from.
    pub preset: &'static str,
    /// Changes to the preset for the start.
    edit: fn(&mut Scenario),
    /// The settings the learner may change.
    pub allowed: &'static [&'static str],
    /// What it asks for.
    pub task: Task,
    /// Three hints, each more concrete.
    pub hints: [&'static str; 3],
    /// The fewest changes (or, for a diagnosis, tries) that solve it.
    pub par: usize,
}

const fn aim(probe: Probe, ending: Ending) -> Aim {
    Aim { probe, ending }
}

fn keep(_: &mut Scenario) {}

use Ending::{Delivered, Refused};

/// Every challenge, in menu order (set by set).
pub static ALL: &[Challenge] = &[
    Challenge {
        slug: "road-port-25-blocked",
        set: Set::Road,
        title: "The hotel blocks port 25",
        story: "Alice is at a hotel. Her mail program sends to her provider on port 25, as it always did at home, \
                and now it cannot even connect. Get her message to Bob out without leaving the hotel.",
        preset: "hotel-port25-blocked",
        edit: keep,
        allowed: &["client.port", "client.tls", "client.auth"],
        task: Task::Fix {
            goal: &[aim(Probe::AsSet, Delivered)],
            solution: &[("client.port", "587"), ("client.tls", "on"), ("client.auth", "right")],
        },
        hints: [
            "Nothing refused the mail: the connection never got through. Which network is in the way?",
            "The hotel's network drops connections to port 25 outside it. Mail programs have ports of their own.",
            "Use the submission port (587 with TLS, or 465) and log in with the right password.",
        ],
        par: 3,
    },
    Challenge {
        slug: "road-not-in-network",
        set: Set::Road,
        title: "A stranger at the hotel",
        story: "From home, Alice's mail goes out on port 25 without a password. From the hotel's Wi-Fi the same \
                settings get \"Relay access denied\". Make her provider relay for her from here.",
        preset: "hotel-not-in-network",
        edit: keep,
        allowed: &["client.auth", "client.port", "client.tls", "client.pop_before_smtp"],
        task: Task::Fix { goal: &[aim(Probe::AsSet, Delivered)], solution: &[("client.auth", "right")] },
        hints: [
            "At home the provider trusts Alice by her address. What is her address at the hotel?",
            "A server relays for a client it trusts or for one that has logged in.",
            "Turn on \"My server requires authentication\" with the right password.",
        ],
        par: 1,
    },
    Challenge {
        slug: "road-pop-aged-out",
        set: Set::Road,
        title: "The POP login aged out",
        story: "Alice's provider lets an address relay for 30 minutes after a POP login. She checked her mail, \
                wrote a long reply, and now her provider says relaying is denied. Without a password, send it.",
        preset: "pop-before-smtp-stale",
        edit: keep,
        allowed: &["client.pop_before_smtp", "client.pop_age"],
        task: Task::Fix { goal: &[aim(Probe::AsSet, Delivered)], solution: &[("client.pop_age", "5m")] },
        hints: [
            "The provider remembers her address for a while after she logs in to fetch mail.",
            "How long ago did she log in, and how long does the provider remember?",
            "Check mail again just before sending: set the POP login to a few minutes ago.",
        ],
        par: 1,
    },
    Challenge {
        slug: "road-wrong-server",
        set: Set::Road,
        title: "The new laptop's outgoing server",
        story: "Alice set up her new laptop by copying the server name from a colleague's mail: her mail to Dave \
                at elsewhere.example is refused. Fix her account settings.",
        preset: "wrong-outgoing-server",
        edit: keep,
        allowed: &["client.server", "client.port", "client.tls", "client.auth"],
        task: Task::Fix { goal: &[aim(Probe::AsSet, Delivered)], solution: &[("client.server", "provider")] },
        hints: [
            "Which server does her mail program hand the message to, and is it hers?",
            "mx1.corp-b.example takes mail for corp-b.example only: mail for elsewhere.example is a relay request.",
            "Set the outgoing server back to her provider's.",
        ],
        par: 1,
    },
    Challenge {
        slug: "server-close-open-relay",
        set: Set::Server,
        title: "Close the open relay",
        story: "Your server relays Mallory's spam to anyone. Close it without locking out your customers: those \
                at home send on port 25 without a password, those on the road log in on port 587.",
        preset: "open-relay-abused",
        edit: keep,
        allowed: &[
            "provider.trust",
            "provider.sasl",
            "provider.submission",
            "provider.policy",
            "provider.pop_before_smtp",
        ],
        task: Task::Fix {
            goal: &[
                aim(Probe::MalloryProvider, Refused),
                aim(Probe::AliceHome, Delivered),
                aim(Probe::AliceRoad, Delivered),
            ],
            solution: &[("provider.trust", "network")],
        },
        hints: [
            "Whom does the server trust to relay without a login?",
            "Everyone is too many; only itself is too few for the customers at home.",
            "Trust the server's own network (mynetworks): its customers' addresses.",
        ],
        par: 1,
    },
    Challenge {
        slug: "server-backup-mx",
        set: Set::Server,
        title: "A backup MX that backs up",
        story: "You run the backup MX for corp-b.example. While mx1 is down for two hours, your server refuses \
                Alice's mail to Bob. Make it take mail for corp-b.example, without relaying for Mallory.",
        preset: "backup-mx-denies",
        edit: |s| s.recipient.down = Window { at: 0, length: 2 * HOUR },
        allowed: &["middle.handles_domain", "middle.trust", "middle.recipient_list", "middle.policy"],
        task: Task::Fix {
            goal: &[aim(Probe::AsSet, Delivered), aim(Probe::MalloryMiddle, Refused)],
            solution: &[("middle.handles_domain", "on")],
        },
        hints: [
            "The backup refuses with Relay access denied: to it, corp-b.example is somebody else's domain.",
            "Trusting everyone would take Alice's mail, and Mallory's too.",
            "List corp-b.example among the backup's relay domains.",
        ],
        par: 1,
    },
    Challenge {
        slug: "server-stop-backscatter",
        set: Set::Server,
        title: "Stop the backscatter",
        story: "Your backup MX takes mail for any name at corp-b.example. mx1 refuses the made-up ones later, and \
                your server sends the bounce to the forged sender, an innocent stranger. Stop that, and keep \
                backing up mx1 for Alice's mail when it is down.",
        preset: "backscatter",
        edit: keep,
        allowed: &["middle.recipient_list", "middle.handles_domain", "middle.trust", "middle.policy"],
        task: Task::Fix {
            goal: &[aim(Probe::MalloryBackscatter, Refused), aim(Probe::AliceBackup, Delivered)],
            solution: &[("middle.recipient_list", "on")],
        },
        hints: [
            "The bounce is written because the backup accepted a recipient that does not exist.",
            "Refusing at RCPT TO costs nothing: the sending program gets the error, and nobody gets a bounce.",
            "Give the backup the list of corp-b's mailboxes (relay_recipient_maps).",
        ],
        par: 1,
    },
    Challenge {
        slug: "server-misconfigured-mx",
        set: Set::Server,
        title: "The server that forgot its domain",
        story: "You run mx1.corp-b.example. After a migration, mail to Bob comes back to its senders with \"Relay \
                access denied\". Take mail for your domain again, and do not become a relay.",
        preset: "recipient-misconfigured",
        edit: keep,
        allowed: &["recipient.handles_domain", "recipient.trust", "recipient.policy", "recipient.sasl"],
        task: Task::Fix {
            goal: &[aim(Probe::AsSet, Delivered), aim(Probe::MalloryMx, Refused)],
            solution: &[("recipient.handles_domain", "on")],
        },
        hints: [
            "Relay access denied for its own domain: the server thinks corp-b.example is somebody else's.",
            "Trusting everyone would take the mail, and relay spam for anyone too.",
            "List corp-b.example as the server's own domain (mydestination).",
        ],
        par: 1,
    },
    Challenge {
        slug: "bounce-misconfigured-mx",
        set: Set::Bounce,
        title: "Relay access denied, for Bob's own domain",
        story: "Alice sent a message to Bob and got this bounce back. Which server refused it, and why?",
        preset: "recipient-misconfigured",
        edit: keep,
        allowed: &[],
        task: Task::Diagnose(Evidence::Bounce("recipient-misconfigured")),
        hints: [
            "The bounce was written by Alice's provider, but the provider is not the one that refused.",
            "Look for \"host … said:\": that is the refusing server's name and its words.",
            "mx1.corp-b.example said 554 5.7.1 Relay access denied.",
        ],
        par: 1,
    },
    Challenge {
        slug: "bounce-smarthost",
        set: Set::Bounce,
        title: "A bounce from the provider",
        story: "Alice's provider hands its outgoing mail to a smarthost. Today her mail comes back. Which server \
                refused it, and why?",
        preset: "middle-man-denies",
        edit: keep,
        allowed: &[],
        task: Task::Diagnose(Evidence::Bounce("middle-man-denies")),
        hints: [
            "Count the servers: Alice's provider, then one more before mx1.",
            "The \"host … said:\" line names the server that refused.",
            "The smarthost said Relay access denied: it does not trust the provider any more.",
        ],
        par: 1,
    },
    Challenge {
        slug: "bounce-unknown-user",
        set: Set::Bounce,
        title: "Not a relay problem",
        story: "Alice wrote to nobody@corp-b.example and got this bounce. Which server refused, and why?",
        preset: "unknown-user",
        edit: keep,
        allowed: &[],
        task: Task::Diagnose(Evidence::Bounce("unknown-user")),
        hints: [
            "Read the status code: 5.1.x is about the address, 5.7.x about policy.",
            "The refusing server is the right one for the domain.",
            "mx1.corp-b.example has no mailbox of that name: 550 5.1.1 User unknown.",
        ],
        par: 1,
    },
    Challenge {
        slug: "bounce-gave-up",
        set: Set::Bounce,
        title: "Five days later",
        story: "mx1.corp-b.example was down for six days. Alice gets this bounce. Which server wrote it, and why?",
        preset: "backup-mx-primary-down-6d",
        edit: keep,
        allowed: &[],
        task: Task::Diagnose(Evidence::Bounce("backup-mx-primary-down-6d")),
        hints: [
            "Nobody refused the message: no server said 5xx to it.",
            "A server that has taken a message keeps trying for its queue lifetime.",
            "The backup MX gave up after five days and returned the message.",
        ],
        par: 1,
    },
    Challenge {
        slug: "bounce-article-transcript",
        set: Set::Bounce,
        title: "The article's error, from the transcript",
        story: "This is the conversation behind the article's error dialog. Which server refused, and why?",
        preset: "outlook-express",
        edit: keep,
        allowed: &[],
        task: Task::Diagnose(Evidence::Transcript("outlook-express")),
        hints: [
            "There is only one server in this conversation.",
            "Look at the reply to RCPT TO, and at what Alice did not do before MAIL FROM.",
            "Her own provider refused to relay: she did not log in, and the recipient is not its own.",
        ],
        par: 1,
    },
    Challenge {
        slug: "bounce-your-own",
        set: Set::Bounce,
        title: "Your own bounce",
        story: "Paste a bounce you got. Say which server refused and why; the bounce reader checks your answer \
                against what the bounce says.",
        preset: "happy-path",
        edit: keep,
        allowed: &[],
        task: Task::Diagnose(Evidence::Pasted),
        hints: [
            "A bounce has a part for people and, often, a machine-readable part (Remote-MTA, Diagnostic-Code).",
            "The refusing server is named after \"host\", \"Remote-MTA\" or \"Reporting-MTA\" when it gave up itself.",
            "The status code tells the class: 5.7.1 policy (often relaying), 5.1.1 address, 4.x.x try later.",
        ],
        par: 1,
    },
];

/// Every challenge's slug, in [`ALL`]'s order: links are checked against this list, so a page that only reads a
/// link does not carry the challenges themselves.
pub const SLUGS: [&str; 14] = [
    "road-port-25-blocked",
    "road-not-in-network",
    "road-pop-aged-out",
    "road-wrong-server",
    "server-close-open-relay",
    "server-backup-mx",
    "server-stop-backscatter",
    "server-misconfigured-mx",
    "bounce-misconfigured-mx",
    "bounce-smarthost",
    "bounce-unknown-user",
    "bounce-gave-up",
    "bounce-article-transcript",
    "bounce-your-own",
];

/// The challenge with this slug.
pub fn get(slug: &str) -> Option<&'static Challenge> {
    ALL.iter().find(|c| c.slug == slug)
}

impl Challenge {
    /// The starting scenario.
    pub fn start(&self) -> Scenario {
        let mut s = presets::get(self.preset).map(|p| p.scenario()).unwrap_or_default();
        (self.edit)(&mut s);
        s.title = self.title.to_string();
        s
    }

    /// The goal, for a fix challenge.
    pub fn goal(&self) -> &'static [Aim] {
        match self.task {
            Task::Fix { goal, .. } => goal,
            Task::Diagnose(_) => &[],
        }
    }

    /// The challenge as a spec to check scenarios against (a diagnosis has no aims).
    pub fn spec(&self) -> Spec {
        Spec {
            start: self.start(),
            allowed: self.allowed.iter().map(|k| k.to_string()).collect(),
            goal: self.goal().to_vec(),
        }
    }

    /// The stored solution applied to the start.
    pub fn solved(&self) -> Option<Scenario> {
        let Task::Fix { solution, .. } = self.task else { return None };
        let mut s = self.start();
        for (k, v) in solution {
            fields::set(&mut s, k, &Value::Text(v.to_string())).ok()?;
        }
        Some(s)
    }
}

/// What a fix challenge checks: a start, the settings that may change, and the aims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The starting scenario.
    pub start: Scenario,
    /// The settings that may change (keys of [`crate::fields`]).
    pub allowed: Vec<String>,
    /// What must hold.
    pub goal: Vec<Aim>,
}

/// How one aim came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AimResult {
    /// The aim.
    pub aim: Aim,
    /// What the run ended with.
    pub got: Ending,
    /// The run's one-line summary.
    pub summary: String,
}

impl AimResult {
    /// Whether the aim holds.
    pub fn holds(&self) -> bool {
        self.got == self.aim.ending
    }
}

/// A scenario checked against a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// Each aim and how it came out.
    pub results: Vec<AimResult>,
    /// The allowed settings changed from the start.
    pub changes: Vec<String>,
    /// Settings changed that the challenge does not let the learner touch.
    pub locked: Vec<String>,
}

impl Grade {
    /// Every aim holds and nothing locked was touched.
    pub fn passed(&self) -> bool {
        self.locked.is_empty() && !self.results.is_empty() && self.results.iter().all(AimResult::holds)
    }

    /// Why it did not pass, in one sentence (empty when it passed).
    pub fn reason(&self) -> String {
        if !self.locked.is_empty() {
            return format!("This challenge does not let you change {}.", self.locked.join(", "));
        }
        self.results
            .iter()
            .find(|r| !r.holds())
            .map(|r| {
                format!(
                    "{} should be {}, but is {}: {}",
                    r.aim.probe.label(),
                    r.aim.ending.label().to_ascii_lowercase(),
                    r.got.label().to_ascii_lowercase(),
                    r.summary
                )
            })
            .unwrap_or_default()
    }
}

/// Which settings differ between two scenarios (every setting but the title).
fn differing(a: &Scenario, b: &Scenario) -> Vec<String> {
    fields::all()
        .into_iter()
        .map(|(k, ..)| k)
        .filter(|k| k != "title" && fields::get(a, k) != fields::get(b, k))
        .collect()
}

/// Checks `s` against the spec: runs every aim's probe.
pub fn check(spec: &Spec, s: &Scenario) -> Grade {
    let (changes, locked) = differing(&spec.start, s).into_iter().partition(|k| spec.allowed.contains(k));
    let results = spec
        .goal
        .iter()
        .map(|aim| {
            let t = crate::run(&aim.probe.scenario(s));
            AimResult { aim: *aim, got: t.outcome.ending, summary: t.outcome.summary }
        })
        .collect();
    Grade { results, changes, locked }
}

/// Durations the fix search tries for a duration setting.
const DURATIONS: [&str; 4] = ["1m", "5m", "45m", "2h"];

/// The values the fix search tries for a setting, other than its value in `s`.
fn candidates(s: &Scenario, key: &str) -> Vec<Value> {
    let Some((_, _, kind)) = fields::all().into_iter().find(|(k, ..)| k == key) else { return Vec::new() };
    let now = fields::get(s, key);
    let all: Vec<Value> = match kind {
        Kind::Bool => vec![Value::Bool(true), Value::Bool(false)],
        Kind::Choice(names) => names.iter().map(|n| Value::Text(n.to_string())).collect(),
        Kind::Duration => DURATIONS.iter().map(|d| Value::Text(d.to_string())).collect(),
        _ => Vec::new(),
    };
    all.into_iter()
        .filter(|v| {
            let mut t = s.clone();
            fields::set(&mut t, key, v).is_ok() && fields::get(&t, key) != now
        })
        .collect()
}

/// The fewest-change fix: every combination of up to `most` allowed settings (each to every other value it can
/// take), fewest first, in the order of the allowed list; the first that passes.
pub fn solve(spec: &Spec, most: usize) -> Option<Vec<(String, Value)>> {
    let options: Vec<(String, Vec<Value>)> =
        spec.allowed.iter().map(|k| (k.clone(), candidates(&spec.start, k))).collect();
    for n in 1..=most.min(options.len()) {
        let mut found = None;
        combinations(&options, n, &mut Vec::new(), 0, &mut |edits| {
            let mut s = spec.start.clone();
            for (k, v) in edits.iter() {
                let _ = fields::set(&mut s, k, v);
            }
            if check(spec, &s).passed() {
                found = Some(edits.to_vec());
                true
            } else {
                false
            }
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Settings and the values given them.
type Edits = [(String, Value)];

/// Calls `f` with each choice of `n` settings from `options[from..]` and a value for each, until it returns true.
fn combinations(
    options: &[(String, Vec<Value>)],
    n: usize,
    chosen: &mut Vec<(String, Value)>,
    from: usize,
    f: &mut dyn FnMut(&Edits) -> bool,
) -> bool {
    if chosen.len() == n {
        return f(chosen);
    }
    for i in from..options.len() {
        for v in &options[i].1 {
            chosen.push((options[i].0.clone(), v.clone()));
            let done = combinations(options, n, chosen, i + 1, f);
            chosen.pop();
            if done {
                return true;
            }
        }
    }
    false
}

/// The hosts a learner may name as the refusing server, in the order of the path.
pub const SUSPECTS: [HostId; 4] = [HostId::Alice, HostId::Provider, HostId::Middle, HostId::Mx];

/// The suspects of a preset's run: those of [`SUSPECTS`] that take part in it.
pub fn suspects(preset: &str) -> Vec<HostId> {
    let Some(p) = presets::get(preset) else { return Vec::new() };
    let t = crate::run(&p.scenario());
    SUSPECTS.iter().copied().filter(|h| t.hops.iter().any(|hop| hop.from == *h || hop.to == *h)).collect()
}

/// The reasons a learner may give.
pub const REASONS: [Why; 7] =
    [Why::RelayDenied, Why::UserUnknown, Why::Expired, Why::Greylisted, Why::TooBig, Why::PortBlocked, Why::AuthFailed];

/// The right answer for a run: the server whose decision refused (or, where nobody refused, the one that gave up
/// and wrote the bounce) and the reason.
pub fn culprit(t: &Trace) -> (HostId, Why) {
    let by = t
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Decision(d) if d.verdict != crate::trace::Verdict::Accept => Some(e.actor),
            _ => None,
        })
        .unwrap_or(t.outcome.by);
    (by, t.outcome.why)
}

/// A learner's diagnosis graded: right or not, and the words that say why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The server was right.
    pub server: bool,
    /// The reason was right.
    pub reason: bool,
    /// What the run (or the reading) says.
    pub explanation: String,
}

impl Verdict {
    /// Both right.
    pub fn right(&self) -> bool {
        self.server && self.reason
    }
}

/// Grades a diagnosis of a preset's run.
pub fn diagnose(preset: &str, server: HostId, reason: Why) -> Option<Verdict> {
    let s = presets::get(preset)?.scenario();
    let t = crate::run(&s);
    let (by, why) = culprit(&t);
    let name = crate::world::host(by, &s).name;
    Some(Verdict {
        server: server == by,
        reason: reason == why,
        explanation: format!("{name}: {}. {}", why.label(), crate::explain::why(why)),
    })
}

/// Grades a diagnosis of a pasted bounce against the bounce reader's reading: `server` is a name the learner
/// picked among [`pasted_suspects`]. `None` when the reader cannot tell the class or the server itself.
pub fn diagnose_pasted(r: &crate::bounce::Reading, server: &str, reason: Why) -> Option<Verdict> {
    let class = r.class?;
    let by = r.remote.as_ref().or(r.reporting.as_ref())?;
    Some(Verdict {
        server: by.value.eq_ignore_ascii_case(server),
        reason: class == reason || r.last_failure == Some(reason),
        explanation: format!("{}: {}. {}", by.value, class.label(), crate::explain::why(class)),
    })
}

/// The server names a pasted bounce mentions, for the learner to pick from.
pub fn pasted_suspects(r: &crate::bounce::Reading) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for item in [&r.reporting, &r.remote].into_iter().flatten() {
        if !v.iter().any(|x| x.eq_ignore_ascii_case(&item.value)) {
            v.push(item.value.clone());
        }
    }
    for h in &r.hops {
        for item in [&h.by, &h.from].into_iter().flatten() {
            if !v.iter().any(|x| x.eq_ignore_ascii_case(&item.value)) {
                v.push(item.value.clone());
            }
        }
    }
    v
}

/// The text a diagnosis challenge shows: the bounce or the transcript of the preset's run.
pub fn evidence(e: Evidence) -> Option<String> {
    let slug = match e {
        Evidence::Bounce(s) | Evidence::Transcript(s) => s,
        Evidence::Pasted => return None,
    };
    let s = presets::get(slug)?.scenario();
    let t = crate::run(&s);
    match e {
        Evidence::Bounce(_) => {
            let i = t.events.iter().find_map(|e| match e.kind {
                EventKind::Bounced { message, .. } => Some(message),
                _ => None,
            })?;
            Some(t.messages[i].text())
        }
        _ => Some(t.transcript(0).iter().map(|l| l.render()).collect::<Vec<_>>().join("\n")),
    }
}

/// A teacher's challenge in a link: `c=` the aims (`as-set:delivered,mallory-provider:refused`) and `allow=` the
/// settings that may change.
pub fn link_parts(goal: &[Aim], allowed: &[String]) -> String {
    let aims: Vec<String> = goal.iter().map(|a| format!("{}:{}", a.probe.name(), a.ending.name())).collect();
    format!(";c={};allow={}", aims.join(","), allowed.join(","))
}

/// Reads a link's `c=` and `allow=` values; every part that cannot be used is an error, so a damaged challenge
/// is never half-applied.
pub fn from_link(aims: &str, allowed: &str) -> Result<(Vec<Aim>, Vec<String>), String> {
    let mut goal = Vec::new();
    for part in aims.split(',').filter(|p| !p.is_empty()) {
        let (p, e) = part.split_once(':').ok_or_else(|| format!("the aim \"{part}\" has no ending"))?;
        let probe = Probe::from_name(p).ok_or_else(|| format!("\"{p}\" is not a run this version knows"))?;
        let ending = Ending::from_name(e).ok_or_else(|| format!("\"{e}\" is not an ending"))?;
        goal.push(Aim { probe, ending });
    }
    if goal.is_empty() {
        return Err("the challenge has no goal".into());
    }
    let known = fields::all();
    let mut keys = Vec::new();
    for k in allowed.split(',').filter(|k| !k.is_empty()) {
        if !known.iter().any(|(key, ..)| key == k) {
            return Err(format!("\"{k}\" is not a setting"));
        }
        keys.push(k.to_string());
    }
    Ok((goal, keys))
}

/// The aims a teacher can choose from for the current scenario: each probe with the ending it has now.
pub fn outcomes(s: &Scenario) -> Vec<Aim> {
    Probe::ALL.iter().map(|&probe| Aim { probe, ending: crate::run(&probe.scenario(s)).outcome.ending }).collect()
}

#[cfg(test)]
mod tests;
