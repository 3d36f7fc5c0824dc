//! What a refusal means: first the exact wordings the simulator's servers use (every flavour's templates, so a
//! pasted and a simulated refusal explain alike), then the words and codes other software is known to use, then
//! the enhanced status code (RFC 3463) and the reply code alone.

use super::text::has;
use super::Certainty;
use crate::flavours;
use crate::named::Named;
use crate::reply::Status;
use crate::scenario::Flavour;
use crate::trace::Why;

/// The reason a template key of the flavour tables stands for (`None` for replies that are not refusals).
fn why_of_key(key: &str, code: u16) -> Option<Why> {
    Some(match key {
        "relay_denied" | "relay_denied_auth" | "relay_denied_pop" | "relay_denied_no_ptr" if code / 100 == 4 => {
            Why::RelayDeferred
        }
        "relay_denied" | "relay_denied_auth" | "relay_denied_pop" | "relay_denied_no_ptr" => Why::RelayDenied,
        "access_denied" => Why::SubmissionNeedsAuth,
        "unknown_user" | "unknown_user_later" => Why::UserUnknown,
        "greylisted" => Why::Greylisted,
        "blocklisted" => Why::Blocklisted,
        "spf_fail" => Why::SpfFail,
        "dmarc_reject" => Why::DmarcReject,
        "too_big_mail" | "too_big_data" => Why::TooBig,
        "null_mx" => Why::NullMx,
        "domain_not_found" => Why::NoSuchDomain,
        "too_many_hops" => Why::MailLoop,
        "auth_failed" => Why::AuthFailed,
        "tls_first" => Why::TlsRequired,
        "submission.auth_required_at_mail" => Why::AuthRequired,
        _ => return None,
    })
}

/// Whether `lower` (lower-case words) holds the template's fixed parts, in order (ignoring case; placeholders
/// match anything).
fn fits(template: &str, lower: &str) -> bool {
    let pieces: Vec<&str> = template
        .split('{')
        .enumerate()
        .map(|(i, p)| if i == 0 { p } else { p.split_once('}').map_or("", |(_, rest)| rest) })
        .map(str::trim)
        .filter(|p| p.len() >= 3)
        .collect();
    if pieces.iter().map(|p| p.len()).sum::<usize>() < 8 {
        return false;
    }
    let mut at = 0;
    for p in pieces {
        match lower.get(at..).and_then(|rest| rest.find(&p.to_ascii_lowercase())) {
            Some(i) => at += i + p.len(),
            None => return false,
        }
    }
    true
}

/// What the flavour tables say of a refusal's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// This flavour's own wording, standing for this reason.
    Found(Flavour, Why),
    /// A flavour's wording for both relaying denied and an unknown user (OpenSMTPD's "Invalid recipient"): the
    /// words tell neither.
    Ambiguous(Flavour),
    /// No flavour's wording.
    None,
}

/// The flavour whose own wording this refusal is, and what it stands for.
pub fn by_template(words: &str, code: u16) -> Template {
    let lower = words.to_ascii_lowercase();
    let mut best: Option<(usize, Flavour, Why, bool)> = None;
    for &f in Flavour::ALL {
        for (key, t) in flavours::spec(f).templates() {
            let Some(why) = why_of_key(key, code) else { continue };
            if !fits(t.text, &lower) {
                continue;
            }
            // The longest fitting wording wins: Sendmail's "Relaying denied. Proper authentication required."
            // over its shorter "Relaying denied".
            let relay_or_user = |a: Why, b: Why| a != b && [a, b].contains(&Why::UserUnknown);
            match best {
                Some((n, bf, bw, _)) if n == t.text.len() && bf == f && relay_or_user(bw, why) => {
                    best = Some((n, bf, bw, true))
                }
                Some((n, ..)) if t.text.len() <= n => {}
                _ => best = Some((t.text.len(), f, why, false)),
            }
        }
    }
    match best {
        Some((_, f, _, true)) => Template::Ambiguous(f),
        Some((_, f, w, false)) => Template::Found(f, w),
        None => Template::None,
    }
}

