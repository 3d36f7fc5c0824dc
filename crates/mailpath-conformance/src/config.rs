//! A server's Postfix configuration, derived from the simulator's own model of it: the restriction lists come
//! from `mailpath_core::policy::lists`, the domains, users and networks from the world. Loopback stands in for
//! the scenario's addresses.

use mailpath_core::actor::HostId;
use mailpath_core::net::Cidr;
use mailpath_core::policy::lists;
use mailpath_core::postconf::Restriction;
use mailpath_core::scenario::{Flavour, Scenario, Sender};
use mailpath_core::world::{host, nets, ServerConfig, World};
use std::net::Ipv4Addr;

/// Ports the instance listens on for the scenario's 25, 587 and 465.
pub fn local_port(port: u16) -> u16 {
    match port {
        25 => 10025,
        587 => 10587,
        _ => 10465,
    }
}

/// Why a server cannot be reproduced with Postfix on loopback, if it cannot.
pub fn unsupported(server: &ServerConfig) -> Option<String> {
    let st = &server.settings;
    if !matches!(st.flavour, Flavour::Postfix | Flavour::Exim | Flavour::OpenSmtpd | Flavour::Sendmail) {
        return Some(format!("runs {}, which has no real server here", st.flavour));
    }
    let dns = [
        (st.rbl, "a DNS blocklist"),
        (st.spf, "SPF (DNS and a policy daemon)"),
        (st.greylisting, "greylisting (a policy daemon)"),
        (st.dmarc, "DMARC (a milter)"),
        (st.reject_unknown_domain, "reject_unknown_recipient_domain (DNS)"),
    ];
    if let Some((_, what)) = dns.iter().find(|(on, _)| *on) {
        return Some(format!("uses {what}, which needs services this loopback set-up does not run"));
    }
    use mailpath_core::postconf::Restriction as R;
    let needs_dns = [R::RejectRblClient, R::CheckSpf, R::CheckGreylist, R::RejectUnknownRecipientDomain];
    if let Some(r) = server.lists.relay.iter().chain(&server.lists.recipient).find(|r| needs_dns.contains(r)) {
        return Some(format!(
            "its main.cf uses {}, which needs services this loopback set-up does not run",
            r.postfix_name()
        ));
    }
    if st.submission && !st.tls && st.flavour == Flavour::Postfix {
        return Some("runs the submission service without a TLS certificate".into());
    }
    if st.flavour == Flavour::Exim {
        if let Some(why) = crate::exim::unsupported(server) {
            return Some(why);
        }
    }
    if st.flavour == Flavour::OpenSmtpd {
        if let Some(why) = crate::opensmtpd::unsupported(server) {
            return Some(why);
        }
    }
    if st.flavour == Flavour::Sendmail {
        if let Some(why) = crate::sendmail::unsupported(server) {
            return Some(why);
        }
    }
    if st.down.length > 0 {
        return Some("is down at some point".into());
    }
    None
}

/// Scenario addresses ↔ loopback addresses: the server under test is 127.0.0.1 (127.0.0.2 for Sendmail, which
/// takes `[127.0.0.1]` in an address for localhost), every other host gets its own.
#[derive(Debug, Clone)]
pub struct AddressMap {
    pairs: Vec<(Ipv4Addr, Ipv4Addr)>,
}

const HOSTS: [HostId; 11] = [
    HostId::Alice,
    HostId::Mallory,
    HostId::Tester,
    HostId::Provider,
    HostId::Middle,
    HostId::Mx,
    HostId::Elsewhere,
    HostId::Hotel,
    HostId::NoMx,
    HostId::Dns,
    HostId::Reader,
];

impl AddressMap {
    /// The map for a scenario whose `server` is under test.
    pub fn new(s: &Scenario, server: &ServerConfig) -> AddressMap {
        let own = if server.settings.flavour == Flavour::Sendmail { 2 } else { 1 };
        let mut pairs = vec![(server.ip, Ipv4Addr::new(127, 0, 0, own))];
        for (i, id) in HOSTS.iter().enumerate() {
            let ip = host(*id, s).ip;
            if !pairs.iter().any(|(a, _)| *a == ip) {
                pairs.push((ip, Ipv4Addr::new(127, 0, 0, 10 + i as u8)));
            }
        }
        AddressMap { pairs }
    }

    /// The loopback address of the server under test.
    pub fn server(&self) -> Ipv4Addr {
        self.pairs[0].1
    }

    /// The loopback address standing in for `ip`.
    pub fn to_loopback(&self, ip: Ipv4Addr) -> Ipv4Addr {
        self.pairs.iter().find(|(a, _)| *a == ip).map_or(Ipv4Addr::new(127, 0, 0, 250), |(_, l)| *l)
    }

    /// A command with the scenario's address literals replaced by loopback ones.
    pub fn outbound(&self, text: &str) -> String {
        let mut t = text.to_string();
        for (a, l) in &self.pairs {
            t = t.replace(&format!("[{a}]"), &format!("[{l}]"));
        }
        t
    }

    /// A reply with loopback address literals replaced by the scenario's.
    pub fn inbound(&self, text: &str) -> String {
        let mut t = text.to_string();
        for (a, l) in &self.pairs {
            t = t.replace(&format!("[{l}]"), &format!("[{a}]"));
        }
        t
    }

    /// `mynetworks` on loopback: 127.0.0.0/8 means the server itself; other networks, the cast hosts inside them.
    pub fn networks(&self, list: &[Cidr]) -> Vec<String> {
        let mut out = Vec::new();
        for c in list {
            if *c == nets::EVERYONE {
                out.push("0.0.0.0/0".to_string());
            } else if *c == nets::LOCALHOST {
                out.push("127.0.0.1/32".to_string());
            } else {
                for (a, l) in &self.pairs {
                    if c.contains(*a) {
                        out.push(format!("{l}/32"));
                    }
                }
            }
        }
        out.dedup();
        out
    }
}

