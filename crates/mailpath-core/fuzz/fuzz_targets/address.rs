//! Any text as an envelope address: parsing never panics, and what parses stays within RFC 5321's limits (after
//! the surrounding spaces and brackets are taken off) and parses again from its own text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailpath_core::addr::{Address, MAX_PATH};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(a) = Address::parse(text) {
        assert!(a.raw().len() <= MAX_PATH, "{:?}", a.raw());
        let _ = a.echo();
        assert_eq!(Address::parse(a.raw()).as_ref(), Ok(&a));
    }
});