/// Words other software is known to use, with what they stand for (checked in order: the first that fits).
/// The sources of these wordings are listed in `docs/sources.md` under "Reading a pasted bounce".
const WORDS: &[(&[&str], Why)] = &[
    (&["greylist", "graylist", "try again later, please"], Why::Greylisted),
    (
        &[
            "relay access denied",
            "relaying denied",
            "relay not permitted",
            "unable to relay",
            "not permitted to relay",
            "allowed rcpthosts",
            "relay not allowed",
            "relaying not allowed",
            "relaying disallowed",
            "relay denied",
            "we do not relay",
            "no relaying",
            "relaying mail to",
            "not allowed to relay",
            "relay prohibited",
            "cannot relay",
            "relay access",
            "as a relay",
        ],
        Why::RelayDenied,
    ),
    (&["nullmx", "null mx", "does not accept mail"], Why::NullMx),
    (&["spf", "sender policy framework"], Why::SpfFail),
    (&["dmarc"], Why::DmarcReject),
    (
        &[
            "blocked using",
            "use the smtp server of your isp",
            "dynamic ip",
            "dialup",
            "blacklist",
            "blocklist",
            "block list",
            "spamhaus",
            "spamcop",
            "listed at",
            "listed in",
            "dnsbl",
            "rbl",
        ],
        Why::Blocklisted,
    ),
    (
        &[
            "over quota",
            "quota exceeded",
            "mailbox full",
            "mailbox is full",
            "exceeded storage",
            "insufficient storage",
            "mailbox size limit",
            "user is over",
            "mailbox exceeds",
        ],
        Why::MailboxFull,
    ),
    (
        &["too big", "too large", "size exceeds", "exceeds fixed limit", "message size", "exceeds the maximum"],
        Why::TooBig,
    ),
    (&["starttls", "tls required", "encryption required", "must issue a starttls"], Why::TlsRequired),
    (
        &[
            "authentication failed",
            "credentials invalid",
            "incorrect authentication",
            "invalid credentials",
            "password",
        ],
        Why::AuthFailed,
    ),
    (
        &[
            "authentication required",
            "must authenticate",
            "not authenticated",
            "authentication is required",
            "log in first",
            "sender not authenticated",
        ],
        Why::AuthRequired,
    ),
    (
        &["loops back to myself", "loops back to me", "mail loop", "too many hops", "loop detected", "routing loop"],
        Why::MailLoop,
    ),
    (
        &[
            "host not found",
            "domain not found",
            "couldn't find any host",
            "no such domain",
            "name service error",
            "nxdomain",
            "domain does not exist",
            "domain name not found",
            "unrouteable mail domain",
            "no mx",
            "all relevant mx records point to non-existent hosts",
            "dns error",
            "unable to route",
            "name or service not known",
        ],
        Why::NoSuchDomain,
    ),
    (
        &[
            "user unknown",
            "unknown user",
            "no such user",
            "does not exist",
            "doesn't exist",
            "mailbox unavailable",
            "invalid recipient",
            "unrouteable address",
            "no mailbox here",
            "mailbox not found",
            "recipient not found",
            "recipient rejected",
            "no such recipient",
            "not a valid mailbox",
            "unknown recipient",
            "user not found",
            "address rejected",
            "unknown or illegal alias",
            "not our customer",
            "no such mailbox",
            "recipient address rejected",
        ],
        Why::UserUnknown,
    ),
    (&["connection refused", "did not accept our requests to connect", "socket error"], Why::ConnectionRefused),
    (&["timed out", "timeout", "no route to host", "network is unreachable", "host unreachable"], Why::TimedOut),
];

/// What the words say, by the known wordings of other software.
pub fn by_words(words: &str) -> Option<Why> {
    WORDS.iter().find(|(ws, _)| ws.iter().any(|w| has(words, w))).map(|(_, why)| *why)
}

/// What an enhanced status code says on its own (RFC 3463, RFC 7505, RFC 7372; 5.7.54/5.7.57/5.7.64 are
/// Microsoft's).
pub fn by_status(s: Status) -> Option<Why> {
    let temporary = s.class == 4;
    Some(match (s.subject, s.detail) {
        (1, 1) | (1, 6) => Why::UserUnknown,
        (1, 2) | (4, 4) => Why::NoSuchDomain,
        (1, 10) => Why::NullMx,
        (2, 2) => Why::MailboxFull,
        (2, 3) | (3, 4) => Why::TooBig,
        (4, 1) | (4, 2) => Why::ConnectionRefused,
        (4, 6) => Why::MailLoop,
        (4, 7) if !temporary => Why::Expired,
        (7, 0) | (7, 57) => Why::AuthRequired,
        (7, 8) => Why::AuthFailed,
        (7, 10) | (7, 11) => Why::TlsRequired,
        (7, 23) => Why::SpfFail,
        (7, 26) => Why::DmarcReject,
        (7, 54) | (7, 64) if temporary => Why::RelayDeferred,
        (7, 54) | (7, 64) => Why::RelayDenied,
        _ if temporary => Why::TempFail,
        _ => return None,
    })
}

