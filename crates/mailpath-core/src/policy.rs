//! The relay decision at `RCPT TO`, per recipient, as Postfix's `smtpd_check.c` makes it (RFC 5321 §3.6.2).
//!
//! Postfix evaluates restriction lists in order; the first `permit` or `reject` ends a list. The same lists
//! describe every flavour (the §1.1 procedure is the same everywhere); only the words differ, and they come from
//! [`crate::flavours`]. The lists are data, so the conformance harness can write them into a real `main.cf`.

use crate::addr::{literal_ipv4, Address};
use crate::dns::{Answer, Zone};
use crate::flavour::{Spec, Tpl, Vars};
use crate::net::any_contains;
use crate::postconf::{Lists, Restriction};
use crate::reply::{Reply, Severity};
use crate::scenario::Flavour;
use crate::time::Secs;
use crate::trace::{Check, CheckResult, Decision, Facts, Verdict, Why};
use crate::world::{ServerConfig, World};
use std::net::Ipv4Addr;
use std::rc::Rc;

/// Where an address resolves for one server (Postfix trivial-rewrite's address classes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The local part after rewriting.
    pub local: String,
    /// The domain after rewriting.
    pub domain: String,
    /// Final destination here: `Some(true)` virtual mailbox domain, `Some(false)` local (`mydestination`).
    pub final_class: Option<bool>,
    /// One of the relay domains.
    pub relay: bool,
    /// Sender-specified routing (`%`, `!`, `@` in the local part, source route).
    pub routed: bool,
}

/// Resolves `addr` against `server`'s domains: percent hack, bang paths, source routes and `@myorigin` as
/// Postfix's defaults (`allow_percent_hack`, `swap_bangpath`, `append_at_myorigin`) do.
pub fn resolve(addr: &Address, server: &ServerConfig) -> Resolved {
    if crate::flavours::spec(server.settings.flavour).addressing != crate::flavour::Addressing::Routed {
        // Exim takes the local part as it is: no percent hack (`percent_hack_domains` is empty by default), no
        // bang paths, no address inside a quoted local part; nor does OpenSMTPD. Only a source route is dropped,
        // as by everyone.
        let domain = addr.domain().map_or_else(|| server.hostname.to_string(), str::to_ascii_lowercase);
        return classify(addr.local().to_string(), domain, false, server);
    }
    // A source route (`@host:user@domain`) is ignored, as RFC 5321 §3.3 asks; Postfix 3.7 does the same.
    let mut stripped = false;
    let mut local = addr.local().to_string();
    let mut domain = match addr.domain() {
        Some(d) => d.to_string(),
        None => {
            if let Some((site, user)) = local.clone().split_once('!') {
                local = user.to_string();
                site.to_ascii_lowercase()
            } else if let Some((user, site)) = local.clone().rsplit_once(['%', '@']) {
                local = user.to_string();
                site.to_ascii_lowercase()
            } else {
                server.hostname.to_string()
            }
        }
    };
    // While the domain is this server's own, strip it and look for routing in the local part.
    while is_local(&domain, server) {
        let (user, site) = if let Some((u, d)) = local.rsplit_once('@') {
            (u.to_string(), d.to_string())
        } else if let Some((u, d)) = local.rsplit_once('%') {
            (u.to_string(), d.to_string())
        } else if let Some((d, u)) = local.split_once('!') {
            (u.to_string(), d.to_string())
        } else {
            break;
        };
        stripped = true;
        local = user;
        domain = site.to_ascii_lowercase();
    }
    // Sender-specified routing matters only when it leads away from this server (Postfix sets
    // RESOLVE_FLAG_ROUTED when a stripped address resolves elsewhere).
    let routed = (stripped || local.contains(['@', '%', '!'])) && !is_local(&domain, server);
    classify(local, domain, routed, server)
}

fn classify(local: String, domain: String, routed: bool, server: &ServerConfig) -> Resolved {
    let final_class = if let Some(d) = server.final_domain(&domain) {
        Some(d.is_virtual)
    } else if own_literal(&domain, server) {
        Some(false)
    } else {
        None
    };
    let relay = final_class.is_none() && server.is_relay_domain(&domain);
    Resolved { local, domain, final_class, relay, routed }
}

fn is_local(domain: &str, server: &ServerConfig) -> bool {
    server.final_domain(domain).is_some() || own_literal(domain, server)
}

