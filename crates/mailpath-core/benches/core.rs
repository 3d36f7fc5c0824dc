//! The core's speed figures: one five-hop run, the what-if grid exactly as the app computes it, a five-day retry
//! scenario (medians). Run with `cargo xtask bench` (or `cargo bench -p mailpath-core`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mailpath_core::{presets, run, whatif};

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
}

criterion_group!(core, benches);
criterion_main!(core);
