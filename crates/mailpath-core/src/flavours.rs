//! The flavour table: each server software's words, defaults and queue times, from the sources listed in
//! `docs/sources.md`. `sourced(…)` marks wording confirmed in source code, documentation or real transcripts;
//! `unverified(…)` marks best knowledge that was not confirmed (the app flags those lines).

use crate::flavour::*;
use crate::scenario::Flavour;
use crate::time::{DAY, HOUR, MINUTE};

/// The table entry for `f`.
pub fn spec(f: Flavour) -> &'static Spec {
    match f {
        Flavour::Postfix => &POSTFIX,
        Flavour::Sendmail => &SENDMAIL,
        Flavour::Exim => &EXIM,
        Flavour::Exchange => &EXCHANGE,
        Flavour::Exchange2010 => &EXCHANGE_2010,
        Flavour::Qmail => &QMAIL,
        Flavour::Stalwart => &STALWART,
        Flavour::OpenSmtpd => &OPENSMTPD,
    }
}

const POSTFIX_KW: &[Kw] = &[
    Kw::Always("PIPELINING"),
    Kw::Size,
    Kw::Always("VRFY"),
    Kw::Always("ETRN"),
    Kw::StartTls,
    Kw::Auth("PLAIN LOGIN"),
    Kw::Always("ENHANCEDSTATUSCODES"),
    Kw::Always("8BITMIME"),
    Kw::Always("DSN"),
    Kw::Always("SMTPUTF8"),
    Kw::Always("CHUNKING"),
];

/// Postfix 3.7 (smtpd.c, smtpd_check.c, smtpd_sasl_glue.c; replies reproduced on a real Postfix 3.7.11).
static POSTFIX: Spec = Spec {
    name: "Postfix",
    software: "Postfix",
    greeting: sourced(220, None, "{host} ESMTP Postfix"),
    ehlo_line: "{host}",
    keywords: POSTFIX_KW,
    auth_after_tls: false,
    starttls: sourced(220, esc(2, 0, 0), "Ready to start TLS"),
    not_offered: sourced(502, esc(5, 5, 1), "Error: command not implemented"),
    auth_ok: sourced(235, esc(2, 7, 0), "Authentication successful"),
    auth_failed: sourced(535, esc(5, 7, 8), "Error: authentication failed: authentication failure"),
    auth_not_enabled: sourced(503, esc(5, 5, 1), "Error: authentication not enabled"),
    already_authenticated: sourced(503, esc(5, 5, 1), "Error: already authenticated"),
    tls_first: sourced(530, esc(5, 7, 0), "Must issue a STARTTLS command first"),
    submission: Submission { exists: true, tls_required: true, tls_only_at_mail: false, auth_required_at_mail: None, auth_without_tls: false },
    mail_ok: sourced(250, esc(2, 1, 0), "Ok"),
    rcpt_ok: sourced(250, esc(2, 1, 5), "Ok"),
    bad_rcpt_syntax: sourced(501, esc(5, 1, 3), "Bad recipient address syntax"),
    data_go: sourced(354, None, "End data with <CR><LF>.<CR><LF>"),
    queued: sourced(250, esc(2, 0, 0), "Ok: queued as {id}"),
    quit: sourced(221, esc(2, 0, 0), "Bye"),
    rset: sourced(250, esc(2, 0, 0), "Ok"),
    need_ehlo: sourced(503, esc(5, 5, 1), "Error: send HELO/EHLO first"),
    need_mail: sourced(503, esc(5, 5, 1), "Error: need MAIL command"),
    need_rcpt: sourced(503, esc(5, 5, 1), "Error: need RCPT command"),
    no_valid_recipients: sourced(554, esc(5, 5, 1), "Error: no valid recipients"),
    relay_denied: sourced(554, esc(5, 7, 1), "<{rcpt}>: Relay access denied"),
    relay_denied_auth: None,
    relay_denied_pop: None,
    relay_denied_no_ptr: None,
    access_denied: sourced(554, esc(5, 7, 1), "<{rcpt}>: Recipient address rejected: Access denied"),
    unknown_user: sourced(550, esc(5, 1, 1), "<{rcpt}>: Recipient address rejected: User unknown in {table}"),
    checks_users: true,
    checks_users_everywhere: false,
    addressing: Addressing::Routed,
    echo_as_sent: false,
    route_in_local: None,
    client_pipelines: false,
    unknown_user_later: sourced(550, esc(5, 1, 1), "<{rcpt}>: Recipient address rejected: User unknown in {table}"),
    greylisted: sourced(
        450,
        esc(4, 2, 0),
        "<{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{domain}.html",
    ),
    blocklisted: sourced(
        554,
        esc(5, 7, 1),
        "Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}",
    ),
    spf_fail: sourced(
        550,
        esc(5, 7, 23),
        "<{rcpt}>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id={from};ip={ip};r=<UNKNOWN>",
    ),
    dmarc_reject: sourced(550, esc(5, 7, 1), "rejected by DMARC policy for {domain}"),
    too_big_mail: Some(sourced(552, esc(5, 3, 4), "Message size exceeds fixed limit")),
    too_big_data: sourced(552, esc(5, 3, 4), "Error: message file too big"),
    null_mx: sourced(556, esc(5, 1, 10), "<{rcpt}>: Recipient address rejected: Domain {domain} does not accept mail (nullMX)"),
    domain_not_found: sourced(450, esc(4, 1, 2), "<{rcpt}>: Recipient address rejected: Domain not found"),
    loops: "mail for {domain} loops back to myself",
    too_many_hops: sourced(554, esc(5, 4, 0), "Error: too many hops"),
    max_hops: 50,
    smtp_in: None,
    rules: RuleNames {
        mynetworks: "permit_mynetworks",
        sasl: "permit_sasl_authenticated",
        pop: "check_client_access (pop-before-smtp)",
        destination: "permit_auth_destination",
        deny: "reject_unauth_destination",
    },
    queue: Queue {
        lifetime: 5 * DAY,
        warn_after: None,
        schedule: Schedule::Backoff { min: 300, max: 4000 },
        verified: true,
    },
    received: ReceivedStyle::Postfix,
    dsn: DsnStyle::Postfix,
    flavour: Flavour::Postfix,
};