/// `domain` is the server's own address literal, and the server counts that as one of its domains.
fn own_literal(domain: &str, server: &ServerConfig) -> bool {
    literal_ipv4(domain) == Some(server.ip)
        && crate::flavours::spec(server.settings.flavour).addressing != crate::flavour::Addressing::Unquoted
}

/// The lists a server uses on port 25 (`submission` false: its own, from its settings or `main.cf`) or on its
/// submission service (the `master.cf` template: `permit_sasl_authenticated, reject`).
pub fn lists(server: &ServerConfig, submission: bool) -> Lists {
    if !submission {
        return server.lists.clone();
    }
    let st = &server.settings;
    let mut recipient = Vec::new();
    if st.reject_unknown_domain && st.flavour == Flavour::Postfix {
        recipient.push(Restriction::RejectUnknownRecipientDomain);
    }
    recipient.extend([Restriction::PermitSaslAuthenticated, Restriction::Reject]);
    Lists { relay: Vec::new(), recipient, reject_unlisted: false }
}

/// Where a client stands with greylisting for one (client, sender, recipient) triplet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grey {
    /// Seen long enough ago: pass.
    Passed,
    /// New or too soon: defer.
    Wait,
}

/// Everything the decision looks at.
#[derive(Debug, Clone, Copy)]
pub struct RcptContext<'a> {
    /// The server deciding.
    pub server: &'a ServerConfig,
    /// Its flavour's words.
    pub spec: &'a Spec,
    /// On the submission service (587/465)?
    pub submission: bool,
    /// The client's address.
    pub client_ip: Ipv4Addr,
    /// The same, as text.
    pub client_ip_text: &'a str,
    /// The client's EHLO name.
    pub helo: &'a str,
    /// The client logged in.
    pub authenticated: bool,
    /// A fresh POP-before-SMTP login from this address.
    pub pop_fresh: bool,
    /// The envelope sender (`None` for `<>`).
    pub sender: Option<&'a Address>,
    /// DNS.
    pub zone: &'a Zone,
    /// Now.
    pub t: Secs,
    /// Greylisting state for this triplet.
    pub grey: Grey,
}