/// How much of a refusal's text is read for its class.
const MAX_WORDS: usize = 4096;

/// The class of one refusal: its words and codes, and how sure the reading is. `None` when nothing fits.
pub fn refusal(words: &str, code: Option<u16>, status: Option<Status>) -> Option<(Why, Certainty, Option<Flavour>)> {
    // A reply is at most a few lines; a longer "reply" is a paste gone wrong, and its start is what counts.
    let words = match words.char_indices().nth(MAX_WORDS) {
        Some((i, _)) => &words[..i],
        None => words,
    };
    let code_or = code.unwrap_or(match status.map(|s| s.class) {
        Some(4) => 450,
        _ => 550,
    });
    let deferral = |w: Why| if w == Why::RelayDenied && code_or / 100 == 4 { Why::RelayDeferred } else { w };
    match by_template(words, code_or) {
        Template::Found(f, why) => return Some((why, Certainty::Sure, Some(f))),
        // Only an enhanced status code could tell, if the server sent one.
        Template::Ambiguous(f) => return status.and_then(by_status).map(|why| (why, Certainty::Likely, Some(f))),
        Template::None => {}
    }
    if let Some(why) = by_words(words) {
        // Words and a status that agree make the reading sure.
        let agrees = status.and_then(by_status).is_some_and(|s| s == why);
        return Some((deferral(why), if agrees { Certainty::Sure } else { Certainty::Likely }, None));
    }
    if let Some(why) = status.and_then(by_status) {
        return Some((why, Certainty::Likely, None));
    }
    match code {
        Some(c) if c / 100 == 4 => Some((Why::TempFail, Certainty::Guess, None)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relay_refusal_of_the_simulated_servers_is_recognised_with_its_software() {
        for &f in Flavour::ALL {
            let t = flavours::spec(f).relay_denied;
            let words =
                t.text.replace("{rcpt}", "bob@corp-b.example").replace("{helo}", "laptop").replace("{ip}", "1.2.3.4");
            if t.text == flavours::spec(f).unknown_user.text {
                // The same words for an unknown user (OpenSMTPD): the reader does not pretend to know which.
                assert_eq!(refusal(&words, Some(t.code), t.status), None, "{f:?}: {words}");
                continue;
            }
            let (why, certainty, flavour) = refusal(&words, Some(t.code), t.status).unwrap();
            assert_eq!((why, certainty), (Why::RelayDenied, Certainty::Sure), "{f:?}: {words}");
            let same =
                flavour == Some(f) || (matches!(f, Flavour::Exchange | Flavour::Exchange2010) && flavour.is_some());
            assert!(same || t.text == flavours::spec(flavour.unwrap()).relay_denied.text, "{f:?} read as {flavour:?}");
        }
    }

    #[test]
    fn the_look_alikes_are_told_apart() {
        let r = |w: &str| refusal(w, Some(550), None).map(|(w, ..)| w);
        assert_eq!(r("5.1.1 <x@y.example>... User unknown"), Some(Why::UserUnknown));
        assert_eq!(r("Mailbox is full / Blocks limit exceeded / Inode limit exceeded"), Some(Why::MailboxFull));
        assert_eq!(
            r("Service unavailable; Client host [1.2.3.4] blocked using zen.spamhaus.org"),
            Some(Why::Blocklisted)
        );
        assert_eq!(refusal("4.7.1 Greylisted, see http://postgrey", Some(450), None).unwrap().0, Why::Greylisted);
        assert_eq!(refusal("Relay access denied", Some(454), None).unwrap().0, Why::RelayDeferred);
        assert_eq!(refusal("something", Some(451), None).unwrap().0, Why::TempFail);
        assert_eq!(refusal("something", Some(550), None), None);
    }
}
