//! A private Exim on loopback: Debian's `exim4-daemon-light` binary unpacked (not installed: it would replace
//! the system's mail server) under `target/real-servers/exim`, run as a daemon with its own configuration, spool
//! and log folders under the temporary directory, and a self-signed certificate. `cargo xtask test` unpacks it;
//! the binary was built for the system user `Debian-exim`, which xtask creates.
//!
//! The configuration is derived from the simulator's model of the server ([`derive`]): the domains, the trusted
//! networks, the accounts, and the same restriction lists the simulator evaluates, written as Exim ACL
//! statements. Messages are kept in the queue (`queue_only`), never delivered.

use crate::config::AddressMap;
use mailpath_core::policy::lists;
use mailpath_core::postconf::{Lists, Restriction};
use mailpath_core::world::{ServerConfig, World, PASSWORD};
use mailpath_core::Scenario;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Ports the Exim instance listens on for the scenario's 25, 587 and 465 (apart from Postfix's, so that a
/// Postfix that is slow to stop cannot answer in Exim's place).
pub fn local_port(port: u16) -> u16 {
    match port {
        25 => 11025,
        587 => 11587,
        _ => 11465,
    }
}

/// Where `cargo xtask` unpacks the Debian package (the workspace's `target/real-servers/exim`), or
/// `MAILPATH_EXIM_ROOT`.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("MAILPATH_EXIM_ROOT") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/real-servers/exim")
}

fn binary() -> PathBuf {
    root().join("usr/sbin/exim4")
}

/// Whether the unpacked Exim is there.
pub fn available() -> bool {
    binary().exists()
}

/// Exim's version line (`Exim version 4.96 #2 built …`).
pub fn version() -> Result<String, String> {
    let out = Command::new(binary())
        .args(["-C", "/dev/null", "-bV"])
        .output()
        .map_err(|e| format!("{}: {e}", binary().display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find(|l| l.starts_with("Exim version")).map(str::to_string).ok_or_else(|| {
        format!("{} -bV printed no version: {}", binary().display(), String::from_utf8_lossy(&out.stderr))
    })
}

/// A string in an Exim list or `message =` line, as literal text: `$` and `\` are expanded by Exim.
fn literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('$', "\\$")
}

/// A template of the simulator's words written as an Exim expansion: `{helo}`, `{ip}`, `{rcpt}`, `{host}`.
fn expansion(tpl: &str) -> String {
    literal(tpl)
        .replace("{helo}", "$sender_helo_name")
        .replace("{ip}", "$sender_host_address")
        .replace("{rcpt}", "$local_part@$domain")
        .replace("{host}", "$primary_hostname")
}

/// An Exim list with `sep` as its separator (`<; a ; b`), or an empty list.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    format!("<; {}", items.iter().map(|i| i.replace(';', ";;")).collect::<Vec<_>>().join(" ; "))
}

/// Why this server cannot be written as an Exim configuration here, if it cannot (the features that need
/// services apart are refused earlier, by [`crate::config::unsupported`]).
pub fn unsupported(server: &ServerConfig) -> Option<String> {
    if !server.settings.main_cf.trim().is_empty() {
        return Some("has main.cf lines, which are Postfix's".into());
    }
    let all = [lists(server, false), lists(server, true)];
    let supported = |r: &Restriction| {
        use Restriction as R;
        matches!(
            r,
            R::PermitMynetworks
                | R::PermitSaslAuthenticated
                | R::PermitPopBeforeSmtp
                | R::PermitAuthDestination
                | R::PermitExempt
                | R::Permit
                | R::RejectUnauthDestination
                | R::DeferUnauthDestination
                | R::Reject
                | R::RejectUnlistedRecipient
        )
    };
    all.iter()
        .flat_map(|l| l.relay.iter().chain(&l.recipient))
        .find(|r| !supported(r))
        .map(|r| format!("its lists use {}, which this Exim set-up does not write", r.postfix_name()))
}