enum Step {
    Permit(Why, &'static str),
    Dunno,
    Stop(Verdict, Why, crate::reply::Text, Reply),
}

/// Decides about `rcpt` at `RCPT TO`: the decision (facts, rule, verdict) and the reply to send.
pub fn decide(ctx: &RcptContext, rcpt: &Address) -> (Decision, Reply) {
    let server = ctx.server;
    let r = resolve(rcpt, server);
    let pop_used = server.settings.pop_before_smtp && !ctx.submission;
    let facts = Facts {
        authenticated: ctx.authenticated,
        trusted: any_contains(&server.mynetworks, ctx.client_ip),
        pop_fresh: pop_used.then_some(ctx.pop_fresh),
        final_domain: r.final_class.is_some(),
        relay_domain: r.relay,
        routed: r.routed,
    };
    let from = ctx.sender.map_or("", |a| a.raw());
    let v = Vars {
        host: &server.hostname,
        rcpt: if ctx.spec.echo_as_sent { rcpt.raw() } else { rcpt.echo() },
        from,
        ip: ctx.client_ip_text,
        helo: ctx.helo,
        domain: &r.domain,
        ..Vars::default()
    };
    let list = lists(server, ctx.submission);

    let mut checks = Vec::new();
    let checks_translated = server.settings.flavour != Flavour::Postfix;
    let mut fired: Option<(Why, &'static str)> = None;
    let names = ["smtpd_relay_restrictions", "smtpd_recipient_restrictions"];
    for (i, restrictions) in [&list.relay, &list.recipient].into_iter().enumerate() {
        for &res in restrictions {
            let outcome = step(ctx, res, &facts, &r, &v);
            let result = match &outcome {
                Step::Permit(..) => CheckResult::Permit,
                Step::Dunno => CheckResult::NoMatch,
                Step::Stop(Verdict::Defer, ..) => CheckResult::Defer,
                Step::Stop(..) => CheckResult::Reject,
            };
            checks.push(Check { list: names[i], restriction: res, result });
            match outcome {
                Step::Permit(why, name) => {
                    // The relay list's permit decides relaying; the recipient list may still reject.
                    if i == 0 || fired.is_none() {
                        fired.get_or_insert((why, name));
                    }
                    break;
                }
                Step::Dunno => {}
                Step::Stop(verdict, why, rule, reply) => {
                    return (
                        Decision {
                            rcpt: rcpt.raw().to_string(),
                            facts,
                            verdict,
                            rule,
                            why,
                            checks,
                            checks_translated,
                            client: ctx.client_ip,
                        },
                        reply,
                    );
                }
            }
        }
    }
    if (list.reject_unlisted || ctx.spec.checks_users_everywhere) && ctx.spec.checks_users {
        let table = unlisted(server, &r);
        let result = if table.is_some() { CheckResult::Reject } else { CheckResult::NoMatch };
        checks.push(Check {
            list: "smtpd_reject_unlisted_recipient",
            restriction: Restriction::RejectUnlistedRecipient,
            result,
        });
        if let Some(table) = table {
            let reply = ctx.spec.unknown_user.reply(&Vars { table, ..v });
            let d = Decision {
                rcpt: rcpt.raw().to_string(),
                facts,
                verdict: verdict_of(&reply),
                rule: "reject_unlisted_recipient".into(),
                why: Why::UserUnknown,
                checks,
                checks_translated,
                client: ctx.client_ip,
            };
            return (d, reply);
        }
    }
    let (why, rule) = fired.unwrap_or(if facts.final_domain {
        (Why::FinalDestination, ctx.spec.rules.destination)
    } else {
        (Why::RelayDomain, ctx.spec.rules.destination)
    });
    let d = Decision {
        rcpt: rcpt.raw().to_string(),
        facts,
        verdict: Verdict::Accept,
        rule: rule.into(),
        why,
        checks,
        checks_translated,
        client: ctx.client_ip,
    };
    (d, ctx.spec.rcpt_ok.reply(&v))
}

fn join_or_none<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "empty".into()
    } else {
        items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// The fact restriction `res` looked at when `server` decided about recipient `r` for the client at `ip` (what it
/// made of it is `result`), in the server's own terms.
pub fn fact(
    server: &ServerConfig,
    zone: &Zone,
    res: Restriction,
    result: CheckResult,
    facts: &Facts,
    r: &Resolved,
    ip: Ipv4Addr,
) -> String {
    match res {
        Restriction::PermitMynetworks => format!(
            "{ip} is {}in mynetworks ({})",
            if facts.trusted { "" } else { "not " },
            join_or_none(&server.mynetworks)
        ),
        Restriction::PermitSaslAuthenticated => {
            (if facts.authenticated { "the client logged in (SMTP AUTH)" } else { "the client has not logged in" })
                .into()
        }
        Restriction::PermitPopBeforeSmtp => {
            if facts.pop_fresh == Some(true) {
                format!("{ip} logged in to POP within the last 30 minutes")
            } else {
                format!("no POP login from {ip} in the last 30 minutes")
            }
        }
        Restriction::PermitExempt => {
            format!("{ip} is {}the server's own backup MX", if any_contains(&server.exempt, ip) { "" } else { "not " })
        }
        Restriction::RejectUnauthDestination
        | Restriction::DeferUnauthDestination
        | Restriction::PermitAuthDestination => {
            let local: Vec<&str> = server.final_domains.iter().filter(|d| !d.is_virtual).map(|d| &*d.name).collect();
            let virt: Vec<&str> = server.final_domains.iter().filter(|d| d.is_virtual).map(|d| &*d.name).collect();
            let relay: Vec<&str> = server.relay_domains.iter().map(|d| &**d).collect();
            if facts.routed {
                format!("the address hides another destination ({}): sender-specified routing", r.domain)
            } else if facts.final_domain {
                format!(
                    "{} is a domain this server delivers (mydestination {}; virtual_mailbox_domains {})",
                    r.domain,
                    join_or_none(&local),
                    join_or_none(&virt)
                )
            } else if facts.relay_domain {
                format!("{} is in relay_domains ({})", r.domain, join_or_none(&relay))
            } else {
                format!(
                    "{} is in none of mydestination ({}), virtual_mailbox_domains ({}), relay_domains ({})",
                    r.domain,
                    join_or_none(&local),
                    join_or_none(&virt),
                    join_or_none(&relay)
                )
            }
        }
        Restriction::RejectUnlistedRecipient => match unlisted(server, r) {
            Some(t) => format!("{} is not in the {t}", r.local),
            None => format!("{} is a known recipient (or not one this server checks)", r.local),
        },
        Restriction::RejectRblClient => {
            format!("{ip} is {}listed on {}", if zone.is_blocklisted(ip) { "" } else { "not " }, crate::dns::DNSBL)
        }
        Restriction::CheckSpf => "the sender's domain's SPF record against the client's address".into(),
        Restriction::CheckGreylist => (if result == CheckResult::Defer {
            "a new (client, sender, recipient) triplet"
        } else {
            "seen before, long enough ago"
        })
        .into(),
        Restriction::RejectUnknownRecipientDomain => format!("DNS for {}", r.domain),
        Restriction::Permit => "permits everything".into(),
        Restriction::Reject => "refuses everything that got this far".into(),
    }
}

fn verdict_of(reply: &Reply) -> Verdict {
    match reply.severity() {
        Severity::Ok | Severity::Continue => Verdict::Accept,
        Severity::Transient => Verdict::Defer,
        Severity::Permanent => Verdict::Refuse,
    }
}

fn stop(tpl: &Tpl, why: Why, rule: &'static str, v: &Vars) -> Step {
    let reply = tpl.reply(v);
    Step::Stop(verdict_of(&reply), why, rule.into(), reply)
}

fn step(ctx: &RcptContext, res: Restriction, facts: &Facts, r: &Resolved, v: &Vars) -> Step {
    let spec = ctx.spec;
    let names = &spec.rules;
    let flavour_name = |postfix: &'static str, other: &'static str| -> &'static str {
        if ctx.server.settings.flavour == Flavour::Postfix {
            postfix
        } else {
            other
        }
    };
    match res {
        Restriction::PermitMynetworks if facts.trusted => Step::Permit(Why::TrustedNetwork, names.mynetworks),
        Restriction::PermitSaslAuthenticated if facts.authenticated => Step::Permit(Why::Authenticated, names.sasl),
        Restriction::PermitPopBeforeSmtp if ctx.pop_fresh => Step::Permit(Why::PopBeforeSmtp, names.pop),
        Restriction::PermitExempt if any_contains(&ctx.server.exempt, ctx.client_ip) => Step::Dunno,
        Restriction::PermitAuthDestination if facts.domain_handled() => {
            let why = if facts.final_domain { Why::FinalDestination } else { Why::RelayDomain };
            Step::Permit(why, "permit_auth_destination")
        }
        Restriction::Permit => Step::Permit(Why::PermitAll, "permit"),
        Restriction::RejectUnlistedRecipient => match unlisted(ctx.server, r) {
            Some(table) => {
                let reply = spec.unknown_user.reply(&Vars { table, ..*v });
                Step::Stop(verdict_of(&reply), Why::UserUnknown, "reject_unlisted_recipient".into(), reply)
            }
            None => Step::Dunno,
        },
        Restriction::RejectUnauthDestination | Restriction::DeferUnauthDestination => {
            if facts.domain_handled() {
                return Step::Dunno;
            }
            let why = if facts.routed && (facts.final_domain || facts.relay_domain) {
                Why::SenderRouting
            } else {
                Why::RelayDenied
            };
            let tpl = if spec.relay_denied_no_ptr.is_some() && ctx.zone.ptr(ctx.client_ip).is_none() {
                spec.relay_denied_no_ptr.unwrap_or(spec.relay_denied)
            } else if ctx.server.settings.pop_before_smtp && spec.relay_denied_pop.is_some() {
                spec.relay_denied_pop.unwrap_or(spec.relay_denied)
            } else if ctx.server.settings.sasl && spec.relay_denied_auth.is_some() {
                spec.relay_denied_auth.unwrap_or(spec.relay_denied)
            } else {
                spec.relay_denied
            };
            if res == Restriction::DeferUnauthDestination {
                let reply = tpl.reply_with_code(tpl.code - 100, v);
                let why = if why == Why::RelayDenied { Why::RelayDeferred } else { why };
                Step::Stop(Verdict::Defer, why, "defer_unauth_destination".into(), reply)
            } else {
                stop(&tpl, why, names.deny, v)
            }
        }
        Restriction::Reject => {
            stop(&spec.access_denied, Why::SubmissionNeedsAuth, flavour_name("reject", names.deny), v)
        }
        Restriction::RejectUnknownRecipientDomain if r.final_class.is_none() => match ctx.zone.mx(&r.domain, ctx.t) {
            Answer::Found(mx) if mx.iter().any(|m| m.exchange.is_empty()) => {
                stop(&spec.null_mx, Why::NullMx, "reject_unknown_recipient_domain", v)
            }
            Answer::Found(mx) if !mx.is_empty() || matches!(ctx.zone.a(&r.domain, ctx.t), Answer::Found(Some(_))) => {
                Step::Dunno
            }
            Answer::TempFail => stop(&spec.domain_not_found, Why::DnsTempFail, "reject_unknown_recipient_domain", v),
            _ => stop(&spec.domain_not_found, Why::NoSuchDomain, "reject_unknown_recipient_domain", v),
        },
        Restriction::RejectRblClient if ctx.zone.is_blocklisted(ctx.client_ip) => {
            stop(&spec.blocklisted, Why::Blocklisted, "reject_rbl_client zen.spamhaus.org", v)
        }
        Restriction::CheckSpf => {
            let domain = ctx.sender.and_then(|s| s.domain()).unwrap_or("");
            match ctx.zone.spf_allows(domain, ctx.client_ip) {
                Some(false) => stop(&spec.spf_fail, Why::SpfFail, "check_policy_service (policyd-spf)", v),
                _ => Step::Dunno,
            }
        }
        Restriction::CheckGreylist if ctx.grey == Grey::Wait => {
            let v = Vars { domain: &r.domain, ..*v };
            stop(&spec.greylisted, Why::Greylisted, "check_policy_service (postgrey)", &v)
        }
        _ => Step::Dunno,
    }
}

/// The lookup table that does not list this recipient, if it is a final or checked relay recipient that does
/// not exist.
fn unlisted(server: &ServerConfig, r: &Resolved) -> Option<&'static str> {
    if r.routed {
        return None;
    }
    if let Some(is_virtual) = r.final_class {
        // The empty local part is MAILER-DAEMON, which every Postfix accepts.
        let known = r.local.is_empty()
            || match server.final_domain(&r.domain) {
                Some(d) => d.users.iter().any(|u| u.eq_ignore_ascii_case(&r.local)),
                // An address literal of this host: the local recipient table.
                None => server.local_users().iter().any(|u| u.eq_ignore_ascii_case(&r.local)),
            };
        if known {
            return None;
        }
        return Some(if is_virtual { "virtual mailbox table" } else { "local recipient table" });
    }
    if r.relay {
        let full = format!("{}@{}", r.local, r.domain);
        if let Some(list) = &server.relay_recipients {
            if !list.iter().any(|a| a.eq_ignore_ascii_case(&full)) {
                return Some("relay recipient table");
            }
        }
    }
    None
}

