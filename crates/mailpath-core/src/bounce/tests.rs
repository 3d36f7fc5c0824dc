use super::*;

const OE: &str = "The message could not be sent because one of the recipients was rejected by the server. The rejected e-mail address was 'bob@corp-b.example'. Subject 'Lunch', Account: 'isp-a', Server: 'smtp.isp-a.example', Protocol: SMTP, Server Response: '550 5.7.1 <bob@corp-b.example>... Relaying denied', Port: 25, Secure(SSL): No, Server Error: 550, Error Number: 0x800CCC79";

#[test]
fn the_articles_outlook_express_dialog() {
    let r = read(OE).unwrap();
    assert_eq!(r.kind, Kind::Dialog);
    assert_eq!(r.software, Some(Software::OutlookExpress));
    assert_eq!(r.refusing_software, Some(Flavour::Sendmail));
    assert_eq!(r.class, Some(Why::RelayDenied));
    assert_eq!(r.relay, Some(RelayCase::NeedsLogin));
    assert_eq!(r.certainty, Certainty::Sure);
    assert_eq!(r.command.as_ref().unwrap().value, "RCPT TO");
    assert_eq!(r.remote.as_ref().unwrap().value, "smtp.isp-a.example");
    assert_eq!(r.recipient.as_ref().unwrap().value, "bob@corp-b.example");
    let d = r.diagnostic.as_ref().unwrap();
    assert_eq!(&OE[d.at.unwrap().start..d.at.unwrap().end], "550 5.7.1 <bob@corp-b.example>... Relaying denied");
    let o = opening(&r).unwrap();
    assert_eq!(o.preset, "outlook-express");
    let (s, refused) = o.scenario();
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(s.provider.flavour, Flavour::Sendmail);
}

#[test]
fn hostile_pastes_get_a_clear_answer() {
    assert_eq!(read(""), Err(Unreadable::Empty));
    assert_eq!(read(&"x".repeat(MAX_BYTES + 1)), Err(Unreadable::TooBig(MAX_BYTES + 1)));
    assert_eq!(read("\0\0\0\u{1}\u{2}binary"), Err(Unreadable::Binary));
    assert_eq!(read("hello, how are you?"), Err(Unreadable::NothingFound));
    // Deep nesting, endless folding, a long line without a reply: each read in a bounded time.
    let deep = format!(
        "Content-Type: multipart/mixed; boundary=a\n\n{}",
        "--a\nContent-Type: multipart/mixed; boundary=a\n\n".repeat(5000)
    );
    let folded = format!("Subject: x\n{}", " y\n".repeat(100_000));
    let spaces = format!("550 {}", "a ".repeat(400_000));
    let digits = "555 ".repeat(200_000);
    let near_misses = "<a@b.example>: host relay relay access 550-5.7 said: rejected ".repeat(MAX_BYTES / 64);
    for paste in [&deep, &folded, &spaces, &digits, &near_misses] {
        let t0 = std::time::Instant::now();
        let _ = read(paste);
        // Linear time: about 0.2 s for 1 MB optimised (a debug build on a busy machine is up to 20 times slower).
        let bound = std::time::Duration::from_millis(if cfg!(debug_assertions) { 8000 } else { 1000 });
        assert!(t0.elapsed() < bound, "{} bytes took {:?}", paste.len(), t0.elapsed());
    }
    for msg in [Unreadable::Empty, Unreadable::TooBig(2 << 20), Unreadable::Binary, Unreadable::NothingFound] {
        assert!(msg.to_string().len() > 20);
    }
}

#[test]
fn a_bare_reply_line() {
    let r = read("554 5.7.1 <bob@corp-b.example>: Relay access denied").unwrap();
    assert_eq!((r.kind, r.class, r.refusing_software), (Kind::Reply, Some(Why::RelayDenied), Some(Flavour::Postfix)));
    assert_eq!(opening(&r).unwrap().preset, "stranger-denied");
}
