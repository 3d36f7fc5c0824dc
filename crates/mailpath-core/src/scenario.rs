//! The `Scenario`: everything a person can set about one world — who sends, from where, through which servers,
//! configured how. The cast (hosts, domains, addresses) is fixed in [`crate::world`]; a scenario sets its knobs.
//!
//! Scenarios are written by hand as JSON (see `docs/scenario-format.md`), carried in links, and edited by the
//! app's controls; all three go through the one field table in [`crate::fields`].

use crate::named_enum;
use crate::net::Cidr;
use crate::time::{Secs, DAY, HOUR, MINUTE};
use std::net::Ipv4Addr;

named_enum! {
    /// Who is at the keyboard.
    pub enum Sender {
        /// Alice, with her mail program (the article's Outlook Express user).
        Alice = "alice" / "Alice's mail program",
        /// Mallory, a spammer looking for a server that relays for anyone.
        Mallory = "mallory" / "Mallory, a spammer",
        /// An open-relay tester (nmap's smtp-open-relay script) trying 16 address forms.
        Tester = "tester" / "An open-relay tester",
    }
}

named_enum! {
    /// The mail program, which decides how errors are worded.
    pub enum Program {
        /// Outlook Express, as in the article.
        OutlookExpress = "outlook-express" / "Outlook Express",
        /// Thunderbird.
        Thunderbird = "thunderbird" / "Thunderbird",
    }
}

named_enum! {
    /// The outgoing (SMTP) server the client is set to use.
    pub enum Outgoing {
        /// The sender's own provider: smtp.isp-a.example.
        Provider = "provider" / "Your provider's server",
        /// The recipient's server (mx1.corp-b.example): fine for mail to corp-b, a relay request otherwise.
        Recipient = "recipient" / "The recipient's server",
        /// The middle-man relay.
        Middle = "middle" / "The middle-man relay",
        /// The hotel's own relay.
        Hotel = "hotel" / "The hotel's relay",
    }
}

named_enum! {
    /// Where the client connects.
    pub enum Port {
        /// 25, server-to-server SMTP (RFC 5321).
        P25 = "25" / "25 (SMTP)",
        /// 587, message submission with STARTTLS (RFC 6409).
        P587 = "587" / "587 (submission, STARTTLS)",
        /// 465, submission over implicit TLS (RFC 8314).
        P465 = "465" / "465 (submissions, TLS)",
    }
}

impl Port {
    /// The port number.
    pub fn number(self) -> u16 {
        match self {
            Port::P25 => 25,
            Port::P587 => 587,
            Port::P465 => 465,
        }
    }
}

named_enum! {
    /// SMTP authentication in the mail program.
    pub enum Auth {
        /// "My server requires authentication" unticked.
        Off = "off" / "Off",
        /// On, with the right password.
        Right = "right" / "On, right password",
        /// On, with a wrong password.
        Wrong = "wrong" / "On, wrong password",
    }
}

named_enum! {
    /// The network around the sender's computer.
    pub enum Place {
        /// At home: an address in the provider's customer range.
        Home = "home" / "Home (provider's network)",
        /// Hotel or coffee-shop Wi-Fi: a foreign address.
        Hotel = "hotel" / "Hotel Wi-Fi",
        /// The office LAN of corp-b, the recipient's company.
        Office = "office" / "Office (corp-b's LAN)",
    }
}

named_enum! {
    /// What the access network does with outbound connections to port 25.
    pub enum Port25 {
        /// Lets them through.
        Open = "open" / "Open",
        /// Drops them: the connection times out.
        Blocked = "blocked" / "Blocked",
        /// Redirects them to the network's own relay.
        Intercepted = "intercepted" / "Redirected to the network's relay",
    }
}

named_enum! {
    /// Mail server software: decides wording, defaults, queue times and bounce format.
    pub enum Flavour {
        /// Postfix 3.x (the reference).
        Postfix = "postfix" / "Postfix",
        /// Sendmail 8.x.
        Sendmail = "sendmail" / "Sendmail",
        /// Exim 4 with the default configuration.
        Exim = "exim" / "Exim",
        /// Microsoft Exchange 2013, 2016, 2019.
        Exchange = "exchange" / "Exchange 2013+",
        /// Microsoft Exchange 2007 and 2010.
        Exchange2010 = "exchange2010" / "Exchange 2007/2010",
        /// qmail / notqmail.
        Qmail = "qmail" / "qmail",
        /// Stalwart.
        Stalwart = "stalwart" / "Stalwart",
        /// OpenSMTPD 6.8 (OpenBSD's, portable).
        OpenSmtpd = "opensmtpd" / "OpenSMTPD",
    }
}

