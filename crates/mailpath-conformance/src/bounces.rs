//! Bounce conformance: the real Postfix, as the sender's provider, takes Alice's message and relays it to a next
//! hop that refuses it the way the simulated one does (a scripted SMTP server on loopback, or nothing listening);
//! it writes its bounce, delivers it into Alice's mailbox on disk, and that bounce is compared field by field with
//! the simulator's — the header fields and their order, the notification text, every delivery-status field and
//! the attached original — with only queue ids, dates, message ids, the MIME boundary and the loopback stand-ins
//! for the next hop normalised.

use crate::config::{self, Config};
use crate::plan::{self, Plan};
use crate::postfix::Instance;
use crate::Line;
use mailpath_core::actor::HostId;
use mailpath_core::fields::{self, Value};
use mailpath_core::trace::{Event, EventKind, Trace};
use mailpath_core::{run, Scenario};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

/// The loopback port the scripted next hop listens on.
const NEXT_HOP_PORT: u16 = 2526;
/// Exim's scripted next hop, apart from Postfix's: the two servers' suites run at the same time.
const EXIM_NEXT_HOP_PORT: u16 = 2527;
/// Sendmail's, apart from both.
const SENDMAIL_NEXT_HOP_PORT: u16 = 2528;
/// OpenSMTPD's, apart from the others.
const OPENSMTPD_NEXT_HOP_PORT: u16 = 2529;

/// How the next hop fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextHop {
    /// It answers `RCPT TO` with this reply.
    Refuses(&'static str),
    /// Nothing listens.
    Down,
}

/// A bounce situation: a name, the scenario, and how the next hop behaves.
pub struct Situation {
    /// For the table.
    pub name: &'static str,
    /// The scenario (Alice → her Postfix provider → the recipient's server).
    pub scenario: Scenario,
    /// The next hop.
    pub next_hop: NextHop,
}

