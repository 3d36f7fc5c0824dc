//! Plain-words meanings of reply codes (RFC 5321 §4.2) and enhanced status codes (RFC 3463, RFC 7505, RFC 7372),
//! for tooltips and explanations.

use crate::reply::Status;

/// What a basic reply code means.
pub fn reply_code(code: u16) -> &'static str {
    match code {
        220 => "220: service ready — the server greets the client.",
        221 => "221: closing the connection, goodbye.",
        235 => "235: authentication succeeded (RFC 4954).",
        250 => "250: requested action done.",
        251 => "251: user not local; will forward.",
        334 => "334: go on with the next authentication step (RFC 4954).",
        354 => "354: send the message text, ending with a line holding only a dot.",
        421 => "421: service not available, closing the connection; try again later.",
        450 => "450: mailbox unavailable right now (busy, greylisted); try again later.",
        451 => "451: aborted because of a local error; try again later.",
        452 => "452: not enough system storage, or too many recipients; try again later.",
        454 => "454: temporary failure (TLS or authentication not available, or relaying deferred); try again later.",
        500 => "500: command not recognised.",
        501 => "501: syntax error in the arguments.",
        502 => "502: command not implemented.",
        503 => "503: bad sequence of commands.",
        504 => "504: parameter not implemented.",
        530 => "530: authentication or encryption required first (RFC 4954, RFC 3207).",
        535 => "535: authentication credentials invalid (RFC 4954).",
        538 => "538: encryption required for this authentication mechanism (RFC 4954).",
        550 => "550: not done — mailbox unavailable or refused by policy (e.g. relaying denied).",
        551 => "551: user not local.",
        552 => "552: exceeded storage allocation (message too big).",
        553 => "553: mailbox name not allowed.",
        554 => "554: transaction failed — refused for good (Postfix uses it for relay access denied).",
        556 => "556: the domain does not accept mail (RFC 7504).",
        _ => match code / 100 {
            2 => "2xx: success.",
            3 => "3xx: go on.",
            4 => "4xx: temporary failure; a mail server will try again later.",
            _ => "5xx: permanent failure; a mail server returns the message to its sender.",
        },
    }
}

/// What an enhanced status code means: the class, then the subject and detail.
pub fn status(s: Status) -> String {
    let class = match s.class {
        2 => "success",
        4 => "temporary failure",
        _ => "permanent failure",
    };
    format!("{s}: {class} — {}", detail(s))
}

fn detail(s: Status) -> &'static str {
    match (s.subject, s.detail) {
        (0, 0) => "other or undefined status",
        (1, 0) => "addressing problem",
        (1, 1) => "bad destination mailbox address: the user does not exist there",
        (1, 2) => "bad destination system address: the domain is not handled there",
        (1, 3) => "bad destination mailbox address syntax",
        (1, 5) => "destination address valid",
        (1, 10) => "the recipient's domain has a null MX: it accepts no mail (RFC 7505)",
        (2, 0) => "mailbox problem",
        (2, 1) => "mailbox disabled",
        (2, 2) => "mailbox full",
        (3, 4) => "message too big for the system",
        (3, 5) => "system incorrectly configured",
        (4, 1) => "no answer from host: could not connect",
        (4, 3) => "directory (DNS) server failure",
        (4, 4) => "unable to route: no usable mail server found",
        (4, 6) => "routing loop detected: the mail would come back to this server",
        (4, 7) => "delivery time expired",
        (5, 0) => "other protocol status",
        (5, 1) => "invalid command or command order",
        (5, 2) => "syntax error",
        (5, 3) => "too many recipients",
        (5, 4) => "invalid command arguments",
        (6, 7) => "non-ASCII address needs SMTPUTF8",
        (7, 0) => "security or policy status (authentication or encryption needed)",
        (7, 1) => "delivery not authorised, message refused (RFC 3463): relaying denied or policy",
        (7, 8) => "authentication credentials invalid (RFC 4954)",
        (7, 11) => "encryption required",
        (7, 23) => "SPF validation failed (RFC 7372)",
        (7, 25) => "reverse DNS validation failed (RFC 7372)",
        (7, 26) => "multiple authentication checks failed (DMARC)",
        (7, 27) => "the sender's domain has a null MX (RFC 7505)",
        (7, 54) => "unable to relay for a recipient in a non-accepted domain (Exchange)",
        (_, 0) => "see the subject",
        _ => "see RFC 3463",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_relay_codes() {
        assert!(reply_code(554).contains("relay"));
        assert!(reply_code(499).starts_with("4xx"));
        assert_eq!(
            status(Status::new(5, 7, 1)),
            "5.7.1: permanent failure — delivery not authorised, message refused (RFC 3463): relaying denied or policy"
        );
        assert!(status(Status::new(4, 4, 1)).contains("could not connect"));
    }
}
