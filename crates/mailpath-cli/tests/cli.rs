//! The `mailpath` command, run as a person would.

use std::process::Command;

fn mailpath(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mailpath")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mailpath-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn lists_presets() {
    let (code, out, _) = mailpath(&["presets"]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.starts_with("outlook-express ")));
    assert!(out.lines().count() >= 40);
}

#[test]
fn runs_a_preset_as_text_markdown_and_json() {
    let (code, out, _) = mailpath(&["run", "outlook-express"]);
    assert_eq!(code, 0);
    assert!(out.contains("S: 550 5.7.1 <bob@corp-b.example>... Relaying denied. Proper authentication required."));
    assert!(out.contains("Outcome: Refused"));
    let (code, md, _) = mailpath(&["run", "outlook-express", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(md.starts_with("# Outlook Express"));
    assert!(md.contains("```\nS: 220 smtp.isp-a.example ESMTP Sendmail"));
    let (code, json, _) = mailpath(&["run", "recipient-misconfigured", "-f", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["trace"]["outcome"]["ending"], "bounced");
    assert_eq!(v["trace"]["outcome"]["reply"]["status"], "5.7.1");
    assert!(v["fixes"].as_array().unwrap().iter().any(|f| f["edits"]["recipient.handles_domain"] == "on"));
}

#[test]
fn runs_a_scenario_file_and_round_trips_show() {
    let (_, file, _) = mailpath(&["show", "hotel-not-in-network"]);
    let path = temp("hotel.json", &file);
    let (code, out, err) = mailpath(&["run", &path]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("554 5.7.1 <bob@corp-b.example>: Relay access denied"));
}

#[test]
fn help_is_generated_from_the_definitions_and_format_takes_an_equals_sign() {
    let (code, out, _) = mailpath(&["--help"]);
    assert_eq!(code, 0);
    for command in ["presets", "run", "show", "schema", "settings"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(command)), "{command} in:\n{out}");
    }
    let (code, out, _) = mailpath(&["run", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("text") && out.contains("markdown") && out.contains("json"), "{out}");
    let (code, json, err) = mailpath(&["run", "happy-path", "--format=json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["trace"]["outcome"]["ending"], "delivered");
    let (code, md, _) = mailpath(&["run", "happy-path", "-f", "md"]);
    assert_eq!((code, md.starts_with("# ")), (0, true));
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_2() {
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["run".into()], "required arguments were not provided"),
        (vec!["run".into(), "no-such-preset".into()], "no preset \"no-such-preset\""),
        (
            vec!["run".into(), "happy-path".into(), "--format".into(), "xml".into()],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (vec!["frobnicate".into()], "unrecognized subcommand 'frobnicate'"),
        (vec!["run".into(), "/nonexistent/x.json".into()], "/nonexistent/x.json:"),
        (
            vec!["run".into(), temp("bad.json", "{\"client\": {\"port\": 2525}}")],
            "`client.port`: \"2525\" is not one of 25, 587, 465",
        ),
        (vec!["run".into(), temp("syntax.json", "{\"client\": ")], "line 1, column 12"),
        (vec!["run".into(), temp("binary.json", "\u{0}\u{1}garbage")], "problem"),
    ];
    for (args, expect) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = mailpath(&args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

fn mailpath_with_input(args: &[&str], input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailpath"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().expect("finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn console_is_scriptable_from_standard_input() {
    let session =
        "EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>\n/explain\nQUIT\nNOOP\n";
    let (code, out, err) = mailpath_with_input(&["console", "--from", "hotel", "--to", "provider:25"], session);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].starts_with("S: 220 smtp.isp-a.example ESMTP Postfix"), "{out}");
    let refused = lines.iter().position(|l| l.contains("Relay access denied")).expect("the refusal");
    assert!(lines[refused - 1] == "C: RCPT TO:<bob@corp-b.example>", "{out}");
    assert!(out.contains("_unauth_destination: "), "the decision explained on request: {out}");
    assert!(out.contains("S: 221 2.0.0 Bye"), "{out}");
    assert!(out.contains("# not sent: the connection is closed"), "{out}");
    assert!(out.contains("the server took no message"), "{out}");
}

#[test]
fn console_says_what_is_wrong_with_its_arguments() {
    let (code, _, err) = mailpath_with_input(&["console", "--from", "moon"], "");
    assert_eq!(code, 2);
    assert!(err.contains("use home, hotel or office"), "{err}");
    let (code, _, err) = mailpath_with_input(&["console", "--to", "provider:2525"], "");
    assert_eq!(code, 2);
    assert!(err.contains("25, 587, 465"), "{err}");
}

#[test]
fn challenges_list_show_and_check_with_exit_codes() {
    let (code, out, _) = mailpath(&["challenges"]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.starts_with("server-close-open-relay") && l.contains("Run the server")), "{out}");
    assert!(out.lines().count() > 12);
    let (code, out, _) = mailpath(&["challenge", "server-close-open-relay"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Mallory relays through the provider's server: refused")
            && out.contains("provider.trust (now everyone)"),
        "{out}"
    );
    let (code, start, _) = mailpath(&["challenge", "server-close-open-relay", "--start"]);
    assert_eq!(code, 0);
    let path = temp("start.json", &start);
    let (code, out, _) = mailpath(&["challenge", "server-close-open-relay", "--check", &path]);
    assert_eq!(code, 1, "the start fails: {out}");
    assert!(out.contains("failed: Mallory relays"), "{out}");
    let path = temp("fixed.json", &start.replace("\"everyone\"", "\"network\""));
    let (code, out, _) = mailpath(&["challenge", "server-close-open-relay", "--check", &path]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("passed with 1 change(s) (par 1): provider.trust"), "{out}");
    // Touching a setting the challenge does not allow fails, and says which.
    let path = temp(
        "locked.json",
        &start.replace("\"everyone\"", "\"network\"").replace("\"sender\": \"mallory\"", "\"sender\": \"alice\""),
    );
    let (code, out, _) = mailpath(&["challenge", "server-close-open-relay", "--check", &path]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not let you change sender"), "{out}");
}

#[test]
fn read_the_bounce_challenges_take_a_diagnosis() {
    let (code, out, _) = mailpath(&["challenge", "bounce-smarthost"]);
    assert_eq!(code, 0);
    assert!(out.contains("--- the evidence ---") && out.contains("Relay access denied"), "{out}");
    let right = temp("right.json", r#"{"server": "smarthost.relay-c.example", "reason": "relay-denied"}"#);
    let (code, out, _) = mailpath(&["challenge", "bounce-smarthost", "--check", &right]);
    assert_eq!(code, 0, "{out}");
    let wrong = temp("wrong.json", r#"{"server": "provider", "reason": "relay-denied"}"#);
    let (code, out, _) = mailpath(&["challenge", "bounce-smarthost", "--check", &wrong]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ server") && out.contains("✓ reason"), "{out}");
    let bad = temp("bad.json", r#"{"server": "x", "reason": "cosmic-rays"}"#);
    let (code, _, err) = mailpath(&["challenge", "bounce-smarthost", "--check", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("\"cosmic-rays\" is not a reason"), "{err}");
    let typo = temp("typo.json", r#"{"server": "mx9.example", "reason": "relay-denied"}"#);
    let (code, _, err) = mailpath(&["challenge", "bounce-smarthost", "--check", &typo]);
    assert_eq!(code, 2);
    assert!(err.contains("is not one of this story's servers") && err.contains("smtp.isp-a.example"), "{err}");
    let (code, _, err) = mailpath(&["challenge", "bounce-your-own", "--check", &right]);
    assert_eq!(code, 2);
    assert!(err.contains("--bounce"), "{err}");
    let (code, _, err) = mailpath(&["challenge", "no-such-thing"]);
    assert_eq!(code, 2);
    assert!(err.contains("mailpath challenges"), "{err}");
}
