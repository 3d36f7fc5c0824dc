//! The Postfix bounce reproduced on a real Postfix 3.7.11 (reference §10.1), rebuilt field for field.

use super::*;
use crate::actor::HostId;

fn original() -> MessageCopy {
    MessageCopy {
        at: HostId::Provider,
        from: Some("alice@isp-a.example".into()),
        to: vec!["bob@corp-b.example".into()],
        headers: vec![
            ("Received".into(), "from laptop.example (unknown [127.0.0.2])\n\tby smtp.isp-a.example (Postfix) with ESMTP id 5EE27CC902\n\tfor <bob@corp-b.example>; Sat, 28 Nov 2026 09:57:22 +0000 (UTC)".into(),
            ),
            ("From".into(), "Alice <alice@isp-a.example>".into()),
            ("To".into(), "bob@corp-b.example".into()),
            ("Subject".into(), "Lunch on Friday?".into()),
            ("Message-ID".into(), "<lunch-1@isp-a.example>".into()),
            ("Date".into(), "Sat, 28 Nov 2026 09:57:22 +0000 (UTC)".into()),
        ],
        body: "Are you free?\n".into(),
        is_report: false,
        attachment_bytes: 0,
        event: 0,
        added: 1,
    }
}

const EXPECTED: &str = "This is a MIME-encapsulated message.

--5EE27CC902.1795859842/smtp.isp-a.example
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host smtp.isp-a.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<bob@corp-b.example>: host 127.0.0.1[127.0.0.1] said: 554 5.7.1
    <bob@corp-b.example>: Relay access denied (in reply to RCPT TO command)

--5EE27CC902.1795859842/smtp.isp-a.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; smtp.isp-a.example
X-Postfix-Queue-ID: 5EE27CC902
X-Postfix-Sender: rfc822; alice@isp-a.example
Arrival-Date: Sat, 28 Nov 2026 09:57:22 +0000 (UTC)

Final-Recipient: rfc822; bob@corp-b.example
Original-Recipient: rfc822;bob@corp-b.example
Action: failed
Status: 5.7.1
Remote-MTA: dns; 127.0.0.1
Diagnostic-Code: smtp; 554 5.7.1 <bob@corp-b.example>: Relay access denied

--5EE27CC902.1795859842/smtp.isp-a.example
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

Return-Path: <alice@isp-a.example>
Received: from laptop.example (unknown [127.0.0.2])
\tby smtp.isp-a.example (Postfix) with ESMTP id 5EE27CC902
\tfor <bob@corp-b.example>; Sat, 28 Nov 2026 09:57:22 +0000 (UTC)
From: Alice <alice@isp-a.example>
To: bob@corp-b.example
Subject: Lunch on Friday?
Message-ID: <lunch-1@isp-a.example>
Date: Sat, 28 Nov 2026 09:57:22 +0000 (UTC)

Are you free?

--5EE27CC902.1795859842/smtp.isp-a.example--
";

#[test]
fn postfix_bounce_matches_the_real_one() {
    let when = DateTime::from_unix(1_795_859_842);
    let failure = Failure {
        why: None,
        rcpt: "bob@corp-b.example".into(),
        status: Status::new(5, 7, 1),
        diagnostic: Diagnostic::Smtp {
            host: "127.0.0.1".into(),
            ip: Ipv4Addr::LOCALHOST,
            reply: Reply::new(554, Some(Status::new(5, 7, 1)), "<bob@corp-b.example>: Relay access denied"),
            command: crate::command::Stage::RcptTo,
            then: None,
        },
    };
    let original = original();
    let report = Report {
        style: DsnStyle::Postfix,
        host: "smtp.isp-a.example",
        origin: "isp-a.example",
        queue_id: "5EE27CC902",
        report_id: "6E727CC91A",
        sender: "alice@isp-a.example",
        arrival: when,
        now: when,
        unix_now: 1_795_859_842,
        original: &original,
        failures: std::slice::from_ref(&failure),
        delayed: None,
        local_sender: false,
    };
    let (headers, body) = write(&report);
    assert_eq!(body, EXPECTED.replace("\\t", "\t"));
    let h = |n: &str| headers.iter().find(|(k, _)| *k == n).map(|(_, v)| &**v).unwrap();
    assert_eq!(h("From"), "Mail Delivery System <MAILER-DAEMON@isp-a.example>");
    assert_eq!(h("Subject"), "Undelivered Mail Returned to Sender");
    assert_eq!(
        h("Received"),
        "by smtp.isp-a.example (Postfix)\n\tid 6E727CC91A; Sat, 28 Nov 2026 09:57:22 +0000 (UTC)"
    );
    assert_eq!(h("Message-Id"), "<20261128095722.6E727CC91A@smtp.isp-a.example>");
    assert_eq!(
        h("Content-Type"),
        "multipart/report; report-type=delivery-status;\n\tboundary=\"5EE27CC902.1795859842/smtp.isp-a.example\""
    );
}

#[test]
fn connection_refused_has_no_remote_mta_and_folds() {
    let failure = Failure {
        why: None,
        rcpt: "bob@corp-b.example".into(),
        status: Status::new(4, 4, 1),
        diagnostic: Diagnostic::Local("connect to 127.0.0.1[127.0.0.1]:2526: Connection refused".into()),
    };
    let original = original();
    let when = DateTime::at(0);
    let report = Report {
        style: DsnStyle::Postfix,
        host: "smtp.isp-a.example",
        origin: "isp-a.example",
        queue_id: "A",
        report_id: "B",
        sender: "alice@isp-a.example",
        arrival: when,
        now: when,
        unix_now: 0,
        original: &original,
        failures: std::slice::from_ref(&failure),
        delayed: None,
        local_sender: false,
    };
    let (_, body) = write(&report);
    assert!(body.contains(
        "Status: 4.4.1\nDiagnostic-Code: X-Postfix; connect to 127.0.0.1[127.0.0.1]:2526: Connection\n    refused\n"
    ));
    assert!(!body.contains("Remote-MTA"));
    assert!(body.contains("<bob@corp-b.example>: connect to 127.0.0.1[127.0.0.1]:2526: Connection refused\n"));
}

#[test]
fn every_style_names_the_recipient_and_reason() {
    let failure = Failure {
        why: None,
        rcpt: "bob@corp-b.example".into(),
        status: Status::new(5, 1, 1),
        diagnostic: Diagnostic::Local("user unknown".into()),
    };
    let original = original();
    for style in [
        DsnStyle::Postfix,
        DsnStyle::Sendmail,
        DsnStyle::Exim,
        DsnStyle::Exchange,
        DsnStyle::Qmail,
        DsnStyle::Stalwart,
        DsnStyle::OpenSmtpd,
    ] {
        for delayed in [None, Some((4, 5))] {
            let report = Report {
                style,
                host: "mx.example",
                origin: "mx.example",
                queue_id: "Q",
                report_id: "R",
                sender: "alice@isp-a.example",
                arrival: DateTime::at(0),
                now: DateTime::at(60),
                unix_now: 60,
                original: &original,
                failures: std::slice::from_ref(&failure),
                delayed,
                local_sender: false,
            };
            let (headers, body) = write(&report);
            assert!(body.contains("bob@corp-b.example"), "{style:?}");
            assert!(body.contains("user unknown"), "{style:?}");
            // Sendmail writes the address in angle brackets.
            let to = |v: &str| v.trim_start_matches('<').trim_end_matches('>') == "alice@isp-a.example";
            assert!(headers.iter().any(|(k, v)| *k == "To" && to(v)), "{style:?}");
        }
    }
}
