//! Named situations with stable slugs: every situation of the "Relaying denied" article and its comments, and
//! the rows of the reference scenario table. Each only *describes* a world; [`crate::run`] decides.

use crate::scenario::*;
use crate::time::{DAY, HOUR, MINUTE};

/// A named scenario.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Stable slug used in links and on the command line.
    pub slug: &'static str,
    /// Menu title.
    pub title: &'static str,
    /// One sentence: what happens and why it matters.
    pub summary: &'static str,
    /// Where the situation comes from.
    pub source: Source,
    edit: fn(&mut Scenario),
}

/// Where a preset's situation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The "Relaying denied" article or its comments.
    Article,
    /// A row of the scenario table (reference §7).
    Table(u8),
}

impl Preset {
    /// The preset's scenario.
    pub fn scenario(&self) -> Scenario {
        let mut s = Scenario::default();
        (self.edit)(&mut s);
        s.title = self.title.to_string();
        s
    }
}

/// The preset with this slug.
pub fn get(slug: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.slug == slug)
}

fn port25_no_auth(s: &mut Scenario) {
    s.client.port = Port::P25;
    s.client.tls = false;
    s.client.auth = Auth::Off;
}

fn mallory(s: &mut Scenario, to: &[&str]) {
    s.sender = Sender::Mallory;
    port25_no_auth(s);
    s.message.from = "offers@mallory.example".into();
    s.message.to = to.iter().map(|t| t.to_string()).collect();
    s.message.subject = "You have won!".into();
    s.message.body = "Click here.".into();
}

const fn p(
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    source: Source,
    edit: fn(&mut Scenario),
) -> Preset {
    Preset { slug, title, summary, source, edit }
}

use Source::{Article, Table};

