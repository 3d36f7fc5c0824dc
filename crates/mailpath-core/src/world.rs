//! The cast: every host, address, domain and DNS record of the simulated Internet, and each server's full
//! configuration, derived from a [`Scenario`]'s names ([`crate::scenario::Names`]) and knobs. The default
//! names are RFC 2606 / RFC 5737 examples; the rest of the Internet (`elsewhere.example`, the hotel, the
//! nameless domains) keeps fixed names.

use crate::actor::HostId;
use crate::addr::Name;
use crate::dns::{Entry, Mx, Zone, DNSBL};
use crate::net::Cidr;
use crate::postconf::{Lists, Restriction};
use crate::scenario::{Flavour, Names, Outgoing, Place, Policy, Role, Scenario, Sender, Server, Trust};
use std::net::Ipv4Addr;
use std::rc::Rc;

/// The password every account in the world has; a wrong password is anything else.
pub const PASSWORD: &str = "secret";
/// What the mail program sends when set to a wrong password.
pub const WRONG_PASSWORD: &str = "letmein";

/// The organisations of the world, for the mailbox names each has before a scenario adds its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Org {
    /// The sender's provider.
    Provider,
    /// The recipient's organisation.
    Recipient,
    /// The middle-man's organisation.
    Middle,
    /// Some third party, `elsewhere.example`.
    Elsewhere,
    /// The hotel.
    Hotel,
    /// The domain with only an address, `nomx.example`.
    NoMx,
}

/// Mailbox names each organisation has before a scenario adds its own.
pub fn cast_users(org: Org) -> &'static [&'static str] {
    match org {
        Org::Provider => &["alice", "carol", "postmaster"],
        Org::Recipient => &["bob", "postmaster"],
        Org::Elsewhere => &["dave", "victim", "ceo", "postmaster"],
        Org::Middle | Org::Hotel => &["postmaster"],
        Org::NoMx => &["x", "info", "postmaster"],
    }
}

/// A domain a server is the final destination for, and how Postfix would list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalDomain {
    /// The domain.
    pub name: Name,
    /// `true`: a virtual mailbox domain; `false`: in `mydestination` (local recipient table).
    pub is_virtual: bool,
    /// Its mailbox names.
    pub users: Vec<crate::reply::Text>,
}

/// Where a server sends everything it does not deliver itself (Postfix `relayhost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayhost {
    /// The smarthost.
    pub host: HostId,
    /// 25, or 587 when it logs in.
    pub port: u16,
    /// Whether it authenticates (SASL) to the smarthost.
    pub login: bool,
}

/// One mail server with everything it needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Which host it runs on.
    pub host: HostId,
    /// Its host name (`myhostname`).
    pub hostname: Name,
    /// Its address.
    pub ip: Ipv4Addr,
    /// The scenario's settings for it.
    pub settings: Server,
    /// Networks it trusts to relay (`mynetworks`).
    pub mynetworks: Vec<Cidr>,
    /// Domains it delivers itself.
    pub final_domains: Vec<FinalDomain>,
    /// Domains it accepts to pass on (`relay_domains`).
    pub relay_domains: Vec<Name>,
    /// Valid recipients in the relay domains (`relay_recipient_maps`), if it checks them.
    pub relay_recipients: Option<Vec<String>>,
    /// Its smarthost, if it uses one.
    pub relayhost: Option<Relayhost>,
    /// Clients exempt from greylisting, SPF and blocklist checks (its own backup MX).
    pub exempt: Vec<Cidr>,
    /// Its restriction lists on port 25, from its settings or its `main.cf`.
    pub lists: Lists,
}

impl ServerConfig {
    /// The final domain `domain`, if this server delivers it.
    pub fn final_domain(&self, domain: &str) -> Option<&FinalDomain> {
        self.final_domains.iter().find(|d| d.name.eq_ignore_ascii_case(domain))
    }

    /// Whether `domain` is one of its relay domains (or a subdomain of one, as Postfix matches by default).
    pub fn is_relay_domain(&self, domain: &str) -> bool {
        self.relay_domains.iter().any(|d| {
            let d: &str = d;
            domain.eq_ignore_ascii_case(d)
                || domain.len() > d.len() && domain.to_ascii_lowercase().ends_with(&format!(".{d}"))
        })
    }