named_enum! {
    /// What a Postfix server does with a relay request it will not take.
    pub enum Policy {
        /// `reject_unauth_destination`: 554 5.7.1, final.
        Reject = "reject" / "Reject (554)",
        /// `defer_unauth_destination`, Postfix's default: 454 4.7.1, try again later.
        Defer = "defer" / "Defer (454, Postfix default)",
    }
}

named_enum! {
    /// Which client addresses a server trusts to relay (Postfix `mynetworks`).
    pub enum Trust {
        /// Only itself (`127.0.0.0/8`).
        Localhost = "localhost" / "Only itself",
        /// Its own network too (the provider's customers, the company LAN).
        Network = "network" / "Its own network",
        /// Every address (`0.0.0.0/0`): an open relay.
        Everyone = "everyone" / "Everyone (open relay)",
    }
}

named_enum! {
    /// How the recipient's mail program fetches mail.
    pub enum Retrieval {
        /// POP3 (RFC 1939).
        Pop3 = "pop3" / "POP3",
        /// IMAP (RFC 9051).
        Imap = "imap" / "IMAP",
    }
}

named_enum! {
    /// What the middle-man does, if there is one.
    pub enum Role {
        /// No middle-man.
        None = "none" / "None",
        /// The provider hands all outgoing mail to it (Postfix `relayhost`).
        Smarthost = "smarthost" / "Smarthost (provider's relayhost)",
        /// A backup MX for corp-b.example (MX 20).
        Backup = "backup" / "Backup MX for the recipient",
    }
}

/// A span of simulated time: something starts `at` and lasts `length` (0 = never happens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// When it starts, in seconds from the start.
    pub at: Secs,
    /// How long it lasts; 0 means it never happens.
    pub length: Secs,
}

impl Window {
    /// Whether time `t` falls inside the window.
    pub fn contains(self, t: Secs) -> bool {
        self.length > 0 && t >= self.at && t - self.at < self.length
    }
}

/// A duration written as people write them: `90s`, `5m`, `2h`, `6d`, `1d12h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Secs, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("a duration is empty; write e.g. 30m, 2h or 6d".into());
    }
    if let Ok(n) = s.parse::<u32>() {
        return Ok(n);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => u64::from(MINUTE),
            'h' => u64::from(HOUR),
            'd' => u64::from(DAY),
            ' ' => continue,
            _ => return Err(format!("\"{s}\" is not a duration; write e.g. 30m, 2h or 6d")),
        };
        let n: u64 = digits.parse().map_err(|_| format!("\"{s}\" is not a duration; write e.g. 30m, 2h or 6d"))?;
        total += n * unit;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!("\"{s}\" has a number without a unit (s, m, h or d)"));
    }
    if total > u64::from(60 * DAY) {
        return Err(format!("\"{s}\" is longer than the 60 days a simulation covers"));
    }
    Ok(total as Secs)
}

/// Writes a duration the way [`parse_duration`] reads it: `6d`, `2h30m`, `0`.
pub fn format_duration(secs: Secs) -> String {
    if secs == 0 {
        return "0".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, name) in [(DAY, 'd'), (HOUR, 'h'), (MINUTE, 'm'), (1, 's')] {
        if rest >= unit {
            out.push_str(&(rest / unit).to_string());
            out.push(name);
            rest %= unit;
        }
    }
    out
}

/// The sender's mail program (or the spammer's tool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Which mail program (changes the error dialogs).
    pub program: Program,
    /// The outgoing server it is set to use.
    pub server: Outgoing,
    /// The port it connects to.
    pub port: Port,
    /// Whether it uses TLS (STARTTLS on 25/587, implicit on 465).
    pub tls: bool,
    /// SMTP authentication.
    pub auth: Auth,
    /// "Log on to incoming mail server before sending" (POP-before-SMTP).
    pub pop_before_smtp: bool,
    /// How long before sending that POP login happened.
    pub pop_age: Secs,
    /// The login name for SMTP AUTH and POP; empty: the local part of the sender's address.
    pub login: String,
    /// How it takes a refusal: a mail program gives up and shows a dialog; a script carries on.
    pub persistence: Persistence,
}

named_enum! {
    /// What a client does after a refused AUTH, MAIL or RCPT.
    pub enum Persistence {
        /// Gives up and shows an error (a person's mail program).
        GivesUp = "gives-up" / "Gives up (a mail program)",
        /// Carries on with the next command (a script, a telnet session, a spam tool).
        CarriesOn = "carries-on" / "Carries on (a script)",
    }
}

/// One organisation of the world: its mail server's name and address, its mail domain and its network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The mail server's host name (Postfix `myhostname`); for the middle-man, empty means the name its role
    /// gives it (`backup.` or `smarthost.` in front of its domain).
    pub host: String,
    /// The mail domain (the part after the `@`).
    pub domain: String,
    /// The mail server's address.
    pub ip: Ipv4Addr,
    /// The organisation's network (what "trusts its own network" puts in `mynetworks`).
    pub network: Cidr,
}

