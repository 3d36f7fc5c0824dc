//! `Received:` header fields (RFC 5321 §4.4, the `with` keywords of RFC 3848) read into hops, earliest first.

use super::text::{host, ip, item, locate};
use super::{Hop, Item};

/// How many `Received:` fields are read (real paths have a dozen at most).
const MAX_HOPS: usize = 64;

/// Header fields of a header block: `(name, unfolded value, offset of the field in raw)`. Reading stops at the
/// first empty line (the body).
pub fn fields(raw: &str) -> Vec<(String, String, usize)> {
    let mut out: Vec<(String, String, usize)> = Vec::new();
    let mut at = 0;
    for line in raw.split_inclusive('\n') {
        let l = line.trim_end_matches(['\r', '\n']);
        if l.trim().is_empty() {
            if out.is_empty() {
                at += line.len();
                continue;
            }
            break;
        }
        if l.starts_with([' ', '\t']) {
            if let Some((_, v, _)) = out.last_mut() {
                v.push(' ');
                v.push_str(l.trim());
            }
        } else if let Some((n, v)) = l.split_once(':') {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                out.push((n.to_string(), v.trim().to_string(), at));
            }
        }
        at += line.len();
    }
    out
}

/// The hops of every `Received:` field in `raw`'s header block, earliest first.
pub fn hops(raw: &str) -> Vec<Hop> {
    let mut out: Vec<Hop> = fields(raw)
        .into_iter()
        .filter(|(n, ..)| n.eq_ignore_ascii_case("Received"))
        .take(MAX_HOPS)
        .map(|(_, v, at)| hop(raw, &v, at))
        .collect();
    out.reverse();
    out
}

/// The word after `key` (a clause keyword: `from`, `by`, `with`, `id`, `for`).
fn clause<'a>(v: &'a str, key: &str) -> Option<&'a str> {
    let mut words = v.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case(key) {
            return words.next();
        }
    }
    None
}

fn hop(raw: &str, v: &str, at: usize) -> Hop {
    let (clauses, date) = match v.rsplit_once(';') {
        Some((c, d)) => (c, Some(d.trim())),
        None => (v, None),
    };
    let named = |value: Option<String>| -> Option<Item> { value.map(|s| item(raw, &s, at)) };
    // The `from` clause: `from helo (rdns [ip])`; the address is the first bracketed IP before `by`.
    let before_by = clauses.split(" by ").next().unwrap_or("");
    let from_ip = before_by.split(['[', ']']).enumerate().filter(|(i, _)| i % 2 == 1).find_map(|(_, s)| ip(s));
    let by_part = match clauses.split_once(" by ") {
        Some((_, b)) => b,
        None => clauses.strip_prefix("by ").unwrap_or(""),
    };
    let by = by_part.split_whitespace().next().and_then(host);
    let software = by_part.split_once('(').and_then(|(_, r)| r.split_once(')')).map(|(s, _)| s.trim().to_string());
    let with = clause(clauses, "with").map(|w| w.trim_end_matches([';', ',']).to_string());
    let proto = with.as_deref().unwrap_or("").to_ascii_uppercase();
    let lower = v.to_ascii_lowercase();
    let tls = proto.starts_with("ESMTPS")
        || proto.starts_with("UTF8SMTPS")
        || proto == "SMTPS"
        || lower.contains("tls")
        || lower.contains("cipher=");
    let auth = proto.ends_with("SA") || proto == "ESMTPA" || proto == "LMTPA" || lower.contains("authenticated");
    Hop {
        from: named(clause(clauses, "from").and_then(host)),
        from_ip: named(from_ip),
        by: named(by),
        software,
        with,
        tls,
        auth,
        date: date.filter(|d| !d.is_empty()).map(|d| Item { value: d.to_string(), at: locate(raw, d, at) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_reads_earliest_first_with_tls_and_login() {
        let raw = "Received: from mx1.corp-b.example (mx1.corp-b.example [192.0.2.10])\n\tby imap.corp-b.example (Postfix) with ESMTPS id 1;\n\tMon, 2 Mar 2026 09:00:02 +0000\nReceived: from laptop (unknown [198.51.100.23])\n\tby smtp.isp-a.example (Postfix) with ESMTPSA id 2\n\tfor <bob@corp-b.example>; Mon, 2 Mar 2026 09:00:01 +0000\n\nbody";
        let h = hops(raw);
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].by.as_ref().unwrap().value, "smtp.isp-a.example");
        assert_eq!(h[0].from_ip.as_ref().unwrap().value, "198.51.100.23");
        assert!(h[0].auth && h[0].tls);
        assert!(h[1].tls && !h[1].auth);
        assert_eq!(h[1].from.as_ref().unwrap().value, "mx1.corp-b.example");
        let d = h[0].date.as_ref().unwrap();
        assert_eq!(&raw[d.at.unwrap().start..d.at.unwrap().end], "Mon, 2 Mar 2026 09:00:01 +0000");
    }
}