/// The files and accounts of one Postfix configuration (paths are added by the instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `main.cf` settings.
    pub main: Vec<(String, String)>,
    /// Whether the submission services (587, 465) run.
    pub submission: bool,
    /// The submission services' `smtpd_recipient_restrictions`.
    pub submission_recipient: String,
    /// SASL accounts: (user, realm).
    pub accounts: Vec<(String, String)>,
}

impl Config {
    /// A key that is equal for equal configurations.
    pub fn key(&self) -> String {
        format!("{:?}{}{}{:?}", self.main, self.submission, self.submission_recipient, self.accounts)
    }
}

/// Where the instance's mailboxes are (replaced by the instance's own folder).
pub const MAILDIR: &str = "{maildir}";

/// The mailbox file of `user` in a local (`mydestination`) domain, relative to the mail folder.
pub fn local_mailbox(user: &str) -> String {
    format!("local/{}", user.to_ascii_lowercase())
}

/// The mailbox file of `user@domain` in a virtual mailbox domain, relative to the mail folder.
pub fn virtual_mailbox(user: &str, domain: &str) -> String {
    format!("virtual/{}@{}", user.to_ascii_lowercase(), domain.to_ascii_lowercase())
}

fn inline_pairs(pairs: &[(String, String)]) -> String {
    format!("inline:{{ {} }}", pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))
}

fn inline(entries: &[String]) -> String {
    format!("inline:{{ {} }}", entries.iter().map(|e| format!("{e}=OK")).collect::<Vec<_>>().join(", "))
}

fn render(list: &[Restriction], map: &AddressMap, fresh_pop: &[Ipv4Addr]) -> String {
    list.iter()
        .map(|r| match r {
            Restriction::PermitPopBeforeSmtp => {
                let ips: Vec<String> = fresh_pop.iter().map(|ip| map.to_loopback(*ip).to_string()).collect();
                let ips = if ips.is_empty() { vec!["127.255.255.254".to_string()] } else { ips };
                format!("check_client_access {}", inline(&ips))
            }
            other => other.postfix_name().to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Derives `main.cf` and the accounts for `server` as the simulator models it.
pub fn derive(server: &ServerConfig, map: &AddressMap, world: &World, s: &Scenario) -> Config {
    let st = &server.settings;
    let local: Vec<&str> = server.final_domains.iter().filter(|d| !d.is_virtual).map(|d| &*d.name).collect();
    let virt: Vec<&str> = server.final_domains.iter().filter(|d| d.is_virtual).map(|d| &*d.name).collect();
    let local_users: Vec<String> = server.local_users().iter().map(|u| u.to_string()).collect();
    // Each mailbox is a file the real server delivers into: virtual(8) by its map's value, local(8) through an
    // alias to a file (no system accounts needed).
    let mailboxes: Vec<(String, String)> = server
        .final_domains
        .iter()
        .filter(|d| d.is_virtual)
        .flat_map(|d| d.users.iter().map(move |u| (format!("{u}@{}", d.name), virtual_mailbox(u, &d.name))))
        .collect();
    let aliases: Vec<(String, String)> =
        local_users.iter().map(|u| (u.clone(), format!("{MAILDIR}/{}", local_mailbox(u)))).collect();
    // The sender's POP login is fresh when the simulator says so (the daemon would have written the table).
    let logged_in_here = server.host == HostId::Provider && s.sender == Sender::Alice && s.client.pop_before_smtp;
    let fresh: Vec<Ipv4Addr> =
        if logged_in_here && s.client.pop_age < mailpath_core::POP_WINDOW { vec![world.sender.ip] } else { Vec::new() };
    let port25 = lists(server, false);
    let mut main: Vec<(String, String)> = vec![
        ("compatibility_level".into(), "3.6".into()),
        ("myhostname".into(), server.hostname.to_string()),
        ("mydomain".into(), server.hostname.split_once('.').map_or(&*server.hostname, |(_, d)| d).into()),
        ("myorigin".into(), "$myhostname".into()),
        ("mydestination".into(), local.join(", ")),
        ("local_recipient_maps".into(), inline(&local_users)),
        ("virtual_mailbox_domains".into(), virt.join(", ")),
        ("virtual_mailbox_maps".into(), if mailboxes.is_empty() { String::new() } else { inline_pairs(&mailboxes) }),
        ("alias_maps".into(), inline_pairs(&aliases)),
        ("relay_domains".into(), server.relay_domains.join(", ")),
        ("mynetworks".into(), map.networks(&server.mynetworks).join(" ")),
        ("smtpd_relay_restrictions".into(), render(&port25.relay, map, &fresh)),
        ("smtpd_recipient_restrictions".into(), render(&port25.recipient, map, &fresh)),
        ("smtpd_reject_unlisted_recipient".into(), if port25.reject_unlisted { "yes" } else { "no" }.into()),
        ("message_size_limit".into(), (u64::from(st.size_limit_kb) * 1024).to_string()),
        ("smtpd_tls_security_level".into(), if st.tls { "may" } else { "none" }.into()),
        ("smtpd_sasl_auth_enable".into(), if st.sasl { "yes" } else { "no" }.into()),
    ];
    if let Some(list) = &server.relay_recipients {
        main.push(("relay_recipient_maps".into(), inline(list)));
    }
    let accounts = server
        .final_domains
        .iter()
        .flat_map(|d| d.users.iter().map(|u| (u.to_string(), server.hostname.to_string())))
        .collect();
    let submission_recipient = render(&lists(server, true).recipient, map, &fresh).replace(' ', ",");
    Config { main, submission: st.submission, submission_recipient, accounts }
}