fn scenario(edits: &[(&str, &str)]) -> Scenario {
    let mut s = Scenario::default();
    for (k, v) in edits {
        fields::set(&mut s, k, &Value::Text((*v).to_string())).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    s
}

/// The next-hop failures the issue names: relaying denied (554, and 454 until the queue gives up), an unknown
/// user, and a refused connection.
pub fn situations() -> Vec<Situation> {
    vec![
        Situation {
            name: "bounce: next hop denies relaying (554)",
            scenario: scenario(&[("recipient.handles_domain", "off"), ("recipient.policy", "reject")]),
            next_hop: NextHop::Refuses("554 5.7.1 <bob@corp-b.example>: Relay access denied"),
        },
        Situation {
            name: "bounce: next hop defers relaying (454) until the queue gives up",
            scenario: scenario(&[("recipient.handles_domain", "off"), ("recipient.policy", "defer")]),
            next_hop: NextHop::Refuses("454 4.7.1 <bob@corp-b.example>: Relay access denied"),
        },
        Situation {
            name: "bounce: next hop does not know the user",
            scenario: scenario(&[("message.to", "nobody@corp-b.example")]),
            next_hop: NextHop::Refuses(
                "550 5.1.1 <nobody@corp-b.example>: Recipient address rejected: User unknown in virtual mailbox table",
            ),
        },
        Situation {
            name: "bounce: next hop refuses the connection until the queue gives up",
            scenario: scenario(&[("recipient.down.for", "6d")]),
            next_hop: NextHop::Down,
        },
    ]
}

/// The next-hop refusals for a provider running Exim: relaying denied and an unknown user, which Exim returns at
/// once. (A deferral or a refused connection is returned only after Exim's retry rules give up, days later; those
/// bounces are not compared.)
pub fn exim_situations() -> Vec<Situation> {
    situations()
        .into_iter()
        .filter(|s| matches!(s.next_hop, NextHop::Refuses(r) if r.starts_with('5')))
        .map(|mut s| {
            fields::set(&mut s.scenario, "provider.flavour", &Value::Text("exim".into())).expect("provider.flavour");
            s.name = match s.name {
                "bounce: next hop denies relaying (554)" => "exim bounce: next hop denies relaying (554)",
                _ => "exim bounce: next hop does not know the user",
            };
            s
        })
        .collect()
}

/// The next-hop refusals for a provider running Sendmail, which it returns at once.
pub fn sendmail_situations() -> Vec<Situation> {
    situations()
        .into_iter()
        .filter(|s| matches!(s.next_hop, NextHop::Refuses(r) if r.starts_with('5')))
        .map(|mut s| {
            fields::set(&mut s.scenario, "provider.flavour", &Value::Text("sendmail".into()))
                .expect("provider.flavour");
            s.name = match s.name {
                "bounce: next hop denies relaying (554)" => "sendmail bounce: next hop denies relaying (554)",
                _ => "sendmail bounce: next hop does not know the user",
            };
            s
        })
        .collect()
}

/// The next-hop refusals for a provider running OpenSMTPD, which it returns at once. Alice sends from home,
/// in the provider's network, on port 25 without TLS or a login: Debian 12's OpenSMTPD cannot finish a TLS
/// handshake here.
pub fn opensmtpd_situations() -> Vec<Situation> {
    situations()
        .into_iter()
        .filter(|s| matches!(s.next_hop, NextHop::Refuses(r) if r.starts_with('5')))
        .map(|mut s| {
            for (key, value) in [
                ("provider.flavour", "opensmtpd"),
                ("client.port", "25"),
                ("client.tls", "off"),
                ("client.auth", "off"),
            ] {
                fields::set(&mut s.scenario, key, &Value::Text(value.into())).expect(key);
            }
            s.name = match s.name {
                "bounce: next hop denies relaying (554)" => "opensmtpd bounce: next hop denies relaying (554)",
                _ => "opensmtpd bounce: next hop does not know the user",
            };
            s
        })
        .collect()
}

/// With `MAILPATH_SAVE_BOUNCES=<folder>`, writes a real bounce there as `<situation>.eml` (header fields unfolded,
/// the loopback stand-ins named back by `names`): how the `tests/bounces/*-real/` files were made.
fn save(
    situation: &str,
    headers: &[(String, String)],
    body: &str,
    names: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    let Some(dir) = std::env::var_os("MAILPATH_SAVE_BOUNCES") else { return Ok(()) };
    let mut text: String = headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
    text.push('\n');
    text.push_str(body);
    let slug: String = situation
        .split_once("bounce: ")
        .map_or(situation, |(_, s)| s)
        .chars()
        .filter(|c| *c != '(' && *c != ')')
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = std::path::Path::new(&dir).join(format!("{slug}.eml"));
    std::fs::write(&path, names(&text)).map_err(|e| format!("{}: {e}", path.display()))
}

/// The newest message of a maildir folder, as [`read_mbox`] reads it.
fn read_maildir(dir: &std::path::Path) -> Option<Bounce> {
    let newest = std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).max()?;
    let text = std::fs::read_to_string(&newest).ok()?;
    let as_mbox = std::env::temp_dir().join("mailpath-conformance-maildir.mbox");
    std::fs::write(&as_mbox, format!("From MAILER-DAEMON\n{text}")).ok()?;
    read_mbox(&as_mbox, 0)
}

/// Runs one bounce situation with OpenSMTPD as the provider, as [`compare_exim`] does: it relays to the scripted
/// next hop by address and delivers the bounce into Alice's maildir.
pub fn compare_opensmtpd(sit: &Situation, instance: &mut crate::opensmtpd::Instance) -> Result<Vec<Line>, String> {
    let p = plan::derive(sit.name, &sit.scenario)?;
    let (base, mailboxes) = p.opensmtpd.as_ref().ok_or("the provider is not an OpenSMTPD here")?;
    let hop = p.map.to_loopback(Ipv4Addr::new(192, 0, 2, 10));
    let maildir = instance.dir().join("home/alice/Maildir/new");
    let _ = std::fs::remove_dir_all(instance.dir().join("home/alice/Maildir"));
    let config = crate::opensmtpd::bounce_config(base, hop, OPENSMTPD_NEXT_HOP_PORT);
    instance.apply(&config, mailboxes, p.config.submission)?;
    let (mut lines, (sim_headers, sim_body), real) =
        bounce_run(sit, &p, hop, OPENSMTPD_NEXT_HOP_PORT, &|| read_maildir(&maildir))?;
    let Some((mut real_headers, real_body)) = real else { return Ok(lines) };
    let names = |text: &str| p.map.inbound(&text.replace(&format!("[{hop}]"), "[192.0.2.10]"));
    save(sit.name, &real_headers, &real_body, &names)?;
    // OpenSMTPD's maildir delivery adds its Delivered-To: not the bounce's.
    real_headers.retain(|(n, _)| n != "Delivered-To");
    lines.extend(side_by_side(&sim_headers, &sim_body, &real_headers, &real_body, &|t| t.to_string(), &names));
    Ok(lines)
}