/// The ACL statements for one pair of lists: each refusing restriction becomes a `deny` (or `defer`) whose
/// conditions are its own test and the negation of every permit before it in the same list, so that the
/// statements refuse exactly where the lists do (a permit ends its own list only, as in Postfix).
fn acl(l: &Lists, server: &ServerConfig, check_users: bool) -> String {
    let spec = mailpath_core::flavours::spec(server.settings.flavour);
    let handled = "domains = +local_domains : +relay_to_domains";
    let relay_tpl = if server.settings.pop_before_smtp && spec.relay_denied_pop.is_some() {
        spec.relay_denied_pop.unwrap_or(spec.relay_denied)
    } else if server.settings.sasl && spec.relay_denied_auth.is_some() {
        spec.relay_denied_auth.unwrap_or(spec.relay_denied)
    } else {
        spec.relay_denied
    };
    let mut out = String::new();
    for restrictions in [&l.relay, &l.recipient] {
        let mut negated: Vec<String> = Vec::new();
        for r in restrictions {
            use Restriction as R;
            let mut stop = |verb: &str, message: Option<String>, test: Option<&str>| {
                out.push_str(&format!("  {verb}"));
                if let Some(m) = message {
                    out.push_str(&format!("\n    message = {m}"));
                }
                for n in &negated {
                    out.push_str(&format!("\n    {n}"));
                }
                if let Some(t) = test {
                    out.push_str(&format!("\n    {t}"));
                }
                out.push('\n');
            };
            match r {
                R::PermitMynetworks => negated.push("!hosts = +relay_from_hosts".into()),
                R::PermitSaslAuthenticated => negated.push("!authenticated = *".into()),
                R::PermitPopBeforeSmtp => negated.push("!hosts = +pop_before_smtp".into()),
                R::PermitAuthDestination => negated.push(format!("!{handled}")),
                R::Permit => break,
                R::PermitExempt => {}
                R::RejectUnauthDestination => {
                    stop("deny", Some(expansion(relay_tpl.text)), Some(&format!("!{handled}")));
                }
                R::DeferUnauthDestination => {
                    stop("defer", Some(expansion(relay_tpl.text)), Some(&format!("!{handled}")));
                }
                R::Reject => stop("deny", Some(expansion(spec.access_denied.text)), None),
                R::RejectUnlistedRecipient => stop("deny", None, Some("!verify = recipient")),
                _ => {}
            }
        }
    }
    if l.reject_unlisted && check_users {
        out.push_str("  require verify = recipient\n");
    }
    out.push_str("  accept\n");
    out
}

/// The routers recipient verification uses: each final domain's mailboxes, each relay domain (with its
/// recipient list when it has one), and every other domain (a remote one, which the simulator does not check).
fn routers(server: &ServerConfig) -> String {
    let mut out = String::new();
    for (i, d) in server.final_domains.iter().enumerate() {
        let users: Vec<String> = d.users.iter().map(|u| u.to_string()).collect();
        out.push_str(&format!(
            "mailbox{i}:\n  driver = accept\n  domains = {}\n  local_parts = {}\n  transport = kept\n",
            list(&[d.name.to_string()]),
            if users.is_empty() { ":".to_string() } else { list(&users) }
        ));
    }
    for (i, d) in server.relay_domains.iter().enumerate() {
        out.push_str(&format!("relay{i}:\n  driver = accept\n  domains = {}\n", list(&[d.to_string()])));
        if let Some(known) = &server.relay_recipients {
            let users: Vec<String> = known
                .iter()
                .filter_map(|a| a.rsplit_once('@'))
                .filter(|(_, dom)| dom.eq_ignore_ascii_case(d))
                .map(|(u, _)| u.to_string())
                .collect();
            out.push_str(&format!("  local_parts = {}\n", if users.is_empty() { ":".into() } else { list(&users) }));
        }
        out.push_str("  transport = kept\n");
    }
    out.push_str(
        "remote:\n  driver = accept\n  domains = ! +local_domains : ! +relay_to_domains\n  transport = kept\n",
    );
    out
}

