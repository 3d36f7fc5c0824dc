//! A private Sendmail on loopback: Debian's `sendmail-bin` and `sendmail-cf` unpacked (not installed: they would
//! replace the system's mail server) under `target/real-servers/sendmail`, run as a daemon (`-bD`) with a
//! `sendmail.cf` that `m4` builds from a `.mc` file derived from the simulator's model ([`derive`]), its own
//! access map, aliases and queue. It runs in its own UTS and mount namespace (`unshare -u -m`): there its host
//! name is the modelled server's (Sendmail waits a minute for an unqualified one) and its `/etc/hosts`,
//! `/etc/nsswitch.conf`, `/etc/passwd` and `/etc/group` are the instance's, so that the server resolves exactly
//! the world's names and knows exactly the model's mailboxes. Nothing outside that namespace changes.
//!
//! STARTTLS, implicit TLS on 465 and AUTH (Cyrus SASL with a sasldb of the model's accounts, configured in the
//! namespace's `/etc/sasl2/Sendmail.conf`) are reproduced. What is not is left out with the reason
//! ([`unsupported`]): POP-before-SMTP, checked relay recipients, exempt networks, and lists whose order
//! Sendmail's `check_rcpt` cannot express.

use crate::config::AddressMap;
use mailpath_core::policy::lists;
use mailpath_core::postconf::Restriction;
use mailpath_core::world::ServerConfig;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The loopback address the instance listens on (see [`AddressMap`]).
const ADDRESS: &str = "127.0.0.2";

/// Ports the instance listens on for the scenario's 25, 587 and 465 (apart from the other servers').
pub fn local_port(port: u16) -> u16 {
    match port {
        25 => 12025,
        587 => 12587,
        _ => 12465,
    }
}

/// Where `cargo xtask` unpacks the Debian packages (the workspace's `target/real-servers/sendmail`), or
/// `MAILPATH_SENDMAIL_ROOT`.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("MAILPATH_SENDMAIL_ROOT") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/real-servers/sendmail")
}

fn binary() -> PathBuf {
    root().join("usr/libexec/sendmail/sendmail")
}

/// Whether the unpacked Sendmail (binary and m4 files) is there.
pub fn available() -> bool {
    binary().exists() && root().join("usr/share/sendmail/cf/m4/cf.m4").exists()
}

/// One derived configuration: the `.mc` file, the access map's lines and the mailboxes (system users).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Config {
    /// The `.mc` source `m4` turns into `sendmail.cf`.
    pub mc: String,
    /// `access` lines (`Connect:127.0.0.10 RELAY`).
    pub access: Vec<String>,
    /// The mailboxes of the server's domains.
    pub mailboxes: Vec<String>,
    /// The server's host name.
    pub hostname: String,
    /// Whether the submission services (587, 465) run.
    pub submission: bool,
    /// SASL accounts: (user, realm).
    pub accounts: Vec<(String, String)>,
    /// Deliver (and bounce) at once instead of only queueing: a bounce situation's set-up.
    pub deliver: bool,
    /// Names the namespace's hosts file gives besides the server's own (a bounce situation's next hop).
    pub hosts: Vec<(Ipv4Addr, String)>,
}

