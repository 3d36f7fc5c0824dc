//! Installing the pinned tools: the wasm target, Trunk, wasm-bindgen-cli, npm packages from lock files, and
//! Debian packages for the browser and mail server tests. Every check is cheap when the tool is present.

use crate::root;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Trunk's pinned version (0.22 needs a newer rustc than this machine has).
pub const TRUNK: &str = "0.21.14";

/// Runs a command, streaming its output; fails with `what` if it does not succeed.
pub fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: could not start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The first line a command prints, if it runs.
pub fn output_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_string())
}

fn timed<T>(label: &str, estimate: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    println!("==> {label} (one-time; {estimate})…");
    let start = Instant::now();
    let r = f();
    if r.is_ok() {
        println!("==> {label}: done in {:.0} s", start.elapsed().as_secs_f64());
    }
    r
}

/// The `wasm-bindgen` version Cargo.lock resolved (the CLI must match it exactly).
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    locked_version(&lock, "wasm-bindgen").ok_or_else(|| "Cargo.lock has no wasm-bindgen entry".into())
}

/// The version a Cargo.lock text resolved for package `name` (the first entry, if several).
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let mut in_package = false;
    let mut found = false;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            in_package = true;
            found = false;
        } else if in_package && line == format!("name = \"{name}\"") {
            found = true;
        } else if found {
            if let Some(v) = line.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')) {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// Whether a tool's `--version` line names the wanted version (`trunk 0.21.14`, `wasm-bindgen 0.2.130`), the
/// way its first line says it: the name, a space, the version, then anything.
pub fn version_matches(line: Option<&str>, expect: &str) -> bool {
    let Some(line) = line else { return false };
    let mut words = line.split_whitespace();
    let mut want = expect.split_whitespace();
    matches!((words.next(), words.next(), want.next(), want.next()), (Some(a), Some(b), Some(x), Some(y)) if a == x && b == y)
}

pub fn ensure_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown"))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    timed("Adding the wasm32-unknown-unknown target", "under a minute", || {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]), "rustup target add")
    })
}

pub fn ensure_cargo_tool(
    bin: &str,
    expect: &str,
    krate: &str,
    version: &str,
    locked: bool,
    estimate: &str,
) -> Result<(), String> {
    if version_matches(output_line(bin, &["--version"]).as_deref(), expect) {
        return Ok(());
    }
    timed(&format!("Installing {krate} {version}"), estimate, || {
        let mut cmd = Command::new("cargo");
        cmd.args(["install", krate, "--version", version, "--force"]);
        if locked {
            cmd.arg("--locked");
        }
        run(&mut cmd, &format!("cargo install {krate}"))
    })?;
    match output_line(bin, &["--version"]) {
        Some(v) if version_matches(Some(&v), expect) => Ok(()),
        other => Err(format!(
            "{bin} --version says {other:?} after installing; expected {expect:?} (is ~/.cargo/bin first on PATH?)"
        )),
    }
}

/// Installs `npm ci` packages for the folder (relative to the root) unless its lock file is already installed.
pub fn ensure_npm(dir: &str) -> Result<(), String> {
    let folder = root().join(dir);
    let lock = std::fs::read(folder.join("package-lock.json")).map_err(|e| format!("{dir}/package-lock.json: {e}"))?;
    let stamp = folder.join("node_modules/.mailpath-lock");
    let want = format!("{:016x}", fnv(&lock));
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    if output_line("npm", &["--version"]).is_none() {
        return Err("npm is not installed; install Node.js 20 (Debian: apt-get install nodejs npm)".into());
    }
    timed(&format!("Installing npm packages in {dir}/ from its lock file"), "about a minute", || {
        run(
            Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--prefer-offline"]).current_dir(&folder),
            &format!("npm ci in {dir}"),
        )
    })?;
    std::fs::write(&stamp, want).map_err(|e| e.to_string())
}

/// FNV-1a, for stamps and file names.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn dpkg_installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Installs Debian packages that are missing (as root, or with `sudo -n`).
pub fn ensure_apt(pkgs: &[&str], preseed: Option<&str>, estimate: &str) -> Result<(), String> {
    let missing: Vec<&str> = pkgs.iter().copied().filter(|p| !dpkg_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root_user = output_line("id", &["-u"]).as_deref() == Some("0");
    let sudo = if root_user {
        None
    } else if output_line("sudo", &["-n", "true"]).is_some() {
        Some("sudo")
    } else {
        return Err(format!(
            "Debian packages missing: {}. Install them as root: apt-get install -y {}",
            missing.join(" "),
            missing.join(" ")
        ));
    };
    let apt = |args: &[&str]| {
        let mut c = match sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive"]).args(args);
                c
            }
            None => {
                let mut c = Command::new(args[0]);
                c.args(&args[1..]).env("DEBIAN_FRONTEND", "noninteractive");
                c
            }
        };
        c.stdin(Stdio::null());
        c
    };
    timed(&format!("Installing Debian packages {}", missing.join(" ")), estimate, || {
        if let Some(selections) = preseed {
            let mut c = apt(&["debconf-set-selections"]);
            c.stdin(Stdio::piped());
            let mut child = c.spawn().map_err(|e| e.to_string())?;
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(selections.as_bytes()).map_err(|e| e.to_string())?;
            child.wait().map_err(|e| e.to_string())?;
        }
        run(&mut apt(&["apt-get", "update", "-qq"]), "apt-get update")?;
        let mut args = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
        args.extend(&missing);
        run(&mut apt(&args), "apt-get install")
    })
}