/// What `f` answers to typed commands (the console's replies). A table apart from [`spec`], so that only the
/// console, which reads typed lines, carries it.
pub fn typing(f: Flavour) -> &'static Typing {
    match f {
        Flavour::Postfix => &POSTFIX_TYPING,
        Flavour::Sendmail => &SENDMAIL_TYPING,
        Flavour::Exim => &EXIM_TYPING,
        Flavour::Exchange | Flavour::Exchange2010 => &EXCHANGE_TYPING,
        Flavour::Qmail => &QMAIL_TYPING,
        Flavour::Stalwart => &STALWART_TYPING,
        Flavour::OpenSmtpd => &OPENSMTPD_TYPING,
    }
}

/// What Postfix 3.7's smtpd answers to typed commands (smtpd.c, smtpd_sasl_proto.c, smtpd_sasl_glue.c,
/// xsasl_cyrus_server.c; every line replayed against a real Postfix 3.7.11 by the console conformance).
static POSTFIX_TYPING: Typing = Typing {
    empty: sourced(500, esc(5, 5, 2), "Error: bad syntax"),
    unknown: sourced(500, esc(5, 5, 2), "Error: command not recognized"),
    forbidden: Some(sourced(221, esc(2, 7, 0), "Error: I can break rules, too. Goodbye.")),
    helo_syntax: sourced(501, None, "Syntax: HELO hostname"),
    ehlo_syntax: sourced(501, None, "Syntax: EHLO hostname"),
    helo_ok: sourced(250, None, "{host}"),
    helo_required: false,
    mail_syntax: sourced(501, esc(5, 5, 4), "Syntax: MAIL FROM:<address>"),
    nested_mail: sourced(503, esc(5, 5, 1), "Error: nested MAIL command"),
    bad_sender: sourced(501, esc(5, 1, 7), "Bad sender address syntax"),
    unknown_option: sourced(555, esc(5, 5, 4), "Unsupported option: {arg}"),
    bad_size: sourced(501, esc(5, 5, 4), "Bad message size syntax"),
    size_overflow: sourced(552, esc(5, 3, 4), "Message size exceeds file system imposed limit"),
    rcpt_syntax: sourced(501, esc(5, 5, 4), "Syntax: RCPT TO:<address>"),
    too_many_rcpts: sourced(452, esc(4, 5, 3), "Error: too many recipients"),
    rcpt_limit: 1000,
    data_syntax: sourced(501, esc(5, 5, 4), "Syntax: DATA"),
    rset_syntax: sourced(501, esc(5, 5, 4), "Syntax: RSET"),
    noop: sourced(250, esc(2, 0, 0), "Ok"),
    vrfy_syntax: sourced(501, esc(5, 5, 4), "Syntax: VRFY address [SMTPUTF8]"),
    vrfy_ok: sourced(252, esc(2, 0, 0), "{arg}"),
    expn: None,
    help: None,
    etrn_syntax: Some(sourced(500, None, "Syntax: ETRN domain")),
    etrn_denied: Some(sourced(459, None, "<{arg}>: service unavailable")),
    starttls_syntax: sourced(501, esc(5, 5, 4), "Syntax: STARTTLS"),
    tls_active: sourced(554, esc(5, 5, 1), "Error: TLS already active"),
    auth_syntax: sourced(501, esc(5, 5, 4), "Syntax: AUTH mechanism"),
    auth_in_mail: sourced(503, esc(5, 5, 1), "Error: MAIL transaction in progress"),
    auth_mechanism: sourced(535, esc(5, 7, 8), "Error: authentication failed: no mechanism available"),
    auth_aborted: sourced(501, esc(5, 7, 0), "Authentication aborted"),
    auth_bad_initial: sourced(535, esc(5, 7, 8), "Error: authentication failed: {arg}"),
    auth_bad_response: sourced(535, esc(5, 7, 8), "Error: authentication failed: {arg}"),
    plain_prompt: sourced(334, None, ""),
    login_prompts: [sourced(334, None, "VXNlcm5hbWU6"), sourced(334, None, "UGFzc3dvcmQ6")],
    line_limit: 2048,
    error_limit: 20,
    junk_limit: 100,
    too_many_errors: sourced(421, esc(4, 7, 0), "{host} Error: too many errors"),
};

/// Typed-command replies of servers not yet checked against a real one: RFC 5321's codes with plain words,
/// flagged until a source or a real server confirms them.
const fn unconfirmed_typing(help: &'static str, unknown: &'static str) -> Typing {
    Typing {
        empty: unverified(500, esc(5, 5, 2), "Syntax error, command unrecognized"),
        unknown: unverified(500, esc(5, 5, 1), unknown),
        forbidden: None,
        helo_syntax: unverified(501, esc(5, 5, 4), "Syntax: HELO hostname"),
        ehlo_syntax: unverified(501, esc(5, 5, 4), "Syntax: EHLO hostname"),
        helo_ok: unverified(250, None, "{host} Hello {helo} [{ip}]"),
        helo_required: false,
        mail_syntax: unverified(501, esc(5, 5, 4), "Syntax error in parameters or arguments"),
        nested_mail: unverified(503, esc(5, 5, 1), "Sender already specified"),
        bad_sender: unverified(501, esc(5, 1, 7), "Bad sender address syntax"),
        unknown_option: unverified(555, esc(5, 5, 4), "{arg} parameter unrecognized"),
        bad_size: unverified(501, esc(5, 5, 4), "Syntax error in SIZE parameter"),
        size_overflow: unverified(552, esc(5, 3, 4), "Message size exceeds maximum value"),
        rcpt_syntax: unverified(501, esc(5, 5, 4), "Syntax error in parameters or arguments"),
        too_many_rcpts: unverified(452, esc(4, 5, 3), "Too many recipients"),
        rcpt_limit: 100,
        data_syntax: unverified(501, esc(5, 5, 4), "Syntax error in parameters or arguments"),
        rset_syntax: unverified(501, esc(5, 5, 4), "Syntax error in parameters or arguments"),
        noop: unverified(250, esc(2, 0, 0), "OK"),
        vrfy_syntax: unverified(501, esc(5, 5, 4), "Argument required"),
        vrfy_ok: unverified(252, esc(2, 5, 2), "Cannot VRFY user, but will accept message and attempt delivery"),
        expn: Some(unverified(502, esc(5, 7, 0), "Sorry, we do not allow this operation")),
        help: Some(unverified(214, esc(2, 0, 0), help)),
        etrn_syntax: None,
        etrn_denied: None,
        starttls_syntax: unverified(501, esc(5, 5, 4), "Syntax error (no parameters allowed)"),
        tls_active: unverified(503, esc(5, 5, 1), "TLS already active"),
        auth_syntax: unverified(501, esc(5, 5, 2), "AUTH mechanism must be specified"),
        auth_in_mail: unverified(503, esc(5, 5, 1), "AUTH not permitted during a mail transaction"),
        auth_mechanism: unverified(504, esc(5, 5, 4), "Unrecognized authentication type"),
        auth_aborted: unverified(501, esc(5, 0, 0), "AUTH aborted"),
        auth_bad_initial: unverified(501, esc(5, 5, 2), "Invalid base64 data"),
        auth_bad_response: unverified(501, esc(5, 5, 2), "Invalid base64 data"),
        plain_prompt: unverified(334, None, ""),
        login_prompts: [unverified(334, None, "VXNlcm5hbWU6"), unverified(334, None, "UGFzc3dvcmQ6")],
        line_limit: 1000,
        error_limit: 20,
        junk_limit: 100,
        too_many_errors: unverified(421, esc(4, 7, 0), "{host} Too many errors, closing connection"),
    }
}