    /// The local recipient table: mailbox names of its `mydestination` domains (also used for address literals
    /// of this host); just `postmaster` when it has none.
    pub fn local_users(&self) -> Vec<&str> {
        let mut users: Vec<&str> =
            self.final_domains.iter().filter(|d| !d.is_virtual).flat_map(|d| d.users.iter().map(|u| &**u)).collect();
        if users.is_empty() {
            users.push("postmaster");
        }
        users
    }

    /// Whether an account `user` can log in here (SASL).
    pub fn has_account(&self, user: &str) -> bool {
        self.final_domains.iter().any(|d| d.users.iter().any(|u| u.eq_ignore_ascii_case(user)))
    }
}

/// A host's identity on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Which host.
    pub id: HostId,
    /// Its name (a host name, or a description for people's computers).
    pub name: Name,
    /// Its address.
    pub ip: Ipv4Addr,
}

/// The whole world for one scenario.
#[derive(Debug, Clone)]
pub struct World {
    /// Every server (shared: a run hands them around without copying).
    pub servers: Vec<Rc<ServerConfig>>,
    /// DNS data.
    pub zone: Zone,
    /// The sending machine.
    pub sender: Host,
    /// The name the sender gives in EHLO.
    pub helo: Name,
    /// The server the sender's program is set to use.
    pub outgoing: HostId,
    /// The provider's own domain: where the sender's mailbox is, and the domain its server signs (DKIM).
    pub home_domain: Name,
    /// The account the provider's server logs in with at a smarthost that wants a login.
    pub smarthost_login: Name,
    /// The network the sender's computer is on.
    pub local_network: Cidr,
}

const fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// Networks every server knows.
pub mod nets {
    use super::*;
    /// Loopback.
    pub const LOCALHOST: Cidr = Cidr::new(127, 0, 0, 0, 8);
    /// Everyone.
    pub const EVERYONE: Cidr = Cidr::new(0, 0, 0, 0, 0);
    /// elsewhere's network.
    pub const ELSEWHERE_NET: Cidr = Cidr::new(203, 0, 113, 200, 29);
}

/// The middle-man's host name: its own, or the one its role gives it.
pub fn middle_host(s: &Scenario) -> String {
    let m = &s.names.middle;
    if !m.host.is_empty() {
        return m.host.clone();
    }
    match s.middle.role {
        Role::Smarthost => format!("smarthost.{}", m.domain),
        _ => format!("backup.{}", m.domain),
    }
}

/// The name and address of each host.
pub fn host(id: HostId, s: &Scenario) -> Host {
    let n = &s.names;
    let (name, address): (Name, Ipv4Addr) = match id {
        HostId::Alice => (
            n.computer.helo.as_str().into(),
            match s.network.place {
                Place::Home => n.computer.home,
                Place::Hotel => n.computer.hotel,
                Place::Office => n.computer.office,
            },
        ),
        HostId::Mallory => ("mallory.example".into(), n.computer.stranger),
        HostId::Tester => ("nmap.scanme.org".into(), ip(203, 0, 113, 99)),
        HostId::Provider => (n.provider.host.as_str().into(), n.provider.ip),
        HostId::Middle => (middle_host(s).into(), n.middle.ip),
        HostId::Mx => (n.recipient.host.as_str().into(), n.recipient.ip),
        HostId::Elsewhere => ("mx.elsewhere.example".into(), ip(203, 0, 113, 200)),
        HostId::Hotel => ("relay.hotel.example".into(), hotel_relay(s)),
        HostId::NoMx => ("nomx.example".into(), ip(192, 0, 2, 200)),
        HostId::Dns => ("resolver".into(), ip(198, 51, 100, 53)),
        HostId::Reader => ("reader.example".into(), ip(192, 0, 2, 88)),
    };
    Host { id, name, ip: address }
}

/// The hotel's own relay: the first address of the hotel's network after the network address.
fn hotel_relay(s: &Scenario) -> Ipv4Addr {
    let net = s.names.computer.hotel_network;
    Ipv4Addr::from_bits(net.addr.to_bits().wrapping_add(1))
}

