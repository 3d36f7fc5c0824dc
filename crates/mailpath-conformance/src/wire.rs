//! The client side on the wire: connect from a chosen loopback address, speak SMTP line by line, switch to TLS
//! (STARTTLS or implicit), and read each reply.

use crate::plan::{short, Plan, Step};
use crate::Line;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};
use socket2::{Domain, SockAddr, Socket, Type};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// The test server's certificate is self-signed: accept it, but still check the handshake signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
    Closed,
}

impl Conn {
    fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        let data = format!("{line}\r\n");
        match self {
            Conn::Plain(s) => s.write_all(data.as_bytes()),
            Conn::Tls(s) => {
                s.write_all(data.as_bytes())?;
                s.flush()
            }
            Conn::Closed => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    fn read_byte(&mut self) -> std::io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        let n = match self {
            Conn::Plain(s) => s.read(&mut b)?,
            Conn::Tls(s) => s.read(&mut b)?,
            Conn::Closed => 0,
        };
        Ok((n == 1).then_some(b[0]))
    }

    /// One reply: lines until `ddd ` (not `ddd-`), joined with `\n`.
    fn read_reply(&mut self) -> Result<String, String> {
        let mut lines = Vec::new();
        loop {
            let mut line = Vec::new();
            loop {
                match self.read_byte().map_err(|e| format!("reading a reply: {e}"))? {
                    None if line.is_empty() && lines.is_empty() => return Ok("(connection closed)".into()),
                    None => return Err("the connection closed in the middle of a reply".into()),
                    Some(b'\n') => break,
                    Some(b'\r') => {}
                    Some(b) => line.push(b),
                }
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            let last = text.as_bytes().get(3) != Some(&b'-');
            lines.push(text);
            if last {
                return Ok(lines.join("\n"));
            }
        }
    }

    fn start_tls(self) -> Result<Conn, String> {
        let Conn::Plain(tcp) = self else { return Err("TLS requested twice".into()) };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth();
        let name = ServerName::try_from("mailpath-conformance").map_err(|e| e.to_string())?;
        let conn = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
        let mut stream = StreamOwned::new(conn, tcp);
        // Drive the handshake now, so failures show here rather than at the next command.
        while stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock).map_err(|e| format!("TLS handshake: {e}"))?;
        }
        Ok(Conn::Tls(Box::new(stream)))
    }
}

fn connect(source: Ipv4Addr, target: Ipv4Addr, port: u16) -> std::io::Result<TcpStream> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&SockAddr::from(SocketAddrV4::new(source, 0)))?;
    socket.connect_timeout(&SockAddr::from(SocketAddrV4::new(target, port)), Duration::from_secs(5))?;
    let tcp: TcpStream = socket.into();
    // Each command goes out at once (a message's lines are written one by one).
    tcp.set_nodelay(true)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(tcp)
}

/// Normalises what differs between runs and hosts only: queue ids (Postfix's `queued as …`, Exim's `id=…`,
/// OpenSMTPD's `250 2.0.0 <id> Message accepted for delivery`) and
/// the date in a banner written the way RFC 5322 writes it with a two-digit day (`Wed, 02 Dec 2026 08:13:32
/// +0000`, Exim's), which is replaced by `<date>` only when it has exactly that shape.
pub fn normalise(reply: &str) -> String {
    let mut out = String::with_capacity(reply.len());
    for (i, line) in reply.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = dates(line);
        if let Some(at) = line.find("queued as ") {
            out.push_str(&line[..at]);
            out.push_str("queued as <id>");
        } else if let Some(at) = line.find(" OK id=").filter(|at| line[..*at].len() == 3) {
            out.push_str(&line[..at]);
            out.push_str(" OK id=<id>");
        } else if line
            .strip_prefix("250 2.0.0 ")
            .and_then(|rest| rest.strip_suffix(" Message accepted for delivery"))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            out.push_str("250 2.0.0 <id> Message accepted for delivery");
        } else {
            out.push_str(&line);
        }
    }
    out
}

