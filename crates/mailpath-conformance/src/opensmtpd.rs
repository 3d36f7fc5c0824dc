//! A private OpenSMTPD on loopback: Debian's `opensmtpd` package unpacked (not installed: it would replace the
//! system's mail server) under `target/real-servers/opensmtpd`. Its paths are compiled in (`/usr/libexec/opensmtpd`,
//! `/var/spool/smtpd`, `/run/smtpd.sock`) and it runs as the users `opensmtpd` and `opensmtpq`, so it runs in a
//! private mount and UTS namespace (`unshare -u -m`, its host name the server's) whose `/usr` shows the unpacked
//! tree over the system's, whose `/etc` shows an own `passwd` and `group` (its users and the model's mailboxes)
//! and whose `/var` and `/run` take their writes in folders of the instance. Nothing outside that namespace
//! changes.
//!
//! The configuration is derived from the simulator's model of the server ([`derive`]): the domains, the trusted
//! networks, the mailboxes and the relay decision of its restriction lists, written as `smtpd.conf` match rules.
//!
//! Debian 12's OpenSMTPD 6.8.0p2 cannot finish a TLS handshake with OpenSSL 3 (OpenSMTPD issues #1171, #1239),
//! so only situations without TLS are compared ([`unsupported_plan`]); it still advertises STARTTLS and refuses
//! plain-text commands where TLS is required, and those replies are compared.

use crate::config::AddressMap;
use crate::plan::Step;
use mailpath_core::policy::lists;
use mailpath_core::postconf::Restriction;
use mailpath_core::world::ServerConfig;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Ports the instance listens on for the scenario's 25, 587 and 465 (apart from Postfix's and Exim's).
pub fn local_port(port: u16) -> u16 {
    match port {
        25 => 13025,
        587 => 13587,
        _ => 13465,
    }
}

/// A port nothing listens on: mail the server relays waits in its queue for it.
const NOWHERE: u16 = 9;

/// Where `cargo xtask` unpacks the Debian package (the workspace's `target/real-servers/opensmtpd`), or
/// `MAILPATH_OPENSMTPD_ROOT`.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("MAILPATH_OPENSMTPD_ROOT") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/real-servers/opensmtpd")
}

/// Whether the unpacked OpenSMTPD is there.
pub fn available() -> bool {
    root().join("usr/sbin/smtpd").exists()
}

/// Why this server cannot be written as an OpenSMTPD configuration here, if it cannot: match rules relay for
/// trusted networks, logged-in clients, everyone or nobody, and deliver or relay the server's own domains; they
/// have no POP-before-SMTP, no temporary refusal and no refusal of everything.
pub fn unsupported(server: &ServerConfig) -> Option<String> {
    let st = &server.settings;
    if !st.main_cf.trim().is_empty() {
        return Some("has main.cf lines, which are Postfix's".into());
    }
    if st.pop_before_smtp {
        return Some("uses POP-before-SMTP, which OpenSMTPD does not have".into());
    }
    if server.relay_recipients.is_some() {
        return Some("checks the recipients of its relay domains, which this OpenSMTPD set-up does not write".into());
    }
    if !st.tls && st.submission {
        return Some("runs the submission service without a TLS certificate".into());
    }
    let users = |d: &mailpath_core::world::FinalDomain| {
        let mut u: Vec<String> = d.users.iter().map(|u| u.to_ascii_lowercase()).collect();
        u.sort();
        u
    };
    if server.final_domains.windows(2).any(|w| users(&w[0]) != users(&w[1])) {
        return Some("has final domains with different mailboxes (system users serve every domain alike)".into());
    }
    let supported = |r: &Restriction| {
        use Restriction as R;
        matches!(
            r,
            R::PermitMynetworks
                | R::PermitSaslAuthenticated
                | R::PermitAuthDestination
                | R::PermitExempt
                | R::Permit
                | R::RejectUnauthDestination
                | R::RejectUnlistedRecipient
        )
    };
    // The submission services' lists (`permit_sasl_authenticated, reject`) are the `auth` listeners' own rule:
    // nothing but a logged-in client gets as far as RCPT there.
    let l = lists(server, false);
    l.relay
        .iter()
        .chain(&l.recipient)
        .find(|r| !supported(r))
        .map(|r| format!("its lists use {}, which OpenSMTPD's match rules do not have", r.postfix_name()))
}

/// Why a plan cannot be replayed against this OpenSMTPD: every TLS handshake fails here.
pub fn unsupported_plan(steps: &[Step]) -> Option<String> {
    steps.contains(&Step::Tls).then(|| {
        "uses TLS, which Debian 12's OpenSMTPD 6.8.0p2 cannot complete with OpenSSL 3 (OpenSMTPD issues #1171, #1239)"
            .to_string()
    })
}