/// The simulator's bounce as it lands in Alice's mailbox at her provider: its header fields and body.
fn simulated_bounce(t: &Trace) -> Option<(Vec<(String, String)>, String)> {
    let at = t
        .events
        .iter()
        .find(|e: &&Event| {
            matches!(&e.kind, EventKind::Delivered { rcpt } if e.actor == HostId::Provider && rcpt.starts_with("alice@"))
        })?
        .t;
    let copy = t.messages.iter().find(|m| {
        m.is_report && m.at == HostId::Provider && m.header("Return-Path") == Some("<>") && t.events[m.event].t == at
    })?;
    let headers = copy.headers.iter().map(|(n, v)| (n.to_string(), plan::unfold(v))).collect();
    Some((headers, copy.body.clone()))
}

/// A scripted next hop running in its own thread until dropped.
struct NextHopServer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl NextHopServer {
    fn start(at: Ipv4Addr, port: u16, refusal: &'static str) -> Result<NextHopServer, String> {
        let listener = TcpListener::bind((at, port)).map_err(|e| format!("next hop on {at}:{port}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || serve_next_hop(listener, refusal, flag));
        Ok(NextHopServer { stop, thread: Some(thread) })
    }
}

impl Drop for NextHopServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A scripted next hop: greets, says yes to everything but `RCPT TO`, which gets `refusal`.
fn serve_next_hop(listener: TcpListener, refusal: &'static str, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let _ = stream.set_nonblocking(false);
        let mut w = match stream.try_clone() {
            Ok(w) => w,
            Err(_) => continue,
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let mut say = |line: &str| w.write_all(format!("{line}\r\n").as_bytes());
        if say("220 mx1.corp-b.example ESMTP Postfix").is_err() {
            continue;
        }
        let mut accepted = false;
        let mut in_data = false;
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if in_data {
                if line == "." {
                    in_data = false;
                    let _ = say("250 2.0.0 Ok: queued as 0000000000");
                }
                continue;
            }
            let verb = line.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
            let reply = match verb.as_str() {
                "EHLO" => "250-mx1.corp-b.example\r\n250-PIPELINING\r\n250 8BITMIME".to_string(),
                "HELO" => "250 mx1.corp-b.example".into(),
                "MAIL" => "250 2.1.0 Ok".into(),
                "RCPT" => refusal.into(),
                "DATA" if accepted => {
                    in_data = true;
                    "354 End data with <CR><LF>.<CR><LF>".into()
                }
                "DATA" => "554 5.5.1 Error: no valid recipients".into(),
                "RSET" => "250 2.0.0 Ok".into(),
                "QUIT" => {
                    let _ = say("221 2.0.0 Bye");
                    break;
                }
                _ => "502 5.5.2 Error: command not recognized".into(),
            };
            accepted |= verb == "RCPT" && refusal.starts_with('2');
            if say(&reply).is_err() {
                break;
            }
        }
    }
}

/// The provider's configuration for a bounce situation: its own (as for any situation) with the recipient's
/// domain sent to the next hop's stand-in, no TLS to it, and a queue lifetime of zero so that a temporary failure
/// is returned at once (the simulator returns it after its five days; the bounce reads the same).
fn provider_config(p: &Plan) -> Config {
    let mut c = p.config.clone();
    let hop = p.map.to_loopback(Ipv4Addr::new(192, 0, 2, 10));
    c.main.push(("transport_maps".into(), format!("inline:{{ corp-b.example=smtp:[{hop}]:{NEXT_HOP_PORT} }}")));
    c.main.push(("smtp_tls_security_level".into(), "none".into()));
    c.main.push(("maximal_queue_lifetime".into(), "0".into()));
    c.main.push(("bounce_queue_lifetime".into(), "0".into()));
    c.main.push(("smtp_bind_address".into(), "127.0.0.1".into()));
    c
}

/// The next hop's stand-in as the simulator names it: `127.0.0.15[127.0.0.15]:2526` reads
/// `mx1.corp-b.example[192.0.2.10]:25`.
fn next_hop_names(text: &str, hop: Ipv4Addr) -> String {
    text.replace(&format!("{hop}[{hop}]:{NEXT_HOP_PORT}"), "mx1.corp-b.example[192.0.2.10]:25")
        .replace(&format!("{hop}[{hop}]"), "mx1.corp-b.example[192.0.2.10]")
        .replace(&format!("dns; {hop}"), "dns; mx1.corp-b.example")
}

/// What differs between runs only: queue ids, dates, message ids and the MIME boundary (made of a queue id and
/// a time).
fn normalise_bounce(text: &str, ids: &[String]) -> String {
    let mut out = text.to_string();
    for id in ids.iter().filter(|i| !i.is_empty()) {
        out = out.replace(id.as_str(), "<id>");
    }
    let mut lines = Vec::new();
    for line in out.lines() {
        // Sendmail's dates (`Thu, 3 Dec 2026 11:49:07 GMT`) wherever they stand.
        let line = &crate::wire::dates(line);
        let l = if let Some((name, _)) = line.split_once(": ").filter(|(n, _)| matches!(*n, "Date" | "Arrival-Date")) {
            format!("{name}: <date>")
        } else if let Some(at) = line.rfind("; ").filter(|_| line.contains(" (UTC)") || line.contains(" +0000")) {
            format!("{}; <date>", &line[..at])
        } else if line.starts_with('\t') && line.ends_with(" +0000") && line.contains(", ") {
            // A date on a line of its own, as Exim folds its Received: lines.
            "\t<date>".to_string()
        } else {
            line.to_string()
        };
        lines.push(l);
    }
    lines.join("\n")
}

/// Queue ids, message ids and boundaries in a bounce (everything that names this run).
fn run_ids(headers: &[(String, String)], body: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (n, v) in headers {
        if n == "Content-Type" {
            // Postfix quotes its boundary, Exim does not.
            if let Some(b) =
                v.split("boundary=").nth(1).map(|b| b.trim_matches('"').split(['"', ';']).next().unwrap_or(b))
            {
                ids.push(b.to_string());
            }
        }
        if n == "Message-Id" || n == "Message-ID" {
            ids.push(v.clone());
        }
        if n == "Received" {
            if let Some(id) = v.split(" id ").nth(1).and_then(|r| r.split([';', ' ']).next()) {
                ids.push(id.to_string());
            }
        }
    }
    for line in body.lines() {
        // The queue id in the returned message's `Received:` line, where it follows the `by` part (Sendmail).
        if line.trim_start().starts_with("by ") {
            if let Some(id) =
                line.split(" id ").nth(1).and_then(|r| r.split([';', ' ']).next()).filter(|i| i.len() >= 6)
            {
                ids.push(id.to_string());
            }
        }
        for key in ["X-Postfix-Queue-ID: ", "id "] {
            if let Some(rest) = line.trim().strip_prefix(key) {
                if let Some(id) = rest.split([';', ' ']).next().filter(|i| i.len() >= 6) {
                    ids.push(id.to_string());
                }
            }
        }
    }
    ids.sort_by_key(|i| std::cmp::Reverse(i.len()));
    ids
}

/// The last message of an mbox file that arrived after `before` bytes: its header fields and body.
fn read_mbox(path: &std::path::Path, before: u64) -> Option<(Vec<(String, String)>, String)> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(bytes.get(before as usize..)?).into_owned();
    let message = text.split("\nFrom ").last()?.to_string();
    let (head, body) = message.split_once("\n\n")?;
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.lines().skip(1) {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            fields.push((n.to_string(), v.trim().to_string()));
        }
    }
    Some((fields, body.trim_end_matches('\n').to_string() + "\n"))
}

