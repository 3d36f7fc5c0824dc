//! The field table: every scenario setting by its dotted key (`client.port`, `recipient.greylisting`), with its
//! kind, a one-line hint, and how to read and write it. Scenario files, links, the app's controls and the
//! JSON Schema all go through this one table, so they cannot disagree.

use crate::addr::Address;
use crate::named::Named;
use crate::scenario::*;

/// A setting's value in its plain form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// On or off.
    Bool(bool),
    /// A whole number.
    Num(u64),
    /// Text (also choices, addresses and durations).
    Text(String),
    /// A list of texts.
    List(Vec<String>),
}

impl Value {
    /// The value as a link writes it.
    pub fn render(&self) -> String {
        match self {
            Value::Bool(b) => (if *b { "on" } else { "off" }).into(),
            Value::Num(n) => n.to_string(),
            Value::Text(t) => t.clone(),
            Value::List(l) => l.join(","),
        }
    }

    fn as_bool(&self) -> Result<bool, String> {
        match self {
            Value::Bool(b) => Ok(*b),
            Value::Text(t) => match t.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => Ok(true),
                "off" | "false" | "no" | "0" => Ok(false),
                _ => Err(format!("expected on or off, got \"{t}\"")),
            },
            Value::Num(n) if *n <= 1 => Ok(*n == 1),
            other => Err(format!("expected on or off, got {}", other.render())),
        }
    }

    fn as_num(&self, min: u64, max: u64) -> Result<u64, String> {
        let n = match self {
            Value::Num(n) => *n,
            Value::Text(t) => t.trim().parse().map_err(|_| format!("expected a whole number, got \"{t}\""))?,
            other => return Err(format!("expected a whole number, got {}", other.render())),
        };
        if n < min || n > max {
            return Err(format!("{n} is out of range ({min}–{max})"));
        }
        Ok(n)
    }

    fn as_text(&self, max: usize) -> Result<String, String> {
        let t = match self {
            Value::Text(t) => t.clone(),
            Value::Num(n) => n.to_string(),
            other => return Err(format!("expected text, got {}", other.render())),
        };
        if t.chars().count() > max {
            return Err(format!("is {} characters long; at most {max} are allowed", t.chars().count()));
        }
        if t.chars().any(|c| crate::addr::is_control(c) && c != '\n' && c != '\t') {
            return Err("contains a control character".into());
        }
        Ok(t)
    }

    fn as_list(&self) -> Vec<String> {
        match self {
            Value::List(l) => l.clone(),
            Value::Text(t) => t.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect(),
            Value::Num(n) => vec![n.to_string()],
            Value::Bool(b) => vec![b.to_string()],
        }
    }
}

/// What kind of value a setting takes (drives controls, validation and the JSON Schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// On or off.
    Bool,
    /// A whole number in a range.
    Number {
        /// Smallest.
        min: u64,
        /// Largest.
        max: u64,
    },
    /// Free text up to a length.
    Text {
        /// Longest.
        max: usize,
    },
    /// One of these names.
    Choice(&'static [&'static str]),
    /// A duration: `30m`, `2h`, `6d` or seconds.
    Duration,
    /// A mail address.
    Address,
    /// A mail address or nothing.
    OptionalAddress,
    /// 1 to `max` mail addresses.
    Addresses {
        /// Most.
        max: usize,
    },
    /// Mailbox names (local parts).
    Names {
        /// Most.
        max: usize,
    },
    /// A host or domain name (ASCII, or A-labels for internationalised names); `optional`: may be empty.
    HostName {
        /// May be empty (the default name).
        optional: bool,
    },
    /// An IPv4 address.
    Ip,
    /// An IPv4 network in CIDR notation.
    Network,
}

/// One setting of type `T` (the scenario, or one server's settings).
pub struct Def<T: 'static> {
    /// Its key relative to `T`.
    pub name: &'static str,
    /// A one-line hint.
    pub help: &'static str,
    /// Its kind.
    pub kind: Kind,
    get: fn(&T) -> Value,
    set: fn(&mut T, &Value) -> Result<(), String>,
}