/// The Exim configuration for `server` as the simulator models it, with the instance's folders in `dir`.
pub fn derive(server: &ServerConfig, map: &AddressMap, world: &World, s: &Scenario, dir: &Path) -> String {
    let st = &server.settings;
    let spec = mailpath_core::flavours::spec(st.flavour);
    let d = dir.display();
    let finals: Vec<String> = server.final_domains.iter().map(|d| d.name.to_string()).collect();
    let relays: Vec<String> = server.relay_domains.iter().map(|d| d.to_string()).collect();
    // Only Alice logs in to POP before sending (the simulator's submission does the same).
    let logged_in_here = server.host == mailpath_core::actor::HostId::Provider
        && s.sender == mailpath_core::scenario::Sender::Alice
        && s.client.pop_before_smtp;
    let fresh: Vec<String> = if logged_in_here && s.client.pop_age < mailpath_core::POP_WINDOW {
        vec![map.to_loopback(world.sender.ip).to_string()]
    } else {
        vec!["127.255.255.254".into()]
    };
    let ports = if st.submission {
        format!("{} : {} : {}", local_port(25), local_port(587), local_port(465))
    } else {
        local_port(25).to_string()
    };
    // The submission ports always offer AUTH (the simulator's submission service does); port 25 when SASL is on.
    let port25 = local_port(25);
    let auth_hosts = match (st.sasl, spec.auth_after_tls) {
        (false, true) => format!("${{if and {{{{def:tls_in_cipher}}{{!={{$received_port}}{{{port25}}}}}}} {{*}}{{}}}}"),
        (false, false) => format!("${{if !={{$received_port}}{{{port25}}} {{*}}{{}}}}"),
        (true, true) => "${if def:tls_in_cipher {*}{}}".into(),
        (true, false) => "*".into(),
    };
    let accounts: Vec<String> =
        server.final_domains.iter().flat_map(|d| d.users.iter().map(|u| u.to_string())).collect();
    let accounts = if accounts.is_empty() { ":".to_string() } else { list(&accounts) };
    let check_users = spec.checks_users;
    format!(
        "# Derived by mailpath-conformance from the simulator's model of {host}.\n\
         primary_hostname = {host}\n\
         domainlist local_domains = {locals}\n\
         domainlist relay_to_domains = {relays}\n\
         hostlist relay_from_hosts = {nets}\n\
         hostlist pop_before_smtp = {fresh}\n\
         acl_smtp_rcpt = ${{if ={{$received_port}}{{{p25}}}{{acl_port25}}{{acl_submission}}}}\n\
         local_interfaces = 127.0.0.1\n\
         daemon_smtp_ports = {ports}\n\
         tls_on_connect_ports = {p465}\n\
         tls_certificate = {d}/cert.pem\n\
         tls_privatekey = {d}/key.pem\n\
         tls_advertise_hosts = {tls}\n\
         auth_advertise_hosts = {auth_hosts}\n\
         message_size_limit = {limit}\n\
         spool_directory = {d}/spool\n\
         log_file_path = {d}/log/%slog\n\
         host_lookup =\n\
         rfc1413_hosts =\n\
         queue_only = true\n\
         \n\
         begin acl\n\
         \n\
         acl_port25:\n{acl25}\n\
         acl_submission:\n{acl587}\n\
         begin routers\n\
         \n{routers}\n\
         begin transports\n\
         \n\
         kept:\n  driver = appendfile\n  file = /dev/null\n\
         \n\
         begin authenticators\n\
         \n\
         plain:\n  driver = plaintext\n  public_name = PLAIN\n  server_prompts = :\n  \
         server_condition = {plain_ok}\n  \
         server_set_id = $auth2\n\
         login:\n  driver = plaintext\n  public_name = LOGIN\n  server_prompts = Username:: : Password::\n  \
         server_condition = {login_ok}\n  \
         server_set_id = $auth1\n",
        host = server.hostname,
        locals = list(&finals),
        relays = list(&relays),
        nets = list(&map.networks(&server.mynetworks)),
        fresh = list(&fresh),
        p25 = local_port(25),
        p465 = local_port(465),
        tls = if st.tls { "*" } else { "" },
        limit = u64::from(st.size_limit_kb) * 1024,
        acl25 = acl(&lists(server, false), server, check_users),
        acl587 = acl(&lists(server, true), server, check_users),
        routers = routers(server),
        plain_ok = login_check("$auth2", "$auth3", &accounts),
        login_ok = login_check("$auth1", "$auth2", &accounts),
    )
}

/// The configuration for a bounce situation: `base` (the provider's own) with the recipient's domain routed to
/// the scripted next hop at `hop`:`port`, messages delivered rather than kept in the queue, and local mail — the
/// bounce to the sender — appended to `mailbox`. Exim writes and delivers its bounce by running itself again,
/// from the unpacked tree (`exim_path`).
pub fn bounce_config(base: &str, hop: Ipv4Addr, port: u16, mailbox: &Path) -> String {
    let routed = format!(
        "begin routers\n\nnext_hop:\n  driver = manualroute\n  domains = corp-b.example\n  route_list = * {hop}\n  \
         transport = next_hop\n  self = send\n"
    );
    let transports = format!(
        "begin transports\n\nnext_hop:\n  driver = smtp\n  port = {port}\n  hosts_try_chunking =\n  hosts_try_prdr =\n"
    );
    format!("exim_path = {}\n{base}", binary().display())
        .replace("queue_only = true\n", "")
        .replace("begin routers\n", &routed)
        .replace("begin transports\n", &transports)
        .replace("  file = /dev/null\n", &format!("  file = {}\n  user = Debian-exim\n", mailbox.display()))
}