/// Runs one bounce situation with Exim as the provider; every header field and body line, simulated beside
/// real. The fields the local delivery adds (`Return-Path`, `Delivered-To`, `X-Original-To`) are left out on the
/// simulator's side: the real Exim here appends the bounce as it wrote it.
pub fn compare_exim(sit: &Situation, instance: &mut crate::exim::Instance) -> Result<Vec<Line>, String> {
    let p = plan::derive(sit.name, &sit.scenario)?;
    let base = p.exim.as_deref().ok_or("the provider is not an Exim here")?;
    let hop = p.map.to_loopback(Ipv4Addr::new(192, 0, 2, 10));
    let mailbox = instance.dir().join("mail/alice");
    let _ = std::fs::remove_file(&mailbox);
    instance.apply(&crate::exim::bounce_config(base, hop, EXIM_NEXT_HOP_PORT, &mailbox), p.config.submission)?;
    let (mut lines, (sim_headers, sim_body), real) =
        bounce_run(sit, &p, hop, EXIM_NEXT_HOP_PORT, &|| read_mbox(&mailbox, 0))?;
    let Some((real_headers, real_body)) = real else { return Ok(lines) };
    // Exim names the next hop by the address it was routed to; the simulator by its name.
    let names = |text: &str| {
        p.map.inbound(
            &text
                .replace(&format!("host {hop} [{hop}]"), "host mx1.corp-b.example [192.0.2.10]")
                .replace(&format!("dns; {hop}"), "dns; mx1.corp-b.example"),
        )
    };
    lines.extend(side_by_side(&sim_headers, &sim_body, &real_headers, &real_body, &|t| t.to_string(), &names));
    Ok(lines)
}

