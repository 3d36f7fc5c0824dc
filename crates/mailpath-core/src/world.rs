//! The cast: every host, address, domain and DNS record of the simulated Internet, and each server's full
//! configuration, derived from a [`Scenario`]'s knobs. Names and addresses are RFC 2606 / RFC 5737 examples.

use crate::actor::HostId;
use crate::dns::{Entry, Mx, Zone, DNSBL};
use crate::net::Cidr;
use crate::scenario::{Outgoing, Place, Role, Scenario, Sender, Server, Trust};
use std::net::Ipv4Addr;
use std::rc::Rc;

/// The password every account in the world has; a wrong password is anything else.
pub const PASSWORD: &str = "secret";
/// The account the provider's server has at a smarthost that wants a login.
const SMARTHOST_LOGIN: &str = "isp-a";
/// What the mail program sends when set to a wrong password.
pub const WRONG_PASSWORD: &str = "letmein";

/// Mailbox names each domain has before a scenario adds its own.
pub fn cast_users(domain: &str) -> &'static [&'static str] {
    match domain {
        "isp-a.example" => &["alice", "carol", "postmaster"],
        "corp-b.example" => &["bob", "postmaster"],
        "elsewhere.example" => &["dave", "victim", "ceo", "postmaster"],
        "relay-c.example" | "hotel.example" => &["postmaster"],
        "nomx.example" => &["x", "info", "postmaster"],
        _ => &[],
    }
}

/// A domain a server is the final destination for, and how Postfix would list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalDomain {
    /// The domain.
    pub name: &'static str,
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
    pub hostname: &'static str,
    /// Its address.
    pub ip: Ipv4Addr,
    /// The scenario's settings for it.
    pub settings: Server,
    /// Networks it trusts to relay (`mynetworks`).
    pub mynetworks: Vec<Cidr>,
    /// Domains it delivers itself.
    pub final_domains: Vec<FinalDomain>,
    /// Domains it accepts to pass on (`relay_domains`).
    pub relay_domains: Vec<&'static str>,
    /// Valid recipients in the relay domains (`relay_recipient_maps`), if it checks them.
    pub relay_recipients: Option<Vec<String>>,
    /// Its smarthost, if it uses one.
    pub relayhost: Option<Relayhost>,
    /// Clients exempt from greylisting, SPF and blocklist checks (its own backup MX).
    pub exempt: Vec<Cidr>,
}

impl ServerConfig {
    /// The final domain `domain`, if this server delivers it.
    pub fn final_domain(&self, domain: &str) -> Option<&FinalDomain> {
        self.final_domains.iter().find(|d| d.name.eq_ignore_ascii_case(domain))
    }