/// Everything the release build needs.
pub fn ensure_build_tools() -> Result<(), String> {
    ensure_target()?;
    ensure_cargo_tool("trunk", &format!("trunk {TRUNK}"), "trunk", TRUNK, true, "about 7 minutes on 2 cores")?;
    let wb = wasm_bindgen_version()?;
    // Without --locked: its lock file wants a webpki-roots version this registry does not serve.
    ensure_cargo_tool(
        "wasm-bindgen",
        &format!("wasm-bindgen {wb}"),
        "wasm-bindgen-cli",
        &wb,
        false,
        "about 2–3 minutes",
    )?;
    ensure_npm("web")
}

/// Everything the tests need beyond the build tools.
pub fn ensure_test_tools() -> Result<(), String> {
    ensure_apt(&["chromium", "chromium-driver", "fonts-liberation"], None, "about 1–2 minutes")?;
    ensure_postfix()?;
    ensure_exim()?;
    ensure_opensmtpd()?;
    ensure_sendmail()?;
    ensure_npm("tests")
}

/// Postfix and Cyrus SASL for the conformance suite (installed without configuring or starting the system
/// instance; the suite runs its own).
pub fn ensure_postfix() -> Result<(), String> {
    ensure_apt(
        &["postfix", "sasl2-bin", "libsasl2-modules", "openssl"],
        Some("postfix postfix/main_mailer_type select No configuration\n"),
        "under a minute",
    )
}

/// Exim for the conformance suite: Debian's `exim4-daemon-light` would replace the system MTA (it conflicts with
/// Postfix), so it is downloaded and unpacked under `target/real-servers/exim` instead and run from there; the
/// library it links against (`libidn12`) is installed as a package, so that Exim finds it when it runs itself
/// again to deliver a bounce. Its binary is built to run as the user `Debian-exim`, which is created (a system user
/// without a home or shell) when missing.
pub const EXIM_PACKAGE: &str = "exim4-daemon-light";

pub fn exim_root() -> std::path::PathBuf {
    crate::root().join("target/real-servers/exim")
}

pub fn ensure_exim() -> Result<(), String> {
    ensure_apt(&["libidn12"], None, "seconds")?;
    let root = exim_root();
    let binary = root.join("usr/sbin/exim4");
    let user_exists = Command::new("id").arg("Debian-exim").output().map(|o| o.status.success()).unwrap_or(false);
    if binary.exists() && user_exists {
        return Ok(());
    }
    if output_line("id", &["-u"]).as_deref() != Some("0") {
        return Err(format!(
            "the conformance suite runs a real Exim, unpacked under {} and run as root on loopback; run this as root",
            root.display()
        ));
    }
    timed("Unpacking Exim 4 (exim4-daemon-light) under target/real-servers", "under a minute", || {
        if !user_exists {
            run(
                Command::new("useradd").args([
                    "--system",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    "Debian-exim",
                ]),
                "useradd Debian-exim",
            )?;
        }
        unpack_deb(EXIM_PACKAGE, &root, &binary)
    })
}

/// OpenSMTPD for the conformance suite: Debian's `opensmtpd` conflicts with Postfix as well, so it is downloaded
/// and unpacked under `target/real-servers/opensmtpd`. Its paths are compiled in (`/usr/libexec/opensmtpd`,
/// `/var/spool/smtpd`, its users `opensmtpd` and `opensmtpq`), so the suite runs it in a private mount namespace
/// with that tree laid over `/usr` and its own `/etc`, `/var` and `/run` — nothing is created on the host; the
/// libraries it links against are installed as packages (they are on a Debian 12 machine already).
pub const OPENSMTPD_PACKAGE: &str = "opensmtpd";

pub fn opensmtpd_root() -> std::path::PathBuf {
    crate::root().join("target/real-servers/opensmtpd")
}