/// The relay decision of port 25's lists as OpenSMTPD match rules, after the rules for the server's own
/// domains: which clients may send anywhere.
fn relay_rules(server: &ServerConfig) -> Vec<&'static str> {
    let l = lists(server, false);
    let mut out = Vec::new();
    for r in &l.relay {
        use Restriction as R;
        match r {
            R::PermitMynetworks if !server.mynetworks.is_empty() => out.push("from src <trusted>"),
            R::PermitSaslAuthenticated if server.settings.sasl => out.push("auth from any"),
            R::Permit => {
                out.push("from any");
                break;
            }
            R::RejectUnauthDestination => break,
            _ => {}
        }
    }
    out
}

/// The mailboxes of the server's final domains, as system users of the namespace.
pub fn mailboxes(server: &ServerConfig) -> Vec<String> {
    let mut users: Vec<String> = server
        .final_domains
        .first()
        .map(|d| d.users.iter().map(|u| u.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    users.sort();
    users.dedup();
    users
}

/// `smtpd.conf` for `server` as the simulator models it, with the instance's folders in `dir`.
pub fn derive(server: &ServerConfig, map: &AddressMap, dir: &Path) -> String {
    let st = &server.settings;
    let d = dir.display();
    let host = &server.hostname;
    let table = |name: &str, items: &[String]| {
        if items.is_empty() {
            String::new()
        } else {
            format!("table {name} {{ {} }}\n", items.join(", "))
        }
    };
    let finals: Vec<String> = server.final_domains.iter().map(|d| d.name.to_string()).collect();
    let relays: Vec<String> = server.relay_domains.iter().map(|d| d.to_string()).collect();
    let tls = if st.tls { format!(" tls pki {host}") } else { String::new() };
    let mut out = format!(
        "# Derived by mailpath-conformance from the simulator's model of {host}.\n\
         {}{}{}\
         table creds file:{d}/creds\n\
         pki {host} cert \"{d}/cert.pem\"\n\
         pki {host} key \"{d}/key.pem\"\n\
         smtp max-message-size {}\n\
         listen on 127.0.0.1 port {} hostname {host}{tls}\n",
        table("locals", &finals),
        table("relays", &relays),
        table("trusted", &map.networks(&server.mynetworks)),
        u64::from(st.size_limit_kb) * 1024,
        local_port(25),
    );
    if st.submission {
        out.push_str(&format!(
            "listen on 127.0.0.1 port {} hostname {host} tls-require pki {host} auth <creds>\n\
             listen on 127.0.0.1 port {} hostname {host} smtps pki {host} auth <creds>\n",
            local_port(587),
            local_port(465)
        ));
    }
    out.push_str(&format!("action \"local\" maildir\naction \"relay\" relay host smtp://127.0.0.1:{NOWHERE}\n"));
    if !finals.is_empty() {
        out.push_str("match from any for domain <locals> action \"local\"\n");
    }
    if !relays.is_empty() {
        out.push_str("match from any for domain <relays> action \"relay\"\n");
    }
    for who in relay_rules(server) {
        out.push_str(&format!("match {who} for any action \"relay\"\n"));
    }
    // The submission services: a logged-in client sends anywhere (the simulator's `permit_sasl_authenticated`).
    if st.submission && !st.sasl {
        out.push_str("match auth from any for any action \"relay\"\n");
    }
    out
}

/// `conf` changed for a bounce situation: what the server relays goes to the scripted next hop at `hop`:`port`.
pub fn bounce_config(conf: &str, hop: Ipv4Addr, port: u16) -> String {
    conf.replace(&format!("relay host smtp://127.0.0.1:{NOWHERE}"), &format!("relay host smtp://{hop}:{port}"))
}

/// A running (or stopped) OpenSMTPD in its namespace.
pub struct Instance {
    dir: PathBuf,
    child: Option<Child>,
}

fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(), Duration::from_millis(200)).is_ok()
}

impl Instance {
    /// The instance's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder the instance keeps its configuration, namespace layers, mailboxes and log in.
    pub fn folder() -> PathBuf {
        std::env::temp_dir().join("mailpath-conformance-opensmtpd")
    }

