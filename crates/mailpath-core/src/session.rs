//! One SMTP conversation between a client (a mail program, a server passing mail on, a spammer's tool or an
//! open-relay tester) and a server, written into the trace command by command.

use crate::actor::HostId;
use crate::command::{Command, Stage};
use crate::dns::Zone;
use crate::record::Recorder;
use crate::reply::{Reply, Severity};
use crate::scenario::Program;
use crate::server::{service, Effect, Greylist, MessageFacts, ServerSession, Service};
use crate::time::Secs;
use crate::trace::{ConnectFailure, Decision, EventKind, HopResult, Purpose, Why};
use crate::world::ServerConfig;
use std::net::Ipv4Addr;

/// Who the client is; decides how it reacts to replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// A person's mail program: gives up at the first refusal and shows an error.
    Mua(Program),
    /// A mail server passing the message on: decides per recipient, retries later on 4xx.
    Mta,
    /// A spammer's tool: pushes on regardless.
    Spammer,
    /// A script or a telnet session with a login: carries on after a refused AUTH, MAIL or RCPT.
    Script,
    /// nmap's smtp-open-relay script.
    Tester,
}

/// How the client uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Never.
    Off,
    /// STARTTLS, and give up if it is not offered (a mail program set to use TLS).
    Required,
    /// STARTTLS when offered (servers between themselves).
    Opportunistic,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// What the client is going to do.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Who.
    pub kind: ClientKind,
    /// From which host.
    pub from: HostId,
    /// From which address.
    pub ip: Ipv4Addr,
    /// Its EHLO name.
    pub helo: &'a str,
    /// To which port.
    pub port: u16,
    /// TLS use.
    pub tls: TlsMode,
    /// Log in as (user, password).
    pub login: Option<(&'a str, &'a str)>,
    /// The reverse path (`""` for `<>`).
    pub mail_from: &'a str,
    /// The recipients.
    pub rcpts: &'a [String],
    /// What the server can see of the message.
    pub message: MessageFacts<'a>,
    /// Lines of message text.
    pub lines: usize,
    /// What for.
    pub purpose: Purpose,
    /// The client pipelines `DATA` behind its recipients, so it sends it (and then `RSET`) even when every
    /// recipient was refused, where the server offers PIPELINING (Sendmail's client).
    pub pipelines: bool,
}

/// How the session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// No TCP connection (or no greeting).
    NoConnection(ConnectFailure, String),
    /// The server refused the whole session (greeting, EHLO, TLS, AUTH, MAIL, DATA or end of data).
    Refused,
    /// The client gave up (a mail program after a refusal).
    GaveUp,
    /// The server took the message for the accepted recipients.
    Queued(String),
    /// Nothing was sent (every recipient refused), or a probe finished.
    Done,
}

/// One recipient's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcptResult {
    /// The recipient.
    pub rcpt: String,
    /// The reply to its RCPT TO (or to the session-level refusal that stopped it).
    pub reply: Reply,
    /// The command that reply answered.
    pub command: Stage,
    /// The event of that reply.
    pub event: usize,
    /// The decision, if the server made one at RCPT.
    pub decision: Option<Decision>,
}

/// A refusal that ended a session (or, for a mail program, a recipient refusal it gave up at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The reply.
    pub reply: Reply,
    /// What it answered.
    pub stage: Stage,
    /// Its event.
    pub event: usize,
}

/// What came of a session.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The hop.
    pub hop: usize,
    /// How it ended.
    pub end: End,
    /// Per recipient (only those the server answered).
    pub rcpts: Vec<RcptResult>,
    /// A session-level refusal.
    pub refusal: Option<Refusal>,
    /// Why the refusal happened.
    pub why: Option<Why>,
    /// TLS was used.
    pub tls: bool,
    /// The client logged in.
    pub auth: bool,
    /// The server was reached on its submission service.
    pub submission: bool,
    /// The tester's summary, for a probe.
    pub tester: Option<String>,
    /// The reply to a `DATA` the client pipelined behind recipients that were all refused.
    pub data_reply: Option<Reply>,
}

/// Everything shared with the rest of the run.
pub struct Env<'a> {
    /// DNS.
    pub zone: &'a Zone,
    /// The trace.
    pub rec: &'a mut Recorder,
    /// Greylisting memory.
    pub greylist: &'a mut Greylist,
    /// Now.
    pub t: Secs,
}