pub fn ensure_opensmtpd() -> Result<(), String> {
    ensure_apt(&["libevent-2.1-7", "libdb5.3", "libpam0g", "openssl", "util-linux"], None, "seconds")?;
    let root = opensmtpd_root();
    let binary = root.join("usr/sbin/smtpd");
    if binary.exists() {
        return Ok(());
    }
    if output_line("id", &["-u"]).as_deref() != Some("0") {
        return Err(format!(
            "the conformance suite runs a real OpenSMTPD, unpacked under {} and run as root on loopback; run this \
             as root",
            root.display()
        ));
    }
    timed("Unpacking OpenSMTPD (opensmtpd) under target/real-servers", "under a minute", || {
        unpack_deb(OPENSMTPD_PACKAGE, &root, &binary)
    })
}

/// Sendmail for the conformance suite: Debian's `sendmail-bin` would replace the system MTA as well, so it and
/// `sendmail-cf` (the m4 files that build `sendmail.cf`) are downloaded and unpacked under
/// `target/real-servers/sendmail`; the suite runs it in its own UTS and mount namespace. The libraries it links
/// against and `m4` are installed as packages.
pub fn ensure_sendmail() -> Result<(), String> {
    ensure_apt(&["liblockfile1", "libwrap0", "libldap-2.5-0", "libnsl2", "m4", "util-linux"], None, "seconds")?;
    let root = crate::root().join("target/real-servers/sendmail");
    let binary = root.join("usr/libexec/sendmail/sendmail");
    let m4 = root.join("usr/share/sendmail/cf/m4/cf.m4");
    if binary.exists() && m4.exists() {
        return Ok(());
    }
    if output_line("id", &["-u"]).as_deref() != Some("0") {
        return Err(format!(
            "the conformance suite runs a real Sendmail, unpacked under {} and run as root on loopback; run this as \
             root",
            root.display()
        ));
    }
    timed("Unpacking Sendmail (sendmail-bin, sendmail-cf) under target/real-servers", "under a minute", || {
        unpack_deb("sendmail-bin", &root, &binary)?;
        unpack_deb("sendmail-cf", &root, &m4)
    })
}

/// Downloads a Debian package into `target/real-servers/debs` (once) and unpacks it into `root`, which must then
/// hold `binary`. Nothing is installed: `dpkg -x` only extracts the files.
fn unpack_deb(package: &str, root: &std::path::Path, binary: &std::path::Path) -> Result<(), String> {
    let debs = crate::root().join("target/real-servers/debs");
    std::fs::create_dir_all(&debs).map_err(|e| format!("{}: {e}", debs.display()))?;
    let prefix = format!("{package}_");
    let deb = |debs: &std::path::Path| {
        std::fs::read_dir(debs).ok().and_then(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
                p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
                    && p.extension().is_some_and(|e| e == "deb")
            })
        })
    };
    if deb(&debs).is_none() {
        let mut dl = Command::new("apt-get");
        dl.args(["download", package]).current_dir(&debs).stdin(Stdio::null());
        if run(&mut dl, "apt-get download").is_err() {
            run(Command::new("apt-get").args(["update", "-qq"]).stdin(Stdio::null()), "apt-get update")?;
            run(&mut dl, "apt-get download")?;
        }
    }
    let path = deb(&debs).ok_or_else(|| format!("apt-get download left no {package} package"))?;
    run(Command::new("dpkg").arg("-x").arg(&path).arg(root), "dpkg -x")?;
    if !binary.exists() {
        return Err(format!("{} is missing after unpacking", binary.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "yew"
version = "0.23.0"
dependencies = [
 "wasm-bindgen",
]
"#;

    #[test]
    fn the_locked_version_is_read_from_the_packages_own_entry() {
        assert_eq!(locked_version(LOCK, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(LOCK, "yew").as_deref(), Some("0.23.0"));
        assert_eq!(locked_version(LOCK, "wasm"), None, "a prefix of a name is not the name");
        assert_eq!(locked_version(LOCK, "serde"), None);
        let real = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
        assert!(locked_version(&real, "wasm-bindgen").is_some_and(|v| v.starts_with("0.2.")));
    }

    #[test]
    fn tool_versions_match_by_name_and_number_only() {
        assert!(version_matches(Some("trunk 0.21.14"), "trunk 0.21.14"));
        assert!(version_matches(Some("cargo-fuzz 0.13.1 (abc 2025-01-01)"), "cargo-fuzz 0.13.1"));
        assert!(!version_matches(Some("trunk 0.21.1"), "trunk 0.21.14"));
        assert!(!version_matches(Some("trunk 0.21.140"), "trunk 0.21.14"));
        assert!(!version_matches(Some("wasm-bindgen 0.2.129"), "wasm-bindgen 0.2.130"));
        assert!(!version_matches(None, "trunk 0.21.14"));
        assert!(!version_matches(Some(""), "trunk 0.21.14"));
    }
}