/// Sendmail 8.17.1.9's answers to typed commands, as the real server gave them by hand on loopback (the rest
/// flagged).
static SENDMAIL_TYPING: Typing = Typing {
    empty: sourced(500, esc(5, 5, 1), "Command unrecognized: \"\""),
    helo_syntax: sourced(501, esc(5, 0, 0), "HELO requires domain address"),
    ehlo_syntax: sourced(501, esc(5, 0, 0), "EHLO requires domain address"),
    helo_ok: sourced(250, None, "{host} Hello {client}, pleased to meet you"),
    nested_mail: sourced(503, esc(5, 5, 0), "Sender already specified"),
    noop: sourced(250, esc(2, 0, 0), "OK"),
    starttls_syntax: sourced(501, esc(5, 5, 2), "Syntax error (no parameters allowed)"),
    auth_in_mail: sourced(503, esc(5, 5, 0), "AUTH not permitted during a mail transaction"),
    ..unconfirmed_typing(
        "Topics: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY EXPN",
        "Command unrecognized: \"{arg}\"",
    )
};
static EXIM_TYPING: Typing = unconfirmed_typing(
    "Commands supported:\nAUTH STARTTLS HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP",
    "unrecognized command",
);
static EXCHANGE_TYPING: Typing = unconfirmed_typing(
    "This server supports the following commands:\nHELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",
    "Unrecognized command '{arg}'",
);
static QMAIL_TYPING: Typing =
    unconfirmed_typing("qmail home page: http://pobox.com/~djb/qmail.html", "unimplemented (#5.5.1)");
static STALWART_TYPING: Typing = unconfirmed_typing("Stalwart", "Unrecognized command '{arg}'.");
/// OpenSMTPD 6.8.0p2's answers to typed commands, as the real server gave them by hand on loopback (the rest
/// flagged).
static OPENSMTPD_TYPING: Typing = Typing {
    unknown: sourced(500, esc(5, 5, 1), "Invalid command: Command unrecognized"),
    helo_ok: sourced(250, None, "{host} Hello {helo} [{ip}], pleased to meet you"),
    nested_mail: sourced(503, esc(5, 5, 1), "Invalid command: Command not allowed at this point."),
    bad_sender: sourced(553, esc(5, 1, 0), "Sender address syntax error"),
    noop: sourced(250, esc(2, 0, 0), "Ok"),
    vrfy_ok: sourced(500, esc(5, 5, 1), "Invalid command: Command unrecognized"),
    expn: Some(sourced(500, esc(5, 5, 1), "Invalid command: Command unrecognized")),
    help: Some(sourced(
        214,
        esc(2, 0, 0),
        "This is OpenSMTPD\nTo report bugs in the implementation, please contact bugs@openbsd.org\nwith full details\nEnd of HELP info",
    )),
    ..unconfirmed_typing("This is OpenSMTPD", "Invalid command: Command unrecognized")
};

const SENDMAIL_KW: &[Kw] = &[
    Kw::Always("ENHANCEDSTATUSCODES"),
    Kw::Always("PIPELINING"),
    Kw::Always("8BITMIME"),
    Kw::Size,
    Kw::Always("DSN"),
    Kw::Always("ETRN"),
    Kw::Auth("LOGIN PLAIN"),
    Kw::StartTls,
    Kw::Always("DELIVERBY"),
    Kw::Always("HELP"),
];