macro_rules! def {
    ($T:ty, $name:literal, $help:literal, bool, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Bool, get: |x| Value::Bool(x.$($f).+), set: |x, v| { x.$($f).+ = v.as_bool()?; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, choice $E:ty, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Choice(<$E as Named>::NAMES),
            get: |x| Value::Text(x.$($f).+.name().to_string()),
            set: |x, v| { x.$($f).+ = choice::<$E>(v)?; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, num $ty:ty [$min:expr, $max:expr], $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Number { min: $min, max: $max }, get: |x| Value::Num(x.$($f).+ as u64),
            set: |x, v| { x.$($f).+ = v.as_num($min, $max)? as $ty; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, text $max:literal, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Text { max: $max }, get: |x| Value::Text(x.$($f).+.clone()),
            set: |x, v| { x.$($f).+ = v.as_text($max)?; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, duration, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Duration, get: |x| Value::Text(format_duration(x.$($f).+)),
            set: |x, v| { x.$($f).+ = duration(v)?; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, host, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::HostName { optional: false },
            get: |x| Value::Text(x.$($f).+.clone()),
            set: |x, v| { x.$($f).+ = crate::addr::dns_name(&v.as_text(260)?)?; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, ip, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Ip, get: |x| Value::Text(x.$($f).+.to_string()),
            set: |x, v| { x.$($f).+ = ip(v)?; Ok(()) } }
    };
    ($T:ty, $name:literal, $help:literal, network, $($f:ident).+) => {
        Def::<$T> { name: $name, help: $help, kind: Kind::Network, get: |x| Value::Text(x.$($f).+.to_string()),
            set: |x, v| { x.$($f).+ = network(v)?; Ok(()) } }
    };
}

/// An IPv4 address (no address literal brackets, no leading zeros).
fn ip(v: &Value) -> Result<std::net::Ipv4Addr, String> {
    let t = v.as_text(40)?;
    let t = t.trim();
    let a: std::net::Ipv4Addr = t.parse().map_err(|_| format!("\"{t}\" is not an IPv4 address such as 192.0.2.10"))?;
    if a.is_unspecified() || a.is_loopback() || a.is_broadcast() || a.is_multicast() {
        return Err(format!("{a} cannot be a host's address here (unspecified, loopback, broadcast or multicast)"));
    }
    Ok(a)
}

/// An IPv4 network in CIDR notation, its host bits zero as `mynetworks` expects them.
fn network(v: &Value) -> Result<crate::net::Cidr, String> {
    let t = v.as_text(40)?;
    let t = t.trim();
    let c = crate::net::Cidr::parse(t).ok_or_else(|| format!("\"{t}\" is not a network such as 10.0.0.0/8"))?;
    if !t.contains('/') {
        return Err(format!("\"{t}\" needs its prefix length, such as {t}/24"));
    }
    if c.to_string() != t {
        return Err(format!("\"{t}\" has host bits set; the network is {c}"));
    }
    Ok(c)
}

/// A choice by name (shared by every choice setting, so the error text exists once per type).
fn choice<E: Named>(v: &Value) -> Result<E, String> {
    let t = v.as_text(64)?;
    E::from_name(t.trim()).ok_or_else(|| format!("\"{t}\" is not one of {}", E::names()))
}

/// A duration from seconds or text.
fn duration(v: &Value) -> Result<crate::time::Secs, String> {
    match v {
        Value::Num(n) if *n <= u64::from(u32::MAX) => Ok(*n as u32),
        _ => parse_duration(&v.as_text(32)?),
    }
}

fn check_address(t: &str) -> Result<String, String> {
    Address::parse(t).map(|a| a.raw().to_string()).map_err(|e| format!("\"{t}\": {e}"))
}

fn check_name(n: &str) -> Result<String, String> {
    let a = Address::parse(&format!("{n}@x.example")).map_err(|e| format!("\"{n}\": {e}"))?;
    if a.local().contains(['@', '%', '!']) {
        return Err(format!("\"{n}\" is not a mailbox name"));
    }
    Ok(n.to_string())
}

/// Settings of the whole scenario (server settings are in [`SERVER`]).
pub static TOP: &[Def<Scenario>] = &[
    def!(Scenario, "title", "A title for people", text 120, title),
    Def {
        name: "seed",
        help: "Seed for shuffles and queue ids",
        kind: Kind::Number { min: 0, max: u32::MAX as u64 },
        get: |s| Value::Num(s.seed),
        set: |s, v| {
            s.seed = v.as_num(0, u32::MAX as u64)?;
            Ok(())
        },
    },
    def!(Scenario, "sender", "Who is at the keyboard", choice Sender, sender),
    def!(Scenario, "client.program", "The mail program (decides how errors are worded)", choice Program, client.program),
    def!(Scenario, "client.server", "The outgoing server the mail program is set to use", choice Outgoing, client.server),
    Def {
        name: "client.port",
        help: "25 is server-to-server; 587 and 465 are for mail programs",
        kind: Kind::Choice(Port::NAMES),
        get: |s| Value::Num(u64::from(s.client.port.number())),
        set: |s, v| {
            s.client.port = choice::<Port>(v)?;
            Ok(())
        },
    },
    def!(Scenario, "client.tls", "Encrypt: STARTTLS on 25/587, TLS from the start on 465", bool, client.tls),
    def!(Scenario, "client.auth", "\"My server requires authentication\", with the right or a wrong password", choice Auth, client.auth),
    def!(
        Scenario,
        "client.pop_before_smtp",
        "Log on to the incoming (POP) server before sending",
        bool,
        client.pop_before_smtp
    ),
    def!(Scenario, "client.pop_age", "How long before sending that POP login happened", duration, client.pop_age),
    def!(Scenario, "client.login", "The login name for SMTP AUTH and POP (empty: the part of the sender's address before the @)", text 64, client.login),
    def!(Scenario, "client.persistence", "After a refused AUTH, MAIL or RCPT: give up and show an error, or carry on like a script", choice Persistence, client.persistence),
    def!(Scenario, "network.place", "Where the computer is: its address decides whom servers trust", choice Place, network.place),
    def!(Scenario, "network.port25", "What the network does with connections to port 25 elsewhere", choice Port25, network.port25),
    def!(
        Scenario,
        "network.ptr",
        "The computer's address has a reverse-DNS name (PTR record) that servers can look up",
        bool,
        network.ptr
    ),
    Def {
        name: "message.from",
        help: "The sender's address (MAIL FROM and From:); empty for the null sender MAIL FROM:<> of bounces",
        kind: Kind::OptionalAddress,
        get: |s| Value::Text(s.message.from.clone()),
        set: |s, v| {
            let t = v.as_text(254)?;
            s.message.from = if t.trim().is_empty() || t.trim() == "<>" { String::new() } else { check_address(&t)? };
            Ok(())
        },
    },
    Def {
        name: "message.to",
        help: "Recipients, decided one by one (comma-separated)",
        kind: Kind::Addresses { max: 20 },
        get: |s| Value::List(s.message.to.clone()),
        set: |s, v| {
            let list = v.as_list();
            if list.is_empty() {
                return Err("needs at least one recipient".into());
            }
            if list.len() > 20 {
                return Err(format!("has {} recipients; at most 20 are simulated", list.len()));
            }
            s.message.to = list.iter().map(|t| check_address(t)).collect::<Result<_, _>>()?;
            Ok(())
        },
    },
    Def {
        name: "message.header_from",
        help: "A different From: line (forgery, DMARC); empty for the sender",
        kind: Kind::OptionalAddress,
        get: |s| Value::Text(s.message.header_from.clone()),
        set: |s, v| {
            let t = v.as_text(254)?;
            s.message.header_from = if t.trim().is_empty() { String::new() } else { check_address(&t)? };
            Ok(())
        },
    },
    def!(Scenario, "message.subject", "The subject line", text 200, message.subject),
    def!(Scenario, "message.body", "The text", text 10000, message.body),
    def!(Scenario, "message.attachment_kb", "An attachment's size in KB (0 for none)", num u32 [0, 200_000], message.attachment_kb),
    def!(Scenario, "middle.role", "A middle-man: the provider's smarthost, or a backup MX for the recipient", choice Role, middle.role),
    def!(
        Scenario,
        "middle.recipient_list",
        "Backup MX: knows the recipient's mailbox names",
        bool,
        middle.recipient_list
    ),
    def!(
        Scenario,
        "middle.login",
        "Smarthost: the provider logs in (port 587) instead of being trusted by address",
        bool,
        middle.login
    ),
    def!(Scenario, "dns.outage.at", "When DNS starts failing for the recipient's domain", duration, dns.outage.at),
    def!(Scenario, "dns.outage.for", "How long DNS fails (0: never)", duration, dns.outage.length),
    def!(Scenario, "dns.backup_preference", "MX preference of the backup (the primary has 10; equal ones are shuffled)", num u16 [0, 65535], dns.backup_preference),
    def!(Scenario, "names.provider.host", "Your provider's mail server (myhostname)", host, names.provider.host),
    def!(Scenario, "names.provider.domain", "Your provider's mail domain (after the @)", host, names.provider.domain),
    def!(Scenario, "names.provider.ip", "Your provider's server's address", ip, names.provider.ip),
    def!(
        Scenario,
        "names.provider.network",
        "Your provider's network: its customers at home",
        network,
        names.provider.network
    ),
    def!(Scenario, "names.recipient.host", "The recipient's mail server (its MX)", host, names.recipient.host),
    def!(Scenario, "names.recipient.domain", "The recipient's mail domain", host, names.recipient.domain),
    def!(Scenario, "names.recipient.ip", "The recipient's server's address", ip, names.recipient.ip),
    def!(Scenario, "names.recipient.network", "The recipient's office network", network, names.recipient.network),
    Def {
        name: "names.middle.host",
        help: "The middle-man's server (empty: backup. or smarthost. in front of its domain)",
        kind: Kind::HostName { optional: true },
        get: |s| Value::Text(s.names.middle.host.clone()),
        set: |s, v| {
            let t = v.as_text(260)?;
            s.names.middle.host = if t.trim().is_empty() { String::new() } else { crate::addr::dns_name(&t)? };
            Ok(())
        },
    },
    def!(Scenario, "names.middle.domain", "The middle-man's domain", host, names.middle.domain),
    def!(Scenario, "names.middle.ip", "The middle-man's address", ip, names.middle.ip),
    def!(Scenario, "names.middle.network", "The middle-man's network", network, names.middle.network),
    def!(Scenario, "names.computer.helo", "The name your computer gives in EHLO", host, names.computer.helo),
    def!(
        Scenario,
        "names.computer.home",
        "Your computer's address at home (inside the provider's network)",
        ip,
        names.computer.home
    ),
    def!(Scenario, "names.computer.hotel", "Its address on the hotel's Wi-Fi", ip, names.computer.hotel),
    def!(Scenario, "names.computer.hotel_network", "The hotel's network", network, names.computer.hotel_network),
    def!(
        Scenario,
        "names.computer.office",
        "Its address in the recipient's office (inside their network)",
        ip,
        names.computer.office
    ),
    def!(Scenario, "names.computer.stranger", "The spammer's address", ip, names.computer.stranger),
];

/// Settings each server has, under `provider.`, `middle.` and `recipient.`.
pub static SERVER: &[Def<Server>] = &[
    def!(Server, "flavour", "The server software: it decides the exact words", choice Flavour, flavour),
    def!(Server, "policy", "Postfix: refuse relay requests for good (554) or for now (454)", choice Policy, policy),
    def!(Server, "trust", "Whose addresses may relay without logging in (mynetworks)", choice Trust, trust),
    def!(Server, "handles_domain", "Lists the domain it serves (off: misconfigured)", bool, handles_domain),
    Def {
        name: "users",
        help: "Extra mailbox names (comma-separated)",
        kind: Kind::Names { max: 20 },
        get: |x| Value::List(x.users.clone()),
        set: |x, v| {
            let list = v.as_list();
            if list.len() > 20 {
                return Err(format!("has {} names; at most 20", list.len()));
            }
            x.users = list.iter().map(|n| check_name(n)).collect::<Result<_, _>>()?;
            Ok(())
        },
    },
    def!(Server, "sasl", "Offers SMTP authentication", bool, sasl),
    def!(Server, "tls", "Offers STARTTLS", bool, tls),
    def!(Server, "submission", "Runs the submission services on 587 and 465", bool, submission),
    def!(Server, "pop_before_smtp", "Lets an address relay for 30 minutes after a POP login", bool, pop_before_smtp),
    def!(
        Server,
        "reject_unknown_domain",
        "Refuses recipients whose domain cannot take mail",
        bool,
        reject_unknown_domain
    ),
    def!(Server, "greylisting", "Defers the first try from a new sender", bool, greylisting),
    def!(Server, "rbl", "Refuses clients listed on zen.spamhaus.org", bool, rbl),
    def!(Server, "spf", "Refuses senders whose domain's SPF does not list the client", bool, spf),
    def!(Server, "dmarc", "Refuses messages that fail the From: domain's DMARC policy", bool, dmarc),
    def!(Server, "blocklisted", "Its own address is on the blocklist", bool, blocklisted),
    def!(Server, "size_limit_kb", "Largest message it takes, in KB", num u32 [1, 1_000_000], size_limit_kb),
    def!(Server, "down.at", "When it goes down", duration, down.at),
    def!(Server, "down.for", "How long it stays down (0: never)", duration, down.length),
    def!(Server, "retrieval", "How its users fetch mail", choice Retrieval, retrieval),
    def!(
        Server,
        "main_cf",
        "main.cf lines copied from a real server (maps written inline:{ … }); each overrides what the settings above make",
        text 8000,
        main_cf
    ),
];

/// A short label for a setting's control (the hint is [`Def::help`]).
pub fn label(key: &str) -> &'static str {
    let name = if TOP.iter().any(|d| d.name == key) {
        key
    } else {
        SERVERS.iter().find_map(|p| key.strip_prefix(p).and_then(|r| r.strip_prefix('.'))).unwrap_or(key)
    };
    match name {
        "title" => "Title",
        "seed" => "Seed",
        "sender" => "Who sends",
        "client.program" => "Mail program",
        "client.server" => "Outgoing server",
        "client.port" => "Port",
        "client.tls" => "TLS / SSL",
        "client.auth" => "Authentication",
        "client.pop_before_smtp" => "Log on to incoming server first",
        "client.pop_age" => "…how long before sending",
        "client.login" => "Login name",
        "client.persistence" => "After a refusal",
        "network.place" => "Network",
        "network.port25" => "Port 25 out of the network",
        "network.ptr" => "Address has a reverse-DNS name",
        "message.from" => "From (envelope)",
        "message.to" => "To",
        "message.header_from" => "From: line (if different)",
        "message.subject" => "Subject",
        "message.body" => "Text",
        "message.attachment_kb" => "Attachment (KB)",
        "middle.role" => "Middle-man",
        "middle.recipient_list" => "Knows the recipients (relay_recipient_maps)",
        "middle.login" => "Provider logs in to it",
        "dns.outage.at" => "DNS outage starts at",
        "dns.outage.for" => "DNS outage lasts",
        "dns.backup_preference" => "Backup MX preference",
        "names.provider.host" => "Provider's server",
        "names.provider.domain" => "Provider's domain",
        "names.provider.ip" => "Provider's server address",
        "names.provider.network" => "Provider's network",
        "names.recipient.host" => "Recipient's server",
        "names.recipient.domain" => "Recipient's domain",
        "names.recipient.ip" => "Recipient's server address",
        "names.recipient.network" => "Recipient's network",
        "names.middle.host" => "Middle-man's server",
        "names.middle.domain" => "Middle-man's domain",
        "names.middle.ip" => "Middle-man's address",
        "names.middle.network" => "Middle-man's network",
        "names.computer.helo" => "Your computer's name",
        "names.computer.home" => "Address at home",
        "names.computer.hotel" => "Address at the hotel",
        "names.computer.hotel_network" => "Hotel network",
        "names.computer.office" => "Address at the office",
        "names.computer.stranger" => "Spammer's address",
        "flavour" => "Software",
        "policy" => "Relay refusal",
        "trust" => "Trusts addresses of",
        "handles_domain" => "Lists its domain (not misconfigured)",
        "users" => "Extra mailboxes",
        "sasl" => "Offers authentication",
        "tls" => "Offers TLS",
        "submission" => "Submission on 587/465",
        "pop_before_smtp" => "POP-before-SMTP",
        "reject_unknown_domain" => "Refuse unknown domains",
        "greylisting" => "Greylisting",
        "rbl" => "Checks a blocklist",
        "spf" => "Checks SPF",
        "dmarc" => "Checks DMARC",
        "blocklisted" => "Is on a blocklist",
        "size_limit_kb" => "Size limit (KB)",
        "down.at" => "Goes down at",
        "down.for" => "Stays down for",
        "retrieval" => "Users fetch with",
        "main_cf" => "main.cf",
        _ => "",
    }
}

/// The servers, by key prefix.
pub const SERVERS: [&str; 3] = ["provider", "middle", "recipient"];

fn server_mut<'a>(s: &'a mut Scenario, prefix: &str) -> Option<&'a mut Server> {
    match prefix {
        "provider" => Some(&mut s.provider),
        "middle" => Some(&mut s.middle.server),
        "recipient" => Some(&mut s.recipient),
        _ => None,
    }
}

fn server_ref<'a>(s: &'a Scenario, prefix: &str) -> Option<&'a Server> {
    match prefix {
        "provider" => Some(&s.provider),
        "middle" => Some(&s.middle.server),
        "recipient" => Some(&s.recipient),
        _ => None,
    }
}

