//! A private Postfix instance on loopback: its own configuration, queue and data directories under the temporary
//! directory, a self-signed certificate, Cyrus SASL accounts in a sasldb, started and stopped per configuration.
//! Needs root (Postfix's master runs as root) and the Debian packages `postfix`, `sasl2-bin`, `libsasl2-modules`.

use crate::config::{local_port, Config};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `postfix start` or `postfix stop` may take (each takes well under a second when all is well).
const LIMIT: Duration = Duration::from_secs(30);

/// A running (or stopped) instance.
pub struct Instance {
    dir: PathBuf,
    running: bool,
    checked: bool,
}

fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("{what} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Runs a Postfix control command with its output discarded, and gives up on it after `limit`: `postfix stop`
/// and `postfix start` wait on the master daemon's lock, and a master that is itself stuck would hang the suite.
/// A command that overruns is killed and reported as an error.
fn control(cmd: &mut Command, what: &str, limit: Duration) -> Result<std::process::ExitStatus, String> {
    // Not `output()`: the master daemon inherits the pipes and would hold them open.
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not finish within {} s", limit.as_secs()));
            }
            Err(e) => return Err(format!("{what}: {e}")),
        }
    }
}

fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(), Duration::from_millis(200)).is_ok()
}

impl Instance {
    /// Checks the machine, makes the directories and the certificate, and stops a leftover instance.
    pub fn prepare() -> Result<Instance, String> {
        if !std::path::Path::new("/usr/sbin/postfix").exists() {
            return Err("Postfix is not installed (Debian: apt-get install postfix sasl2-bin libsasl2-modules); \
                        the conformance suite cannot run without it"
                .into());
        }
        if !std::path::Path::new("/usr/sbin/saslpasswd2").exists() {
            return Err("saslpasswd2 is missing (Debian package sasl2-bin)".into());
        }
        let uid = run(Command::new("id").arg("-u"), "id -u")?;
        if uid.trim() != "0" {
            return Err("the conformance suite starts a Postfix instance and must run as root".into());
        }
        let dir = std::env::temp_dir().join("mailpath-conformance");
        let mut me = Instance { dir, running: true, checked: false };
        me.stop();
        for sub in ["etc", "etc/sasl", "spool", "data", "sasl", "mail"] {
            std::fs::create_dir_all(me.dir.join(sub)).map_err(|e| format!("{}: {e}", me.dir.display()))?;
        }
        run(Command::new("chown").arg("postfix").arg(me.dir.join("data")), "chown data directory")?;
        let (cert, key) = (me.dir.join("cert.pem"), me.dir.join("key.pem"));
        crate::certificate(&cert, &key)?;
        Ok(me)
    }

    /// The instance's mail folder (mailboxes delivered into).
    pub fn mail_dir(&self) -> PathBuf {
        self.dir.join("mail")
    }

    fn etc(&self) -> String {
        self.dir.join("etc").display().to_string()
    }

