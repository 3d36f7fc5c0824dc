//! IPv4 networks as mail servers list them (`mynetworks = 127.0.0.0/8 198.51.100.0/24`).

use core::fmt;
use std::net::Ipv4Addr;

/// An IPv4 network in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The network address (host bits cleared).
    pub addr: Ipv4Addr,
    /// Prefix length, 0–32.
    pub len: u8,
}

impl Cidr {
    /// `a.b.c.d/len`, with the host bits cleared.
    pub const fn new(a: u8, b: u8, c: u8, d: u8, len: u8) -> Cidr {
        let raw = u32::from_be_bytes([a, b, c, d]) & mask(len);
        Cidr { addr: Ipv4Addr::from_bits(raw), len }
    }

    /// The single address `ip/32`.
    pub const fn host(ip: Ipv4Addr) -> Cidr {
        Cidr { addr: ip, len: 32 }
    }

    /// Whether `ip` is inside this network.
    pub fn contains(self, ip: Ipv4Addr) -> bool {
        ip.to_bits() & mask(self.len) == self.addr.to_bits()
    }

    /// Parses `198.51.100.0/24` or a bare address (taken as /32).
    pub fn parse(s: &str) -> Option<Cidr> {
        let (ip, len) = match s.split_once('/') {
            Some((ip, len)) => (ip, len.parse::<u8>().ok()?),
            None => (s, 32),
        };
        let ip: Ipv4Addr = ip.parse().ok()?;
        if len > 32 {
            return None;
        }
        Some(Cidr { addr: Ipv4Addr::from_bits(ip.to_bits() & mask(len)), len })
    }
}

const fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len as u32)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// Whether any network in `list` contains `ip`.
pub fn any_contains(list: &[Cidr], ip: Ipv4Addr) -> bool {
    list.iter().any(|c| c.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_and_parse() {
        let pool = Cidr::new(198, 51, 100, 0, 24);
        assert!(pool.contains(Ipv4Addr::new(198, 51, 100, 23)));
        assert!(!pool.contains(Ipv4Addr::new(203, 0, 113, 77)));
        assert!(Cidr::new(0, 0, 0, 0, 0).contains(Ipv4Addr::new(203, 0, 113, 66)));
        assert_eq!(Cidr::parse("203.0.113.77/29"), Some(Cidr::new(203, 0, 113, 72, 29)));
        assert_eq!(Cidr::parse("10.0.0.1"), Some(Cidr::host(Ipv4Addr::new(10, 0, 0, 1))));
        assert_eq!(Cidr::parse("10.0.0.1/33"), None);
        assert_eq!(Cidr::new(127, 0, 0, 1, 8).to_string(), "127.0.0.0/8");
    }
}