    /// Whether `domain` is one of its relay domains (or a subdomain of one, as Postfix matches by default).
    pub fn is_relay_domain(&self, domain: &str) -> bool {
        self.relay_domains.iter().any(|d| {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// Which host.
    pub id: HostId,
    /// Its name (a host name, or a description for people's computers).
    pub name: &'static str,
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
    pub helo: &'static str,
    /// The server the sender's program is set to use.
    pub outgoing: HostId,
    /// The provider's own domain: where the sender's mailbox is, and the domain its server signs (DKIM).
    pub home_domain: &'static str,
    /// The account the provider's server logs in with at a smarthost that wants a login.
    pub smarthost_login: &'static str,
}

const fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// Where each network lives.
pub mod addr {
    use super::*;
    /// The provider's customer pool.
    pub const PROVIDER_POOL: Cidr = Cidr::new(198, 51, 100, 0, 24);
    /// corp-b's LAN.
    pub const CORP_LAN: Cidr = Cidr::new(192, 0, 2, 0, 24);
    /// The hotel's Wi-Fi.
    pub const HOTEL_NET: Cidr = Cidr::new(203, 0, 113, 72, 29);
    /// relay-c's network.
    pub const RELAY_NET: Cidr = Cidr::new(203, 0, 113, 48, 29);
    /// elsewhere's network.
    pub const ELSEWHERE_NET: Cidr = Cidr::new(203, 0, 113, 200, 29);
    /// Loopback.
    pub const LOCALHOST: Cidr = Cidr::new(127, 0, 0, 0, 8);
    /// Everyone.
    pub const EVERYONE: Cidr = Cidr::new(0, 0, 0, 0, 0);
}

/// The fixed address and name of each host.
pub fn host(id: HostId, s: &Scenario) -> Host {
    let (name, address) = match id {
        HostId::Alice => match s.network.place {
            Place::Home => ("laptop.example", ip(198, 51, 100, 23)),
            Place::Hotel => ("laptop.example", ip(203, 0, 113, 77)),
            Place::Office => ("laptop.example", ip(192, 0, 2, 77)),
        },
        HostId::Mallory => ("mallory.example", ip(203, 0, 113, 66)),
        HostId::Tester => ("nmap.scanme.org", ip(203, 0, 113, 99)),
        HostId::Provider => ("smtp.isp-a.example", ip(198, 51, 100, 25)),
        HostId::Middle => match s.middle.role {
            Role::Smarthost => ("smarthost.relay-c.example", ip(203, 0, 113, 50)),
            _ => ("backup.relay-c.example", ip(203, 0, 113, 50)),
        },
        HostId::Mx => ("mx1.corp-b.example", ip(192, 0, 2, 10)),
        HostId::Elsewhere => ("mx.elsewhere.example", ip(203, 0, 113, 200)),
        HostId::Hotel => ("relay.hotel.example", ip(203, 0, 113, 73)),
        HostId::NoMx => ("nomx.example", ip(192, 0, 2, 200)),
        HostId::Dns => ("resolver", ip(198, 51, 100, 53)),
        HostId::Reader => ("reader.example", ip(192, 0, 2, 88)),
    };
    Host { id, name, ip: address }
}

fn mynetworks(trust: Trust, own: Cidr) -> Vec<Cidr> {
    match trust {
        Trust::Localhost => vec![addr::LOCALHOST],
        Trust::Network => vec![addr::LOCALHOST, own],
        Trust::Everyone => vec![addr::EVERYONE],
    }
}

fn users(domain: &'static str, extra: &[String]) -> Vec<crate::reply::Text> {
    let mut u: Vec<crate::reply::Text> = cast_users(domain).iter().map(|s| (*s).into()).collect();
    for e in extra {
        if !u.iter().any(|x| x.eq_ignore_ascii_case(e)) {
            u.push(e.clone().into());
        }
    }
    u
}

fn plain(
    id: HostId,
    s: &Scenario,
    settings: Server,
    own: Cidr,
    domain: &'static str,
    is_virtual: bool,
) -> ServerConfig {
    let h = host(id, s);
    let final_domains = if settings.handles_domain {
        vec![FinalDomain { name: domain, is_virtual, users: users(domain, &settings.users) }]
    } else {
        Vec::new()
    };
    ServerConfig {
        host: id,
        hostname: h.name,
        ip: h.ip,
        mynetworks: mynetworks(settings.trust, own),
        settings,
        final_domains,
        relay_domains: Vec::new(),
        relay_recipients: None,
        relayhost: None,
        exempt: Vec::new(),
    }
}

impl World {
    /// Builds the world a scenario describes.
    pub fn build(s: &Scenario) -> World {
        let mut servers = Vec::new();

        let mut provider = plain(HostId::Provider, s, s.provider.clone(), addr::PROVIDER_POOL, "isp-a.example", false);
        if s.middle.role == Role::Smarthost {
            let login = s.middle.login;
            provider.relayhost = Some(Relayhost { host: HostId::Middle, port: if login { 587 } else { 25 }, login });
        }
        servers.push(provider);

        let mut mx = plain(HostId::Mx, s, s.recipient.clone(), addr::CORP_LAN, "corp-b.example", true);
        if s.middle.role == Role::Backup {
            // A primary normally spares its own backup MX from greylisting, SPF and blocklist checks.
            mx.exempt.push(Cidr::host(host(HostId::Middle, s).ip));
        }
        servers.push(mx);

        if s.middle.role != Role::None {
            let mut settings = s.middle.server.clone();
            let handles = settings.handles_domain;
            // The middle-man's own domain is always its final destination.
            settings.handles_domain = true;
            let mut m = plain(HostId::Middle, s, settings, addr::RELAY_NET, "relay-c.example", false);
            match s.middle.role {
                Role::Backup if handles => {
                    m.relay_domains.push("corp-b.example");
                    if s.middle.recipient_list {
                        m.relay_recipients = Some(
                            users("corp-b.example", &s.recipient.users)
                                .iter()
                                .map(|u| format!("{u}@corp-b.example"))
                                .collect(),
                        );
                    }
                }
                Role::Smarthost if handles && !s.middle.login && !m.mynetworks.contains(&addr::EVERYONE) => {
                    m.mynetworks.push(Cidr::host(host(HostId::Provider, s).ip));
                }
                _ => {}
            }
            if s.middle.role == Role::Smarthost && s.middle.login {
                m.settings.sasl = true;
                m.settings.submission = true;
                m.final_domains[0].users.push(SMARTHOST_LOGIN.into());
            }
            servers.push(m);
        }

        let everyone_else = Server { trust: Trust::Network, ..Server::postfix() };
        servers.push(plain(
            HostId::Elsewhere,
            s,
            Server { policy: crate::scenario::Policy::Reject, ..everyone_else.clone() },
            addr::ELSEWHERE_NET,
            "elsewhere.example",
            true,
        ));
        servers.push(plain(HostId::Hotel, s, everyone_else.clone(), addr::HOTEL_NET, "hotel.example", false));
        servers.push(plain(
            HostId::NoMx,
            s,
            Server { trust: Trust::Localhost, ..everyone_else },
            Cidr::host(ip(192, 0, 2, 200)),
            "nomx.example",
            false,
        ));

        let zone = build_zone(s);
        let (sender_id, helo) = match s.sender {
            Sender::Alice => (HostId::Alice, "laptop.example"),
            Sender::Mallory => (HostId::Mallory, "mallory.example"),
            Sender::Tester => (HostId::Tester, "nmap.scanme.org"),
        };
        let outgoing = match s.client.server {
            Outgoing::Provider => HostId::Provider,
            Outgoing::Recipient => HostId::Mx,
            Outgoing::Middle if s.middle.role != Role::None => HostId::Middle,
            Outgoing::Middle => HostId::Provider,
            Outgoing::Hotel => HostId::Hotel,
        };
        World {
            servers: servers.into_iter().map(Rc::new).collect(),
            zone,
            sender: host(sender_id, s),
            helo,
            outgoing,
            home_domain: "isp-a.example",
            smarthost_login: SMARTHOST_LOGIN,
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
    let mut z = Zone::default();
    let mx =
        |list: &[(u16, &'static str)]| list.iter().map(|&(preference, exchange)| Mx { preference, exchange }).collect();
    let a = |name: &'static str, address: Ipv4Addr| Entry { name, mx: Vec::new(), a: Some(address) };
    z.add(Entry { name: "isp-a.example", mx: mx(&[(10, "smtp.isp-a.example")]), a: None });
    z.add(a("smtp.isp-a.example", host(HostId::Provider, s).ip));
    z.publish_spf("isp-a.example", vec![host(HostId::Provider, s).ip]);
    z.publish_dmarc_reject("isp-a.example");
    let mut corp = vec![(10, "mx1.corp-b.example")];
    if s.middle.role == Role::Backup {
        corp.push((s.dns.backup_preference, "backup.relay-c.example"));
    }
    z.add(Entry { name: "corp-b.example", mx: mx(&corp), a: None });
    z.add(a("mx1.corp-b.example", host(HostId::Mx, s).ip));
    z.outage("corp-b.example", s.dns.outage);
    z.add(Entry { name: "relay-c.example", mx: mx(&[(10, "backup.relay-c.example")]), a: None });
    z.add(a("backup.relay-c.example", ip(203, 0, 113, 50)));
    z.add(a("smarthost.relay-c.example", ip(203, 0, 113, 50)));
    z.add(Entry { name: "elsewhere.example", mx: mx(&[(10, "mx.elsewhere.example")]), a: None });
    z.add(a("mx.elsewhere.example", host(HostId::Elsewhere, s).ip));
    z.add(Entry { name: "hotel.example", mx: mx(&[(10, "relay.hotel.example")]), a: None });
    z.add(a("relay.hotel.example", host(HostId::Hotel, s).ip));
    z.add(Entry { name: "nomail.example", mx: mx(&[(0, "")]), a: None });
    z.add(a("nomx.example", host(HostId::NoMx, s).ip));
    z.add(Entry { name: DNSBL, mx: Vec::new(), a: None });
    // Spammers are listed; so is the provider once it has been abused as an open relay.
    z.block(host(HostId::Mallory, s).ip);
    if s.provider.blocklisted {
        z.block(host(HostId::Provider, s).ip);
    }
    if s.middle.server.blocklisted {
        z.block(host(HostId::Middle, s).ip);
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
        assert_eq!(p.hostname, "smtp.isp-a.example");
        assert!(p.final_domain("isp-a.example").unwrap().users.iter().any(|u| u == "alice"));
        assert_eq!(p.mynetworks, vec![addr::LOCALHOST, addr::PROVIDER_POOL]);
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
                Mx { preference: 10, exchange: "mx1.corp-b.example" },
                Mx { preference: 20, exchange: "backup.relay-c.example" },
            ])
        );
    }
}