/// Sendmail 8.x (cf/m4/proto.m4, sendmail/srvrsmtp.c).
static SENDMAIL: Spec = Spec {
    name: "Sendmail",
    software: "8.17.1.9/8.17.1.9",
    greeting: sourced(220, None, "{host} ESMTP Sendmail 8.17.1.9/8.17.1.9; {date}"),
    ehlo_line: "{host} Hello {client}, pleased to meet you",
    keywords: SENDMAIL_KW,
    auth_after_tls: false,
    starttls: sourced(220, esc(2, 0, 0), "Ready to start TLS"),
    not_offered: sourced(503, esc(5, 5, 0), "TLS not available"),
    auth_ok: sourced(235, esc(2, 0, 0), "OK Authenticated"),
    auth_failed: sourced(535, esc(5, 7, 0), "authentication failed"),
    auth_not_enabled: sourced(503, esc(5, 3, 3), "AUTH not available"),
    already_authenticated: sourced(503, esc(5, 5, 0), "Already Authenticated"),
    tls_first: unverified(530, esc(5, 7, 0), "Must issue a STARTTLS command first"),
    submission: Submission {
        exists: true,
        tls_required: false,
        tls_only_at_mail: false,
        auth_required_at_mail: Some(sourced(530, esc(5, 7, 0), "Authentication required")),
        auth_without_tls: true,
    },
    mail_ok: sourced(250, esc(2, 1, 0), "<{from}>... Sender ok"),
    rcpt_ok: sourced(250, esc(2, 1, 5), "<{rcpt}>... Recipient ok"),
    bad_rcpt_syntax: unverified(553, esc(5, 1, 3), "<{rcpt}>... User address required"),
    data_go: sourced(354, None, "End data with <CR><LF>.<CR><LF>"),
    queued: sourced(250, esc(2, 0, 0), "{id} Message accepted for delivery"),
    quit: sourced(221, esc(2, 0, 0), "{host} closing connection"),
    rset: sourced(250, esc(2, 0, 0), "Reset state"),
    need_ehlo: sourced(503, esc(5, 0, 0), "Polite people say HELO first"),
    need_mail: sourced(503, esc(5, 0, 0), "Need MAIL before RCPT"),
    need_rcpt: sourced(503, esc(5, 0, 0), "Need RCPT (recipient)"),
    no_valid_recipients: sourced(503, esc(5, 0, 0), "Need RCPT (recipient)"),
    relay_denied: sourced(550, esc(5, 7, 1), "<{rcpt}>... Relaying denied"),
    relay_denied_auth: Some(sourced(550, esc(5, 7, 1), "<{rcpt}>... Relaying denied. Proper authentication required.")),
    relay_denied_pop: None,
    relay_denied_no_ptr: Some(sourced(550, esc(5, 7, 1), "<{rcpt}>... Relaying denied. IP name lookup failed [{ip}]")),
    access_denied: sourced(550, esc(5, 7, 1), "<{rcpt}>... Relaying denied. Proper authentication required."),
    unknown_user: sourced(550, esc(5, 1, 1), "<{rcpt}>... User unknown"),
    checks_users: true,
    checks_users_everywhere: true,
    addressing: Addressing::Routed,
    echo_as_sent: true,
    route_in_local: Some(sourced(553, esc(5, 1, 3), "<{rcpt}>... Invalid route address")),
    client_pipelines: true,
    unknown_user_later: sourced(550, esc(5, 1, 1), "<{rcpt}>... User unknown"),
    greylisted: unverified(451, esc(4, 7, 1), "Greylisting in action, please come back later"),
    blocklisted: unverified(550, esc(5, 7, 1), "Rejected: {ip} listed at zen.spamhaus.org"),
    spf_fail: unverified(550, esc(5, 7, 23), "<{rcpt}>... SPF check failed for {from}"),
    dmarc_reject: sourced(550, esc(5, 7, 1), "rejected by DMARC policy for {domain}"),
    too_big_mail: Some(sourced(552, esc(5, 2, 3), "Message size exceeds fixed maximum message size ({limit})")),
    too_big_data: sourced(552, esc(5, 2, 3), "Message exceeds maximum fixed size ({limit})"),
    null_mx: unverified(553, esc(5, 1, 10), "<{rcpt}>... Domain {domain} does not accept mail (nullMX)"),
    domain_not_found: unverified(451, esc(4, 1, 8), "<{rcpt}>... Domain of recipient address does not resolve"),
    loops: "{host} config error: mail loops back to me (MX problem?)",
    too_many_hops: unverified(554, esc(5, 4, 6), "Too many hops"),
    max_hops: 25,
    smtp_in: None,
    rules: RuleNames {
        mynetworks: "Connect: RELAY (trusted address)",
        sasl: "TRUST_AUTH_MECH (authenticated)",
        pop: "POP-before-SMTP access entry",
        destination: "local name ($=w) or relay domain ($=R)",
        deny: "Basic_check_rcpt: Relaying denied",
    },
    queue: Queue {
        lifetime: 5 * DAY,
        warn_after: Some(4 * HOUR),
        schedule: Schedule::Every(30 * MINUTE),
        verified: true,
    },
    received: ReceivedStyle::Sendmail,
    dsn: DsnStyle::Sendmail,
    flavour: Flavour::Sendmail,
};

const EXIM_KW: &[Kw] = &[
    Kw::Size,
    Kw::Always("8BITMIME"),
    Kw::Always("PIPELINING"),
    Kw::Always("PIPECONNECT"),
    Kw::Auth("PLAIN LOGIN"),
    Kw::Always("CHUNKING"),
    Kw::StartTls,
    Kw::Always("SMTPUTF8"),
    Kw::Always("HELP"),
];

/// Exim 4 with the default `configure` (acl_check_rcpt, smtp_in.c, globals.c).
static EXIM: Spec = Spec {
    name: "Exim",
    software: "Exim 4.96",
    greeting: sourced(220, None, "{host} ESMTP Exim 4.96 {date}"),
    ehlo_line: "{host} Hello {helo} [{ip}]",
    keywords: EXIM_KW,
    auth_after_tls: true,
    starttls: sourced(220, None, "TLS go ahead"),
    not_offered: sourced(503, None, "STARTTLS command used when not advertised"),
    auth_ok: sourced(235, None, "Authentication succeeded"),
    auth_failed: sourced(535, None, "Incorrect authentication data"),
    auth_not_enabled: sourced(503, None, "AUTH command used when not advertised"),
    already_authenticated: sourced(503, None, "already authenticated"),
    tls_first: unverified(530, None, "Must issue a STARTTLS command first"),
    submission: Submission { exists: true, tls_required: false, tls_only_at_mail: false, auth_required_at_mail: None, auth_without_tls: false },
    mail_ok: sourced(250, None, "OK"),
    rcpt_ok: sourced(250, None, "Accepted"),
    bad_rcpt_syntax: unverified(501, None, "<{rcpt}>: malformed address"),
    data_go: sourced(354, None, "Enter message, ending with \".\" on a line by itself"),
    queued: sourced(250, None, "OK id={id}"),
    quit: sourced(221, None, "{host} closing connection"),
    rset: sourced(250, None, "Reset OK"),
    need_ehlo: unverified(503, None, "HELO or EHLO required"),
    need_mail: sourced(503, None, "sender not yet given"),
    need_rcpt: sourced(503, None, "valid RCPT command must precede DATA"),
    no_valid_recipients: sourced(503, None, "valid RCPT command must precede DATA"),
    relay_denied: sourced(550, None, "relay not permitted"),
    relay_denied_auth: None,
    relay_denied_pop: Some(sourced(
        550,
        None,
        "{helo} [{ip}] is currently not permitted to relay through this server. Perhaps you have not logged into the pop/imap server in the last 30 minutes or do not have SMTP Authentication turned on in your email client.",
    )),
    relay_denied_no_ptr: None,
    access_denied: sourced(550, None, "relay not permitted"),
    unknown_user: sourced(550, None, "Unrouteable address"),
    checks_users: true,
    checks_users_everywhere: false,
    addressing: Addressing::AsIs,
    echo_as_sent: false,
    route_in_local: None,
    client_pipelines: false,
    unknown_user_later: sourced(550, None, "Unrouteable address"),
    greylisted: unverified(451, esc(4, 7, 1), "greylisting, please try again later"),
    blocklisted: unverified(550, None, "{ip} is listed at zen.spamhaus.org"),
    spf_fail: unverified(550, None, "SPF check failed for {from}"),
    dmarc_reject: unverified(550, None, "Rejected by DMARC policy for {domain}"),
    too_big_mail: Some(sourced(552, None, "Message size exceeds maximum permitted")),
    too_big_data: sourced(552, None, "Message size exceeds maximum permitted"),
    null_mx: unverified(550, None, "an MX or SRV record indicated no SMTP service"),
    domain_not_found: sourced(451, None, "Temporary local problem - please try later"),
    loops: "lowest numbered MX record points to local host",
    too_many_hops: unverified(550, None, "Too many \"Received\" headers - suspected mail loop"),
    max_hops: 30,
    smtp_in: Some(SmtpIn {
        literal: sourced(501, None, "<{arg}>: domain literals not allowed"),
        max_errors: 3,
        too_many: sourced(501, None, "Too many syntax or protocol errors"),
        no_rcpt_pipelined: sourced(503, None, "Valid RCPT command must precede DATA"),
        all_refused: sourced(503, None, "All RCPT commands were rejected with this error:"),
        wrap: 75,
    }),
    rules: RuleNames {
        mynetworks: "accept hosts = +relay_from_hosts",
        sasl: "accept authenticated = *",
        pop: "accept hosts = +pop_before_smtp",
        destination: "domains = +local_domains : +relay_to_domains",
        deny: "require domains: relay not permitted",
    },
    queue: Queue { lifetime: 4 * DAY, warn_after: None, schedule: Schedule::Exim, verified: true },
    received: ReceivedStyle::Exim,
    dsn: DsnStyle::Exim,
    flavour: Flavour::Exim,
};

