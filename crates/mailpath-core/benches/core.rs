//! The core's speed figures: one five-hop run, the what-if grid exactly as the app computes it, a five-day retry
//! scenario, reading a 100 KB pasted bounce (medians). Run with `cargo xtask bench` (or `cargo bench -p mailpath-core`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mailpath_core::{bounce, presets, run, whatif};

fn benches(c: &mut Criterion) {
    // Alice → provider → smarthost → mx1 → mailbox → Bob's mail program: five hops with transcripts.
    let five_hops = presets::get("middle-man-forwards").unwrap().scenario();
    assert_eq!(run(&five_hops).hops.len(), 4, "three SMTP connections and the fetch");
    c.bench_function("run: five-hop delivery", |b| b.iter(|| run(black_box(&five_hops))));

    let base = presets::get("outlook-express").unwrap().scenario();
    c.bench_function(&format!("what-if grid: {} runs", whatif::len()), |b| {
        b.iter(|| whatif::grid(black_box(&whatif::key(&base))))
    });

    let retry = presets::get("backup-mx-primary-down-6d").unwrap().scenario();
    let events = run(&retry).events.len();
    c.bench_function(&format!("run: five-day retry ({events} events)"), |b| b.iter(|| run(black_box(&retry))));

    // A real Postfix bounce whose returned message carries 100 KB of text, read as the app reads a paste (the
    // issue's budget: a 100 KB bounce pasted → reading shown in ≤ 50 ms; this is the reading's part of it).
    let real = include_str!("../../../tests/bounces/postfix-real/next-hop-denies-relaying-554.eml");
    let (head, tail) = real.rsplit_once("\nAre you free?").expect("the returned message's text");
    let line = "Are you free on Friday? We could try the new place near the station at noon.\n";
    let big = format!("{head}\n{}{tail}", line.repeat(100 * 1024 / line.len()));
    assert!(big.len() >= 100 * 1024 && bounce::read(&big).is_ok());
    c.bench_function(&format!("bounce reader: a {} KB bounce", big.len() / 1024), |b| {
        b.iter(|| bounce::read(black_box(&big)))
    });
}

criterion_group!(core, benches);
criterion_main!(core);