/// `line` with each date of the shape `Ddd, DD Mmm YYYY HH:MM:SS +ZZZZ` (or `GMT`, as Sendmail writes it; the
/// day with one or two digits) replaced by `<date>`.
pub(crate) fn dates(line: &str) -> String {
    // a: letter, d: digit, s: sign, other bytes stand for themselves.
    const SHAPES: [&[u8]; 4] = [
        b"aaa, dd aaa dddd dd:dd:dd sdddd",
        b"aaa, d aaa dddd dd:dd:dd sdddd",
        b"aaa, dd aaa dddd dd:dd:dd GMT",
        b"aaa, d aaa dddd dd:dd:dd GMT",
    ];
    let b = line.as_bytes();
    let fits = |at: usize, shape: &[u8]| {
        b.len() >= at + shape.len()
            && shape.iter().zip(&b[at..]).all(|(want, got)| match want {
                b'a' => got.is_ascii_alphabetic(),
                b'd' => got.is_ascii_digit(),
                b's' => *got == b'+' || *got == b'-',
                other => got == other,
            })
    };
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < b.len() {
        if let Some(shape) = SHAPES.iter().find(|s| fits(i, s)) {
            out.push_str("<date>");
            i += shape.len();
        } else {
            let c = line[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Replays a plan's SMTP session against the instance and pairs each simulated reply with the real one.
pub fn replay(p: &Plan) -> Result<Vec<Line>, String> {
    session(p)
}

/// Every message in an mbox file, as its header fields (folded lines joined).
fn mbox_messages(path: &std::path::Path) -> Vec<Vec<(String, String)>> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    text.split("\nFrom ")
        .filter(|m| !m.trim().is_empty())
        .map(|m| {
            let head = m.split("\n\n").next().unwrap_or("");
            let mut fields: Vec<(String, String)> = Vec::new();
            for line in head.lines().skip(1) {
                if line.starts_with([' ', '\t']) {
                    if let Some((_, v)) = fields.last_mut() {
                        v.push(' ');
                        v.push_str(line.trim());
                    }
                } else if let Some((n, v)) = line.split_once(':') {
                    fields.push((n.to_string(), v.trim().to_string()));
                }
            }
            fields.into_iter().filter(|(n, _)| crate::plan::READ_FIELDS.contains(&n.as_str())).collect()
        })
        .collect()
}

/// Pairs each header field of each message the plans delivered with the simulator's, once the delivery agents
/// have written them (waiting up to ten seconds in all). A message is found by its `Message-ID` and its
/// `X-Original-To` (several recipients share mailboxes; delivery agents run side by side).
pub fn compare_deliveries(plans: &[&Plan], mail: &std::path::Path) -> Vec<Vec<Line>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let field = |m: &[(String, String)], name: &str| m.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let find = |p: &Plan, d: &crate::plan::Delivery| -> Option<Vec<(String, String)>> {
        let want = field(&d.headers, "X-Original-To");
        mbox_messages(&mail.join(&d.mailbox)).into_iter().find(|m| {
            field(m, "Message-ID").as_deref() == Some(d.message_id.as_str())
                && field(m, "X-Original-To").map(|v| p.map.inbound(&v)) == want
        })
    };
    loop {
        let all = plans.iter().all(|p| p.deliveries.iter().all(|d| find(p, d).is_some()));
        if all || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    plans
        .iter()
        .map(|p| {
            let mut lines = Vec::new();
            for d in &p.deliveries {
                let sent = format!("(delivered to {})", d.rcpt);
                let Some(real) = find(p, d) else {
                    lines.push(Line {
                        sent,
                        simulated: format!("a message in {}", d.mailbox),
                        real: "(not delivered there within 10 s)".into(),
                    });
                    continue;
                };
                let real: Vec<(String, String)> =
                    real.into_iter().filter(|(n, _)| crate::plan::TRACE_FIELDS.contains(&n.as_str())).collect();
                let show = |f: Option<&(String, String)>, mapped: bool| {
                    f.map_or("(none)".to_string(), |(name, v)| {
                        let v = if mapped { p.map.inbound(v) } else { v.clone() };
                        format!("{name}: {}", normalise_field(name, &v))
                    })
                };
                for i in 0..d.headers.len().max(real.len()) {
                    lines.push(Line {
                        sent: sent.clone(),
                        simulated: show(d.headers.get(i), false),
                        real: show(real.get(i), true),
                    });
                }
            }
            lines
        })
        .collect()
}

/// A trace field with what differs between runs and hosts replaced: queue ids and dates.
pub fn normalise_field(name: &str, value: &str) -> String {
    if name != "Received" {
        return value.to_string();
    }
    let mut v = value.to_string();
    if let Some(at) = v.rfind("; ") {
        v.truncate(at);
        v.push_str("; <date>");
    }
    if let Some(at) = v.find(" id ") {
        let end = v[at + 4..].find([' ', ';']).map_or(v.len(), |e| at + 4 + e);
        v.replace_range(at + 4..end, "<id>");
    }
    v
}

/// The SMTP session of a plan, reply by reply.
fn session(p: &Plan) -> Result<Vec<Line>, String> {
    let port = p.local_port();
    let mut lines = Vec::new();
    let mut conn = match connect(p.source, p.map.server(), port) {
        Ok(tcp) => Conn::Plain(tcp),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            let real = "(connection refused)".to_string();
            let simulated = if p.steps.first() == Some(&Step::Refused) { real.clone() } else { "(a greeting)".into() };
            lines.push(Line { sent: "connect".into(), simulated, real });
            return Ok(lines);
        }
        Err(e) => return Err(format!("connect from {} to port {port}: {e}", p.source)),
    };
    // The command each reply answers: pipelined commands are all sent before their replies are read.
    let mut unanswered: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let mut sent = String::from("connect");
    for step in &p.steps {
        match step {
            Step::Refused => {
                lines.push(Line {
                    sent: "connect".into(),
                    simulated: "(connection refused)".into(),
                    real: "(connected)".into(),
                });
                return Ok(lines);
            }
            Step::Silent => {
                // A server that waits for TLS sends nothing; two seconds of silence is the answer.
                let real = match &mut conn {
                    Conn::Plain(tcp) => {
                        tcp.set_read_timeout(Some(Duration::from_secs(2))).map_err(|e| e.to_string())?;
                        let mut b = [0u8; 1];
                        match tcp.read(&mut b) {
                            Err(e)
                                if matches!(
                                    e.kind(),
                                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                                ) =>
                            {
                                "(no greeting)".to_string()
                            }
                            Ok(0) => "(connection closed)".to_string(),
                            Ok(_) => "(a greeting)".to_string(),
                            Err(e) => format!("({e})"),
                        }
                    }
                    _ => "(not a plain connection)".into(),
                };
                lines.push(Line { sent: "connect".into(), simulated: "(no greeting)".into(), real });
                return Ok(lines);
            }
            Step::Tls => match std::mem::replace(&mut conn, Conn::Closed).start_tls() {
                Ok(c) => conn = c,
                Err(e) => {
                    lines.push(Line { sent: "(TLS)".into(), simulated: "(TLS handshake)".into(), real: e });
                    return Ok(lines);
                }
            },
            Step::Send(text) => {
                unanswered.push_back(short(text));
                for l in text.split("\r\n") {
                    if let Err(e) = conn.write_line(l) {
                        lines.push(Line {
                            sent: short(text),
                            simulated: "(the client sends)".into(),
                            real: format!("(cannot send: {e})"),
                        });
                        return Ok(lines);
                    }
                }
            }
            Step::Expect(expected) => {
                if let Some(next) = unanswered.pop_front() {
                    sent = next;
                }
                let real = match conn.read_reply() {
                    Ok(r) => p.map.inbound(&r),
                    Err(e) => format!("({e})"),
                };
                lines.push(Line { sent: sent.clone(), simulated: normalise(expected), real: normalise(&real) });
            }
        }
    }
    Ok(lines)
}
