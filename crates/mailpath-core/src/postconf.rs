//! A server's configuration in Postfix's own terms: the restriction lists (`smtpd_relay_restrictions`,
//! `smtpd_recipient_restrictions`) and the `main.cf` lines an author copies from a real server — the domains it
//! delivers (`mydestination`, `virtual_mailbox_domains`) and their mailboxes (`local_recipient_maps`,
//! `virtual_mailbox_maps`), the domains it relays (`relay_domains`, `relay_recipient_maps`), whom it trusts
//! (`mynetworks`), SASL, TLS and the size limit. Maps are written `inline:{ … }`, as Postfix 3 reads them.
//!
//! Every flavour decides with these lists (the decision procedure is the same everywhere); only the words differ.

use crate::net::Cidr;

pub use crate::trace::Restriction;

/// The restriction lists of one SMTP service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lists {
    /// `smtpd_relay_restrictions` (evaluated first).
    pub relay: Vec<Restriction>,
    /// `smtpd_recipient_restrictions`.
    pub recipient: Vec<Restriction>,
    /// `smtpd_reject_unlisted_recipient`.
    pub reject_unlisted: bool,
}

/// A lookup table written inline: its keys (mailbox names, or addresses).
pub type Map = Vec<String>;

/// The `main.cf` lines of one server the simulator reads; `None` leaves that part as the other settings make it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MainCf {
    /// `myhostname`, to check against the server's name.
    pub myhostname: Option<String>,
    /// `mydestination`: local domains.
    pub mydestination: Option<Vec<String>>,
    /// `local_recipient_maps`: mailbox names of the local domains.
    pub local_recipient_maps: Option<Map>,
    /// `virtual_mailbox_domains`.
    pub virtual_mailbox_domains: Option<Vec<String>>,
    /// `virtual_mailbox_maps`: addresses.
    pub virtual_mailbox_maps: Option<Map>,
    /// `relay_domains`.
    pub relay_domains: Option<Vec<String>>,
    /// `relay_recipient_maps`: addresses.
    pub relay_recipient_maps: Option<Map>,
    /// `mynetworks`.
    pub mynetworks: Option<Vec<Cidr>>,
    /// `smtpd_relay_restrictions`.
    pub relay_restrictions: Option<Vec<Restriction>>,
    /// `smtpd_recipient_restrictions`.
    pub recipient_restrictions: Option<Vec<Restriction>>,
    /// `smtpd_reject_unlisted_recipient`.
    pub reject_unlisted: Option<bool>,
    /// `smtpd_sasl_auth_enable`.
    pub sasl: Option<bool>,
    /// `smtpd_tls_security_level = may` (true) or `none` (false).
    pub tls: Option<bool>,
    /// `message_size_limit`, bytes.
    pub size_limit: Option<u64>,
    /// Lines read but not simulated (with the reason), for a note beside the setting.
    pub ignored: Vec<String>,
}

/// Parameters that are real but change nothing here (they concern delivery agents, logging, paths, …).
const HARMLESS: &[&str] = &[
    "compatibility_level",
    "mydomain",
    "myorigin",
    "inet_interfaces",
    "inet_protocols",
    "smtpd_banner",
    "biff",
    "append_dot_mydomain",
    "readme_directory",
    "alias_maps",
    "alias_database",
    "mailbox_size_limit",
    "recipient_delimiter",
    "smtpd_tls_cert_file",
    "smtpd_tls_key_file",
    "smtp_tls_security_level",
    "smtp_tls_session_cache_database",
    "smtpd_tls_session_cache_database",
    "smtpd_sasl_type",
    "smtpd_sasl_path",
    "smtpd_sasl_security_options",
    "smtpd_sasl_local_domain",
    "virtual_transport",
    "virtual_mailbox_base",
    "virtual_uid_maps",
    "virtual_gid_maps",
    "mailbox_command",
    "home_mailbox",
    "maillog_file",
    "disable_dns_lookups",
    "smtpd_peername_lookup",
];