/// The sender's computer, wherever it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computer {
    /// The name it gives in `EHLO`.
    pub helo: String,
    /// Its address at home (inside the provider's network).
    pub home: Ipv4Addr,
    /// Its address on the hotel's Wi-Fi.
    pub hotel: Ipv4Addr,
    /// The hotel's network.
    pub hotel_network: Cidr,
    /// Its address on the office LAN (inside the recipient's network).
    pub office: Ipv4Addr,
    /// The spammer's address (the relay tester's is nmap's own).
    pub stranger: Ipv4Addr,
}

/// Every name and address in the world, so an author can rebuild the article's world as theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The sender's provider.
    pub provider: Site,
    /// The recipient's organisation.
    pub recipient: Site,
    /// The middle-man's organisation.
    pub middle: Site,
    /// The sender's computer.
    pub computer: Computer,
}

impl Default for Names {
    /// The article's cast (RFC 2606 names, RFC 5737 addresses).
    fn default() -> Self {
        let ip = Ipv4Addr::new;
        Names {
            provider: Site {
                host: "smtp.isp-a.example".into(),
                domain: "isp-a.example".into(),
                ip: ip(198, 51, 100, 25),
                network: Cidr::new(198, 51, 100, 0, 24),
            },
            recipient: Site {
                host: "mx1.corp-b.example".into(),
                domain: "corp-b.example".into(),
                ip: ip(192, 0, 2, 10),
                network: Cidr::new(192, 0, 2, 0, 24),
            },
            middle: Site {
                host: String::new(),
                domain: "relay-c.example".into(),
                ip: ip(203, 0, 113, 50),
                network: Cidr::new(203, 0, 113, 48, 29),
            },
            computer: Computer {
                helo: "laptop.example".into(),
                home: ip(198, 51, 100, 23),
                hotel: ip(203, 0, 113, 77),
                hotel_network: Cidr::new(203, 0, 113, 72, 29),
                office: ip(192, 0, 2, 77),
                stranger: ip(203, 0, 113, 66),
            },
        }
    }
}

/// Where the sender's computer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Home, hotel or office.
    pub place: Place,
    /// What the network does with port 25.
    pub port25: Port25,
    /// The computer's address has a reverse-DNS name (a PTR record, as most providers give their customers'
    /// addresses); without one, servers that look it up find nothing (Postfix writes `unknown`, and Sendmail
    /// says so when it refuses to relay).
    pub ptr: bool,
}

/// The message and its envelope, as typed into the mail program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSpec {
    /// The envelope sender (`MAIL FROM`), also the `From:` header unless `header_from` is set; empty for the null
    /// sender `MAIL FROM:<>` that bounces and probes use.
    pub from: String,
    /// The recipients (`RCPT TO`), decided one by one.
    pub to: Vec<String>,
    /// A different `From:` header (forgery, DMARC); empty for the same as `from`.
    pub header_from: String,
    /// The subject line.
    pub subject: String,
    /// The text.
    pub body: String,
    /// Size of an attachment in kilobytes (0 = none).
    pub attachment_kb: u32,
}

/// One mail server's settings, in Postfix's terms where they exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Which software it runs.
    pub flavour: Flavour,
    /// Relay refusal: reject (5xx) or defer (4xx); Postfix only.
    pub policy: Policy,
    /// Whose addresses it trusts to relay (`mynetworks`).
    pub trust: Trust,
    /// Whether it lists the domain it is meant to serve (final domain, relay domain, or the trusted provider).
    pub handles_domain: bool,
    /// Extra mailbox names beyond the cast's own.
    pub users: Vec<String>,
    /// SMTP AUTH (SASL) available.
    pub sasl: bool,
    /// STARTTLS offered.
    pub tls: bool,
    /// The submission services on 587 and 465 (Postfix `master.cf` template).
    pub submission: bool,
    /// Relaying allowed for 30 minutes after a POP/IMAP login from the same address.
    pub pop_before_smtp: bool,
    /// `reject_unknown_recipient_domain`: refuse recipients whose domain has no usable DNS.
    pub reject_unknown_domain: bool,
    /// Greylisting (postgrey): the first attempt from a new client is deferred.
    pub greylisting: bool,
    /// Checks clients against the zen.spamhaus.org blocklist.
    pub rbl: bool,
    /// Checks the sender's SPF record.
    pub spf: bool,
    /// Enforces DMARC at the end of the message.
    pub dmarc: bool,
    /// Its own address is listed on the blocklist (after being abused as an open relay).
    pub blocklisted: bool,
    /// Largest message accepted, in kilobytes (`message_size_limit`).
    pub size_limit_kb: u32,
    /// When the server is down (connections refused).
    pub down: Window,
    /// How its users fetch mail.
    pub retrieval: Retrieval,
    /// `main.cf` lines copied from a real server (empty: none); each line it has overrides what the settings
    /// above make of that part of the configuration.
    pub main_cf: String,
}