/// Why this server cannot be written as a Sendmail configuration here, if it cannot: `check_rcpt` relays for a
/// trusted client address, a logged-in client or a domain of the server's (local or relay), everyone or nobody,
/// in no particular order.
pub fn unsupported(server: &ServerConfig) -> Option<String> {
    let st = &server.settings;
    if !st.main_cf.trim().is_empty() {
        return Some("has main.cf lines, which are Postfix's".into());
    }
    if st.pop_before_smtp {
        return Some("uses POP-before-SMTP, which this Sendmail set-up does not run".into());
    }
    if server.relay_recipients.is_some() {
        return Some("checks the recipients of its relay domains, which this Sendmail set-up does not write".into());
    }
    if !server.exempt.is_empty() {
        return Some("has exempt networks, which Sendmail's access map does not express".into());
    }
    if st.submission && !st.tls {
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
    use Restriction as R;
    let l = lists(server, false);
    let mut reject_seen = false;
    for r in l.relay.iter().chain(&l.recipient) {
        match r {
            R::PermitMynetworks | R::PermitSaslAuthenticated | R::Permit if reject_seen => {
                return Some(format!(
                    "its lists put {} after reject_unauth_destination, an order Sendmail's check_rcpt does not have",
                    r.postfix_name()
                ))
            }
            R::RejectUnauthDestination => reject_seen = true,
            R::PermitMynetworks
            | R::PermitSaslAuthenticated
            | R::PermitAuthDestination
            | R::Permit
            | R::RejectUnlistedRecipient => {}
            other => {
                return Some(format!(
                    "its lists use {}, which this Sendmail set-up does not write",
                    other.postfix_name()
                ))
            }
        }
    }
    None
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

/// The configuration for `server` as the simulator models it, with the instance's folders in `dir`.
pub fn derive(server: &ServerConfig, map: &AddressMap, dir: &Path) -> Config {
    let st = &server.settings;
    let d = dir.display();
    let host = server.hostname.to_string();
    let m4 = root().join("usr/share/sendmail/cf/m4/cf.m4");
    let l = lists(server, false);
    let mut trusted = false;
    let mut everyone = false;
    for r in &l.relay {
        match r {
            Restriction::PermitMynetworks => trusted = true,
            Restriction::Permit => everyone = true,
            Restriction::RejectUnauthDestination => break,
            _ => {}
        }
    }
    let mut access = Vec::new();
    if trusted {
        for net in map.networks(&server.mynetworks) {
            match net.as_str() {
                "0.0.0.0/0" => everyone = true,
                n => access.push(format!("Connect:{} RELAY", n.trim_end_matches("/32"))),
            }
        }
    }
    let mut mc = format!(
        "divert(-1)\n\
         dnl Derived by mailpath-conformance from the simulator's model of {host}.\n\
         include(`{m4}')\n\
         divert(0)dnl\n\
         VERSIONID(`mailpath-conformance')dnl\n\
         OSTYPE(`linux')dnl\n\
         define(`confDOMAIN_NAME', `{host}')dnl\n\
         define(`QUEUE_DIR', `{d}/queue')dnl\n\
         define(`confPID_FILE', `{d}/sendmail.pid')dnl\n\
         define(`ALIAS_FILE', `{d}/aliases')dnl\n\
         define(`STATUS_FILE', `{d}/statistics')dnl\n\
         define(`HELP_FILE', `{d}/helpfile')dnl\n\
         define(`confDONT_BLAME_SENDMAIL', `GroupWritableDirPathSafe,WorldWritableAliasFile,GroupWritableAliasFile,TrustStickyBit')dnl\n\
         define(`confPRIVACY_FLAGS', `authwarnings,noexpn,noverb')dnl\n\
         define(`confMAX_MESSAGE_SIZE', `{size}')dnl\n\
         define(`confTO_IDENT', `0s')dnl\n",
        m4 = m4.display(),
        size = u64::from(st.size_limit_kb) * 1024,
    );
    // The mechanisms the model offers, on port 25 with SASL and on the submission ports.
    if st.sasl || st.submission {
        mc.push_str("define(`confAUTH_MECHANISMS', `LOGIN PLAIN')dnl\nTRUST_AUTH_MECH(`LOGIN PLAIN')dnl\n");
    }
    if st.tls {
        mc.push_str(&format!(
            "define(`confCACERT_PATH', `{d}')dnl\n\
             define(`confCACERT', `{d}/cert.pem')dnl\n\
             define(`confSERVER_CERT', `{d}/cert.pem')dnl\n\
             define(`confSERVER_KEY', `{d}/key.pem')dnl\n"
        ));
    }
    mc.push_str(&format!("FEATURE(`access_db', `hash -T<TMPF> {d}/access')dnl\n"));
    // The model checks no sender domain in DNS (Sendmail's default does, at MAIL FROM).
    mc.push_str("FEATURE(`accept_unresolvable_domains')dnl\n");
    if everyone {
        mc.push_str("FEATURE(`promiscuous_relay')dnl\n");
    }
    // Port 25 offers AUTH only where the model's server has SASL (`A`: no AUTH on this port).
    let modifiers = if st.sasl { "" } else { ", M=A" };
    mc.push_str(&format!("DAEMON_OPTIONS(`Port={}, Addr={ADDRESS}, Name=MTA{modifiers}')dnl\n", local_port(25)));
    if st.submission {
        mc.push_str(&format!(
            "DAEMON_OPTIONS(`Port={}, Addr={ADDRESS}, Name=MSA, M=a')dnl\n\
             DAEMON_OPTIONS(`Port={}, Addr={ADDRESS}, Name=MTA-SSL, M=sa')dnl\n",
            local_port(587),
            local_port(465)
        ));
    }
    for f in &server.final_domains {
        mc.push_str(&format!("LOCAL_DOMAIN(`{}')dnl\n", f.name));
    }
    // Its own address literal is one of its names: the real one finds it among its interfaces' addresses.
    mc.push_str(&format!("LOCAL_DOMAIN(`[{ADDRESS}]')dnl\n"));
    for r in &server.relay_domains {
        mc.push_str(&format!("RELAY_DOMAIN(`{r}')dnl\n"));
    }
    mc.push_str("MAILER(`local')dnl\nMAILER(`smtp')dnl\n");
    let accounts =
        server.final_domains.iter().flat_map(|d| d.users.iter().map(|u| (u.to_string(), host.clone()))).collect();
    Config {
        mc,
        access,
        mailboxes: mailboxes(server),
        hostname: host,
        submission: st.submission,
        accounts,
        deliver: false,
        hosts: Vec::new(),
    }
}

/// `config` changed for a bounce situation: mail for other domains goes to the scripted next hop at `hop`:`port`
/// under the next hop's name `name` (the namespace's hosts file says where it is), and local mail (the bounce) is
/// appended to `{dir}/mail/<user>` in mbox form.
pub fn bounce_config(config: &Config, hop: Ipv4Addr, name: &str, port: u16, dir: &Path) -> Config {
    let d = dir.display();
    let extra = format!(
        "define(`SMART_HOST', `relay:{name}')dnl\n\
         define(`RELAY_MAILER_ARGS', `TCP $h {port}')dnl\n\
         define(`confSERVICE_SWITCH_FILE', `{d}/service.switch')dnl\n\
         define(`LOCAL_MAILER_PATH', `{d}/deliver.sh')dnl\n\
         define(`LOCAL_MAILER_ARGS', `deliver.sh $u')dnl\n\
         MAILER(`local')dnl\n"
    );
    let mut c = config.clone();
    c.mc = c.mc.replace("MAILER(`local')dnl\n", &extra);
    c.deliver = true;
    c.hosts.push((hop, name.to_string()));
    c
}

/// A running (or stopped) Sendmail in its namespace.
pub struct Instance {
    dir: PathBuf,
    child: Option<Child>,
}

fn listening(port: u16) -> bool {
    let address: Ipv4Addr = ADDRESS.parse().expect("an address");
    TcpStream::connect_timeout(&SocketAddrV4::new(address, port).into(), Duration::from_millis(200)).is_ok()
}

fn write(path: PathBuf, text: &str) -> Result<(), String> {
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

impl Instance {
    /// The instance's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder the instance keeps its configuration, queue, namespace files and log in.
    pub fn folder() -> PathBuf {
        std::env::temp_dir().join("mailpath-conformance-sendmail")
    }

    /// Checks the unpacked files and `m4`, makes the folders and the certificate.
    pub fn prepare() -> Result<Instance, String> {
        if !available() {
            return Err(format!(
                "Sendmail is not unpacked at {} (cargo xtask test unpacks Debian's sendmail-bin and sendmail-cf there)",
                root().display()
            ));
        }
        let dir = Self::folder();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
        crate::certificate(&cert, &key)?;
        // Sendmail refuses a key others can read.
        let _ = Command::new("chmod").arg("600").arg(&key).status();
        write(dir.join("aliases"), "")?;
        write(dir.join("helpfile"), "")?;
        write(dir.join("etc/nsswitch.conf"), "passwd: files\ngroup: files\nshadow: files\nhosts: files\n")?;
        Ok(Instance { dir, child: None })
    }

    /// The namespace's `passwd` and `group`: the system's root, `daemon` (Sendmail's default user) and one user
    /// per mailbox, so that the server knows exactly the model's mailboxes.
    fn users(&self, mailboxes: &[String]) -> Result<(), String> {
        let mut p = String::from("root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");
        let mut g = String::from("root:x:0:\ndaemon:x:1:\nmail:x:8:\n");
        for (i, user) in mailboxes.iter().filter(|u| !["root", "daemon"].contains(&u.as_str())).enumerate() {
            let n = 64101 + i;
            p.push_str(&format!("{user}:x:{n}:{n}::/nonexistent:/usr/sbin/nologin\n"));
            g.push_str(&format!("{user}:x:{n}:\n"));
        }
        write(self.dir.join("etc/passwd"), &p)?;
        write(self.dir.join("etc/group"), &g)
    }

    /// Cyrus SASL for Sendmail in the namespace: `/etc/sasl2/Sendmail.conf` and a sasldb with the model's
    /// accounts and password.
    fn sasl(&self, accounts: &[(String, String)]) -> Result<(), String> {
        use std::io::Write;
        let db = self.dir.join("sasldb2");
        let _ = std::fs::remove_file(&db);
        std::fs::create_dir_all(self.dir.join("etc/sasl2")).map_err(|e| e.to_string())?;
        write(
            self.dir.join("etc/sasl2/Sendmail.conf"),
            &format!(
                "pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: LOGIN PLAIN\nsasldb_path: {}\n",
                db.display()
            ),
        )?;
        for (user, realm) in accounts {
            let mut child = Command::new("saslpasswd2")
                .arg("-f")
                .arg(&db)
                .args(["-c", "-p", "-a", "Sendmail", "-u", realm, user])
                .stdin(Stdio::piped())
                .spawn()
                .map_err(|e| format!("saslpasswd2: {e}"))?;
            let mut stdin = child.stdin.take().ok_or("saslpasswd2: no input")?;
            stdin.write_all(mailpath_core::world::PASSWORD.as_bytes()).map_err(|e| e.to_string())?;
            drop(stdin);
            child.wait().map_err(|e| e.to_string())?;
        }
        Ok(())
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

    /// Builds `sendmail.cf` and the access map from `config` and (re)starts the daemon with them.
    pub fn apply(&mut self, config: &Config) -> Result<(), String> {
        self.stop();
        if let Some(p) = [25, 587, 465].into_iter().find(|p| listening(local_port(*p))) {
            return Err(format!("port {} is in use by another process", local_port(p)));
        }
        let d = &self.dir;
        self.users(&config.mailboxes)?;
        let mut hosts = format!("127.0.0.1\tlocalhost\n{ADDRESS}\t{}\n", config.hostname);
        for (at, name) in &config.hosts {
            hosts.push_str(&format!("{at}\t{name}\n"));
        }
        write(d.join("etc/hosts"), &hosts)?;
        write(d.join("service.switch"), "hosts files\naliases files\n")?;
        // The local mailer of a bounce situation: the message, in mbox form, appended to mail/<user>.
        std::fs::create_dir_all(d.join("mail")).map_err(|e| e.to_string())?;
        let deliver = d.join("deliver.sh");
        write(
            deliver.clone(),
            &format!(
                "#!/bin/sh\nfor user; do :; done\n{{ echo \"From MAILER-DAEMON\"; cat; echo; }} >> {}/mail/\"$user\"\n",
                d.display()
            ),
        )?;
        let _ = Command::new("chmod").arg("755").arg(&deliver).status();
        write(d.join("sendmail.mc"), &config.mc)?;
        let cf = d.join("sendmail.cf");
        let built = Command::new("m4").arg(d.join("sendmail.mc")).output().map_err(|e| format!("m4: {e}"))?;
        if !built.status.success() {
            return Err(format!("m4 failed: {}", String::from_utf8_lossy(&built.stderr)));
        }
        std::fs::write(&cf, &built.stdout).map_err(|e| format!("{}: {e}", cf.display()))?;
        let mut access = config.access.join("\n");
        access.push('\n');
        let mut makemap = Command::new(root().join("usr/libexec/sendmail/makemap"))
            .arg("-C")
            .arg(&cf)
            .arg("hash")
            .arg(d.join("access"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("makemap: {e}"))?;
        {
            use std::io::Write;
            let mut stdin = makemap.stdin.take().ok_or("makemap: no input")?;
            stdin.write_all(access.as_bytes()).map_err(|e| format!("makemap: {e}"))?;
        }
        let made = makemap.wait_with_output().map_err(|e| format!("makemap: {e}"))?;
        if !made.status.success() {
            return Err(format!("makemap failed: {}", String::from_utf8_lossy(&made.stderr)));
        }
        // A fresh queue each time: what a session left queued is of no interest to the next.
        let _ = std::fs::remove_dir_all(d.join("queue"));
        std::fs::create_dir_all(d.join("queue")).map_err(|e| e.to_string())?;
        self.sasl(&config.accounts)?;
        let e = d.join("etc");
        let script = format!(
            "set -e\n\
             hostname {host}\n\
             mount -t overlay overlay -o lowerdir={e}:/etc /etc\n\
             exec {bin} -C {cf} -bD -O DeliveryMode={mode} -O LogLevel=9\n",
            mode = if config.deliver { "background" } else { "queueonly" },
            host = config.hostname,
            e = e.display(),
            bin = binary().display(),
            cf = cf.display(),
        );
        let log = std::fs::File::create(d.join("sendmail.log")).map_err(|e| e.to_string())?;
        let child = Command::new("unshare")
            .args(["-u", "-m", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting sendmail: {e}"))?;
        self.child = Some(child);
        let mut ports = vec![25];
        if config.submission {
            ports.extend([587, 465]);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if ports.iter().all(|p| listening(local_port(*p))) {
                return Ok(());
            }
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(d.join("sendmail.log")).unwrap_or_default();
                self.stop();
                return Err(format!(
                    "Sendmail did not start listening ({}); its log: {}",
                    cf.display(),
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