/// Reads `main.cf` text for a server called `myhostname` in domain `mydomain`: the parameters it simulates, a
/// note for each it does not, or every problem (a value it cannot read, a restriction it cannot simulate, a
/// configuration Postfix itself would refuse).
pub fn parse(text: &str, myhostname: &str, mydomain: &str) -> Result<MainCf, Vec<String>> {
    let mut cf = MainCf::default();
    let mut problems = Vec::new();
    for (n, (name, value)) in logical_lines(text, &mut problems).into_iter().enumerate() {
        let _ = n;
        let v = expand(&value, myhostname, mydomain);
        let list = || -> Vec<String> {
            v.split([',', ' ', '\t', '\n']).filter(|x| !x.is_empty()).map(str::to_ascii_lowercase).collect()
        };
        let mut map = |what: &str| -> Option<Map> {
            match inline_map(&v) {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(format!("{what}: {e}"));
                    None
                }
            }
        };
        match name.as_str() {
            "myhostname" => cf.myhostname = Some(v.trim().to_ascii_lowercase()),
            "mydestination" => cf.mydestination = Some(list()),
            "local_recipient_maps" => cf.local_recipient_maps = map("local_recipient_maps"),
            "virtual_mailbox_domains" => cf.virtual_mailbox_domains = Some(list()),
            "virtual_mailbox_maps" => cf.virtual_mailbox_maps = map("virtual_mailbox_maps"),
            "relay_domains" => cf.relay_domains = Some(list()),
            "relay_recipient_maps" => cf.relay_recipient_maps = map("relay_recipient_maps"),
            "mynetworks" => {
                let mut nets = Vec::new();
                for item in list() {
                    if item.starts_with('[') || item.contains(':') {
                        cf.ignored.push(format!("mynetworks: {item} (IPv6; this world is IPv4)"));
                        continue;
                    }
                    match Cidr::parse(&item) {
                        Some(c) => nets.push(c),
                        None => problems.push(format!("mynetworks: \"{item}\" is not a network such as 10.0.0.0/8")),
                    }
                }
                cf.mynetworks = Some(nets);
            }
            "smtpd_relay_restrictions" => {
                cf.relay_restrictions = restrictions(&v, "smtpd_relay_restrictions", &mut problems)
            }
            "smtpd_recipient_restrictions" => {
                cf.recipient_restrictions = restrictions(&v, "smtpd_recipient_restrictions", &mut problems)
            }
            "smtpd_reject_unlisted_recipient" => cf.reject_unlisted = yes_no(&name, &v, &mut problems),
            "smtpd_sasl_auth_enable" => cf.sasl = yes_no(&name, &v, &mut problems),
            "smtpd_tls_security_level" => match v.trim() {
                "may" => cf.tls = Some(true),
                "none" | "" => cf.tls = Some(false),
                "encrypt" => problems.push(
                    "smtpd_tls_security_level = encrypt on port 25 would refuse every server that does not use TLS; \
                     this world runs `may` or `none` there (the submission service on 587 always encrypts)"
                        .into(),
                ),
                other => problems.push(format!("smtpd_tls_security_level: \"{other}\" is not may, encrypt or none")),
            },
            "smtpd_use_tls" => cf.tls = yes_no(&name, &v, &mut problems),
            "message_size_limit" => match v.trim().parse::<u64>() {
                Ok(n) if n >= 1024 => cf.size_limit = Some(n),
                _ => problems
                    .push(format!("message_size_limit: \"{}\" is not a number of bytes (at least 1024)", v.trim())),
            },
            other if HARMLESS.contains(&other) => {}
            other => cf.ignored.push(format!("{other} (not simulated)")),
        }
    }
    let refuses = |l: &Option<Vec<Restriction>>| l.as_ref().is_some_and(|l| l.iter().any(|r| r.refuses()));
    if (cf.relay_restrictions.is_some() || cf.recipient_restrictions.is_some())
        && !refuses(&cf.relay_restrictions)
        && !refuses(&cf.recipient_restrictions)
        && cf.relay_restrictions.as_ref().is_none_or(|l| !l.is_empty())
    {
        // Postfix: "the smtpd_relay_restrictions and smtpd_recipient_restrictions … must specify at least one of
        // reject, defer, … reject_unauth_destination or defer_unauth_destination" (it will not start otherwise).
        problems.push(
            "Postfix refuses to run when neither smtpd_relay_restrictions nor smtpd_recipient_restrictions refuses \
             anything: add reject_unauth_destination (or defer_unauth_destination)"
                .into(),
        );
    }
    if let Some(h) = &cf.myhostname {
        if !h.eq_ignore_ascii_case(myhostname) {
            problems.push(format!(
                "myhostname = {h}, but this server is called {myhostname}: rename it in Names and addresses"
            ));
        }
    }
    if problems.is_empty() {
        Ok(cf)
    } else {
        Err(problems)
    }
}

