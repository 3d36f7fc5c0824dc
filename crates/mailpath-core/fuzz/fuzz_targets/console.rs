//! Any bytes typed into the console: the session replays without a panic or a runaway, every line is accounted
//! for, the hint and the transcript can always be made, and a session that fits in a link comes back from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailpath_core::console::{self, Origin, Setup};
use mailpath_core::presets;
use mailpath_core::world::World;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let p = presets::ALL[pick as usize % presets::ALL.len()];
    let s = p.scenario();
    let world = World::build(&s);
    let origins = Origin::all(&world);
    let from = origins[(pick as usize / 7) % origins.len()];
    let to = world.servers[(pick as usize / 3) % world.servers.len()].host;
    let port = console::PORTS[(pick as usize / 5) % 3];
    let setup = Setup { from, to, port };
    let text = String::from_utf8_lossy(rest);
    let lines: Vec<String> = text.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect();
    let session = console::run(&s, &setup, &lines);
    let c = &session.conversation;
    assert_eq!(c.entries.len(), lines.len().min(console::MAX_LINES));
    for e in &c.entries {
        assert!(e.events.iter().all(|&i| i < session.trace.events.len()));
    }
    let _ = console::hint(&s, &setup, &session);
    let _ = console::transcript(&s, &setup, &session);
    let _ = console::swaks(&setup, &lines, "mx.example");
    let _ = console::openssl(&setup, &lines, "mx.example");
    if let Ok(parts) = console::link_parts(&setup, &lines) {
        let mut console_value = None;
        let mut typed = None;
        for part in parts.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').expect("key=value");
            match k {
                "console" => console_value = mailpath_core::permalink::unescape(v),
                "typed" => typed = Some(v.to_string()),
                _ => panic!("unexpected part {part}"),
            }
        }
        let (back, back_lines) = console::from_link(&console_value.expect("console="), typed.as_deref()).unwrap();
        assert_eq!(back, setup);
        assert_eq!(back_lines, lines);
    }
});