/// A bounce as read from a mailbox: its header fields and its body.
type Bounce = (Vec<(String, String)>, String);

/// What the bounce situations of Exim, Sendmail and OpenSMTPD share once the provider runs with its bounce
/// configuration: the simulator's bounce (without the fields its Postfix-like local delivery adds, which are not
/// the bounce's), the session replayed with the scripted next hop listening on `hop`:`port`, and the real bounce
/// `read` finds within 15 s — `None`, with a line that says so, when none came.
fn bounce_run(
    sit: &Situation,
    p: &Plan,
    hop: Ipv4Addr,
    port: u16,
    read: &dyn Fn() -> Option<Bounce>,
) -> Result<(Vec<Line>, Bounce, Option<Bounce>), String> {
    let trace = run(&sit.scenario);
    let (mut sim_headers, sim_body) = simulated_bounce(&trace).ok_or("the simulator writes no bounce to Alice here")?;
    sim_headers.retain(|(n, _)| !matches!(n.as_str(), "Return-Path" | "Delivered-To" | "X-Original-To"));
    let _next_hop = match sit.next_hop {
        NextHop::Refuses(reply) => Some(NextHopServer::start(hop, port, reply)?),
        NextHop::Down => None,
    };
    let mut lines = crate::wire::replay(p)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(real) = read() {
            return Ok((lines, (sim_headers, sim_body), Some(real)));
        }
        if std::time::Instant::now() > deadline {
            lines.push(Line {
                sent: "(bounce)".into(),
                simulated: "a bounce to Alice".into(),
                real: "(none within 15 s)".into(),
            });
            return Ok((lines, (sim_headers, sim_body), None));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs one bounce situation with Sendmail as the provider, as [`compare_exim`] does. Sendmail reaches the
/// next hop by its name (`mx1.corp-b.example`, in the namespace's hosts file) as its smart host.
pub fn compare_sendmail(sit: &Situation, instance: &mut crate::sendmail::Instance) -> Result<Vec<Line>, String> {
    let p = plan::derive(sit.name, &sit.scenario)?;
    let base = p.sendmail.as_ref().ok_or("the provider is not a Sendmail here")?;
    let hop = p.map.to_loopback(Ipv4Addr::new(192, 0, 2, 10));
    let mailbox = instance.dir().join("mail/alice");
    let _ = std::fs::remove_file(&mailbox);
    let config =
        crate::sendmail::bounce_config(base, hop, "mx1.corp-b.example", SENDMAIL_NEXT_HOP_PORT, instance.dir());
    instance.apply(&config)?;
    let (mut lines, (sim_headers, sim_body), real) =
        bounce_run(sit, &p, hop, SENDMAIL_NEXT_HOP_PORT, &|| read_mbox(&mailbox, 0))?;
    let Some((mut real_headers, real_body)) = real else { return Ok(lines) };
    let names = |text: &str| p.map.inbound(&text.replace(&format!("[{hop}]"), "[192.0.2.10]"));
    save(sit.name, &real_headers, &real_body, &names)?;
    // Sendmail's local mailer adds its own Return-Path: not the bounce's.
    real_headers.retain(|(n, _)| n != "Return-Path");
    lines.extend(side_by_side(&sim_headers, &sim_body, &real_headers, &real_body, &|t| t.to_string(), &names));
    Ok(lines)
}

/// Both bounces, normalised (run ids and dates; folded lines joined), line by line.
fn side_by_side(
    sim_headers: &[(String, String)],
    sim_body: &str,
    real_headers: &[(String, String)],
    real_body: &str,
    sim_names: &dyn Fn(&str) -> String,
    real_names: &dyn Fn(&str) -> String,
) -> Vec<Line> {
    let render = |h: &[(String, String)], b: &str, names: &dyn Fn(&str) -> String| {
        let ids = run_ids(h, b);
        let mut text: String = h.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
        text.push('\n');
        text.push_str(b);
        // Folded lines joined: where a line folds depends on the names' lengths, and the stand-ins' differ.
        normalise_bounce(&names(&text).replace("\n    ", " "), &ids)
    };
    let sim = render(sim_headers, sim_body, sim_names);
    let real = render(real_headers, real_body, real_names);
    let (sim_lines, real_lines): (Vec<&str>, Vec<&str>) = (sim.lines().collect(), real.lines().collect());
    (0..sim_lines.len().max(real_lines.len()))
        .map(|i| Line {
            sent: format!("(bounce line {})", i + 1),
            simulated: sim_lines.get(i).unwrap_or(&"(none)").to_string(),
            real: real_lines.get(i).unwrap_or(&"(none)").to_string(),
        })
        .collect()
}

/// Runs one bounce situation; every header field and body line, simulated beside real.
pub fn compare(sit: &Situation, instance: &mut Instance) -> Result<Vec<Line>, String> {
    let p = plan::derive(sit.name, &sit.scenario)?;
    let trace = run(&sit.scenario);
    let (sim_headers, sim_body) = simulated_bounce(&trace).ok_or("the simulator writes no bounce to Alice here")?;
    let hop = p.map.to_loopback(Ipv4Addr::new(192, 0, 2, 10));
    instance.apply(&provider_config(&p))?;
    let _next_hop = match sit.next_hop {
        NextHop::Refuses(reply) => Some(NextHopServer::start(hop, NEXT_HOP_PORT, reply)?),
        NextHop::Down => None,
    };
    let mailbox = instance.mail_dir().join(config::local_mailbox("alice"));
    let before = std::fs::metadata(&mailbox).map_or(0, |m| m.len());
    let mut lines = crate::wire::replay(&p)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let real = loop {
        if let Some(m) =
            read_mbox(&mailbox, before).filter(|(h, _)| h.iter().any(|(n, v)| n == "Return-Path" && v == "<>"))
        {
            break m;
        }
        if std::time::Instant::now() > deadline {
            lines.push(Line {
                sent: "(bounce)".into(),
                simulated: "a bounce to Alice".into(),
                real: "(none within 15 s)".into(),
            });
            return Ok(lines);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (real_headers, real_body) = real;
    if let Some(dir) = std::env::var_os("MAILPATH_SAVE_BOUNCES") {
        // The real bounce as Postfix wrote it (header fields unfolded), with the loopback stand-ins named back.
        let mut text: String = real_headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
        text.push('\n');
        text.push_str(&real_body);
        let slug: String = sit
            .name
            .trim_start_matches("bounce: ")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = std::path::Path::new(&dir).join(format!("{slug}.eml"));
        std::fs::write(&path, p.map.inbound(&next_hop_names(&text, hop)))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let names = |text: &str| p.map.inbound(&next_hop_names(text, hop));
    lines.extend(side_by_side(&sim_headers, &sim_body, &real_headers, &real_body, &|t| t.to_string(), &names));
    Ok(lines)
}
