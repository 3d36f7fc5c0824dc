//! Typed console sessions to compare: hand-written ones for each error reply the console knows, and seeded
//! random ones that mix correct and wrong commands, carry on after refusals, use RSET and several transactions,
//! log in with AUTH PLAIN and AUTH LOGIN (right and wrong), before and after STARTTLS, and pipeline.

use mailpath_core::actor::HostId;
use mailpath_core::console::{self, Expect, Origin, Setup};
use mailpath_core::presets;
use mailpath_core::rng::Rng;
use mailpath_core::scenario::Place;
use mailpath_core::world::{World, PASSWORD, WRONG_PASSWORD};
use mailpath_core::Scenario;

/// One typed session.
#[derive(Debug, Clone)]
pub struct TypedSituation {
    /// Its name in the table.
    pub name: String,
    /// The world.
    pub scenario: Scenario,
    /// Where the person types from and to.
    pub setup: Setup,
    /// What they type.
    pub lines: Vec<String>,
    /// Runs of commands are sent without waiting (RFC 2920).
    pub pipelined: bool,
}

fn lines(text: &str) -> Vec<String> {
    text.split('\n').map(str::to_string).collect()
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

/// Hand-written sessions: each error reply the console knows, once, against the provider of the default world
/// (a stranger on the hotel's Wi-Fi, and the sender at home in the provider's network).
pub fn hand_written() -> Vec<TypedSituation> {
    let s = presets::get("stranger-denied").map(|p| p.scenario()).unwrap_or_default();
    let hotel = Setup { from: Origin::Laptop(Place::Hotel), to: HostId::Provider, port: 25 };
    let home = Setup { from: Origin::Laptop(Place::Home), to: HostId::Provider, port: 25 };
    let plain = console::plain_token("alice", PASSWORD);
    let wrong = console::plain_token("alice", WRONG_PASSWORD);
    let [user, pass] = console::login_tokens("alice", PASSWORD);
    let cases: Vec<(&str, Setup, String)> = vec![
        ("unknown command, empty line, lower case", hotel, "FOO bar\n\nnoop\nQUIT".into()),
        ("HELO and EHLO without a name", hotel, "HELO\nEHLO\nHELO laptop.example\nEHLO   laptop.example\nQUIT".into()),
        (
            "commands out of order",
            hotel,
            "RCPT TO:<bob@corp-b.example>\nDATA\nEHLO laptop.example\nDATA\nMAIL FROM:<alice@isp-a.example>\nMAIL FROM:<alice@isp-a.example>\nDATA\nQUIT".into(),
        ),
        (
            "MAIL and RCPT syntax",
            home,
            "EHLO laptop.example\nMAIL alice@isp-a.example\nMAIL FROM:\nMAIL FROM:<alice@isp-a.example\nMAIL FROM:<alice@isp-a.example> FOO=BAR\nMAIL FROM:<alice@isp-a.example> SIZE=lots\nMAIL FROM: <alice@isp-a.example> BODY=8BITMIME\nRCPT bob@corp-b.example\nRCPT TO:\nRCPT TO:<>\nRCPT TO:<bob@corp-b.example> FOO=1\nrcpt to:bob@corp-b.example\nQUIT".into(),
        ),
        (
            "argument where none belongs",
            home,
            "EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>\nDATA now\nRSET all\nSTARTTLS please\nNOOP nothing\nRSET\nQUIT".into(),
        ),
        (
            "VRFY, EXPN, HELP, ETRN",
            hotel,
            "EHLO laptop.example\nVRFY\nVRFY alice@isp-a.example\nVRFY nobody@isp-a.example\nVRFY <bob@corp-b.example>\nEXPN staff\nHELP\nETRN\nETRN corp-b.example\nQUIT".into(),
        ),
        (
            "AUTH in every way",
            home,
            format!("AUTH PLAIN {plain}\nEHLO laptop.example\nAUTH\nAUTH FOO\nAUTH PLAIN !!!\nAUTH PLAIN {wrong}\nAUTH PLAIN\n*\nAUTH PLAIN\n{wrong}\nAUTH LOGIN\n{user}\n*\nAUTH LOGIN\n***\nAUTH LOGIN {user}\n{pass}\nAUTH PLAIN {plain}\nQUIT"),
        ),
        (
            "AUTH inside a transaction",
            home,
            format!("EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nAUTH PLAIN {plain}\nRSET\nAUTH PLAIN {plain}\nQUIT"),
        ),
        (
            "two transactions, the second after RSET, and a message with a dot line",
            home,
            "EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>\nRSET\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<carol@isp-a.example>\nRCPT TO:<nobody@isp-a.example>\nDATA\nSubject: one\n\n..a line that starts with a dot\n.\nMAIL FROM:<>\nRCPT TO:<alice@isp-a.example>\nDATA\nSubject: two\n\ntext\n.\nQUIT".into(),
        ),
        ("too many errors", hotel, "FOO\n".repeat(21) + "QUIT"),
        ("too many commands that do nothing", hotel, "NOOP\n".repeat(121) + "QUIT"),
        ("not SMTP: a web request", hotel, "GET / HTTP/1.0\nQUIT".into()),
        ("not SMTP: a header line", hotel, "EHLO laptop.example\nSubject: hello\nQUIT".into()),
        ("not SMTP: a stray star", hotel, "*\nQUIT".into()),
        ("not SMTP: a number", hotel, "EHLO laptop.example\n123\nQUIT".into()),
        (
            "strange addresses",
            home,
            format!(
                "EHLO laptop.example\nMAIL FROM:<{}@isp-a.example>\nRSET\nMAIL FROM:<a b@isp-a.example>\nMAIL FROM:<u@1.2.3.4>\nMAIL FROM:<u@bad..example>\nMAIL FROM:<u@>\nMAIL FROM:<a@b.example,c@d.example>\nMAIL FROM:<alice@isp-a.example> SIZE=99999999999999999999\nMAIL FROM:<alice@isp-a.example> SIZE=\nMAIL FROM:<alice@isp-a.example> BODY=foo\nMAIL FROM:<\"quoted name\"@isp-a.example>\nRCPT TO:<bob@[192.0.2.1]>\nRCPT TO:<bob@[999.1.1.1]>\nRCPT TO:<@relay.example:bob@corp-b.example>\nRCPT TO:<bob%corp-b.example@isp-a.example>\nQUIT",
                "l".repeat(70)
            ),
        ),
        (
            "one recipient too many",
            home,
            format!(
                "EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\n{}RSET\nQUIT",
                "RCPT TO:<carol@isp-a.example>\n".repeat(1001)
            ),
        ),
        (
            "STARTTLS on the submission port, twice",
            Setup { from: Origin::Laptop(Place::Hotel), to: HostId::Provider, port: 587 },
            format!("EHLO laptop.example\nMAIL FROM:<alice@isp-a.example>\nAUTH PLAIN {plain}\nSTARTTLS\nSTARTTLS\nMAIL FROM:<alice@isp-a.example>\nEHLO laptop.example\nAUTH LOGIN\n{user}\n{pass}\nMAIL FROM:<alice@isp-a.example>\nRCPT TO:<bob@corp-b.example>\nQUIT"),
        ),
        (
            "a long line",
            hotel,
            format!("EHLO laptop.example\nMAIL FROM:<{}@isp-a.example>\nNOOP {}\nQUIT", "a".repeat(2100), "x".repeat(3000)),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, setup, text)| TypedSituation {
            name: format!("typed: {name}"),
            scenario: s.clone(),
            setup,
            lines: lines(&text),
            pipelined: false,
        })
        .collect()
}

/// `n` seeded random sessions in the worlds of the generated situations.
pub fn generated(seed: u64, n: usize) -> Vec<TypedSituation> {
    let mut rng = Rng::new(seed ^ 0x7E57_0001);
    let bases = crate::situations::generated_own_world(seed ^ 0x7E57, n.max(1));
    let mut out = Vec::new();
    for (i, (_, s)) in bases.into_iter().enumerate().take(n) {
        let setup = Setup::start(&s);
        let pipelined = rng.below(3) == 0;
        let lines = script(&mut rng, &s, &setup);
        out.push(TypedSituation {
            name: format!("typed generated #{:03} (seed {seed})", i + 1),
            scenario: s,
            setup,
            lines,
            pipelined,
        });
    }
    out
}

/// Where a session stands, from replaying it.
fn state(s: &Scenario, setup: &Setup, lines: &[String]) -> console::Conversation {
    console::run(s, setup, lines).conversation
}

/// A random session: greeting, maybe TLS, maybe a login, one to three transactions with mistakes mixed in.
fn script(rng: &mut Rng, s: &Scenario, setup: &Setup) -> Vec<String> {
    let w = World::build(&console::prepared(s, setup));
    let helo = w.helo.to_string();
    let home = w.home_domain.to_string();
    let from = s.message.from.trim().to_string();
    let mut rcpts: Vec<String> = s.message.to.iter().map(|r| r.trim().to_string()).collect();
    rcpts.extend([format!("nobody@{home}"), format!("alice@{home}"), "victim@other.example".into()]);
    let mut out: Vec<String> = Vec::new();
    let push = |out: &mut Vec<String>, l: String| out.push(l);
    if rng.below(8) == 0 {
        // Twenty-one mistakes: the server hangs up.
        for _ in 0..21 {
            push(&mut out, pick(rng, &["FOO", "", "RCPT TO:<x@y.example>", "MAIL FROM"]).to_string());
        }
        push(&mut out, "QUIT".into());
        return out;
    }
    if rng.below(5) == 0 {
        let early = pick(rng, &["NOOP", "FOO", "", "RCPT TO:<bob@corp-b.example>", "DATA", "RSET", "HELP"]);
        push(&mut out, early.to_string());
    }
    if rng.below(6) == 0 {
        push(&mut out, format!("MAIL FROM:<{from}>"));
    }
    let greet = match rng.below(6) {
        0 => format!("HELO {helo}"),
        1 => format!("ehlo {helo}"),
        2 => format!("EHLO  {helo}"),
        3 => {
            push(&mut out, "EHLO".into());
            format!("EHLO {helo}")
        }
        _ => format!("EHLO {helo}"),
    };
    push(&mut out, greet);
    if setup.port != 465 && rng.below(3) > 0 {
        push(&mut out, "STARTTLS".into());
        if rng.below(5) > 0 {
            push(&mut out, format!("EHLO {helo}"));
        }
    }
    let user = console::account(s).0;
    let [u, p] = console::login_tokens(&user, PASSWORD);
    let [_, wp] = console::login_tokens(&user, WRONG_PASSWORD);
    match rng.below(10) {
        0 => push(&mut out, format!("AUTH PLAIN {}", console::plain_token(&user, PASSWORD))),
        1 => push(&mut out, format!("AUTH PLAIN {}", console::plain_token(&user, WRONG_PASSWORD))),
        2 => {
            push(&mut out, "AUTH PLAIN".into());
            push(&mut out, if rng.below(4) == 0 { "*".into() } else { console::plain_token(&user, PASSWORD) });
        }
        3 => {
            push(&mut out, "AUTH LOGIN".into());
            push(&mut out, u.clone());
            push(&mut out, if rng.below(2) == 0 { p.clone() } else { wp.clone() });
        }
        4 => {
            push(&mut out, format!("auth login {u}"));
            push(&mut out, p.clone());
        }
        5 => push(&mut out, pick(rng, &["AUTH", "AUTH CRAM-MD5", "AUTH PLAIN ###"]).to_string()),
        _ => {}
    }
    let transactions = 1 + rng.below(3);
    for _ in 0..transactions {
        let mail = match rng.below(10) {
            0 => format!("mail from:<{from}>"),
            1 => format!("MAIL FROM: <{from}>"),
            2 => format!("MAIL FROM:{from}"),
            3 => "MAIL FROM:<>".into(),
            4 => format!("MAIL FROM:<{from}> SIZE={}", 500 + rng.below(5000)),
            5 => format!("MAIL FROM:<{from}> {}", pick(rng, &["BODY=8BITMIME", "FOO=BAR", "SIZE=x"])),
            6 => format!("MAIL {from}"),
            _ => format!("MAIL FROM:<{from}>"),
        };
        push(&mut out, mail);
        if rng.below(6) == 0 {
            push(&mut out, format!("MAIL FROM:<{from}>"));
        }
        for _ in 0..1 + rng.below(3) {
            let r = rcpts[rng.below(rcpts.len() as u64) as usize].clone();
            let line = match rng.below(10) {
                0 => format!("rcpt to:<{r}>"),
                1 => format!("RCPT TO: <{r}>"),
                2 => format!("RCPT TO:{r}"),
                3 => format!("RCPT TO:<{r}> NOTIFY=NEVER"),
                4 => format!("RCPT {r}"),
                _ => format!("RCPT TO:<{r}>"),
            };
            push(&mut out, line);
            if rng.below(6) == 0 {
                let extra = match rng.below(6) {
                    0 => "NOOP".to_string(),
                    1 => format!("VRFY {r}"),
                    2 => "HELP".into(),
                    3 => "FOO".into(),
                    4 => String::new(),
                    _ => format!("EXPN {r}"),
                };
                push(&mut out, extra);
            }
        }
        match rng.below(5) {
            0 => push(&mut out, "RSET".into()),
            1 => {}
            _ => {
                push(&mut out, "DATA".into());
                if state(s, setup, &out).expects == Expect::MessageLine {
                    push(&mut out, format!("From: <{from}>"));
                    push(&mut out, "Subject: typed in the console".into());
                    push(&mut out, String::new());
                    push(&mut out, "Hello.".into());
                    if rng.below(3) == 0 {
                        push(&mut out, "..this line starts with a dot".into());
                    }
                    push(&mut out, ".".into());
                }
            }
        }
    }
    if rng.below(8) > 0 {
        push(&mut out, "QUIT".into());
    }
    out
}
