//! A small static file server for `dist/`: correct content types (`application/wasm` for streaming compilation),
//! no caching surprises, optional Content-Security-Policy, loopback only.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

/// The strict policy the bundle must run under (no inline script or style, no eval).
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors *";

/// What to serve.
#[derive(Clone)]
pub struct Site {
    /// Mounts: URL prefix → folder; the first match wins.
    pub mounts: Vec<(String, PathBuf)>,
    /// Send the strict Content-Security-Policy header.
    pub csp: bool,
}

impl Site {
    /// `dist` at `/`.
    pub fn new(dist: PathBuf) -> Site {
        Site { mounts: vec![("/".into(), dist)], csp: true }
    }
}

/// Binds 127.0.0.1:`port` (0 = any free port), with a clear message when the port is taken.
pub fn bind(port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {port} on 127.0.0.1 is already in use (is Mailpath already running?). Choose another port: cargo xtask serve --port {}",
            port.wrapping_add(1).max(1024)
        ),
        std::io::ErrorKind::PermissionDenied => {
            format!("not allowed to listen on port {port}; choose a port above 1023: cargo xtask serve --port 8080")
        }
        _ => format!("cannot listen on 127.0.0.1:{port}: {e}"),
    })
}

/// Serves until the process ends.
pub fn serve_forever(listener: TcpListener, site: Site) -> Result<(), String> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let site = site.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &site);
        });
    }
    Ok(())
}

/// Serves in a background thread; returns the base URL.
pub fn spawn(site: Site) -> Result<String, String> {
    let listener = bind(0)?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    std::thread::spawn(move || serve_forever(listener, site));
    Ok(format!("http://127.0.0.1:{port}/"))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn resolve(site: &Site, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("/");
    for (prefix, dir) in &site.mounts {
        let Some(rest) = path.strip_prefix(prefix.as_str()) else { continue };
        let rel = Path::new(rest);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        let mut file = dir.join(rel);
        if file.is_dir() {
            file = file.join("index.html");
        }
        if file.is_file() {
            return Some(file);
        }
    }
    None
}

fn handle(stream: TcpStream, site: &Site) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return out.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    let Some(file) = resolve(site, target) else {
        let body = b"Not found";
        write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        return out.write_all(body);
    };
    let body = std::fs::read(&file)?;
    let csp = if site.csp { format!("Content-Security-Policy: {CSP}\r\n") } else { String::new() };
    // A page embedded with sandbox="allow-scripts" has an opaque origin, so its module script and wasm fetches
    // are cross-origin: the bundle is public and says so.
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nAccess-Control-Allow-Origin: *\r\n{csp}Connection: close\r\n\r\n",
        content_type(&file),
        body.len()
    )?;
    if method == "GET" {
        out.write_all(&body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (Site, PathBuf) {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("examples")).unwrap();
        std::fs::write(dir.join("index.html"), "root").unwrap();
        std::fs::write(dir.join("examples/index.html"), "example").unwrap();
        std::fs::write(dir.join("app.wasm"), "wasm").unwrap();
        (Site::new(dir.clone()), dir)
    }

    #[test]
    fn paths_resolve_inside_the_folder_only() {
        let (site, dir) = site();
        assert_eq!(resolve(&site, "/"), Some(dir.join("index.html")));
        assert_eq!(resolve(&site, "/?embed#v1;p=x"), Some(dir.join("index.html")));
        assert_eq!(resolve(&site, "/examples/"), Some(dir.join("examples/index.html")));
        assert_eq!(resolve(&site, "/app.wasm"), Some(dir.join("app.wasm")));
        assert_eq!(content_type(&dir.join("app.wasm")), "application/wasm");
        for escape in ["/../Cargo.toml", "/examples/../../etc/passwd", "//etc/passwd", "/./index.html", "/missing.js"] {
            assert_eq!(resolve(&site, escape), None, "{escape}");
        }
        let outside = dir.parent().unwrap().join(format!("xtask-outside-{}", std::process::id()));
        std::fs::write(&outside, "secret").unwrap();
        let name = outside.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(resolve(&site, &format!("/../{name}")), None);
        assert_eq!(resolve(&site, &outside.display().to_string()), None, "an absolute path stays inside");
    }
}