/// Every preset, in menu order.
pub static ALL: &[Preset] = &[
    p("outlook-express", "Outlook Express: Relaying denied. Proper authentication required",
      "The article's reader sends through a Sendmail server that wants a login, without logging in.", Article, |s| {
        port25_no_auth(s);
        s.provider.flavour = Flavour::Sendmail;
        s.provider.trust = Trust::Localhost;
        // The article's wording needs it: for an address without a name, Sendmail's refusal says
        // "IP name lookup failed" instead.
        s.network.ptr = true;
    }),
    p("happy-path", "Sending through your provider, authenticated (the happy path)",
      "Port 587, TLS and a password: the provider relays for its own user, the recipient's server takes mail for its own domain.", Article, |_| {}),
    p("stranger-denied", "A stranger tries to relay (spam blocked)",
      "Mallory is neither logged in nor trusted and the recipient is not the server's own: a relay request, refused.", Article, |s| {
        mallory(s, &["victim@elsewhere.example"]);
        s.provider.policy = Policy::Reject;
    }),
    p("open-relay-abused", "Open relay abused by a spammer",
      "A server that trusts every address relays Mallory's spam to anyone.", Article, |s| {
        mallory(s, &["victim@elsewhere.example", "dave@elsewhere.example"]);
        s.provider.trust = Trust::Everyone;
    }),
    p("hotel-port25-blocked", "Traveller in a hotel: port 25 blocked",
      "The hotel network drops connections to port 25 outside it: no SMTP reply at all.", Article, |s| {
        port25_no_auth(s);
        s.network.place = Place::Hotel;
        s.network.port25 = Port25::Blocked;
    }),
    p("hotel-not-in-network", "Traveller in a hotel: not in the provider's network",
      "The provider trusts its customers by address; from the hotel's address Alice is a stranger.", Article, |s| {
        port25_no_auth(s);
        s.network.place = Place::Hotel;
        s.provider.policy = Policy::Reject;
    }),
    p("hotel-fixed-587", "Traveller fixes it with port 587 and a password",
      "Authenticated submission works from any network.", Article, |s| {
        s.network.place = Place::Hotel;
        s.network.port25 = Port25::Blocked;
    }),
    p("pop-before-smtp", "Log on to incoming server before sending (POP-before-SMTP)",
      "A POP login from the hotel's address opens relaying for 30 minutes.", Article, |s| {
        port25_no_auth(s);
        s.network.place = Place::Hotel;
        s.client.pop_before_smtp = true;
        s.provider.pop_before_smtp = true;
        s.provider.policy = Policy::Reject;
    }),
    p("pop-before-smtp-stale", "POP-before-SMTP, but the login was 45 minutes ago",
      "The POP login has aged out of the 30-minute window: relaying is denied again.", Table(12), |s| {
        port25_no_auth(s);
        s.network.place = Place::Hotel;
        s.client.pop_before_smtp = true;
        s.client.pop_age = 45 * MINUTE;
        s.provider.pop_before_smtp = true;
        s.provider.policy = Policy::Reject;
    }),
    p("recipient-misconfigured", "Recipient's server misconfigured: relaying denied to a legitimate sender (you get a bounce)",
      "mx1 forgot its own domain, so it treats mail for corp-b.example as a relay request; Alice's provider returns the message.", Article, |s| {
        s.recipient.handles_domain = false;
        s.recipient.policy = Policy::Reject;
    }),
    p("middle-man-forwards", "Middle-man relay forwards the mail",
      "The provider hands all outgoing mail to a smarthost that trusts the provider's address.", Article, |s| {
        s.middle.role = Role::Smarthost;
    }),
    p("middle-man-denies", "Middle-man relay denies: bounce",
      "The smarthost does not trust the provider (its address changed): relaying denied, and the provider writes the bounce.", Article, |s| {
        s.middle.role = Role::Smarthost;
        s.middle.server.handles_domain = false;
        s.middle.server.policy = Policy::Reject;
    }),
    p("backup-mx-primary-down", "Backup MX while the primary is down",
      "mx1 is down for 2 hours; the backup MX queues the message and delivers it when mx1 is back.", Article, |s| {
        s.middle.role = Role::Backup;
        s.recipient.down = Window { at: 0, length: 2 * HOUR };
    }),
    p("backup-mx-primary-down-6d", "Backup MX while the primary is down for 6 days",
      "The backup keeps trying for 5 days, then returns the message itself.", Table(22), |s| {
        s.middle.role = Role::Backup;
        s.recipient.down = Window { at: 0, length: 6 * DAY };
    }),
    p("unknown-user", "Unknown user (not a relay problem)",
      "The right server, the wrong mailbox name: 550 5.1.1, and the provider returns the message.", Article, |s| {
        s.message.to = vec!["nobody@corp-b.example".into()];
    }),
    p("greylisting", "Greylisting: try again later",
      "The recipient's server defers the first try from a new sender; the provider tries again 5 minutes later and gets through.", Article, |s| {
        s.recipient.greylisting = true;
    }),
    p("home-trusted-network", "At home, no password: trusted by address",
      "The provider trusts its customers' addresses; from home, plain port 25 works (the old way).", Table(1), port25_no_auth),
    p("implicit-tls-465", "Port 465 with TLS from the first byte",
      "Submission over implicit TLS, authenticated: the same as 587 with STARTTLS.", Table(3), |s| {
        s.client.port = Port::P465;
    }),
    p("wrong-password", "Wrong password",
      "The login fails with 535; the mail program asks for the password again.", Table(4), |s| {
        s.client.auth = Auth::Wrong;
    }),
    p("submission-no-auth", "Port 587 without a password",
      "The submission service takes mail only from logged-in users: Access denied, not Relay access denied.", Table(5), |s| {
        s.client.auth = Auth::Off;
    }),
    p("submission-no-tls", "Port 587 without TLS",
      "The submission service wants STARTTLS before anything else.", Table(6), |s| {
        s.client.tls = false;
    }),
    p("hotel-own-domain", "From the hotel to a mailbox at the provider",
      "Mail for the provider's own domain needs no relay permission: it works from anywhere.", Table(9), |s| {
        port25_no_auth(s);
        s.network.place = Place::Hotel;
        s.message.to = vec!["carol@isp-a.example".into()];
    }),
    p("hotel-intercepted", "The hotel redirects port 25 to its own relay",
      "The mail program thinks it talks to its provider; the hotel's relay answers instead, and relays for its guests.", Table(11), |s| {
        port25_no_auth(s);
        s.network.place = Place::Hotel;
        s.network.port25 = Port25::Intercepted;
    }),
    p("stranger-to-own-domain", "A stranger sends to the server's own domain",
      "Inbound mail needs no relay permission: the server is the destination.", Table(14), |s| {
        mallory(s, &["carol@isp-a.example"]);
    }),
    p("misconfigured-defer-backup", "Misconfigured primary that defers, correct backup",
      "mx1 answers 454 for its own domain; the backup takes the message and keeps trying mx1 for 5 days, then bounces.", Table(17), |s| {
        s.recipient.handles_domain = false;
        s.middle.role = Role::Backup;
    }),
    p("colleague-loop", "Office colleague, misconfigured server: mail loops",
      "From corp-b's LAN, mx1 trusts the sender and relays, finds itself as the best MX for corp-b.example, and gives up.", Table(18), |s| {
        port25_no_auth(s);
        s.network.place = Place::Office;
        s.client.server = Outgoing::Recipient;
        s.recipient.handles_domain = false;
    }),
    p("wrong-outgoing-server", "Mail program set to the recipient's server",
      "A legitimate user, but the server is not hers: mail to a third domain is a relay request.", Table(19), |s| {
        port25_no_auth(s);
        s.client.server = Outgoing::Recipient;
        s.message.to = vec!["dave@elsewhere.example".into()];
        s.recipient.policy = Policy::Reject;
    }),
    p("corp-user-submission", "Bob sends through his own company's server",
      "Logged in on the company's submission service, Bob may send anywhere.", Table(20), |s| {
        s.client.server = Outgoing::Recipient;
        s.message.from = "bob@corp-b.example".into();
        s.message.to = vec!["dave@elsewhere.example".into()];
        s.recipient.sasl = true;
        s.recipient.submission = true;
    }),
    p("backscatter", "Backup MX without a recipient list: backscatter",
      "The backup accepts a made-up recipient, mx1 refuses it later, and the bounce goes to the forged sender.", Table(23), |s| {
        mallory(s, &["nobody@corp-b.example"]);
        s.message.from = "ceo@elsewhere.example".into();
        s.client.server = Outgoing::Middle;
        s.middle.role = Role::Backup;
        s.middle.server.policy = Policy::Reject;
    }),
    p("backup-recipient-list", "Backup MX with a recipient list",
      "The backup knows corp-b's mailboxes and refuses the unknown one at once: no backscatter.", Table(24), |s| {
        mallory(s, &["nobody@corp-b.example"]);
        s.message.from = "ceo@elsewhere.example".into();
        s.client.server = Outgoing::Middle;
        s.middle.role = Role::Backup;
        s.middle.recipient_list = true;
        s.middle.server.policy = Policy::Reject;
    }),
    p("backup-mx-denies", "Primary down, backup MX does not list the domain",
      "The backup refuses to relay for corp-b.example; a 5xx at RCPT is final, so the provider bounces at once.", Table(25), |s| {
        s.middle.role = Role::Backup;
        s.middle.server.handles_domain = false;
        s.middle.server.policy = Policy::Reject;
        s.recipient.down = Window { at: 0, length: 6 * DAY };
    }),
    p("backup-latent-misconfig", "Misconfigured backup MX while the primary is up",
      "The backup would deny, but it is never asked: mail goes to mx1. The fault waits for mx1's next outage.", Table(26), |s| {
        s.middle.role = Role::Backup;
        s.middle.server.handles_domain = false;
    }),
    p("smarthost-login", "Smarthost with a login on 587",
      "The provider logs in to the smarthost instead of being trusted by address.", Table(29), |s| {
        s.middle.role = Role::Smarthost;
        s.middle.login = true;
        s.middle.server.handles_domain = false;
    }),
    p("open-relay-blocklisted", "After the abuse: the ex-open relay is blocklisted",
      "The provider's address is on zen.spamhaus.org, and mx1 refuses even Alice's legitimate mail.", Table(31), |s| {
        s.provider.blocklisted = true;
        s.recipient.rbl = true;
    }),
    p("relay-test-strict", "Open-relay test of a correctly configured server",
      "nmap's 16 address tricks, every one refused.", Table(32), |s| {
        s.sender = Sender::Tester;
        port25_no_auth(s);
        s.provider.policy = Policy::Reject;
    }),
    p("relay-test-open", "Open-relay test of an open relay",
      "The same 16 tricks against a server that trusts everyone.", Table(33), |s| {
        s.sender = Sender::Tester;
        port25_no_auth(s);
        s.provider.trust = Trust::Everyone;
    }),
    p("relay-test-submission", "Open-relay test of the submission port",
      "Port 587 wants TLS and a login before anything: not an open relay.", Table(34), |s| {
        s.sender = Sender::Tester;
        s.client.port = Port::P587;
        s.client.tls = false;
        s.client.auth = Auth::Off;
    }),
    p("spf-fail", "SPF fail: a forged sender",
      "Mallory forges Alice's address; isp-a.example's SPF record does not list Mallory's address.", Table(38), |s| {
        mallory(s, &["bob@corp-b.example"]);
        s.message.from = "alice@isp-a.example".into();
        s.client.server = Outgoing::Recipient;
        s.recipient.spf = true;
    }),
    p("dmarc-reject", "DMARC reject after the message",
      "The envelope is Mallory's own, but the From: line claims isp-a.example, which asks for rejection.", Table(39), |s| {
        mallory(s, &["bob@corp-b.example"]);
        s.message.header_from = "ceo@isp-a.example".into();
        s.client.server = Outgoing::Recipient;
        s.recipient.dmarc = true;
    }),
    p("null-mx", "Recipient domain with a null MX",
      "nomail.example says it takes no mail (MX 0 .): the provider returns the message at once.", Table(40), |s| {
        s.message.to = vec!["x@nomail.example".into()];
    }),
    p("null-mx-rejected", "Null MX, refused at RCPT",
      "With reject_unknown_recipient_domain the provider refuses the recipient straight away.", Table(40), |s| {
        s.message.to = vec!["x@nomail.example".into()];
        s.provider.reject_unknown_domain = true;
    }),
    p("implicit-mx", "Domain without MX records",
      "nomx.example has only an address: it is its own mail server (implicit MX).", Table(41), |s| {
        s.message.to = vec!["info@nomx.example".into()];
    }),
    p("nonexistent-domain", "Recipient domain does not exist",
      "typo.example is NXDOMAIN: the provider returns the message.", Table(42), |s| {
        s.message.to = vec!["bob@typo.example".into()];
    }),
    p("dns-outage", "DNS outage for 3 hours",
      "Lookups of corp-b.example fail for 3 hours; the provider keeps the message and delivers when DNS answers again.", Table(43), |s| {
        s.dns.outage = Window { at: 0, length: 3 * HOUR };
    }),
    p("exchange-relay-denied", "Exchange 2019 refuses to relay",
      "The same decision in Exchange's words: 5.7.54.", Table(44), |s| {
        mallory(s, &["victim@elsewhere.example"]);
        s.client.server = Outgoing::Recipient;
        s.recipient.flavour = Flavour::Exchange;
    }),
    p("exim-relay-denied", "Exim refuses to relay",
      "Exim's default ACL: 550 relay not permitted.", Table(45), |s| {
        mallory(s, &["victim@elsewhere.example"]);
        s.provider.flavour = Flavour::Exim;
    }),
    p("qmail-relay-denied", "qmail refuses to relay",
      "Not in control/rcpthosts: 553 sorry.", Table(45), |s| {
        mallory(s, &["victim@elsewhere.example"]);
        s.provider.flavour = Flavour::Qmail;
    }),
    p("stalwart-relay-denied", "Stalwart refuses to relay",
      "Stalwart's words: 550 5.1.2 Relay not allowed.", Table(45), |s| {
        mallory(s, &["victim@elsewhere.example"]);
        s.provider.flavour = Flavour::Stalwart;
    }),
    p("opensmtpd-relay-denied", "OpenSMTPD refuses to relay",
      "No match rule takes the recipient: 550 Invalid recipient.", Table(45), |s| {
        mallory(s, &["victim@elsewhere.example"]);
        s.provider.flavour = Flavour::OpenSmtpd;
    }),
    p("mixed-recipients", "Two recipients, one unknown",
      "Each recipient is decided on its own: one is delivered, the other comes back.", Table(36), |s| {
        s.message.to = vec!["bob@corp-b.example".into(), "nobody@corp-b.example".into()];
    }),
    p("message-too-big", "Message too big",
      "A 20 MB attachment is over mx1's 10 MB limit; the provider returns it.", Article, |s| {
        s.message.attachment_kb = 20_000;
        s.provider.size_limit_kb = 50_000;
    }),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_link_safe() {
        let mut seen = std::collections::HashSet::new();
        for p in ALL {
            assert!(seen.insert(p.slug), "duplicate {}", p.slug);
            assert!(p.slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", p.slug);
            assert!(get(p.slug).is_some());
        }
    }
}
