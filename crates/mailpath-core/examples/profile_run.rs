//! Runs one preset many times, for profilers: `cargo run --release --example profile_run -- <slug> <times>`.
fn main() {
    let mut args = std::env::args().skip(1);
    let slug = args.next().unwrap_or_else(|| "middle-man-forwards".into());
    let times: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let s = mailpath_core::presets::get(&slug).expect("a preset slug").scenario();
    let mut events = 0;
    for _ in 0..times {
        events += mailpath_core::run(std::hint::black_box(&s)).events.len();
    }
    println!("{slug}: {times} runs, {} events each", events / times.max(1));
}
