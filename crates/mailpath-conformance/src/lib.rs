//! # Conformance: the simulator against a real Postfix, Exim, OpenSMTPD and Sendmail
//!
//! For every single-hop situation whose first server runs Postfix, this crate derives from the scenario itself
//! the server's `main.cf` and `master.cf` ([`config`]), replays the exact commands the simulated client sent
//! ([`plan`]) against a real Postfix on loopback from the right source address ([`wire`], [`postfix`]), and
//! compares every reply: code, enhanced status code and text, with only the queue id and loopback addresses
//! normalised. Situations whose server runs Exim or OpenSMTPD are compared the same way against a real Exim
//! ([`exim`]: its configuration with ACLs derived from the model) and a real OpenSMTPD ([`opensmtpd`]: an
//! `smtpd.conf` with match rules, run in a private mount namespace; no TLS situations, which its OpenSSL 3 build
//! cannot finish) and a real Sendmail ([`sendmail`]: an m4-built `sendmail.cf` and access map, run in its own UTS
//! and mount namespace, with TLS and Cyrus SASL).

pub mod bounces;
pub mod config;
pub mod exim;
pub mod opensmtpd;
pub mod plan;
pub mod postfix;
pub mod sendmail;
pub mod situations;
pub mod typed;
pub mod wire;

use plan::{Plan, Step};
use std::path::Path;
use std::time::Instant;

/// A self-signed certificate and its key for a server under test (`openssl req`), unless both are there.
pub(crate) fn certificate(cert: &Path, key: &Path) -> Result<(), String> {
    if cert.exists() && key.exists() {
        return Ok(());
    }
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=mailpath-conformance"])
        .arg("-keyout")
        .arg(key)
        .arg("-out")
        .arg(cert)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!("openssl req failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// One compared reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What the client sent (or `connect`).
    pub sent: String,
    /// What the simulator's server replied.
    pub simulated: String,
    /// What the real server replied.
    pub real: String,
}

impl Line {
    /// Whether they agree.
    pub fn matches(&self) -> bool {
        self.simulated == self.real
    }
}

/// The outcome for one situation.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Its name.
    pub name: String,
    /// Every reply, in order.
    pub lines: Vec<Line>,
}

impl Compared {
    /// The first disagreement, if any.
    pub fn first_difference(&self) -> Option<&Line> {
        self.lines.iter().find(|l| !l.matches())
    }
}

/// Which bounces to compare besides the plans' sessions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bounces {
    /// Postfix's ([`bounces::situations`]).
    pub postfix: bool,
    /// Exim's ([`bounces::exim_situations`]).
    pub exim: bool,
    /// Sendmail's ([`bounces::sendmail_situations`]).
    pub sendmail: bool,
    /// OpenSMTPD's ([`bounces::opensmtpd_situations`]).
    pub opensmtpd: bool,
}

/// Runs every plan against its real server (Postfix, or Exim, OpenSMTPD or Sendmail for the plans that carry
/// such a configuration), restarting it whenever the configuration changes; then the bounces asked for.
pub fn run(plans: &[Plan], bounces: Bounces, log: &(dyn Fn(&str) + Sync)) -> Result<(Vec<Compared>, f64), String> {
    let start = Instant::now();
    let (sendmail_plans, plans): (Vec<&Plan>, Vec<&Plan>) = plans.iter().partition(|p| p.sendmail.is_some());
    let (opensmtpd_plans, plans): (Vec<&Plan>, Vec<&Plan>) = plans.into_iter().partition(|p| p.opensmtpd.is_some());
    let (exim_plans, postfix_plans): (Vec<&Plan>, Vec<&Plan>) = plans.into_iter().partition(|p| p.exim.is_some());
    // Postfix in one thread, the others one after another in a second: each server software has its own ports
    // (and its own scripted next hop), and the sessions mostly wait on the servers.
    let (postfix, others) = std::thread::scope(|scope| {
        let postfix = scope.spawn(|| {
            if postfix_plans.is_empty() && !bounces.postfix {
                Ok(Vec::new())
            } else {
                run_postfix(&postfix_plans, bounces.postfix, log)
            }
        });
        let others = scope.spawn(|| {
            let mut out = Vec::new();
            if !exim_plans.is_empty() || bounces.exim {
                out.extend(run_exim(&exim_plans, bounces.exim, log)?);
            }
            if !opensmtpd_plans.is_empty() || bounces.opensmtpd {
                out.extend(run_opensmtpd(&opensmtpd_plans, bounces.opensmtpd, log)?);
            }
            if !sendmail_plans.is_empty() || bounces.sendmail {
                out.extend(run_sendmail(&sendmail_plans, bounces.sendmail, log)?);
            }
            Ok::<_, String>(out)
        });
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<Vec<Compared>, String>>| {
            h.join().unwrap_or_else(|_| Err("a conformance thread panicked".to_string()))
        };
        (joined(postfix), joined(others))
    });
    let mut out = postfix?;
    out.extend(others?);
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((out, start.elapsed().as_secs_f64()))
}

