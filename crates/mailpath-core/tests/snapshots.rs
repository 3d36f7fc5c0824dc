//! Transcript snapshots for a handful of presets: the whole text report must stay byte for byte the same.
//! After an intended change, rewrite them with `UPDATE_SNAPSHOTS=1 cargo test -p mailpath-core --test snapshots`
//! and read the diff.

use mailpath_core::{presets, report, run};
use std::path::PathBuf;

const SNAPSHOTS: &[&str] = &[
    "outlook-express",
    "happy-path",
    "recipient-misconfigured",
    "backup-mx-primary-down",
    "greylisting",
    "relay-test-strict",
];

#[test]
fn transcripts_match_their_snapshots() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for slug in SNAPSHOTS {
        let s = presets::get(slug).unwrap().scenario();
        let text = report::text(&s, &run(&s));
        let path = dir.join(format!("{slug}.txt"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != text {
            let first = expected.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(0);
            stale.push(format!(
                "{slug}: first difference at line {}:\n  was: {:?}\n  now: {:?}",
                first + 1,
                expected.lines().nth(first),
                text.lines().nth(first)
            ));
        }
    }
    assert!(stale.is_empty(), "snapshots differ (UPDATE_SNAPSHOTS=1 rewrites them):\n{}", stale.join("\n"));
}