/// The address a server keeps after accepting `addr` (Postfix's cleanup rewrites `user%domain@here` and
/// `domain!user@here` to `user@domain`), if it differs from what was sent.
pub fn canonical(addr: &Address, server: &ServerConfig) -> Option<String> {
    let r = resolve(addr, server);
    let plain = addr.route().is_empty() && addr.domain().is_some_and(|d| d == r.domain) && addr.local() == r.local;
    (!plain).then(|| {
        if r.local.is_empty() {
            format!("MAILER-DAEMON@{}", r.domain)
        } else {
            format!("{}@{}", r.local, r.domain)
        }
    })
}

/// The server of `world` that is the final destination of `rcpt`, as a server would parse and resolve it.
pub fn final_server<'w>(world: &'w World, rcpt: &str) -> Option<&'w Rc<ServerConfig>> {
    let address = Address::parse(rcpt).ok()?;
    world.servers.iter().find(|sv| {
        let r = resolve(&address, sv);
        r.final_class.is_some() && !r.routed
    })
}

/// Whether the mailbox `local@domain` exists on this server (for delivery after acceptance).
pub fn mailbox_exists(server: &ServerConfig, local: &str, domain: &str) -> bool {
    server.final_domain(domain).is_some_and(|d| d.users.iter().any(|u| u.eq_ignore_ascii_case(local)))
}

#[cfg(test)]
mod tests;