    /// Stops the instance and waits until its ports are free.
    pub fn stop(&mut self) {
        if !self.running {
            return;
        }
        let stopped = control(Command::new("postfix").args(["-c", &self.etc(), "stop"]), "postfix stop", LIMIT);
        if let Err(e) = stopped {
            eprintln!("{e}; ending the instance's master daemon by its pid file");
            self.kill_master();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while [25, 587, 465].iter().any(|p| listening(local_port(*p))) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if [25, 587, 465].iter().any(|p| listening(local_port(*p))) {
            self.kill_master();
        }
        self.running = false;
    }

    /// Ends this instance's master daemon (and with it its children) by the pid in its pid file: TERM, then KILL
    /// after two seconds. For a `postfix stop` that hung.
    fn kill_master(&self) {
        let Ok(pid) = std::fs::read_to_string(self.dir.join("spool/pid/master.pid")) else { return };
        let pid = pid.trim();
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", pid]).status();
        let deadline = Instant::now() + Duration::from_secs(2);
        while std::path::Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", pid]).status();
        // Its children (smtpd, qmgr, pickup…) watch the master's status pipe and exit when it closes.
        let _ = std::fs::remove_file(self.dir.join("spool/pid/master.pid"));
    }

    /// Writes `config` and (re)starts Postfix with it.
    pub fn apply(&mut self, config: &Config) -> Result<(), String> {
        let t0 = Instant::now();
        self.stop();
        let t_stop = t0.elapsed();
        let d = self.dir.display().to_string();
        let mut main = format!(
            "config_directory = {d}/etc\nqueue_directory = {d}/spool\ndata_directory = {d}/data\nmaillog_file = {d}/maillog\n\
             maillog_file_prefixes = {d}\ninet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n\
             smtpd_banner = $myhostname ESMTP $mail_name\ndisable_dns_lookups = yes\nsmtpd_peername_lookup = no\n\
             alias_maps =\nalias_database =\ndefault_transport = discard\nlocal_transport = local\n\
             virtual_transport = virtual\nvirtual_mailbox_base = {d}/mail\nvirtual_uid_maps = static:65534\n\
             virtual_gid_maps = static:65534\nvirtual_minimum_uid = 100\nrelay_transport = discard\nsmtpd_error_sleep_time = 0\n\
             smtpd_tls_cert_file = {d}/cert.pem\nsmtpd_tls_key_file = {d}/key.pem\nsmtpd_sasl_type = cyrus\n\
             smtpd_sasl_path = smtpd\nsmtpd_tls_auth_only = no\nbiff = no\n"
        );
        for (k, v) in &config.main {
            main.push_str(&format!("{k} = {}\n", v.replace(crate::config::MAILDIR, &format!("{d}/mail"))));
        }
        // Fresh mailboxes for each configuration, writable by the delivery agents (they run as nobody).
        let mail = self.dir.join("mail");
        let _ = std::fs::remove_dir_all(&mail);
        for sub in ["local", "virtual"] {
            std::fs::create_dir_all(mail.join(sub)).map_err(|e| e.to_string())?;
        }
        run(Command::new("chown").args(["-R", "65534:65534"]).arg(&mail), "chown mail folder")?;
        std::fs::write(self.dir.join("etc/main.cf"), main).map_err(|e| e.to_string())?;
        std::fs::write(self.dir.join("etc/master.cf"), master_cf(config)).map_err(|e| e.to_string())?;
        let db = self.dir.join("sasl/sasldb2");
        let _ = std::fs::remove_file(&db);
        // Debian's Postfix reads the Cyrus configuration from <config_directory>/sasl/smtpd.conf.
        std::fs::write(
            self.dir.join("etc/sasl/smtpd.conf"),
            format!(
                "pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: {}\n",
                db.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        for (user, realm) in &config.accounts {
            let mut child = Command::new("saslpasswd2")
                .arg("-f")
                .arg(&db)
                .args(["-c", "-p", "-u", realm, user])
                .stdin(Stdio::piped())
                .spawn()
                .map_err(|e| format!("saslpasswd2: {e}"))?;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(mailpath_core::world::PASSWORD.as_bytes())
                .map_err(|e| e.to_string())?;
            child.wait().map_err(|e| e.to_string())?;
        }
        if db.exists() {
            run(Command::new("chmod").arg("644").arg(&db), "chmod sasldb")?;
        }
        // Postfix waits while main.cf looks freshly written (a guard against half-written files); date the
        // files two seconds back so it starts at once.
        let past = std::time::SystemTime::now() - Duration::from_secs(2);
        for f in ["etc/main.cf", "etc/master.cf"] {
            let file = std::fs::File::options().append(true).open(self.dir.join(f)).map_err(|e| e.to_string())?;
            file.set_modified(past).map_err(|e| e.to_string())?;
        }
        if self.checked {
            // postfix-script's integrity check passed once; skip it on later starts (its own quick-start).
            std::fs::write(self.dir.join("spool/quick-start"), "").map_err(|e| e.to_string())?;
        }
        self.checked = true;
        let t_files = t0.elapsed();
        let start = || control(Command::new("postfix").args(["-c", &self.etc(), "start"]), "postfix start", LIMIT);
        let status = match start() {
            Ok(status) => status,
            Err(e) => {
                // Once more from a clean slate: a start that hangs is a master stuck on its lock.
                eprintln!("{e}; ending the instance and starting it again");
                self.kill_master();
                start()?
            }
        };
        let t_cmd = t0.elapsed();
        if !status.success() {
            return Err(format!("postfix start failed ({status}); see {}/maillog", self.dir.display()));
        }
        self.running = true;
        let mut ports = vec![25];
        if config.submission {
            ports.extend([587, 465]);
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        while !ports.iter().all(|p| listening(local_port(*p))) {
            if Instant::now() > deadline {
                return Err(format!("Postfix did not start listening (see {}/maillog)", self.dir.display()));
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        if std::env::var_os("MAILPATH_CONFORMANCE_TIMES").is_some() {
            eprintln!("stop {:?} files {:?} cmd {:?} started {:?}", t_stop, t_files, t_cmd, t0.elapsed());
        }
        Ok(())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `master.cf`: Postfix's standard services without chroot, smtpd on the instance's ports, and the submission
/// services as Postfix's own template has them.
fn master_cf(config: &Config) -> String {
    let services = [
        "pickup    unix  n       -       n       60      1       pickup",
        "cleanup   unix  n       -       n       -       0       cleanup",
        "qmgr      unix  n       -       n       300     1       qmgr",
        "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
        "rewrite   unix  -       -       n       -       -       trivial-rewrite",
        "bounce    unix  -       -       n       -       0       bounce",
        "defer     unix  -       -       n       -       0       bounce",
        "trace     unix  -       -       n       -       0       bounce",
        "verify    unix  -       -       n       -       1       verify",
        "flush     unix  n       -       n       1000?   0       flush",
        "proxymap  unix  -       -       n       -       -       proxymap",
        "proxywrite unix -       -       n       -       1       proxymap",
        "smtp      unix  -       -       n       -       -       smtp",
        "relay     unix  -       -       n       -       -       smtp",
        "showq     unix  n       -       n       -       -       showq",
        "error     unix  -       -       n       -       -       error",
        "retry     unix  -       -       n       -       -       error",
        "discard   unix  -       -       n       -       -       discard",
        "local     unix  -       n       n       -       -       local",
        "virtual   unix  -       n       n       -       -       virtual",
        "lmtp      unix  -       -       n       -       -       lmtp",
        "anvil     unix  -       -       n       -       1       anvil",
        "scache    unix  -       -       n       -       1       scache",
        "postlog   unix-dgram n  -       n       -       1       postlogd",
    ];
    let mut out = format!("{}     inet  n       -       n       -       -       smtpd\n", local_port(25));
    if config.submission {
        let common = format!(
            "  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_tls_auth_only=yes\n  -o smtpd_reject_unlisted_recipient=no\n  -o smtpd_relay_restrictions=\n  -o smtpd_recipient_restrictions={}\n",
            config.submission_recipient
        );
        out.push_str(&format!(
            "{} inet n       -       n       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n{common}",
            local_port(587)
        ));
        out.push_str(&format!(
            "{} inet n       -       n       -       -       smtpd\n  -o syslog_name=postfix/submissions\n  -o smtpd_tls_wrappermode=yes\n{common}",
            local_port(465)
        ));
    }
    for s in services {
        out.push_str(s);
        out.push('\n');
    }
    out
}