fn mynetworks(trust: Trust, own: Cidr) -> Vec<Cidr> {
    match trust {
        Trust::Localhost => vec![nets::LOCALHOST],
        Trust::Network => vec![nets::LOCALHOST, own],
        Trust::Everyone => vec![nets::EVERYONE],
    }
}

fn users(org: Org, extra: &[String]) -> Vec<crate::reply::Text> {
    let mut u: Vec<crate::reply::Text> = cast_users(org).iter().map(|s| (*s).into()).collect();
    for e in extra {
        if !u.iter().any(|x| x.eq_ignore_ascii_case(e)) {
            u.push(e.clone().into());
        }
    }
    u
}

/// A server with one final domain (or none, when it does not list it) and its trusted networks.
struct Plain<'a> {
    id: HostId,
    settings: Server,
    own: Cidr,
    domain: &'a str,
    org: Org,
    is_virtual: bool,
}

fn plain(s: &Scenario, p: Plain) -> ServerConfig {
    let h = host(p.id, s);
    let final_domains = if p.settings.handles_domain {
        vec![FinalDomain { name: p.domain.into(), is_virtual: p.is_virtual, users: users(p.org, &p.settings.users) }]
    } else {
        Vec::new()
    };
    ServerConfig {
        host: p.id,
        hostname: h.name,
        ip: h.ip,
        mynetworks: mynetworks(p.settings.trust, p.own),
        settings: p.settings,
        final_domains,
        relay_domains: Vec::new(),
        relay_recipients: None,
        relayhost: None,
        exempt: Vec::new(),
        lists: Lists { relay: Vec::new(), recipient: Vec::new(), reject_unlisted: true },
    }
}

/// The lists a server's simple settings stand for (what its policy, POP-before-SMTP and spam checks mean in
/// Postfix's terms).
fn toggle_lists(server: &ServerConfig) -> Lists {
    use Restriction::*;
    let st = &server.settings;
    let mut recipient = Vec::new();
    if st.reject_unknown_domain && st.flavour == Flavour::Postfix {
        recipient.push(RejectUnknownRecipientDomain);
    }
    let mut relay = vec![PermitMynetworks, PermitSaslAuthenticated];
    if st.pop_before_smtp {
        relay.push(PermitPopBeforeSmtp);
    }
    relay.push(match (st.flavour, st.policy) {
        (Flavour::Postfix, Policy::Defer) => DeferUnauthDestination,
        _ => RejectUnauthDestination,
    });
    if st.rbl || st.spf || st.greylisting {
        recipient.extend([PermitMynetworks, PermitSaslAuthenticated]);
        if !server.exempt.is_empty() {
            recipient.push(PermitExempt);
        }
        if st.rbl {
            recipient.push(RejectRblClient);
        }
        if st.spf {
            recipient.push(CheckSpf);
        }
        if st.greylisting {
            recipient.push(CheckGreylist);
        }
    }
    Lists { relay, recipient, reject_unlisted: true }
}