/// Runs one session on an already started hop.
pub fn run(
    plan: &Plan,
    server: &ServerConfig,
    hop: usize,
    pop_fresh: bool,
    queue_id: String,
    env: &mut Env,
) -> Outcome {
    let t = env.t;
    let host = server.host;
    let mut out = Outcome {
        hop,
        end: End::Done,
        rcpts: Vec::new(),
        refusal: None,
        why: None,
        tls: false,
        auth: false,
        submission: false,
        tester: None,
        data_reply: None,
    };
    let fail = |env: &mut Env, out: &mut Outcome, f: ConnectFailure, why: Why, text: String| {
        env.rec.push(t, Some(hop), plan.from, EventKind::ConnectFailed { failure: f, text: text.clone() }, Some(why));
        env.rec.end_hop(hop, HopResult::Failed);
        out.end = End::NoConnection(f, text);
        out.why = Some(why);
    };
    let target = || format!("{}[{}]:{}", server.hostname, server.ip, plan.port);
    let svc = match service(server, plan.port) {
        Some(svc) if !server.settings.down.contains(t) => svc,
        _ => {
            fail(
                env,
                &mut out,
                ConnectFailure::Refused,
                Why::ConnectionRefused,
                format!("connect to {}: Connection refused", target()),
            );
            return out;
        }
    };
    if svc == Service::Submissions && plan.tls != TlsMode::Implicit {
        let text = format!("connect to {}: timed out waiting for the greeting (the port expects TLS first)", target());
        fail(env, &mut out, ConnectFailure::TimedOut, Why::TimedOut, text);
        return out;
    }
    out.submission = svc != Service::Smtp;
    let mut s = ServerSession::new(server, svc, env.zone, plan.ip, t, pop_fresh, queue_id);
    if s.tls {
        env.rec.push(t, Some(hop), plan.from, EventKind::Tls, None);
        out.tls = true;
    }
    let greeting = s.greeting();
    let ev = env.rec.push(t, Some(hop), host, EventKind::Reply(greeting.clone()), None);
    if greeting.severity() != Severity::Ok {
        return refuse(env, out, &mut s, greeting, Stage::Greeting, ev, None, plan);
    }

    macro_rules! say {
        ($cmd:expr) => {
            exchange($cmd, &mut s, env, &mut out, plan, hop)
        };
    }

    let (r, ev, _, stage) = say!(Command::Ehlo(plan.helo.to_string()));
    if r.severity() != Severity::Ok {
        return refuse(env, out, &mut s, r, stage, ev, None, plan);
    }
    let tls_wanted = matches!(plan.tls, TlsMode::Required | TlsMode::Opportunistic);
    if tls_wanted && !s.tls {
        if s.offers_tls() {
            let (r, ev, _, stage) = say!(Command::StartTls);
            if r.severity() != Severity::Ok {
                return refuse(env, out, &mut s, r, stage, ev, None, plan);
            }
            let (r, ev, _, stage) = say!(Command::Ehlo(plan.helo.to_string()));
            if r.severity() != Severity::Ok {
                return refuse(env, out, &mut s, r, stage, ev, None, plan);
            }
        } else if plan.tls == TlsMode::Required {
            out.why = Some(Why::TlsRequired);
            return give_up(env, out, plan, &mut s);
        }
    }
    let script = plan.kind == ClientKind::Script;
    if let Some((user, password)) = plan.login {
        let (r, ev, _, stage) = say!(Command::AuthPlain { user: user.into(), password: password.into() });
        if r.severity() != Severity::Ok {
            let why = s.last_why;
            if !script {
                return refuse(env, out, &mut s, r, stage, ev, why, plan);
            }
            // A script goes on unauthenticated; the first refusal is what it reports.
            out.why = out.why.or(why);
            out.refusal.get_or_insert(Refusal { reply: r, stage, event: ev });
        } else {
            out.auth = true;
        }
    }
    if plan.kind == ClientKind::Tester {
        return probe(plan, server, &mut s, env, out);
    }
    let size = (plan.kind == ClientKind::Mta && server_lists_size(&s)).then_some(plan.message.bytes);
    let (r, ev, _, stage) = say!(Command::Mail { from: plan.mail_from.to_string(), size });
    if r.severity() != Severity::Ok {
        let why = s.last_why;
        if !script || s.closed {
            return refuse(env, out, &mut s, r, stage, ev, why, plan);
        }
        out.why = out.why.or(why);
        out.refusal.get_or_insert(Refusal { reply: r, stage, event: ev });
    }
    for rcpt in plan.rcpts {
        let (r, ev, decision, stage) = say!(Command::Rcpt(rcpt.clone()));
        let refused = r.severity() != Severity::Ok;
        out.rcpts.push(RcptResult { rcpt: rcpt.clone(), reply: r.clone(), command: stage, event: ev, decision });
        if s.closed {
            let why = s.last_why;
            return refuse(env, out, &mut s, r, stage, ev, why, plan);
        }
        if refused && matches!(plan.kind, ClientKind::Mua(_)) {
            out.why = s.last_why;
            out.refusal = Some(Refusal { reply: r, stage, event: ev });
            return give_up(env, out, plan, &mut s);
        }
    }
    let any = out.rcpts.iter().any(|r| r.reply.severity() == Severity::Ok);
    if !any && plan.pipelines && s.offers_pipelining() && !s.closed {
        // The DATA that went out behind the recipients is answered too; the client resets and leaves.
        let (r, ..) = say!(Command::Data);
        out.data_reply = Some(r);
        if !s.closed {
            say!(Command::Rset);
        }
        return quit(env, out, plan, &mut s, End::Done, HopResult::Refused);
    }
    if !any && !matches!(plan.kind, ClientKind::Spammer | ClientKind::Script) {
        return quit(env, out, plan, &mut s, End::Done, HopResult::Refused);
    }
    let (r, ev, _, stage) = say!(Command::Data);
    if r.severity() != Severity::Continue {
        {
            let why = s.last_why;
            return refuse(env, out, &mut s, r, stage, ev, why, plan);
        }
    }
    let (r, ev, _, stage) = say!(Command::EndOfData);
    if r.severity() != Severity::Ok {
        {
            let why = s.last_why;
            return refuse(env, out, &mut s, r, stage, ev, why, plan);
        }
    }
    let id = s.queue_id().to_string();
    let all = out.rcpts.iter().all(|r| r.reply.severity() == Severity::Ok);
    quit(env, out, plan, &mut s, End::Queued(id), if all { HopResult::Accepted } else { HopResult::Partial })
}