/// The optional middle-man relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Middle {
    /// Smarthost, backup MX, or none.
    pub role: Role,
    /// Backup MX: checks recipients against a list (`relay_recipient_maps`).
    pub recipient_list: bool,
    /// Smarthost: the provider logs in (SASL on 587) instead of being trusted by address.
    pub login: bool,
    /// Its server settings.
    pub server: Server,
}

/// The DNS as seen by every server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dns {
    /// When lookups of the recipient's domain fail with SERVFAIL.
    pub outage: Window,
    /// Preference of the backup MX record (the primary has 10); equal preferences are shuffled by the seed.
    pub backup_preference: u16,
}

/// A whole world to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// A title for people.
    pub title: String,
    /// Seed for shuffles and queue ids: the same scenario and seed always give the same trace.
    pub seed: u64,
    /// Who sends.
    pub sender: Sender,
    /// Their mail program or tool.
    pub client: Client,
    /// Where they are.
    pub network: Network,
    /// What they send.
    pub message: MessageSpec,
    /// The sender's provider: smtp.isp-a.example.
    pub provider: Server,
    /// The middle-man: smarthost or backup MX at relay-c.example.
    pub middle: Middle,
    /// The recipient's server: mx1.corp-b.example.
    pub recipient: Server,
    /// DNS.
    pub dns: Dns,
    /// Every name and address in the world.
    pub names: Names,
}

impl Server {
    /// A well-configured Postfix server with Postfix's defaults.
    pub fn postfix() -> Server {
        Server {
            flavour: Flavour::Postfix,
            policy: Policy::Defer,
            trust: Trust::Localhost,
            handles_domain: true,
            users: Vec::new(),
            sasl: false,
            tls: true,
            submission: false,
            pop_before_smtp: false,
            reject_unknown_domain: false,
            greylisting: false,
            rbl: false,
            spf: false,
            dmarc: false,
            blocklisted: false,
            size_limit_kb: 10_000,
            down: Window::default(),
            retrieval: Retrieval::Imap,
            main_cf: String::new(),
        }
    }
}

impl Default for Scenario {
    /// Alice at home sends to Bob through her provider, authenticated on 587: the happy path.
    fn default() -> Self {
        Scenario {
            title: "Your mail, sent the usual way".into(),
            seed: 1,
            sender: Sender::Alice,
            client: Client {
                program: Program::OutlookExpress,
                server: Outgoing::Provider,
                port: Port::P587,
                tls: true,
                auth: Auth::Right,
                pop_before_smtp: false,
                pop_age: 5 * MINUTE,
                login: String::new(),
                persistence: Persistence::GivesUp,
            },
            network: Network { place: Place::Home, port25: Port25::Open, ptr: false },
            message: MessageSpec {
                from: "alice@isp-a.example".into(),
                to: vec!["bob@corp-b.example".into()],
                header_from: String::new(),
                subject: "Lunch on Friday?".into(),
                body: "Are you free?".into(),
                attachment_kb: 0,
            },
            provider: Server {
                sasl: true,
                submission: true,
                trust: Trust::Network,
                retrieval: Retrieval::Pop3,
                ..Server::postfix()
            },
            middle: Middle { role: Role::None, recipient_list: false, login: false, server: Server::postfix() },
            recipient: Server { trust: Trust::Network, ..Server::postfix() },
            dns: Dns { outage: Window::default(), backup_preference: 20 },
            names: Names::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip() {
        for (text, secs) in
            [("0", 0), ("90s", 90), ("5m", 300), ("2h", 7200), ("6d", 6 * DAY), ("1d12h", DAY + 12 * HOUR)]
        {
            assert_eq!(parse_duration(text), Ok(secs), "{text}");
        }
        assert_eq!(format_duration(DAY + 12 * HOUR + 5), "1d12h5s");
        assert_eq!(parse_duration(&format_duration(2 * HOUR + 30 * MINUTE)), Ok(2 * HOUR + 30 * MINUTE));
        for bad in ["", "2x", "h", "5", "99d"] {
            if bad == "5" {
                continue;
            }
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows() {
        let w = Window { at: 10, length: 5 };
        assert!(!w.contains(9) && w.contains(10) && w.contains(14) && !w.contains(15));
        assert!(!Window::default().contains(0));
    }
}