/// The server with its `main.cf` lines applied over what its other settings make it (an unreadable `main.cf`
/// changes nothing: the setting refuses it before it gets here).
fn apply_main_cf(mut server: ServerConfig, org: Org, domain: &str) -> ServerConfig {
    server.lists = toggle_lists(&server);
    let text = server.settings.main_cf.trim().to_string();
    if text.is_empty() {
        return server;
    }
    let Ok(cf) = crate::postconf::parse(&text, &server.hostname, domain) else { return server };
    let users_of = |map: &Option<Vec<String>>, domain: &str| -> Option<Vec<crate::reply::Text>> {
        map.as_ref().map(|m| {
            m.iter()
                .filter_map(|entry| match entry.rsplit_once('@') {
                    Some((user, d)) if d.eq_ignore_ascii_case(domain) => Some(user.to_string().into()),
                    Some(_) => None,
                    None => Some(entry.clone().into()),
                })
                .collect()
        })
    };
    let default_users = users(org, &server.settings.users);
    if cf.mydestination.is_some() || cf.virtual_mailbox_domains.is_some() {
        let old = std::mem::take(&mut server.final_domains);
        let keep = |name: &str, is_virtual: bool| old.iter().find(|d| &*d.name == name && d.is_virtual == is_virtual);
        let mut finals = Vec::new();
        let locals = cf
            .mydestination
            .clone()
            .unwrap_or_else(|| old.iter().filter(|d| !d.is_virtual).map(|d| d.name.to_string()).collect());
        let virtuals = cf
            .virtual_mailbox_domains
            .clone()
            .unwrap_or_else(|| old.iter().filter(|d| d.is_virtual).map(|d| d.name.to_string()).collect());
        for (names, is_virtual) in [(locals, false), (virtuals, true)] {
            for name in names {
                let users = keep(&name, is_virtual).map(|d| d.users.clone()).unwrap_or_else(|| default_users.clone());
                finals.push(FinalDomain { name: name.as_str().into(), is_virtual, users });
            }
        }
        server.final_domains = finals;
    }
    for d in &mut server.final_domains {
        let map = if d.is_virtual { &cf.virtual_mailbox_maps } else { &cf.local_recipient_maps };
        if let Some(users) = users_of(map, &d.name) {
            d.users = users;
        }
    }
    if let Some(domains) = &cf.relay_domains {
        server.relay_domains = domains.iter().map(|d| d.as_str().into()).collect();
    }
    if let Some(list) = &cf.relay_recipient_maps {
        server.relay_recipients = Some(list.clone());
    }
    if let Some(nets) = &cf.mynetworks {
        server.mynetworks = nets.clone();
    }
    let st = &mut server.settings;
    if let Some(sasl) = cf.sasl {
        st.sasl = sasl;
    }
    if let Some(tls) = cf.tls {
        st.tls = tls;
    }
    if let Some(bytes) = cf.size_limit {
        st.size_limit_kb = bytes.div_ceil(1024).min(u64::from(u32::MAX)) as u32;
    }
    if let Some(relay) = cf.relay_restrictions {
        server.lists.relay = relay;
    }
    if let Some(recipient) = cf.recipient_restrictions {
        server.lists.recipient = recipient;
    }
    if let Some(r) = cf.reject_unlisted {
        server.lists.reject_unlisted = r;
    }
    server
}

/// Names of the rest of the Internet, which the scenario's own names must not take.
const FIXED_NAMES: [&str; 9] = [
    "elsewhere.example",
    "mx.elsewhere.example",
    "hotel.example",
    "relay.hotel.example",
    "nomail.example",
    "nomx.example",
    "typo.example",
    "mallory.example",
    "nmap.scanme.org",
];

/// What would break the world if these names were used: two servers or domains called alike, a server called
/// like a domain (one name cannot hold both an MX and a host's address here), a name of the rest of the
/// Internet taken, two hosts at one address, the computer's addresses outside the networks they stand for.
pub fn name_problems(n: &Names) -> Vec<String> {
    let mut out = Vec::new();
    let md = &n.middle.domain;
    let middle_hosts: Vec<String> = if n.middle.host.is_empty() {
        vec![format!("backup.{md}"), format!("smarthost.{md}")]
    } else {
        vec![n.middle.host.clone()]
    };
    let mut names: Vec<(&str, String)> = vec![
        ("the provider's server", n.provider.host.clone()),
        ("the recipient's server", n.recipient.host.clone()),
        ("the provider's domain", n.provider.domain.clone()),
        ("the recipient's domain", n.recipient.domain.clone()),
        ("the middle-man's domain", md.clone()),
    ];
    names.extend(middle_hosts.into_iter().map(|h| ("the middle-man's server", h)));
    for (i, (what, name)) in names.iter().enumerate() {
        if let Some((other, _)) = names[..i].iter().find(|(_, o)| o.eq_ignore_ascii_case(name)) {
            out.push(format!("{what} and {other} would both be called {name}; each needs its own name"));
        }
        if FIXED_NAMES.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            out.push(format!("{name} belongs to the rest of the simulated Internet; choose another name for {what}"));
        }
    }
    let fixed =
        [ip(203, 0, 113, 200), ip(192, 0, 2, 200), ip(198, 51, 100, 53), ip(192, 0, 2, 88), ip(203, 0, 113, 99)];
    let c = &n.computer;
    let hotel_relay = Ipv4Addr::from_bits(c.hotel_network.addr.to_bits().wrapping_add(1));
    let addresses: Vec<(&str, Ipv4Addr)> = vec![
        ("the provider's server", n.provider.ip),
        ("the recipient's server", n.recipient.ip),
        ("the middle-man", n.middle.ip),
        ("your computer at home", c.home),
        ("your computer at the hotel", c.hotel),
        ("your computer at the office", c.office),
        ("the spammer", c.stranger),
        ("the hotel's relay", hotel_relay),
    ];
    for (i, (what, a)) in addresses.iter().enumerate() {
        if let Some((other, _)) = addresses[..i].iter().find(|(_, o)| o == a) {
            out.push(format!("{what} and {other} would both be at {a}; each host needs its own address"));
        }
        if fixed.contains(a) {
            out.push(format!("{a} belongs to a host of the rest of the simulated Internet; choose another for {what}"));
        }
    }
    if !n.provider.network.contains(c.home) {
        out.push(format!(
            "your address at home, {}, must be inside the provider's network {}",
            c.home, n.provider.network
        ));
    }
    if !n.recipient.network.contains(c.office) {
        out.push(format!(
            "your address at the office, {}, must be inside the recipient's network {}",
            c.office, n.recipient.network
        ));
    }
    if !c.hotel_network.contains(c.hotel) {
        out.push(format!(
            "your address at the hotel, {}, must be inside the hotel's network {}",
            c.hotel, c.hotel_network
        ));
    }
    for (what, net) in [("provider's", n.provider.network), ("recipient's", n.recipient.network)] {
        if net.contains(c.hotel) {
            out.push(format!(
                "the hotel's address {} is inside the {what} network {net}: the hotel would be trusted",
                c.hotel
            ));
        }
    }
    out
}