/// The expansion that is true when `user` is one of `accounts` and `password` is the world's password.
fn login_check(user: &str, password: &str, accounts: &str) -> String {
    let pw = literal(PASSWORD);
    ["${if and {{match_local_part{", user, "}{", accounts, "}}{eq{", password, "}{", &pw, "}}}}"].concat()
}

/// A running (or stopped) Exim daemon.
pub struct Instance {
    dir: PathBuf,
    pid: Option<u32>,
}

/// Whether a process runs (a zombie waiting for its parent to collect it does not: its sockets are closed).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start()).is_some_and(|r| !r.starts_with('Z')))
        .unwrap_or(false)
}

fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(), Duration::from_millis(200)).is_ok()
}

impl Instance {
    /// The folder the instance keeps its configuration, spool and log in.
    pub fn folder() -> PathBuf {
        std::env::temp_dir().join("mailpath-conformance-exim")
    }

    /// Checks the unpacked binary and makes the folders and the certificate.
    pub fn prepare() -> Result<Instance, String> {
        if !available() {
            return Err(format!(
                "Exim is not unpacked at {} (cargo xtask test unpacks Debian's exim4-daemon-light there)",
                root().display()
            ));
        }
        let dir = Self::folder();
        for sub in ["spool", "log", "mail"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        for sub in ["spool", "log", "mail"] {
            let st = Command::new("chown")
                .args(["-R", "Debian-exim"])
                .arg(dir.join(sub))
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !st.success() {
                return Err(
                    "chown Debian-exim failed: the system user Debian-exim is needed (useradd --system Debian-exim)"
                        .into(),
                );
            }
        }
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        crate::certificate(&cert, &key)?;
        // The daemon reads the key after it gives up root.
        let _ = Command::new("chmod").arg("644").arg(&key).status();
        let mut me = Instance { dir, pid: None };
        me.kill_leftover();
        Ok(me)
    }

    /// The instance's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn kill_leftover(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("exim.pid")) {
            if let Ok(pid) = pid.trim().parse::<u32>() {
                self.pid = Some(pid);
            }
        }
        self.stop();
    }

    /// Stops the daemon and waits until its ports are free. The daemon is killed outright: it holds no message
    /// worth keeping (nothing is ever delivered), and its sessions have ended by then.
    pub fn stop(&mut self) {
        let Some(pid) = self.pid.take() else { return };
        let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).stderr(Stdio::null()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while (alive(pid) || [25, 587, 465].iter().any(|p| listening(local_port(*p)))) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = std::fs::remove_file(self.dir.join("exim.pid"));
    }

    /// Writes `config` and (re)starts the daemon with it.
    pub fn apply(&mut self, config: &str, submission: bool) -> Result<(), String> {
        self.stop();
        let conf = self.dir.join("exim.conf");
        std::fs::write(&conf, config).map_err(|e| format!("{}: {e}", conf.display()))?;
        // A fresh queue each time: messages are only ever kept, never delivered.
        let _ = std::fs::remove_dir_all(self.dir.join("spool/input"));
        let pidfile = self.dir.join("exim.pid");
        let out = Command::new(binary())
            .arg("-C")
            .arg(&conf)
            .args(["-bd", "-oP"])
            .arg(&pidfile)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("starting exim: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "exim -bd failed: {}{} (configuration {})",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                conf.display()
            ));
        }
        let mut ports = vec![25];
        if submission {
            ports.extend([587, 465]);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.pid.is_none() {
                self.pid = std::fs::read_to_string(&pidfile).ok().and_then(|p| p.trim().parse().ok());
            }
            if self.pid.is_some() && ports.iter().all(|p| listening(local_port(*p))) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let panic = std::fs::read_to_string(self.dir.join("log/paniclog")).unwrap_or_default();
                return Err(format!("Exim did not start listening; its panic log: {panic}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
    }
}