    /// Checks the unpacked binary, makes the folders and the certificate.
    pub fn prepare() -> Result<Instance, String> {
        if !available() {
            return Err(format!(
                "OpenSMTPD is not unpacked at {} (cargo xtask test unpacks Debian's opensmtpd there)",
                root().display()
            ));
        }
        let dir = Self::folder();
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["etc", "var-up", "var-work", "run-up", "run-work", "home"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        // The daemon's chroot, in the namespace's /var (it makes its spool there itself).
        std::fs::create_dir_all(dir.join("var-up/lib/opensmtpd/empty")).map_err(|e| e.to_string())?;
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        crate::certificate(&cert, &key)?;
        // OpenSMTPD refuses a key others can read.
        let _ = Command::new("chmod").arg("600").arg(&key).status();
        // The credentials table the submission listeners name: no session here logs in (AUTH comes after TLS).
        std::fs::write(dir.join("creds"), "").map_err(|e| e.to_string())?;
        let _ = Command::new("chmod").arg("600").arg(dir.join("creds")).status();
        Ok(Instance { dir, child: None })
    }

    /// Writes the namespace's `passwd`, `group` and `nsswitch.conf`: the system's root, the daemon's two users and
    /// one user per mailbox, so that the server knows exactly the model's mailboxes (and root, which every system
    /// has).
    fn users(&self, mailboxes: &[String]) -> Result<(), String> {
        let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
        let group = std::fs::read_to_string("/etc/group").map_err(|e| format!("/etc/group: {e}"))?;
        let root =
            |file: &str| file.lines().filter(|l| l.split(':').nth(2) == Some("0")).collect::<Vec<_>>().join("\n");
        let mut p = root(&passwd);
        let mut g = root(&group);
        let home = self.dir.join("home");
        let mut n = 64000;
        for user in ["opensmtpd", "opensmtpq"].iter().map(|u| u.to_string()).chain(mailboxes.iter().cloned()) {
            if user == "root" {
                continue;
            }
            n += 1;
            let h = home.join(&user);
            std::fs::create_dir_all(&h).map_err(|e| format!("{}: {e}", h.display()))?;
            let _ = Command::new("chown").arg(format!("{n}:{n}")).arg(&h).status();
            p.push_str(&format!("\n{user}:x:{n}:{n}::{}:/usr/sbin/nologin", h.display()));
            g.push_str(&format!("\n{user}:x:{n}:"));
        }
        std::fs::write(self.dir.join("etc/passwd"), p + "\n").map_err(|e| e.to_string())?;
        // Users from files only: systemd's name service would add `nobody` and other users of its own.
        std::fs::write(
            self.dir.join("etc/nsswitch.conf"),
            "passwd: files\ngroup: files\nshadow: files\nhosts: files\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(self.dir.join("etc/group"), g + "\n").map_err(|e| e.to_string())
    }

    /// Stops the daemon (its whole process group) and waits until its ports are free.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).stderr(Stdio::null()).status();
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(5);
        while [25, 587, 465].iter().any(|p| listening(local_port(*p))) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Writes `config` and (re)starts the daemon with it, with `mailboxes` as its users.
    pub fn apply(&mut self, config: &str, mailboxes: &[String], submission: bool) -> Result<(), String> {
        self.stop();
        if let Some(p) = [25, 587, 465].into_iter().find(|p| listening(local_port(*p))) {
            return Err(format!("port {} is in use by another process", local_port(p)));
        }
        self.users(mailboxes)?;
        let conf = self.dir.join("smtpd.conf");
        std::fs::write(&conf, config).map_err(|e| format!("{}: {e}", conf.display()))?;
        // A fresh spool each time: what a session left queued is of no interest to the next.
        let _ = std::fs::remove_dir_all(self.dir.join("var-up/spool/smtpd"));
        let d = self.dir.display();
        let r = root();
        // Its own name, in its own UTS namespace: OpenSMTPD names itself by it in the bounces it writes.
        let host = config
            .split_whitespace()
            .skip_while(|w| *w != "hostname")
            .nth(1)
            .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
            .unwrap_or("localhost");
        let script = format!(
            "set -e\n\
             hostname {host}\n\
             mount -t overlay overlay -o lowerdir={d}/etc:/etc /etc\n\
             mount -t overlay overlay -o lowerdir={usr}:/usr /usr\n\
             mount -t overlay overlay -o lowerdir=/var,upperdir={d}/var-up,workdir={d}/var-work /var\n\
             mount -t overlay overlay -o lowerdir=/run,upperdir={d}/run-up,workdir={d}/run-work /run\n\
             exec /usr/sbin/smtpd -d -f {conf}\n",
            usr = r.join("usr").display(),
            conf = conf.display(),
        );
        let log = std::fs::File::create(self.dir.join("smtpd.log")).map_err(|e| e.to_string())?;
        let child = Command::new("unshare")
            .args(["-u", "-m", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting smtpd: {e}"))?;
        self.child = Some(child);
        let mut ports = vec![25];
        if submission {
            ports.extend([587, 465]);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if ports.iter().all(|p| listening(local_port(*p))) {
                return Ok(());
            }
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("smtpd.log")).unwrap_or_default();
                self.stop();
                return Err(format!(
                    "OpenSMTPD did not start listening ({}); its log: {}",
                    conf.display(),
                    log.lines().rev().take(5).collect::<Vec<_>>().join(" / ")
                ));
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