/// A setting as the outside world sees it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its full key.
    pub key: &'static str,
    /// A one-line hint.
    pub help: &'static str,
    /// Its kind.
    pub kind: Kind,
}

/// Every setting with its full key, in a stable order.
pub fn all() -> Vec<(String, &'static str, Kind)> {
    let mut v: Vec<(String, &'static str, Kind)> = TOP.iter().map(|d| (d.name.to_string(), d.help, d.kind)).collect();
    for p in SERVERS {
        v.extend(SERVER.iter().map(|d| (format!("{p}.{}", d.name), d.help, d.kind)));
    }
    v
}

/// Why a setting could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// No such key; a close one, if any.
    Unknown {
        /// The key given.
        key: String,
        /// A key that looks close.
        suggestion: Option<String>,
    },
    /// The value does not fit.
    Invalid {
        /// The key.
        key: String,
        /// Why.
        problem: String,
    },
}

impl core::fmt::Display for FieldError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FieldError::Unknown { key, suggestion: Some(s) } => {
                write!(f, "unknown setting `{key}` (did you mean `{s}`?)")
            }
            FieldError::Unknown { key, suggestion: None } => write!(f, "unknown setting `{key}`"),
            FieldError::Invalid { key, problem } => write!(f, "`{key}`: {problem}"),
        }
    }
}

