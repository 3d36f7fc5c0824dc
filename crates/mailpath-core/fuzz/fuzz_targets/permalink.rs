//! Any text as a link fragment: decoding never panics, and what it decodes to encodes to a link that decodes
//! cleanly to the same scenario.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailpath_core::permalink::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let d = decode(&text);
    let link = encode(&d.scenario, d.preset, d.step);
    let again = decode(&link);
    assert!(again.ignored.is_empty(), "{link}: {:?}", again.ignored);
    assert_eq!(again.preset, d.preset);
    let mut back = again.scenario;
    back.title = d.scenario.title.clone();
    assert_eq!(back, d.scenario, "{link}");
});
