//! The DNS every server in the world asks: MX and A records, null MX (RFC 7505), NXDOMAIN, temporary failures,
//! and the MX selection rules of RFC 5321 §5.1.

use crate::addr::Name;
use crate::rng::Rng;
use crate::scenario::Window;
use crate::time::Secs;
use std::net::Ipv4Addr;

/// One MX record: a preference and an exchange host (or `.` for null MX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mx {
    /// Lower is tried first.
    pub preference: u16,
    /// The exchange host; empty for the null MX `.`.
    pub exchange: Name,
}

/// What the zone holds for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The owner name.
    pub name: Name,
    /// MX records (empty: none).
    pub mx: Vec<Mx>,
    /// The A record, if any.
    pub a: Option<Ipv4Addr>,
}

/// A lookup's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// Records found (possibly none, for a name that exists).
    Found(T),
    /// The name does not exist (permanent).
    NxDomain,
    /// The server failed (SERVFAIL, timeout): try again later.
    TempFail,
}

/// The world's zone data.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    entries: Vec<Entry>,
    outages: Vec<(Name, Window)>,
    blocklist: Vec<Ipv4Addr>,
    spf: Vec<(Name, Vec<Ipv4Addr>)>,
    dmarc_reject: Vec<Name>,
    ptr: Vec<(Ipv4Addr, Name)>,
}

/// The blocklist every RBL-checking server uses.
pub const DNSBL: &str = "zen.spamhaus.org";

impl Zone {
    /// Adds or replaces a name's records.
    pub fn add(&mut self, entry: Entry) {
        self.entries.retain(|e| e.name != entry.name);
        self.entries.push(entry);
    }

    /// Makes lookups of `name` fail with SERVFAIL during `window`.
    pub fn outage(&mut self, name: &str, window: Window) {
        if window.length > 0 {
            self.outages.push((name.into(), window));
        }
    }

    /// Lists `ip` on the blocklist.
    pub fn block(&mut self, ip: Ipv4Addr) {
        self.blocklist.push(ip);
    }

    /// Publishes `v=spf1 ip4:… -all` for `domain`: only these addresses may send its mail.
    pub fn publish_spf(&mut self, domain: &str, senders: Vec<Ipv4Addr>) {
        self.spf.push((domain.into(), senders));
    }

    /// Publishes `v=DMARC1; p=reject` for `domain`.
    pub fn publish_dmarc_reject(&mut self, domain: &str) {
        self.dmarc_reject.push(domain.into());
    }

    /// Publishes a PTR record for `ip` (reverse DNS), whose name resolves back to it.
    pub fn publish_ptr(&mut self, ip: Ipv4Addr, name: &str) {
        self.ptr.retain(|(i, _)| *i != ip);
        self.ptr.push((ip, name.into()));
    }

    /// The reverse-DNS name of `ip`, if it has one (`None`: the lookup fails, as for most addresses here).
    pub fn ptr(&self, ip: Ipv4Addr) -> Option<&str> {
        self.ptr.iter().find(|(i, _)| *i == ip).map(|(_, n)| &**n)
    }

    /// SPF for mail from `domain` sent by `ip`: `Some(true)` pass, `Some(false)` fail, `None` no record.
    pub fn spf_allows(&self, domain: &str, ip: Ipv4Addr) -> Option<bool> {
        self.spf.iter().find(|(d, _)| d.eq_ignore_ascii_case(domain)).map(|(_, ips)| ips.contains(&ip))
    }

    /// Whether `domain` asks receivers to reject mail that fails DMARC.
    pub fn dmarc_rejects(&self, domain: &str) -> bool {
        self.dmarc_reject.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }

    /// Whether `ip` is listed on [`DNSBL`].
    pub fn is_blocklisted(&self, ip: Ipv4Addr) -> bool {
        self.blocklist.contains(&ip)
    }