/// Reads one setting.
pub fn get(s: &Scenario, key: &str) -> Option<Value> {
    if let Some(d) = TOP.iter().find(|d| d.name == key) {
        return Some((d.get)(s));
    }
    let (prefix, rest) = key.split_once('.')?;
    let d = SERVER.iter().find(|d| d.name == rest)?;
    server_ref(s, prefix).map(|srv| (d.get)(srv))
}

/// Writes one setting (a name that would break the world together with the others is refused).
pub fn set(s: &mut Scenario, key: &str, v: &Value) -> Result<(), FieldError> {
    set_checked(s, key, v, true)
}

/// Writes one setting of several that come together (a file, a link): names are checked together afterwards,
/// by [`check`], since renaming a network and an address inside it takes two settings.
pub fn set_one_of_many(s: &mut Scenario, key: &str, v: &Value) -> Result<(), FieldError> {
    set_checked(s, key, v, false)
}

fn set_checked(s: &mut Scenario, key: &str, v: &Value, names_together: bool) -> Result<(), FieldError> {
    let invalid = |problem: String| FieldError::Invalid { key: key.to_string(), problem };
    if let Some(d) = TOP.iter().find(|d| d.name == key) {
        if key.starts_with("names.") && names_together {
            // A name that would break the world (two servers called alike, home outside the provider's
            // network) is refused; the last good names stay.
            let mut t = s.clone();
            (d.set)(&mut t, v).map_err(invalid)?;
            if let Some(problem) = crate::world::name_problems(&t.names).into_iter().next() {
                return Err(invalid(problem));
            }
            *s = t;
            return Ok(());
        }
        return (d.set)(s, v).map_err(invalid);
    }
    if let Some((prefix, rest)) = key.split_once('.') {
        if rest == "main_cf" && server_ref(s, prefix).is_some() {
            // Read as the real server would read it, with its names: every problem is said, nothing applied.
            let text = v.as_text(8000).map_err(invalid)?;
            if !text.trim().is_empty() {
                let (host, domain) = site_names(s, prefix);
                crate::postconf::parse(&text, &host, &domain).map_err(|problems| invalid(problems.join("; ")))?;
            }
            server_mut(s, prefix).expect("checked above").main_cf = text;
            return Ok(());
        }
        if let (Some(d), Some(srv)) = (SERVER.iter().find(|d| d.name == rest), server_mut(s, prefix)) {
            return (d.set)(srv, v).map_err(invalid);
        }
    }
    Err(FieldError::Unknown { key: key.to_string(), suggestion: closest(key) })
}