/// `name = value` lines, with continuation lines (starting with white space) joined and comments dropped.
fn logical_lines(text: &str, problems: &mut Vec<String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match out.last_mut() {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => problems.push(format!("line {}: a continuation line with nothing to continue", i + 1)),
            }
            continue;
        }
        match line.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                let name = name.trim().to_string();
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    problems.push(format!("line {}: \"{name}\" is not a parameter name", i + 1));
                    continue;
                }
                out.retain(|(n, _)| *n != name);
                out.push((name, value.trim().to_string()));
            }
            _ => problems.push(format!("line {}: expected `name = value`", i + 1)),
        }
    }
    out
}

/// `$myhostname`, `$mydomain`, `$myorigin` and their `${…}` forms, as Postfix expands them here.
fn expand(value: &str, myhostname: &str, mydomain: &str) -> String {
    let mut v = value.to_string();
    for (names, to) in [(["myhostname", "myorigin"], myhostname), (["mydomain", "mydomain"], mydomain)] {
        for name in names {
            v = v.replace(&format!("${{{name}}}"), to).replace(&format!("${name}"), to);
        }
    }
    v
}

fn yes_no(name: &str, v: &str, problems: &mut Vec<String>) -> Option<bool> {
    match v.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        other => {
            problems.push(format!("{name}: \"{other}\" is not yes or no"));
            None
        }
    }
}

/// The keys of an `inline:{ key=value, … }` map (or an empty value: no map).
fn inline_map(v: &str) -> Result<Map, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = v.strip_prefix("inline:{").and_then(|b| b.trim_end().strip_suffix('}')) else {
        let kind = v.split(':').next().unwrap_or(v);
        return Err(format!(
            "\"{kind}:\" maps are files this simulator cannot read; write the entries inline, e.g. \
             inline:{{ bob@example.com=OK, carol@example.com=OK }}"
        ));
    };
    Ok(body
        .split(',')
        .filter_map(|e| {
            let key = e.split('=').next().unwrap_or("").trim().trim_matches(['{', '}']).trim();
            (!key.is_empty()).then(|| key.to_ascii_lowercase())
        })
        .collect())
}