    fn entry(&self, name: &str, t: Secs) -> Answer<&Entry> {
        if self.outages.iter().any(|(n, w)| n.eq_ignore_ascii_case(name) && w.contains(t)) {
            return Answer::TempFail;
        }
        match self.entries.iter().find(|e| e.name.eq_ignore_ascii_case(name)) {
            Some(e) => Answer::Found(e),
            None => Answer::NxDomain,
        }
    }

    /// The MX records of `name` at time `t`.
    pub fn mx(&self, name: &str, t: Secs) -> Answer<Vec<Mx>> {
        match self.entry(name, t) {
            Answer::Found(e) => Answer::Found(e.mx.clone()),
            Answer::NxDomain => Answer::NxDomain,
            Answer::TempFail => Answer::TempFail,
        }
    }

    /// The A record of `name` at time `t` (`Found(None)`: the name exists without one).
    pub fn a(&self, name: &str, t: Secs) -> Answer<Option<Ipv4Addr>> {
        match self.entry(name, t) {
            Answer::Found(e) => Answer::Found(e.a),
            Answer::NxDomain => Answer::NxDomain,
            Answer::TempFail => Answer::TempFail,
        }
    }

    /// Every name in the zone.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// A host to try, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its MX preference (0 for an implicit MX).
    pub preference: u16,
    /// Its name.
    pub name: Name,
    /// Its address.
    pub ip: Ipv4Addr,
}

/// Where a domain's mail should go, as a sending server works it out (RFC 5321 §5.1, RFC 7505, Postfix's
/// `smtp_addr.c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Try these hosts in this order.
    Hosts(Vec<Target>),
    /// The domain publishes `MX 0 .`: it accepts no mail. Permanent.
    NullMx,
    /// The domain does not exist. Permanent (Postfix: 5.4.4).
    NxDomain,
    /// DNS failed for now. Try again later (4.4.3).
    TempFail,
    /// The sender is the best MX itself: `mail for <domain> loops back to myself` (5.4.6).
    LoopsBack,
    /// The sender is a lower MX and no better MX has an address: try again later (4.4.4).
    NoPrimary,
    /// MX records exist but none has an address (5.4.4).
    NoUsable,
}

/// Works out where mail for `domain` goes from a server known by the names in `me` (self-pruning, §5.1).
pub fn route(zone: &Zone, domain: &str, t: Secs, rng: &mut Rng, me: &[&str]) -> Route {
    let records = match zone.mx(domain, t) {
        Answer::Found(r) => r,
        Answer::NxDomain => return Route::NxDomain,
        Answer::TempFail => return Route::TempFail,
    };
    if records.iter().any(|m| m.exchange.is_empty()) {
        return Route::NullMx;
    }
    if records.is_empty() {
        // Implicit MX: the domain's own address, preference 0.
        return match zone.a(domain, t) {
            Answer::Found(Some(ip)) => Route::Hosts(vec![Target { preference: 0, name: zone_name(zone, domain), ip }]),
            Answer::TempFail => Route::TempFail,
            _ => Route::NxDomain,
        };
    }
    let mut sorted = records;
    sorted.sort_by_key(|m| m.preference);
    // Equal preferences are tried in random order (RFC 5321 §5.1 "MUST randomize").
    let mut i = 0;
    while i < sorted.len() {
        let j = i + sorted[i..].iter().take_while(|m| m.preference == sorted[i].preference).count();
        rng.shuffle(&mut sorted[i..j]);
        i = j;
    }
    // Self-pruning: drop this host's own preference level and every worse one.
    let mut pruned = false;
    if let Some(own) = sorted.iter().find(|m| me.iter().any(|n| n.eq_ignore_ascii_case(&m.exchange))) {
        let cut = own.preference;
        sorted.retain(|m| m.preference < cut);
        pruned = true;
    }
    let hosts: Vec<Target> = sorted
        .iter()
        .filter_map(|m| match zone.a(&m.exchange, t) {
            Answer::Found(Some(ip)) => Some(Target { preference: m.preference, name: m.exchange.clone(), ip }),
            _ => None,
        })
        .collect();
    match (hosts.is_empty(), pruned, sorted.is_empty()) {
        (false, _, _) => Route::Hosts(hosts),
        (true, true, true) => Route::LoopsBack,
        (true, true, false) => Route::NoPrimary,
        (true, false, _) => Route::NoUsable,
    }
}