/// The Exim plans, one daemon start per configuration.
fn run_exim(plans: &[&Plan], bounces: bool, log: &(dyn Fn(&str) + Sync)) -> Result<Vec<Compared>, String> {
    let mut instance = exim::Instance::prepare()?;
    let mut order: Vec<&Plan> = plans.to_vec();
    order.sort_by(|a, b| a.exim.cmp(&b.exim));
    let mut out = Vec::new();
    let mut current: Option<&str> = None;
    for p in order {
        let conf = p.exim.as_deref().unwrap_or_default();
        if current != Some(conf) {
            instance.apply(conf, p.config.submission)?;
            current = Some(conf);
        }
        let lines = wire::replay(p).map_err(|e| format!("{}: {e}", p.name))?;
        out.push(Compared { name: p.name.clone(), lines });
        if out.len().is_multiple_of(50) {
            log(&format!("  … {} of {} Exim situations", out.len(), plans.len()));
        }
    }
    if bounces {
        for sit in bounces::exim_situations() {
            let lines = bounces::compare_exim(&sit, &mut instance).map_err(|e| format!("{}: {e}", sit.name))?;
            out.push(Compared { name: sit.name.to_string(), lines });
        }
    }
    instance.stop();
    Ok(out)
}

/// The OpenSMTPD plans, one daemon start per configuration.
fn run_opensmtpd(plans: &[&Plan], bounces: bool, log: &(dyn Fn(&str) + Sync)) -> Result<Vec<Compared>, String> {
    let mut instance = opensmtpd::Instance::prepare()?;
    let mut order: Vec<&Plan> = plans.to_vec();
    order.sort_by(|a, b| a.opensmtpd.cmp(&b.opensmtpd));
    let mut out = Vec::new();
    let mut current = None;
    for p in order {
        let Some((conf, mailboxes)) = &p.opensmtpd else { continue };
        if current != Some(conf) {
            instance.apply(conf, mailboxes, p.config.submission)?;
            current = Some(conf);
        }
        let lines = wire::replay(p).map_err(|e| format!("{}: {e}", p.name))?;
        out.push(Compared { name: p.name.clone(), lines });
        if out.len().is_multiple_of(50) {
            log(&format!("  … {} of {} OpenSMTPD situations", out.len(), plans.len()));
        }
    }
    if bounces {
        for sit in bounces::opensmtpd_situations() {
            let lines = bounces::compare_opensmtpd(&sit, &mut instance).map_err(|e| format!("{}: {e}", sit.name))?;
            out.push(Compared { name: sit.name.to_string(), lines });
        }
    }
    instance.stop();
    Ok(out)
}

/// The Sendmail plans, one daemon start per configuration.
fn run_sendmail(plans: &[&Plan], bounces: bool, log: &(dyn Fn(&str) + Sync)) -> Result<Vec<Compared>, String> {
    let mut instance = sendmail::Instance::prepare()?;
    let mut order: Vec<&Plan> = plans.to_vec();
    order.sort_by(|a, b| a.sendmail.cmp(&b.sendmail));
    let mut out = Vec::new();
    let mut current = None;
    for p in order {
        let Some(conf) = &p.sendmail else { continue };
        if current != Some(conf) {
            instance.apply(conf)?;
            current = Some(conf);
        }
        let lines = wire::replay(p).map_err(|e| format!("{}: {e}", p.name))?;
        out.push(Compared { name: p.name.clone(), lines });
        if out.len().is_multiple_of(50) {
            log(&format!("  … {} of {} Sendmail situations", out.len(), plans.len()));
        }
    }
    if bounces {
        for sit in bounces::sendmail_situations() {
            let lines = bounces::compare_sendmail(&sit, &mut instance).map_err(|e| format!("{}: {e}", sit.name))?;
            out.push(Compared { name: sit.name.to_string(), lines });
        }
    }
    instance.stop();
    Ok(out)
}

fn run_postfix(plans: &[&Plan], bounces: bool, log: &(dyn Fn(&str) + Sync)) -> Result<Vec<Compared>, String> {
    let mut instance = postfix::Instance::prepare()?;
    let mut order: Vec<&Plan> = plans.to_vec();
    order.sort_by_cached_key(|p| p.config.key());
    let mut out = Vec::new();
    // One batch per configuration: the sessions, then (once the delivery agents caught up) what they delivered.
    let mut batch: Vec<(&Plan, Vec<Line>)> = Vec::new();
    let flush = |batch: &mut Vec<(&Plan, Vec<Line>)>, out: &mut Vec<Compared>, instance: &postfix::Instance| {
        let plans: Vec<&Plan> = batch.iter().map(|(p, _)| *p).collect();
        let delivered = wire::compare_deliveries(&plans, &instance.mail_dir());
        for ((p, mut lines), more) in batch.drain(..).zip(delivered) {
            lines.extend(more);
            out.push(Compared { name: p.name.clone(), lines });
        }
    };
    let mut current = String::new();
    for p in order {
        let key = p.config.key();
        if key != current {
            flush(&mut batch, &mut out, &instance);
            instance.apply(&p.config)?;
            current = key;
        }
        let lines = wire::replay(p).map_err(|e| format!("{}: {e}", p.name))?;
        batch.push((p, lines));
        if (out.len() + batch.len()).is_multiple_of(50) {
            log(&format!("  … {} of {} situations", out.len() + batch.len(), plans.len()));
        }
    }
    flush(&mut batch, &mut out, &instance);
    if bounces {
        for sit in bounces::situations() {
            let lines = bounces::compare(&sit, &mut instance).map_err(|e| format!("{}: {e}", sit.name))?;
            out.push(Compared { name: sit.name.to_string(), lines });
        }
    }
    instance.stop();
    Ok(out)
}

/// The replies a plan expects, for the table.
pub fn expected(p: &Plan) -> Vec<(String, String)> {
    let mut sent = String::from("connect");
    let mut out = Vec::new();
    for s in &p.steps {
        match s {
            Step::Send(line) => sent = plan::short(line),
            Step::Expect(reply) => out.push((sent.clone(), reply.clone())),
            _ => {}
        }
    }
    out
}