/// The host name and domain of the server under `prefix`.
fn site_names(s: &Scenario, prefix: &str) -> (String, String) {
    match prefix {
        "provider" => (s.names.provider.host.clone(), s.names.provider.domain.clone()),
        "recipient" => (s.names.recipient.host.clone(), s.names.recipient.domain.clone()),
        _ => (crate::world::middle_host(s), s.names.middle.domain.clone()),
    }
}

/// The notes for a server's `main.cf`: lines read but not simulated.
pub fn main_cf_notes(s: &Scenario, prefix: &str) -> Vec<String> {
    let Some(server) = server_ref(s, prefix) else { return Vec::new() };
    let (host, domain) = site_names(s, prefix);
    crate::postconf::parse(&server.main_cf, &host, &domain).map(|cf| cf.ignored).unwrap_or_default()
}

/// The known key closest to `key` (edit distance ≤ 3), for "did you mean".
fn closest(key: &str) -> Option<String> {
    all()
        .into_iter()
        .map(|(k, ..)| (distance(key, &k), k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Every setting whose value differs from the default scenario's, in table order.
pub fn changed(s: &Scenario) -> Vec<(String, Value)> {
    let base = Scenario::default();
    all()
        .into_iter()
        .filter_map(|(k, ..)| {
            let v = get(s, &k)?;
            (get(&base, &k).as_ref() != Some(&v)).then_some((k, v))
        })
        .collect()
}

/// Problems that involve more than one setting, with the key each is about.
pub fn check(s: &Scenario) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut bad = |key: &str, problem: &str| out.push(FieldError::Invalid { key: key.into(), problem: problem.into() });
    if s.message.to.is_empty() {
        bad("message.to", "needs at least one recipient");
    }
    for r in &s.message.to {
        if let Err(e) = Address::parse(r) {
            bad("message.to", &format!("\"{r}\": {e}"));
        }
    }
    if !s.message.from.is_empty() {
        if let Err(e) = Address::parse(&s.message.from) {
            bad("message.from", &format!("\"{}\": {e}", s.message.from));
        }
    }
    for problem in crate::world::name_problems(&s.names) {
        bad("names", &problem);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_what_it_wrote() {
        let s = Scenario::default();
        for (key, ..) in all() {
            let v = get(&s, &key).unwrap_or_else(|| panic!("{key} unreadable"));
            let mut t = s.clone();
            set(&mut t, &key, &v).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(t, s, "{key}");
            // The link form parses back too.
            let mut u = s.clone();
            set(&mut u, &key, &Value::Text(v.render())).unwrap_or_else(|e| panic!("{key} from text: {e}"));
            assert_eq!(u, s, "{key} from text");
        }
    }

    #[test]
    fn every_key_has_a_label() {
        for (key, ..) in all() {
            assert!(!label(&key).is_empty(), "{key}");
        }
    }

    #[test]
    fn keys_are_unique() {
        let keys: Vec<String> = all().into_iter().map(|(k, ..)| k).collect();
        let set: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(set.len(), keys.len());
    }

    #[test]
    fn bad_values_name_the_key_and_the_problem() {
        let mut s = Scenario::default();
        let e = set(&mut s, "client.port", &Value::Num(2525)).unwrap_err();
        assert_eq!(e.to_string(), "`client.port`: \"2525\" is not one of 25, 587, 465");
        let e = set(&mut s, "client.prot", &Value::Num(25)).unwrap_err();
        assert_eq!(e.to_string(), "unknown setting `client.prot` (did you mean `client.port`?)");
        let e = set(&mut s, "message.to", &Value::Text("bob@".into())).unwrap_err();
        assert!(e.to_string().starts_with("`message.to`: \"bob@\": there is nothing after the @"), "{e}");
        let e = set(&mut s, "recipient.down.for", &Value::Text("2x".into())).unwrap_err();
        assert!(e.to_string().contains("not a duration"), "{e}");
        assert!(set(&mut s, "provider.users", &Value::Text("a%b".into())).is_err());
        assert_eq!(s, Scenario::default(), "failed sets change nothing");
    }

    #[test]
    fn changed_lists_only_differences() {
        let mut s = Scenario::default();
        assert!(changed(&s).is_empty());
        s.client.port = Port::P25;
        s.recipient.greylisting = true;
        let keys: Vec<String> = changed(&s).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["client.port", "recipient.greylisting"]);
    }
}