fn zone_name(zone: &Zone, name: &str) -> Name {
    zone.entries.iter().find(|e| e.name.eq_ignore_ascii_case(name)).map_or_else(|| "".into(), |e| e.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> Zone {
        let mut z = Zone::default();
        let e = |name: &str, mx: Vec<(u16, &str)>, a: Option<[u8; 4]>| Entry {
            name: name.into(),
            mx: mx.into_iter().map(|(preference, exchange)| Mx { preference, exchange: exchange.into() }).collect(),
            a: a.map(Ipv4Addr::from),
        };
        z.add(e("corp-b.example", vec![(20, "backup.relay-c.example"), (10, "mx1.corp-b.example")], None));
        z.add(e("mx1.corp-b.example", vec![], Some([192, 0, 2, 10])));
        z.add(e("backup.relay-c.example", vec![], Some([203, 0, 113, 50])));
        z.add(e("tie.example", vec![(10, "mx1.corp-b.example"), (10, "backup.relay-c.example")], None));
        z.add(e("nomail.example", vec![(0, "")], None));
        z.add(e("nomx.example", vec![], Some([192, 0, 2, 200])));
        z.add(e("broken.example", vec![(10, "nowhere.example")], None));
        z
    }

    fn names(r: Route) -> Vec<String> {
        match r {
            Route::Hosts(h) => h.into_iter().map(|t| t.name.to_string()).collect(),
            other => panic!("expected hosts, got {other:?}"),
        }
    }

    #[test]
    fn lowest_preference_first() {
        let r = route(&zone(), "corp-b.example", 0, &mut Rng::new(1), &["smtp.isp-a.example"]);
        assert_eq!(names(r), ["mx1.corp-b.example", "backup.relay-c.example"]);
    }

    #[test]
    fn ties_are_shuffled_by_the_seed() {
        let orders: std::collections::HashSet<Vec<String>> =
            (0..32).map(|seed| names(route(&zone(), "tie.example", 0, &mut Rng::new(seed), &[]))).collect();
        assert_eq!(orders.len(), 2, "both orders appear across seeds");
        let a = names(route(&zone(), "tie.example", 0, &mut Rng::new(5), &[]));
        let b = names(route(&zone(), "tie.example", 0, &mut Rng::new(5), &[]));
        assert_eq!(a, b, "same seed, same order");
    }

    #[test]
    fn backup_prunes_itself_and_worse() {
        let r = route(&zone(), "corp-b.example", 0, &mut Rng::new(1), &["backup.relay-c.example"]);
        assert_eq!(names(r), ["mx1.corp-b.example"]);
        let r = route(&zone(), "corp-b.example", 0, &mut Rng::new(1), &["mx1.corp-b.example"]);
        assert_eq!(r, Route::LoopsBack);
    }

    #[test]
    fn special_domains() {
        let z = zone();
        let mut rng = Rng::new(1);
        assert_eq!(route(&z, "nomail.example", 0, &mut rng, &[]), Route::NullMx);
        assert_eq!(route(&z, "typo.example", 0, &mut rng, &[]), Route::NxDomain);
        assert_eq!(route(&z, "broken.example", 0, &mut rng, &[]), Route::NoUsable);
        assert_eq!(names(route(&z, "nomx.example", 0, &mut rng, &[])), ["nomx.example"]);
        let mut z = z;
        z.outage("corp-b.example", Window { at: 0, length: 60 });
        assert_eq!(route(&z, "corp-b.example", 30, &mut rng, &[]), Route::TempFail);
        assert!(matches!(route(&z, "corp-b.example", 60, &mut rng, &[]), Route::Hosts(_)));
    }
}
