//! `mailpath-conformance`: compares the simulator with a real Postfix and prints a table.
//!
//! ```text
//! mailpath-conformance [--check] [--generated N] [--own-world N] [--typed N] [--seed S] [--only TEXT] [--all]
//! ```
//! `--check` prints only differences and fails if there is any (the test suite runs this); without it, every
//! compared reply is printed as a table. `--all` also lists situations that were left out, with the reason.

use mailpath_conformance::{plan, run, situations};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut all = false;
    let mut generated = 150usize;
    let mut own = 360usize;
    let mut typed = 320usize;
    let mut only: Option<String> = None;
    let mut seed = 2026u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--all" => all = true,
            "--generated" => generated = args.next().and_then(|v| v.parse().ok()).unwrap_or(generated),
            "--own-world" => own = args.next().and_then(|v| v.parse().ok()).unwrap_or(own),
            "--typed" => typed = args.next().and_then(|v| v.parse().ok()).unwrap_or(typed),
            "--only" => only = args.next(),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            other => {
                eprintln!("unknown option {other:?}; usage: mailpath-conformance [--check] [--generated N] [--own-world N] [--typed N] [--seed S] [--only TEXT] [--all]");
                return ExitCode::from(2);
            }
        }
    }
    let mut plans = Vec::new();
    let mut skipped = Vec::new();
    let hand = situations::hand_written();
    let hand_count = hand.len();
    for (name, s) in
        hand.into_iter().chain(situations::generated(seed, generated)).chain(situations::generated_own_world(seed, own))
    {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        match plan::derive(&name, &s) {
            Ok(p) => plans.push(p),
            Err(why) => skipped.push((name, why)),
        }
    }
    for t in mailpath_conformance::typed::hand_written()
        .into_iter()
        .chain(mailpath_conformance::typed::generated(seed, typed))
    {
        if only.as_ref().is_some_and(|o| !t.name.contains(o.as_str())) {
            continue;
        }
        match plan::derive_typed(&t.name, &t.scenario, &t.setup, &t.lines, t.pipelined) {
            Ok(p) => plans.push(p),
            Err(why) => skipped.push((t.name, why)),
        }
    }
    let count = |pred: &dyn Fn(&str) -> bool| plans.iter().filter(|p| pred(&p.name)).count();
    let typed_hand = count(&|n| n.starts_with("typed:"));
    let typed_generated = count(&|n| n.starts_with("typed generated"));
    let generated_count = count(&|n| n.starts_with("generated"));
    println!(
        "Comparing {} situations with a real Postfix: {} hand-written (of {hand_count}), {generated_count} generated, \
         {typed_hand} hand-written typed sessions, {typed_generated} generated typed sessions (seed {seed}); {} left out.",
        plans.len(),
        plans.len() - typed_hand - typed_generated - generated_count,
        skipped.len()
    );
    let (results, secs) = match run(&plans, &mut |m| eprintln!("{m}")) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let replies: usize = results.iter().map(|r| r.lines.len()).sum();
    let failed: Vec<_> = results.iter().filter(|r| r.first_difference().is_some()).collect();
    if !check {
        println!("{:<52} | {:<34} | {:<44} | {:<44} | match", "situation", "sent", "simulator", "Postfix");
        for r in &results {
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
    if all {
        for (name, why) in &skipped {
            println!("left out: {name}: {why}");
        }
    }
    for r in &failed {
        let l = r.first_difference().expect("a difference");
        println!("DIFFERENT {}: after {:?}\n  simulator: {}\n  Postfix:   {}", r.name, l.sent, l.simulated, l.real);
    }
    println!(
        "{} situations, {replies} replies compared in {secs:.1} s: {} identical, {} different.",
        results.len(),
        results.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