/// Sends one command, records it, the server's decision (if any) and its reply; returns (reply, reply event,
/// decision, stage).
fn exchange(
    cmd: Command,
    s: &mut ServerSession,
    env: &mut Env,
    out: &mut Outcome,
    plan: &Plan,
    hop: usize,
) -> (Reply, usize, Option<Decision>, Stage) {
    let t = env.t;
    let host = s.server.host;
    let stage = cmd.stage();
    // The server answers first; the command is still recorded before its reply.
    let (reply, effect) = s.handle(&cmd, env.greylist, &plan.message);
    let kind = if cmd == Command::EndOfData {
        EventKind::MessageText { lines: plan.lines, bytes: plan.message.bytes }
    } else {
        EventKind::Command(cmd)
    };
    env.rec.push(t, Some(hop), plan.from, kind, None);
    let mut decision = None;
    let tls_started = effect == Effect::Tls;
    if let Effect::Decision(d) = effect {
        let why = d.why;
        env.rec.push(t, Some(hop), host, EventKind::Decision(d.clone()), Some(why));
        decision = Some(d);
    }
    let why = s.last_why;
    let ev = env.rec.push(t, Some(hop), host, EventKind::Reply(reply.clone()), why);
    if tls_started {
        env.rec.push(t, Some(hop), plan.from, EventKind::Tls, None);
        out.tls = true;
    }
    (reply, ev, decision, stage)
}

fn server_lists_size(s: &ServerSession) -> bool {
    s.spec.keywords.contains(&crate::flavour::Kw::Size)
}

/// The server refused the session at `stage`: the client quits.
#[allow(clippy::too_many_arguments)]
fn refuse(
    env: &mut Env,
    mut out: Outcome,
    s: &mut ServerSession,
    reply: Reply,
    stage: Stage,
    ev: usize,
    why: Option<Why>,
    plan: &Plan,
) -> Outcome {
    out.why = why.or(out.why);
    let deferred = reply.severity() == Severity::Transient;
    out.refusal = Some(Refusal { reply, stage, event: ev });
    let end = if matches!(plan.kind, ClientKind::Mua(_)) { End::GaveUp } else { End::Refused };
    quit(env, out, plan, s, end, if deferred { HopResult::Deferred } else { HopResult::Refused })
}

