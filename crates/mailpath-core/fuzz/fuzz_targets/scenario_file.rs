//! Any text as a scenario file: reading never panics, a file that reads writes back to the same scenario, and
//! every scenario that reads also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailpath_core::file::{from_json, to_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(s) = from_json(text) {
        assert_eq!(from_json(&to_json(&s)).as_ref(), Ok(&s));
        let _ = mailpath_core::run(&s);
    }
});