/// A restriction list; `None` (with problems) when an entry cannot be simulated.
fn restrictions(v: &str, list: &str, problems: &mut Vec<String>) -> Option<Vec<Restriction>> {
    use Restriction::*;
    let words: Vec<&str> = v.split([',', ' ', '\t', '\n']).filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut ok = true;
    while i < words.len() {
        let w = words[i];
        let arg = words.get(i + 1).copied().unwrap_or("");
        let (r, takes) = match w {
            "permit_mynetworks" => (Some(PermitMynetworks), 0),
            "permit_sasl_authenticated" => (Some(PermitSaslAuthenticated), 0),
            "permit_auth_destination" => (Some(PermitAuthDestination), 0),
            "reject_unauth_destination" => (Some(RejectUnauthDestination), 0),
            "defer_unauth_destination" => (Some(DeferUnauthDestination), 0),
            "reject_unknown_recipient_domain" => (Some(RejectUnknownRecipientDomain), 0),
            "reject_unlisted_recipient" => (Some(RejectUnlistedRecipient), 0),
            "permit" => (Some(Permit), 0),
            "reject" => (Some(Reject), 0),
            "reject_rbl_client" if arg == crate::dns::DNSBL => (Some(RejectRblClient), 1),
            "check_client_access" if arg.contains("pop") => (Some(PermitPopBeforeSmtp), 1),
            "check_policy_service" if arg.contains("10023") || arg.contains("postgrey") => (Some(CheckGreylist), 1),
            "check_policy_service" if arg.contains("spf") => (Some(CheckSpf), 1),
            _ => (None, 0),
        };
        match r {
            Some(r) => out.push(r),
            None => {
                ok = false;
                problems.push(format!(
                    "{list}: `{w}` is not simulated (this world knows permit_mynetworks, permit_sasl_authenticated, \
                     permit_auth_destination, reject_unauth_destination, defer_unauth_destination, \
                     reject_unknown_recipient_domain, reject_unlisted_recipient, reject_rbl_client {}, \
                     check_client_access for POP-before-SMTP, check_policy_service for postgrey or SPF, permit, reject)",
                    crate::dns::DNSBL
                ));
            }
        }
        i += 1 + takes;
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_main_cf_is_read_in_postfix_terms() {
        let text = "# /etc/postfix/main.cf\n\
            myhostname = mail.example.com\n\
            mydestination = $myhostname, localhost.$mydomain, localhost\n\
            virtual_mailbox_domains = example.com\n\
            virtual_mailbox_maps = inline:{ jane@example.com=OK,\n    joe@example.com=OK }\n\
            relay_domains = partner.example\n\
            mynetworks = 127.0.0.0/8 [::1]/128 10.0.0.0/8\n\
            smtpd_relay_restrictions = permit_mynetworks,\n\tpermit_sasl_authenticated, reject_unauth_destination\n\
            smtpd_sasl_auth_enable = yes\n\
            message_size_limit = 52428800\n\
            smtpd_helo_required = yes\n\
            inet_interfaces = all\n";
        let cf = parse(text, "mail.example.com", "example.com").unwrap();
        assert_eq!(cf.mydestination.unwrap(), ["mail.example.com", "localhost.example.com", "localhost"]);
        assert_eq!(cf.virtual_mailbox_maps.unwrap(), ["jane@example.com", "joe@example.com"]);
        assert_eq!(cf.relay_domains.unwrap(), ["partner.example"]);
        assert_eq!(cf.mynetworks.unwrap(), [Cidr::new(127, 0, 0, 0, 8), Cidr::new(10, 0, 0, 0, 8)]);
        assert_eq!(
            cf.relay_restrictions.unwrap(),
            [Restriction::PermitMynetworks, Restriction::PermitSaslAuthenticated, Restriction::RejectUnauthDestination]
        );
        assert_eq!((cf.sasl, cf.size_limit), (Some(true), Some(52_428_800)));
        assert!(cf.ignored.iter().any(|i| i.starts_with("smtpd_helo_required")), "{:?}", cf.ignored);
        assert!(cf.ignored.iter().any(|i| i.contains("IPv6")), "{:?}", cf.ignored);
    }

    #[test]
    fn what_cannot_be_simulated_is_said() {
        for (text, says) in [
            ("virtual_mailbox_maps = hash:/etc/postfix/vmailbox", "write the entries inline"),
            (
                "smtpd_relay_restrictions = permit_mynetworks, check_sender_access hash:/x, reject_unauth_destination",
                "`check_sender_access` is not simulated",
            ),
            ("smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated", "Postfix refuses to run"),
            ("mynetworks = 10.0.0.0/33", "not a network"),
            ("smtpd_sasl_auth_enable = maybe", "not yes or no"),
            ("myhostname = other.example", "rename it in Names"),
            ("this is not a line", "expected `name = value`"),
            ("  continued", "nothing to continue"),
        ] {
            let problems = parse(text, "mail.example.com", "example.com").unwrap_err();
            assert!(problems.iter().any(|p| p.contains(says)), "{text}: {problems:?}");
        }
    }
}
