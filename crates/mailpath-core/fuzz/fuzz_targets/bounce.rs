//! Any bytes as a pasted bounce: reading never panics, every item's byte range lies inside the paste on character
//! boundaries, and the scenario a reading opens can be built.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailpath_core::bounce;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(r) = bounce::read(&text) {
        for i in [&r.reporting, &r.remote, &r.remote_ip, &r.command, &r.code, &r.status, &r.diagnostic, &r.recipient, &r.sender, &r.date]
            .into_iter()
            .flatten()
        {
            if let Some(at) = i.at {
                assert!(at.start <= at.end && text.get(at.start..at.end).is_some(), "{at:?} of {}", text.len());
            }
        }
        let _ = bounce::lines(&r);
        if let Some(o) = bounce::opening(&r) {
            let _ = o.scenario();
        }
    }
});