const EXCHANGE_KW: &[Kw] = &[
    Kw::Size,
    Kw::Always("PIPELINING"),
    Kw::Always("DSN"),
    Kw::Always("ENHANCEDSTATUSCODES"),
    Kw::StartTls,
    Kw::Auth("NTLM LOGIN"),
    Kw::Always("8BITMIME"),
    Kw::Always("BINARYMIME"),
    Kw::Always("CHUNKING"),
    Kw::Always("SMTPUTF8"),
];

/// Exchange 2013, 2016, 2019 (Microsoft documentation; real NDRs).
static EXCHANGE: Spec = Spec {
    name: "Exchange 2013+",
    software: "Microsoft SMTP Server",
    greeting: sourced(220, None, "{host} Microsoft ESMTP MAIL Service ready at {date}"),
    ehlo_line: "{host} Hello [{ip}]",
    keywords: EXCHANGE_KW,
    auth_after_tls: true,
    starttls: unverified(220, esc(2, 0, 0), "SMTP server ready"),
    not_offered: sourced(500, esc(5, 3, 3), "Unrecognized command"),
    auth_ok: unverified(235, esc(2, 7, 0), "Authentication successful"),
    auth_failed: sourced(535, esc(5, 7, 3), "Authentication unsuccessful"),
    auth_not_enabled: unverified(504, esc(5, 7, 4), "Unrecognized authentication type"),
    already_authenticated: unverified(503, esc(5, 5, 2), "Already authenticated"),
    tls_first: unverified(530, esc(5, 7, 0), "Must issue a STARTTLS command first"),
    submission: Submission {
        exists: true,
        tls_required: false,
        tls_only_at_mail: false,
        auth_required_at_mail: Some(sourced(530, esc(5, 7, 1), "Client was not authenticated")),
        auth_without_tls: false,
    },
    mail_ok: sourced(250, esc(2, 1, 0), "Sender OK"),
    rcpt_ok: sourced(250, esc(2, 1, 5), "Recipient OK"),
    bad_rcpt_syntax: unverified(501, esc(5, 1, 3), "Invalid address"),
    data_go: unverified(354, None, "Start mail input; end with <CRLF>.<CRLF>"),
    queued: sourced(250, esc(2, 6, 0), "<{id}@{host}> Queued mail for delivery"),
    quit: sourced(221, esc(2, 0, 0), "Service closing transmission channel"),
    rset: unverified(250, esc(2, 0, 0), "Resetting"),
    need_ehlo: unverified(503, esc(5, 5, 2), "Send hello first"),
    need_mail: unverified(503, esc(5, 5, 2), "Need mail command"),
    need_rcpt: unverified(503, esc(5, 5, 2), "Need rcpt command"),
    no_valid_recipients: unverified(503, esc(5, 5, 2), "Need rcpt command"),
    relay_denied: sourced(550, esc(5, 7, 54), "SMTP; Unable to relay recipient in non-accepted domain"),
    relay_denied_auth: None,
    relay_denied_pop: None,
    relay_denied_no_ptr: None,
    access_denied: sourced(550, esc(5, 7, 54), "SMTP; Unable to relay recipient in non-accepted domain"),
    unknown_user: unverified(
        550,
        esc(5, 1, 10),
        "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    ),
    checks_users: true,
    checks_users_everywhere: false,
    addressing: Addressing::Routed,
    echo_as_sent: false,
    route_in_local: None,
    client_pipelines: false,
    unknown_user_later: unverified(
        550,
        esc(5, 1, 10),
        "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    ),
    greylisted: unverified(451, esc(4, 7, 1), "greylisting, please try again later"),
    blocklisted: unverified(
        550,
        esc(5, 7, 1),
        "Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org",
    ),
    spf_fail: unverified(550, esc(5, 7, 23), "SPF validation failed for {from}"),
    dmarc_reject: unverified(550, esc(5, 7, 1), "rejected by DMARC policy for {domain}"),
    too_big_mail: Some(unverified(552, esc(5, 3, 4), "Message size exceeds fixed maximum message size")),
    too_big_data: unverified(552, esc(5, 3, 4), "Message size exceeds fixed maximum message size"),
    null_mx: unverified(550, esc(5, 1, 10), "<{rcpt}>: Domain {domain} does not accept mail (nullMX)"),
    domain_not_found: unverified(451, esc(4, 4, 0), "Primary target IP address responded with: DNS query failed"),
    loops: "Message loop detected for {domain}",
    too_many_hops: unverified(554, esc(5, 4, 14), "Hop count exceeded - possible mail loop"),
    max_hops: 30,
    smtp_in: None,
    rules: RuleNames {
        mynetworks: "receive connector RemoteIPRanges (Ms-Exch-SMTP-Accept-Any-Recipient)",
        sasl: "authenticated user (Ms-Exch-SMTP-Accept-Any-Recipient)",
        pop: "(not supported)",
        destination: "accepted domain",
        deny: "non-accepted domain: unable to relay",
    },
    queue: Queue { lifetime: 2 * DAY, warn_after: Some(4 * HOUR), schedule: Schedule::Exchange, verified: true },
    received: ReceivedStyle::Exchange,
    dsn: DsnStyle::Exchange,
    flavour: Flavour::Exchange,
};

/// Exchange 2007 and 2010: like 2013+ but the older relay refusal.
static EXCHANGE_2010: Spec = Spec {
    name: "Exchange 2007/2010",
    flavour: Flavour::Exchange2010,
    relay_denied: sourced(550, esc(5, 7, 1), "Unable to relay"),
    access_denied: sourced(550, esc(5, 7, 1), "Unable to relay"),
    ..EXCHANGE
};

const QMAIL_KW: &[Kw] = &[Kw::Always("PIPELINING"), Kw::Always("8BITMIME")];

/// qmail / notqmail (qmail-smtpd.c, rcpthosts.c): no AUTH or TLS without patches.
static QMAIL: Spec = Spec {
    name: "qmail",
    software: "qmail",
    greeting: sourced(220, None, "{host} ESMTP"),
    ehlo_line: "{host}",
    keywords: QMAIL_KW,
    auth_after_tls: false,
    starttls: sourced(502, None, "unimplemented (#5.5.1)"),
    not_offered: sourced(502, None, "unimplemented (#5.5.1)"),
    auth_ok: unverified(235, None, "ok, go ahead (#2.0.0)"),
    auth_failed: unverified(535, None, "authorization failed (#5.7.0)"),
    auth_not_enabled: sourced(502, None, "unimplemented (#5.5.1)"),
    already_authenticated: unverified(503, None, "you're already authenticated (#5.5.0)"),
    tls_first: unverified(530, None, "Must issue a STARTTLS command first (#5.7.0)"),
    submission: Submission { exists: false, tls_required: false, tls_only_at_mail: false, auth_required_at_mail: None, auth_without_tls: false },
    mail_ok: sourced(250, None, "ok"),
    rcpt_ok: sourced(250, None, "ok"),
    bad_rcpt_syntax: unverified(553, None, "sorry, that address is not valid (#5.1.3)"),
    data_go: sourced(354, None, "go ahead"),
    queued: sourced(250, None, "ok {id}"),
    quit: sourced(221, None, "{host}"),
    rset: sourced(250, None, "flushed"),
    need_ehlo: unverified(503, None, "MAIL first (#5.5.1)"),
    need_mail: sourced(503, None, "MAIL first (#5.5.1)"),
    need_rcpt: sourced(503, None, "RCPT first (#5.5.1)"),
    no_valid_recipients: sourced(503, None, "RCPT first (#5.5.1)"),
    relay_denied: sourced(553, None, "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"),
    relay_denied_auth: None,
    relay_denied_pop: None,
    relay_denied_no_ptr: None,
    access_denied: sourced(553, None, "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"),
    unknown_user: unverified(550, None, "Sorry, no mailbox here by that name. (#5.1.1)"),
    checks_users: false,
    checks_users_everywhere: false,
    addressing: Addressing::Routed,
    echo_as_sent: false,
    route_in_local: None,
    client_pipelines: false,
    unknown_user_later: sourced(550, None, "Sorry, no mailbox here by that name. (#5.1.1)"),
    greylisted: unverified(451, None, "greylisted, please try again later (#4.7.1)"),
    blocklisted: unverified(553, None, "sorry, your address {ip} is listed at zen.spamhaus.org (#5.7.1)"),
    spf_fail: unverified(550, None, "see http://spf.pobox.com/why.html?sender={from}&ip={ip} (#5.7.1)"),
    dmarc_reject: unverified(550, None, "rejected by DMARC policy for {domain} (#5.7.1)"),
    too_big_mail: Some(unverified(552, None, "sorry, that message size exceeds my databytes limit (#5.3.4)")),
    too_big_data: sourced(552, None, "sorry, that message size exceeds my databytes limit (#5.3.4)"),
    null_mx: unverified(553, None, "sorry, {domain} does not accept mail (#5.1.10)"),
    domain_not_found: unverified(451, None, "sorry, I couldn't find a mail exchanger or IP address for {domain} (#4.4.3)"),
    loops: "Sorry. Although I'm listed as a best-preference MX or A for that host, it isn't in my control/locals file, so I don't treat it as local. (#5.4.6)",
    too_many_hops: sourced(554, None, "too many hops, this message is looping (#5.4.6)"),
    max_hops: 100,
    smtp_in: None,
    rules: RuleNames {
        mynetworks: "RELAYCLIENT (tcpserver rule)",
        sasl: "RELAYCLIENT (SMTP AUTH patch)",
        pop: "RELAYCLIENT (POP-before-SMTP)",
        destination: "domain in control/rcpthosts",
        deny: "not in rcpthosts",
    },
    queue: Queue { lifetime: 7 * DAY, warn_after: None, schedule: Schedule::Qmail, verified: false },
    received: ReceivedStyle::Qmail,
    dsn: DsnStyle::Qmail,
    flavour: Flavour::Qmail,
};

const STALWART_KW: &[Kw] = &[
    Kw::Always("8BITMIME"),
    Kw::Always("BINARYMIME"),
    Kw::Always("CHUNKING"),
    Kw::Always("DSN"),
    Kw::Always("ENHANCEDSTATUSCODES"),
    Kw::Always("PIPELINING"),
    Kw::Size,
    Kw::Always("SMTPUTF8"),
    Kw::StartTls,
    Kw::Auth("PLAIN LOGIN"),
];

/// Stalwart (crates/smtp/src/inbound/rcpt.rs, mail.rs).
static STALWART: Spec = Spec {
    name: "Stalwart",
    software: "Stalwart SMTP",
    greeting: unverified(220, None, "{host} Stalwart ESMTP at your service"),
    ehlo_line: "{host} you had me at EHLO",
    keywords: STALWART_KW,
    auth_after_tls: true,
    starttls: unverified(220, esc(2, 0, 0), "Ready to start TLS."),
    not_offered: unverified(502, esc(5, 5, 1), "Command not implemented."),
    auth_ok: unverified(235, esc(2, 7, 0), "Authentication succeeded."),
    auth_failed: unverified(535, esc(5, 7, 8), "Authentication credentials invalid."),
    auth_not_enabled: unverified(503, esc(5, 5, 1), "AUTH not allowed."),
    already_authenticated: unverified(503, esc(5, 5, 1), "Already authenticated."),
    tls_first: unverified(530, esc(5, 7, 0), "Must issue a STARTTLS command first."),
    submission: Submission {
        exists: true,
        tls_required: false,
        tls_only_at_mail: false,
        auth_required_at_mail: Some(sourced(503, esc(5, 5, 1), "You must authenticate first.")),
        auth_without_tls: false,
    },
    mail_ok: sourced(250, esc(2, 1, 0), "OK"),
    rcpt_ok: sourced(250, esc(2, 1, 5), "OK"),
    bad_rcpt_syntax: unverified(501, esc(5, 1, 3), "Invalid recipient address."),
    data_go: unverified(354, None, "Start mail input; end with <CRLF>.<CRLF>"),
    queued: unverified(250, esc(2, 0, 0), "Message queued with id {id}."),
    quit: unverified(221, esc(2, 0, 0), "Bye."),
    rset: unverified(250, esc(2, 0, 0), "OK"),
    need_ehlo: sourced(503, esc(5, 5, 1), "Polite people say EHLO first."),
    need_mail: sourced(503, esc(5, 5, 1), "MAIL is required first."),
    need_rcpt: unverified(503, esc(5, 5, 1), "RCPT is required first."),
    no_valid_recipients: unverified(503, esc(5, 5, 1), "RCPT is required first."),
    relay_denied: sourced(550, esc(5, 1, 2), "Relay not allowed."),
    relay_denied_auth: None,
    relay_denied_pop: None,
    relay_denied_no_ptr: None,
    access_denied: sourced(550, esc(5, 1, 2), "Relay not allowed."),
    unknown_user: sourced(550, esc(5, 1, 2), "Mailbox does not exist."),
    checks_users: true,
    checks_users_everywhere: false,
    addressing: Addressing::Routed,
    echo_as_sent: false,
    route_in_local: None,
    client_pipelines: false,
    unknown_user_later: sourced(550, esc(5, 1, 2), "Mailbox does not exist."),
    greylisted: sourced(452, esc(4, 2, 2), "Greylisted, please try again in a few moments."),
    blocklisted: unverified(550, esc(5, 7, 1), "Your IP address {ip} is listed on zen.spamhaus.org."),
    spf_fail: unverified(550, esc(5, 7, 23), "SPF validation failed."),
    dmarc_reject: unverified(550, esc(5, 7, 1), "DMARC validation failed."),
    too_big_mail: Some(sourced(552, esc(5, 3, 4), "Message too big for system.")),
    too_big_data: sourced(552, esc(5, 3, 4), "Message too big for system."),
    null_mx: unverified(550, esc(5, 1, 10), "Domain {domain} does not accept mail."),
    domain_not_found: sourced(451, esc(4, 4, 3), "Unable to verify address at this time."),
    loops: "Mail for {domain} loops back to this server.",
    too_many_hops: unverified(554, esc(5, 4, 6), "Too many hops."),
    max_hops: 50,
    smtp_in: None,
    rules: RuleNames {
        mynetworks: "session.rcpt.relay (trusted IP)",
        sasl: "session.rcpt.relay (authenticated_as)",
        pop: "(not supported)",
        destination: "recipient in a local domain",
        deny: "session.rcpt.relay = false",
    },
    queue: Queue { lifetime: 5 * DAY, warn_after: Some(DAY), schedule: Schedule::Stalwart, verified: false },
    received: ReceivedStyle::Stalwart,
    dsn: DsnStyle::Stalwart,
    flavour: Flavour::Stalwart,
};

const OPENSMTPD_KW: &[Kw] = &[
    Kw::Always("8BITMIME"),
    Kw::Always("ENHANCEDSTATUSCODES"),
    Kw::Size,
    Kw::Always("DSN"),
    Kw::StartTls,
    Kw::Auth("PLAIN LOGIN"),
    Kw::Always("HELP"),
];

/// OpenSMTPD 6.8.0p2 (smtp_session.c, bounce.c), its replies seen on a real one run by hand on loopback (Debian
/// 12's package); the lines it could not show (TLS fails there with OpenSSL 3) are strings of its binary.
static OPENSMTPD: Spec = Spec {
    name: "OpenSMTPD",
    software: "OpenSMTPD",
    greeting: sourced(220, None, "{host} ESMTP OpenSMTPD"),
    ehlo_line: "{host} Hello {helo} [{ip}], pleased to meet you",
    keywords: OPENSMTPD_KW,
    auth_after_tls: true,
    starttls: sourced(220, esc(2, 0, 0), "Ready to start TLS"),
    not_offered: sourced(503, esc(5, 5, 1), "Invalid command: Command not supported"),
    auth_ok: sourced(235, esc(2, 0, 0), "Authentication succeeded"),
    auth_failed: sourced(535, None, "Authentication failed"),
    auth_not_enabled: sourced(503, esc(5, 5, 1), "Invalid command: Command not supported"),
    already_authenticated: sourced(503, esc(5, 5, 1), "Invalid command: Already authenticated"),
    tls_first: sourced(530, esc(5, 5, 1), "Invalid command: Must issue a STARTTLS command first"),
    submission: Submission {
        exists: true,
        tls_required: true,
        tls_only_at_mail: true,
        auth_required_at_mail: Some(sourced(530, esc(5, 5, 1), "Invalid command: Must issue an AUTH command first")),
        auth_without_tls: false,
    },
    mail_ok: sourced(250, esc(2, 0, 0), "Ok"),
    rcpt_ok: sourced(250, esc(2, 1, 5), "Destination address valid: Recipient ok"),
    bad_rcpt_syntax: sourced(501, esc(5, 1, 3), "Recipient address syntax error"),
    data_go: sourced(354, None, "Enter mail, end with \".\" on a line by itself"),
    queued: sourced(250, esc(2, 0, 0), "{id} Message accepted for delivery"),
    quit: sourced(221, esc(2, 0, 0), "Bye"),
    rset: sourced(250, esc(2, 0, 0), "Reset state"),
    need_ehlo: sourced(503, esc(5, 5, 1), "Invalid command: Command not allowed at this point."),
    need_mail: sourced(503, esc(5, 5, 1), "Invalid command: Command not allowed at this point."),
    need_rcpt: sourced(503, esc(5, 5, 1), "Invalid command: Command not allowed at this point."),
    no_valid_recipients: sourced(503, esc(5, 5, 4), "Invalid command arguments: No recipient specified"),
    relay_denied: sourced(550, None, "Invalid recipient: <{rcpt}>"),
    relay_denied_auth: None,
    relay_denied_pop: None,
    relay_denied_no_ptr: None,
    access_denied: sourced(550, None, "Invalid recipient: <{rcpt}>"),
    unknown_user: sourced(550, None, "Invalid recipient: <{rcpt}>"),
    checks_users: true,
    checks_users_everywhere: false,
    addressing: Addressing::Unquoted,
    echo_as_sent: false,
    route_in_local: None,
    client_pipelines: false,
    unknown_user_later: sourced(550, None, "Invalid recipient: <{rcpt}>"),
    greylisted: unverified(451, esc(4, 7, 1), "Greylisted, please try again later"),
    blocklisted: unverified(550, esc(5, 7, 1), "{ip} is listed at zen.spamhaus.org"),
    spf_fail: unverified(550, esc(5, 7, 23), "SPF fail for {from}"),
    dmarc_reject: unverified(550, esc(5, 7, 1), "Rejected by DMARC policy for {domain}"),
    too_big_mail: None,
    too_big_data: sourced(554, esc(5, 3, 4), "Message too big for system: Transaction failed, message too big"),
    null_mx: unverified(550, esc(5, 1, 10), "Invalid recipient: <{rcpt}>"),
    domain_not_found: unverified(451, esc(4, 4, 3), "Temporary failure"),
    loops: "Loop detected",
    too_many_hops: unverified(554, esc(5, 4, 6), "Too many hops"),
    max_hops: 100,
    smtp_in: None,
    rules: RuleNames {
        mynetworks: "match from src <trusted> for any action \"relay\"",
        sasl: "match auth from any for any action \"relay\"",
        pop: "(not supported)",
        destination: "match from any for domain <domains> action \"local\"",
        deny: "no match rule: 550 Invalid recipient",
    },
    // scheduler_ramqueue.c retries a transfer BACKOFF_TRANSFER (400 s) × n² after arrival, qmail's curve; the
    // queue gives up after its default ttl of 4 days and warns after 4 hours (bounce warn-interval).
    queue: Queue { lifetime: 4 * DAY, warn_after: Some(4 * HOUR), schedule: Schedule::Qmail, verified: false },
    received: ReceivedStyle::OpenSmtpd,
    dsn: DsnStyle::OpenSmtpd,
    flavour: Flavour::OpenSmtpd,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::Named;
    use crate::time::Secs;

    #[test]
    fn relay_refusals_match_the_cross_implementation_table() {
        let v = Vars { rcpt: "victim@elsewhere.example", ..Vars::default() };
        let line = |f: Flavour| spec(f).relay_denied.reply(&v).to_string();
        assert_eq!(line(Flavour::Postfix), "554 5.7.1 <victim@elsewhere.example>: Relay access denied");
        assert_eq!(
            spec(Flavour::Postfix).relay_denied.reply_with_code(454, &v).to_string(),
            "454 4.7.1 <victim@elsewhere.example>: Relay access denied"
        );
        assert_eq!(line(Flavour::Sendmail), "550 5.7.1 <victim@elsewhere.example>... Relaying denied");
        assert_eq!(
            spec(Flavour::Sendmail).relay_denied_auth.unwrap().reply(&v).to_string(),
            "550 5.7.1 <victim@elsewhere.example>... Relaying denied. Proper authentication required."
        );
        assert_eq!(line(Flavour::Exim), "550 relay not permitted");
        assert_eq!(line(Flavour::Exchange), "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain");
        assert_eq!(line(Flavour::Exchange2010), "550 5.7.1 Unable to relay");
        assert_eq!(line(Flavour::Qmail), "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)");
        assert_eq!(line(Flavour::Stalwart), "550 5.1.2 Relay not allowed.");
        assert_eq!(line(Flavour::OpenSmtpd), "550 Invalid recipient: <victim@elsewhere.example>");
        for f in Flavour::ALL {
            assert!(spec(*f).relay_denied.verified, "{f}: relay refusal must be sourced");
        }
    }

    /// The cases measured on a real Exim 4.96 (`deny message = …` with lines around 75 characters).
    #[test]
    fn exim_wraps_long_acl_messages_where_the_real_server_does() {
        let x = spec(Flavour::Exim).smtp_in.unwrap();
        let xs = |n: usize| "x".repeat(n);
        assert_eq!(x.wrap_text(&format!("{} yy zzz", xs(69))), [format!("{} yy", xs(69)), "zzz".into()]);
        assert_eq!(x.wrap_text(&format!("{} yy zzz", xs(72))), [format!("{} yy", xs(72)), "zzz".into()]);
        assert_eq!(x.wrap_text(&format!("{} yy zzz", xs(73))), [xs(73), "yy zzz".into()]);
        assert_eq!(x.wrap_text(&format!("{} yy zzz", xs(78))), [xs(78), "yy zzz".into()]);
        assert_eq!(x.wrap_text("relay not permitted"), ["relay not permitted"]);
        for f in Flavour::ALL {
            assert_eq!(spec(*f).smtp_in.is_some(), *f == Flavour::Exim, "{f}");
        }
    }

    #[test]
    fn postfix_backoff_doubles_to_the_cap() {
        let s = spec(Flavour::Postfix).queue.schedule;
        let waits: Vec<Secs> = (1..=6).map(|n| s.wait(n, 0)).collect();
        assert_eq!(waits, [300, 600, 1200, 2400, 4000, 4000]);
        assert_eq!(spec(Flavour::Postfix).queue.lifetime, 5 * DAY);
        assert_eq!(Schedule::Qmail.wait(1, 0), 400);
        assert_eq!(Schedule::Qmail.wait(2, 400), 1200);
    }
}