/// The account name an organisation's server logs in with elsewhere: the first label of its domain.
pub fn account_of(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

impl World {
    /// Builds the world a scenario describes.
    pub fn build(s: &Scenario) -> World {
        let n = &s.names;
        let (pd, rd, md) = (n.provider.domain.as_str(), n.recipient.domain.as_str(), n.middle.domain.as_str());
        let mut servers = Vec::new();

        let provider = Plain {
            id: HostId::Provider,
            settings: s.provider.clone(),
            own: n.provider.network,
            domain: pd,
            org: Org::Provider,
            is_virtual: false,
        };
        let mut provider = plain(s, provider);
        if s.middle.role == Role::Smarthost {
            let login = s.middle.login;
            provider.relayhost = Some(Relayhost { host: HostId::Middle, port: if login { 587 } else { 25 }, login });
        }
        servers.push(provider);

        let mx = Plain {
            id: HostId::Mx,
            settings: s.recipient.clone(),
            own: n.recipient.network,
            domain: rd,
            org: Org::Recipient,
            is_virtual: true,
        };
        let mut mx = plain(s, mx);
        if s.middle.role == Role::Backup {
            // A primary normally spares its own backup MX from greylisting, SPF and blocklist checks.
            mx.exempt.push(Cidr::host(n.middle.ip));
        }
        servers.push(mx);

        if s.middle.role != Role::None {
            let mut settings = s.middle.server.clone();
            let handles = settings.handles_domain;
            // The middle-man's own domain is always its final destination.
            settings.handles_domain = true;
            let middle = Plain {
                id: HostId::Middle,
                settings,
                own: n.middle.network,
                domain: md,
                org: Org::Middle,
                is_virtual: false,
            };
            let mut m = plain(s, middle);
            match s.middle.role {
                Role::Backup if handles => {
                    m.relay_domains.push(rd.into());
                    if s.middle.recipient_list {
                        m.relay_recipients = Some(
                            users(Org::Recipient, &s.recipient.users).iter().map(|u| format!("{u}@{rd}")).collect(),
                        );
                    }
                }
                Role::Smarthost if handles && !s.middle.login && !m.mynetworks.contains(&nets::EVERYONE) => {
                    m.mynetworks.push(Cidr::host(n.provider.ip));
                }
                _ => {}
            }
            if s.middle.role == Role::Smarthost && s.middle.login {
                m.settings.sasl = true;
                m.settings.submission = true;
                m.final_domains[0].users.push(account_of(pd).to_string().into());
            }
            servers.push(m);
        }

        let everyone_else = Server { trust: Trust::Network, ..Server::postfix() };
        let elsewhere = Plain {
            id: HostId::Elsewhere,
            settings: Server { policy: crate::scenario::Policy::Reject, ..everyone_else.clone() },
            own: nets::ELSEWHERE_NET,
            domain: "elsewhere.example",
            org: Org::Elsewhere,
            is_virtual: true,
        };
        servers.push(plain(s, elsewhere));
        let hotel = Plain {
            id: HostId::Hotel,
            settings: everyone_else.clone(),
            own: n.computer.hotel_network,
            domain: "hotel.example",
            org: Org::Hotel,
            is_virtual: false,
        };
        servers.push(plain(s, hotel));
        let nomx = Plain {
            id: HostId::NoMx,
            settings: Server { trust: Trust::Localhost, ..everyone_else },
            own: Cidr::host(ip(192, 0, 2, 200)),
            domain: "nomx.example",
            org: Org::NoMx,
            is_virtual: false,
        };
        servers.push(plain(s, nomx));

        let zone = build_zone(s);
        let sender_id = match s.sender {
            Sender::Alice => HostId::Alice,
            Sender::Mallory => HostId::Mallory,
            Sender::Tester => HostId::Tester,
        };
        let sender = host(sender_id, s);
        let outgoing = match s.client.server {
            Outgoing::Provider => HostId::Provider,
            Outgoing::Recipient => HostId::Mx,
            Outgoing::Middle if s.middle.role != Role::None => HostId::Middle,
            Outgoing::Middle => HostId::Provider,
            Outgoing::Hotel => HostId::Hotel,
        };
        let local_network = match s.network.place {
            Place::Home => n.provider.network,
            Place::Hotel => n.computer.hotel_network,
            Place::Office => n.recipient.network,
        };
        // Last, each server's lists and its main.cf: they see the domains, exemptions and smarthost set above.
        let orgs = [
            (HostId::Provider, Org::Provider, pd),
            (HostId::Mx, Org::Recipient, rd),
            (HostId::Middle, Org::Middle, md),
        ];
        let servers: Vec<ServerConfig> = servers
            .into_iter()
            .map(|sv| {
                let (org, domain) =
                    orgs.iter().find(|(h, ..)| *h == sv.host).map_or((Org::Elsewhere, ""), |(_, o, d)| (*o, *d));
                apply_main_cf(sv, org, domain)
            })
            .collect();
        World {
            servers: servers.into_iter().map(Rc::new).collect(),
            zone,
            helo: sender.name.clone(),
            sender,
            outgoing,
            home_domain: pd.into(),
            smarthost_login: account_of(pd).into(),
            local_network,
        }
    }

    /// The server on `id`, if that host runs one.
    pub fn server(&self, id: HostId) -> Option<&Rc<ServerConfig>> {
        self.servers.iter().find(|s| s.host == id)
    }

    /// The server whose host name is `name`.
    pub fn server_named(&self, name: &str) -> Option<&Rc<ServerConfig>> {
        self.servers.iter().find(|s| s.hostname.eq_ignore_ascii_case(name))
    }

    /// The server at address `ip`.
    pub fn server_at(&self, ip: Ipv4Addr) -> Option<&Rc<ServerConfig>> {
        self.servers.iter().find(|s| s.ip == ip)
    }
}

fn build_zone(s: &Scenario) -> Zone {
    let n = &s.names;
    let mut z = Zone::default();
    let mx = |list: &[(u16, &str)]| {
        list.iter().map(|&(preference, exchange)| Mx { preference, exchange: exchange.into() }).collect()
    };
    let a = |name: &str, address: Ipv4Addr| Entry { name: name.into(), mx: Vec::new(), a: Some(address) };
    let (pd, ph) = (n.provider.domain.as_str(), n.provider.host.as_str());
    let (rd, rh) = (n.recipient.domain.as_str(), n.recipient.host.as_str());
    let md = n.middle.domain.as_str();
    let backup = if n.middle.host.is_empty() { format!("backup.{md}") } else { n.middle.host.clone() };
    let smarthost = if n.middle.host.is_empty() { format!("smarthost.{md}") } else { n.middle.host.clone() };
    z.add(Entry { name: pd.into(), mx: mx(&[(10, ph)]), a: None });
    z.add(a(ph, n.provider.ip));
    z.publish_spf(pd, vec![n.provider.ip]);
    z.publish_dmarc_reject(pd);
    let mut corp = vec![(10, rh)];
    if s.middle.role == Role::Backup {
        corp.push((s.dns.backup_preference, backup.as_str()));
    }
    z.add(Entry { name: rd.into(), mx: mx(&corp), a: None });
    z.add(a(rh, n.recipient.ip));
    z.outage(rd, s.dns.outage);
    z.add(Entry { name: md.into(), mx: mx(&[(10, backup.as_str())]), a: None });
    z.add(a(&backup, n.middle.ip));
    z.add(a(&smarthost, n.middle.ip));
    z.add(Entry { name: "elsewhere.example".into(), mx: mx(&[(10, "mx.elsewhere.example")]), a: None });
    z.add(a("mx.elsewhere.example", host(HostId::Elsewhere, s).ip));
    z.add(Entry { name: "hotel.example".into(), mx: mx(&[(10, "relay.hotel.example")]), a: None });
    z.add(a("relay.hotel.example", host(HostId::Hotel, s).ip));
    z.add(Entry { name: "nomail.example".into(), mx: mx(&[(0, "")]), a: None });
    z.add(a("nomx.example", host(HostId::NoMx, s).ip));
    z.add(Entry { name: DNSBL.into(), mx: Vec::new(), a: None });
    // Reverse DNS: every server's address names the server; the computer's address has a name only when the
    // scenario says so (a provider's generic name for a customer line: `host-198-51-100-23.isp-a.example`).
    for (ip, name) in [(n.provider.ip, ph), (n.recipient.ip, rh)] {
        z.publish_ptr(ip, name);
    }
    z.publish_ptr(n.middle.ip, if s.middle.role == Role::Smarthost { &smarthost } else { &backup });
    z.publish_ptr(host(HostId::Elsewhere, s).ip, "mx.elsewhere.example");
    z.publish_ptr(host(HostId::Hotel, s).ip, "relay.hotel.example");
    z.publish_ptr(host(HostId::NoMx, s).ip, "nomx.example");
    if s.network.ptr {
        let computer = host(HostId::Alice, s).ip;
        let domain = match s.network.place {
            Place::Home => pd,
            Place::Hotel => "hotel.example",
            Place::Office => rd,
        };
        let name = format!("host-{}.{domain}", computer.to_string().replace('.', "-"));
        z.publish_ptr(computer, &name);
    }
    // Spammers are listed; so is the provider once it has been abused as an open relay.
    z.block(n.computer.stranger);
    if s.provider.blocklisted {
        z.block(n.provider.ip);
    }
    if s.middle.server.blocklisted {
        z.block(n.middle.ip);
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_world_has_the_cast() {
        let w = World::build(&Scenario::default());
        let p = w.server(HostId::Provider).unwrap();
        assert_eq!(&*p.hostname, "smtp.isp-a.example");
        assert!(p.final_domain("isp-a.example").unwrap().users.iter().any(|u| u == "alice"));
        assert_eq!(p.mynetworks, vec![nets::LOCALHOST, Cidr::new(198, 51, 100, 0, 24)]);
        assert!(w.server(HostId::Middle).is_none());
        assert_eq!(w.sender.ip, ip(198, 51, 100, 23));
    }

    #[test]
    fn backup_mx_lists_the_domain_and_its_users() {
        let mut s = Scenario::default();
        s.middle.role = Role::Backup;
        s.middle.recipient_list = true;
        let w = World::build(&s);
        let m = w.server(HostId::Middle).unwrap();
        assert!(m.is_relay_domain("corp-b.example"));
        assert!(m.is_relay_domain("sub.corp-b.example"));
        assert!(!m.is_relay_domain("xcorp-b.example"));
        assert!(m.relay_recipients.as_ref().unwrap().contains(&"bob@corp-b.example".to_string()));
        assert_eq!(
            w.zone.mx("corp-b.example", 0),
            crate::dns::Answer::Found(vec![
                Mx { preference: 10, exchange: "mx1.corp-b.example".into() },
                Mx { preference: 20, exchange: "backup.relay-c.example".into() },
            ])
        );
    }
}
