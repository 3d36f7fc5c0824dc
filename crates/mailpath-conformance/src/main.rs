//! `mailpath-conformance`: compares the simulator with real servers (Postfix, Exim, OpenSMTPD, Sendmail) and prints a table for each.
//!
//! ```text
//! mailpath-conformance [--check] [--software postfix|exim|opensmtpd|sendmail|all] [--generated N] [--own-world N] [--typed N]
//!                      [--exim N] [--opensmtpd N] [--sendmail N] [--seed S] [--only TEXT] [--all]
//! ```
//! `--check` prints only differences and fails if there is any (the test suite runs this); without it, every
//! compared reply is printed, one table per server software. `--all` also lists situations that were left out,
//! with the reason.

use mailpath_conformance::{plan, run, situations, Compared};
use std::process::ExitCode;

const USAGE: &str =
    "usage: mailpath-conformance [--check] [--software postfix|exim|opensmtpd|sendmail|all] [--generated N] \
                     [--own-world N] [--typed N] [--exim N] [--opensmtpd N] [--sendmail N] [--seed S] \
                     [--only TEXT] [--all]";

fn main() -> ExitCode {
    let mut check = false;
    let mut all = false;
    let mut generated = 150usize;
    let mut own = 360usize;
    let mut typed = 320usize;
    let mut exim_generated = 220usize;
    let mut opensmtpd_generated = 160usize;
    let mut sendmail_generated = 200usize;
    let mut only: Option<String> = None;
    let mut seed = 2026u64;
    let mut software = String::from("all");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |now: usize| args.next().and_then(|v| v.parse().ok()).unwrap_or(now);
        match a.as_str() {
            "--check" => check = true,
            "--all" => all = true,
            "--generated" => generated = number(generated),
            "--own-world" => own = number(own),
            "--typed" => typed = number(typed),
            "--exim" => exim_generated = number(exim_generated),
            "--opensmtpd" => opensmtpd_generated = number(opensmtpd_generated),
            "--sendmail" => sendmail_generated = number(sendmail_generated),
            "--seed" => seed = number(seed as usize) as u64,
            "--only" => only = args.next(),
            "--software" => software = args.next().unwrap_or_default(),
            other => {
                eprintln!("unknown option {other:?}; {USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if !["postfix", "exim", "opensmtpd", "sendmail", "all"].contains(&software.as_str()) {
        eprintln!("--software takes postfix, exim, opensmtpd, sendmail or all; {USAGE}");
        return ExitCode::from(2);
    }
    let postfix = software == "postfix" || software == "all";
    let exim = software == "exim" || software == "all";
    let opensmtpd = software == "opensmtpd" || software == "all";
    let sendmail = software == "sendmail" || software == "all";
    let mut plans = Vec::new();
    let mut skipped = Vec::new();
    let wanted = |name: &str| only.as_ref().is_none_or(|o| name.contains(o.as_str()));
    let mut scenarios = Vec::new();
    if postfix {
        scenarios.extend(situations::hand_written());
        scenarios.extend(situations::generated(seed, generated));
        scenarios.extend(situations::generated_own_world(seed, own));
    }
    if exim {
        scenarios.extend(situations::exim(seed, exim_generated));
    }
    if opensmtpd {
        scenarios.extend(situations::opensmtpd(seed, opensmtpd_generated));
    }
    if sendmail {
        scenarios.extend(situations::sendmail(seed, sendmail_generated));
    }
    let chosen = |p: &plan::Plan| match p.software() {
        "Exim" => exim,
        "OpenSMTPD" => opensmtpd,
        "Sendmail" => sendmail,
        _ => postfix,
    };
    for (name, s) in scenarios.into_iter().filter(|(n, _)| wanted(n)) {
        match plan::derive(&name, &s) {
            // A hand-written situation of another software's (a preset) is compared in that software's run.
            Ok(p) if !chosen(&p) => {}
            Ok(p) => plans.push(p),
            Err(why) => skipped.push((name, why)),
        }
    }
    if postfix {
        for t in mailpath_conformance::typed::hand_written()
            .into_iter()
            .chain(mailpath_conformance::typed::generated(seed, typed))
            .filter(|t| wanted(&t.name))
        {
            match plan::derive_typed(&t.name, &t.scenario, &t.setup, &t.lines, t.pipelined) {
                Ok(p) => plans.push(p),
                Err(why) => skipped.push((t.name, why)),
            }
        }
    }
    for software in ["Postfix", "Exim", "OpenSMTPD", "Sendmail"] {
        let of: Vec<&plan::Plan> = plans.iter().filter(|p| p.software() == software).collect();
        if of.is_empty() {
            continue;
        }
        let count = |pred: &dyn Fn(&str) -> bool| of.iter().filter(|p| pred(&p.name)).count();
        let typed = count(&|n| n.starts_with("typed"));
        let generated = count(&|n| n.contains("generated") && !n.starts_with("typed"));
        println!(
            "Comparing {} situations with a real {software}: {} hand-written, {generated} generated, {typed} typed \
             sessions (seed {seed}).",
            of.len(),
            of.len() - typed - generated,
        );
    }
    println!("{} situations left out (--all lists them with the reason).", skipped.len());
    // The bounces run with everything, or alone with `--only bounce`.
    let with_bounces = only.as_ref().is_none_or(|o| o.contains("bounce"));
    let bounces = mailpath_conformance::Bounces {
        postfix: postfix && with_bounces,
        exim: exim && with_bounces,
        sendmail: sendmail && with_bounces,
        opensmtpd: opensmtpd && with_bounces,
    };
    let (results, secs) = match run(&plans, bounces, &|m| eprintln!("{m}")) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let software_of = |r: &Compared| {
        let bounce = if r.name.starts_with("exim bounce") {
            "Exim"
        } else if r.name.starts_with("sendmail bounce") {
            "Sendmail"
        } else if r.name.starts_with("opensmtpd bounce") {
            "OpenSMTPD"
        } else {
            "Postfix"
        };
        plans.iter().find(|p| p.name == r.name).map_or(bounce, |p| p.software())
    };
    let mut failed_total = 0;
    let mut summaries = Vec::new();
    for software in ["Postfix", "Exim", "OpenSMTPD", "Sendmail"] {
        let of: Vec<&Compared> = results.iter().filter(|r| software_of(r) == software).collect();
        if of.is_empty() {
            continue;
        }
        if !check {
            println!(
                "\n{software}\n{:<52} | {:<34} | {:<44} | {:<44} | match",
                "situation", "sent", "simulator", software
            );
            for r in &of {
                for l in &r.lines {
                    let one = |s: &str| s.replace('\n', " / ");
                    println!(
                        "{:<52} | {:<34} | {:<44} | {:<44} | {}",
                        r.name,
                        l.sent,
                        one(&l.simulated),
                        one(&l.real),
                        if l.matches() { "yes" } else { "NO" }
                    );
                }
            }
        }
        let failed: Vec<&&Compared> = of.iter().filter(|r| r.first_difference().is_some()).collect();
        for r in &failed {
            let l = r.first_difference().expect("a difference");
            println!(
                "DIFFERENT {}: after {:?}\n  simulator: {}\n  {software}: {}{}",
                r.name,
                l.sent,
                l.simulated,
                " ".repeat(9usize.saturating_sub(software.len())),
                l.real
            );
        }
        let replies: usize = of.iter().map(|r| r.lines.len()).sum();
        failed_total += failed.len();
        summaries.push(format!(
            "{software}: {} situations, {replies} replies: {} identical, {} different.",
            of.len(),
            of.len() - failed.len(),
            failed.len()
        ));
    }
    if all {
        for (name, why) in &skipped {
            println!("left out: {name}: {why}");
        }
    }
    for s in &summaries {
        println!("{s}");
    }
    let replies: usize = results.iter().map(|r| r.lines.len()).sum();
    println!(
        "{} situations, {replies} replies compared in {secs:.1} s: {} identical, {failed_total} different.",
        results.len(),
        results.len() - failed_total,
    );
    if failed_total == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