/// A mail program gives up after a refusal it already recorded.
fn give_up(env: &mut Env, out: Outcome, plan: &Plan, s: &mut ServerSession) -> Outcome {
    let deferred = out.refusal.as_ref().is_some_and(|r| r.reply.severity() == Severity::Transient);
    quit(env, out, plan, s, End::GaveUp, if deferred { HopResult::Deferred } else { HopResult::Refused })
}

/// QUIT, the server's goodbye, and the end of the hop (only the end when the server has already hung up).
fn quit(env: &mut Env, mut out: Outcome, plan: &Plan, s: &mut ServerSession, end: End, result: HopResult) -> Outcome {
    let (t, hop) = (env.t, out.hop);
    if !s.closed {
        let (r, _) = s.handle(&Command::Quit, env.greylist, &plan.message);
        env.rec.push(t, Some(hop), plan.from, EventKind::Command(Command::Quit), None);
        env.rec.push(t, Some(hop), s.server.host, EventKind::Reply(r), None);
    }
    env.rec.push(t, Some(hop), plan.from, EventKind::Closed, None);
    env.rec.end_hop(hop, result);
    out.end = end;
    out
}

/// The 16 address forms of nmap's smtp-open-relay script (`D` its domain, `H` the server's name, `IP` its
/// address literal).
pub fn relay_test_forms(host: &str, ip: Ipv4Addr) -> Vec<(String, String)> {
    let d = "nmap.scanme.org";
    let lit = format!("[{ip}]");
    let from = format!("antispam@{lit}");
    let mut forms = vec![
        (String::new(), format!("relaytest@{d}")),
        (format!("antispam@{d}"), format!("relaytest@{d}")),
        (format!("antispam@{host}"), format!("relaytest@{d}")),
    ];
    for to in [
        format!("relaytest@{d}"),
        format!("relaytest%{d}@{lit}"),
        format!("relaytest%{d}@{host}"),
        format!("\"relaytest@{d}\""),
        format!("\"relaytest%{d}\""),
        format!("relaytest@{d}@{lit}"),
        format!("\"relaytest@{d}\"@{lit}"),
        format!("relaytest@{d}@{host}"),
        format!("@{lit}:relaytest@{d}"),
        format!("@{host}:relaytest@{d}"),
        format!("{d}!relaytest"),
        format!("{d}!relaytest@{lit}"),
        format!("{d}!relaytest@{host}"),
    ] {
        forms.push((from.clone(), to));
    }
    forms
}

fn probe(plan: &Plan, server: &ServerConfig, s: &mut ServerSession, env: &mut Env, mut out: Outcome) -> Outcome {
    let t = env.t;
    let hop = out.hop;
    let mut passed = 0;
    let mut auth_needed = false;
    'forms: for (from, to) in relay_test_forms(&server.hostname, server.ip) {
        for cmd in [Command::Rset, Command::Mail { from: from.clone(), size: None }, Command::Rcpt(to.clone())] {
            let is_rcpt = matches!(cmd, Command::Rcpt(_));
            let stage = cmd.stage();
            let (reply, effect) = s.handle(&cmd, env.greylist, &plan.message);
            env.rec.push(t, Some(hop), plan.from, EventKind::Command(cmd), None);
            let mut decision = None;
            if let Effect::Decision(d) = effect {
                env.rec.push(t, Some(hop), server.host, EventKind::Decision(d.clone()), Some(d.why));
                decision = Some(d);
            }
            let ev = env.rec.push(t, Some(hop), server.host, EventKind::Reply(reply.clone()), s.last_why);
            auth_needed |= reply.code == 530;
            if is_rcpt {
                passed += usize::from(reply.severity() == Severity::Ok);
                out.rcpts.push(RcptResult { rcpt: to.clone(), reply, command: Stage::RcptTo, event: ev, decision });
            } else if reply.severity() != Severity::Ok {
                out.refusal.get_or_insert(Refusal { reply, stage, event: ev });
                if s.closed {
                    break 'forms;
                }
                break;
            }
            if s.closed {
                break 'forms;
            }
        }
    }
    let verdict = if auth_needed {
        "Server isn't an open relay, authentication needed".to_string()
    } else if passed > 0 {
        format!("Server is an open relay ({passed}/16 tests)")
    } else {
        "Server doesn't seem to be an open relay, all tests failed".to_string()
    };
    out.tester = Some(verdict.clone());
    let out = quit(env, out, plan, s, End::Done, if passed > 0 { HopResult::Accepted } else { HopResult::Refused });
    env.rec.push(t, None, plan.from, EventKind::TesterVerdict(verdict), None);
    out
}
