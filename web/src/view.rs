//! How the page is shown, read from the link's query (`?embed&controls=0&autoplay&lock&theme=dark&present`), and
//! the commands a host page may send to an embedded Mailpath with `postMessage`. Both are pure and validated here;
//! `crate::browser` does the DOM side.

use mailpath_core::permalink;
use mailpath_core::presets;

/// Light, dark, or whatever the system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The class put on the root element.
    pub fn class(self) -> &'static str {
        match self {
            Theme::System => "",
            Theme::Light => "theme-light",
            Theme::Dark => "theme-dark",
        }
    }
}

/// View options from the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewOptions {
    /// Just the stage, the play controls and the Why panel.
    pub embed: bool,
    /// Show the play controls (embed only; `controls=0` hides them).
    pub controls: bool,
    /// Start playing at once.
    pub autoplay: bool,
    /// The scenario cannot be changed from the page (fixes and settings hidden).
    pub lock: bool,
    /// Colour theme.
    pub theme: Theme,
    /// Presentation mode: large type, stage and Why panel only.
    pub present: bool,
    /// Forget the remembered scenario (the panic banner's way out).
    pub reset: bool,
    /// Query parts with a value that could not be used, each with the reason.
    pub ignored: Vec<String>,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            embed: false,
            controls: true,
            autoplay: false,
            lock: false,
            theme: Theme::System,
            present: false,
            reset: false,
            ignored: Vec::new(),
        }
    }
}

fn flag(key: &str, value: Option<&str>, ignored: &mut Vec<String>) -> Option<bool> {
    match value {
        None | Some("" | "1" | "on" | "true" | "yes") => Some(true),
        Some("0" | "off" | "false" | "no") => Some(false),
        Some(v) => {
            ignored.push(format!("{key}={}: use {key}=1 or {key}=0", short(v)));
            None
        }
    }
}

/// A value as shown in a note: at most 40 characters.
fn short(v: &str) -> String {
    if v.chars().count() > 40 {
        format!("{}…", v.chars().take(40).collect::<String>())
    } else {
        v.to_string()
    }
}

impl ViewOptions {
    /// Parses a query string (with or without the leading `?`). Unknown keys are left alone (a host page may add
    /// its own); known keys with a bad value are reported in [`ViewOptions::ignored`].
    pub fn parse(query: &str) -> ViewOptions {
        let mut o = ViewOptions::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for part in query.split('&').filter(|p| !p.is_empty()).take(64) {
            let (key, value) = match part.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (part, None),
            };
            let value = value.map(|v| permalink::unescape(v).unwrap_or_else(|| v.to_string()));
            let value = value.as_deref();
            let ignored = &mut o.ignored;
            match key {
                "embed" => o.embed = flag(key, value, ignored).unwrap_or(o.embed),
                "controls" => o.controls = flag(key, value, ignored).unwrap_or(o.controls),
                "autoplay" => o.autoplay = flag(key, value, ignored).unwrap_or(o.autoplay),
                "lock" => o.lock = flag(key, value, ignored).unwrap_or(o.lock),
                "present" => o.present = flag(key, value, ignored).unwrap_or(o.present),
                "reset" => o.reset = flag(key, value, ignored).unwrap_or(o.reset),
                "theme" => match value {
                    Some("light") => o.theme = Theme::Light,
                    Some("dark") => o.theme = Theme::Dark,
                    Some("system" | "auto") => o.theme = Theme::System,
                    v => ignored.push(format!("theme={}: use theme=light or theme=dark", short(v.unwrap_or("")))),
                },
                _ => {}
            }
        }
        o
    }

    /// The query string for these options (without `ignored`), `""` when all are defaults.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if self.embed {
            parts.push("embed");
        }
        if !self.controls {
            parts.push("controls=0");
        }
        if self.autoplay {
            parts.push("autoplay");
        }
        if self.lock {
            parts.push("lock");
        }
        match self.theme {
            Theme::Light => parts.push("theme=light"),
            Theme::Dark => parts.push("theme=dark"),
            Theme::System => {}
        }
        if self.present {
            parts.push("present");
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// The `<iframe>` snippet an author pastes into an article: sandboxed to scripts only, lazy, with a title.
pub fn embed_code(page: &str, fragment: &str, title: &str) -> String {
    let opts = ViewOptions { embed: true, ..ViewOptions::default() };
    let src = format!("{page}{}#{fragment}", opts.query());
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"640\" sandbox=\"allow-scripts\" loading=\"lazy\" \
         style=\"border:0;max-width:60rem\"></iframe>",
        attr(&src),
        attr(&format!("Mailpath: {title}"))
    )
}

/// Escapes text for an HTML attribute value in double quotes.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// What a host page can ask of an embedded Mailpath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostCommand {
    /// Load a preset by slug.
    Preset(&'static str),
    /// Load a permalink fragment (`v1;p=…;…`).
    Link(String),
    /// Show event `n`.
    Step(usize),
    /// One step forward.
    Next,
    /// One step back.
    Prev,
    /// Start playing.
    Play,
    /// Stop playing.
    Pause,
    /// Back to the first step.
    Restart,
}

/// The fields of a message from a host page, as read off the JavaScript object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostMessage {
    /// `type`, e.g. `mailpath:load`.
    pub kind: Option<String>,
    /// `preset` (a slug).
    pub preset: Option<String>,
    /// `link` (a permalink fragment).
    pub link: Option<String>,
    /// `step` (a number).
    pub step: Option<f64>,
}

/// Checks a host message. `Ok(None)` for messages that are not for Mailpath (ignored without a word); `Err` for a
/// Mailpath message that is malformed, with what is wrong.
pub fn host_command(m: &HostMessage) -> Result<Option<HostCommand>, String> {
    let Some(kind) = m.kind.as_deref() else { return Ok(None) };
    let Some(name) = kind.strip_prefix("mailpath:") else { return Ok(None) };
    Ok(Some(match name {
        "load" => match (&m.preset, &m.link) {
            (Some(slug), None) => match presets::get(slug) {
                Some(p) => HostCommand::Preset(p.slug),
                None => return Err(format!("mailpath:load: no preset named \"{}\"", short(slug))),
            },
            (None, Some(link)) if link.len() <= permalink::MAX_LEN => {
                HostCommand::Link(link.trim_start_matches('#').to_string())
            }
            (None, Some(_)) => return Err(format!("mailpath:load: link longer than {} bytes", permalink::MAX_LEN)),
            _ => return Err("mailpath:load needs exactly one of \"preset\" or \"link\"".into()),
        },
        "step" => match m.step {
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 1e9 => HostCommand::Step(n as usize),
            _ => return Err("mailpath:step needs \"step\": a whole number from 0".into()),
        },
        "next" => HostCommand::Next,
        "prev" => HostCommand::Prev,
        "play" => HostCommand::Play,
        "pause" => HostCommand::Pause,
        "restart" => HostCommand::Restart,
        // Messages Mailpath sends itself, and future ones: not commands.
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_every_key_and_report_bad_values() {
        let o = ViewOptions::parse("?embed&controls=0&autoplay=1&lock&theme=dark&utm_source=x");
        assert!(o.embed && !o.controls && o.autoplay && o.lock && !o.present);
        assert_eq!(o.theme, Theme::Dark);
        assert!(o.ignored.is_empty());
        assert_eq!(o.query(), "?embed&controls=0&autoplay&lock&theme=dark");
        assert_eq!(ViewOptions::parse(&o.query()), o);

        let bad = ViewOptions::parse("embed=maybe&theme=%3Cb%3Epurple&present");
        assert!(!bad.embed && bad.present);
        assert_eq!(
            bad.ignored,
            ["embed=maybe: use embed=1 or embed=0", "theme=<b>purple: use theme=light or theme=dark"]
        );
        assert_eq!(ViewOptions::parse(""), ViewOptions::default());
        assert_eq!(ViewOptions::default().query(), "");
    }

    #[test]
    fn embed_code_is_a_sandboxed_iframe_with_escaped_attributes() {
        let code = embed_code("https://example.org/mailpath/", "v1;p=outlook-express;s=3", "A \"quoted\" <title>");
        assert!(
            code.starts_with("<iframe src=\"https://example.org/mailpath/?embed#v1;p=outlook-express;s=3\""),
            "{code}"
        );
        assert!(code.contains("sandbox=\"allow-scripts\""));
        assert!(code.contains("title=\"Mailpath: A &quot;quoted&quot; &lt;title&gt;\""));
        assert!(!code.contains("allow-same-origin"));
    }

    fn msg(kind: &str) -> HostMessage {
        HostMessage { kind: Some(kind.into()), ..HostMessage::default() }
    }

    #[test]
    fn host_commands_are_validated() {
        let load = HostMessage { preset: Some("greylisting".into()), ..msg("mailpath:load") };
        assert_eq!(host_command(&load), Ok(Some(HostCommand::Preset("greylisting"))));
        let link = HostMessage { link: Some("#v1;p=happy-path;s=2".into()), ..msg("mailpath:load") };
        assert_eq!(host_command(&link), Ok(Some(HostCommand::Link("v1;p=happy-path;s=2".into()))));
        assert!(host_command(&HostMessage { preset: Some("nope".into()), ..msg("mailpath:load") }).is_err());
        assert!(host_command(&msg("mailpath:load")).is_err());
        assert!(host_command(&HostMessage {
            preset: Some("x".into()),
            link: Some("y".into()),
            ..msg("mailpath:load")
        })
        .is_err());
        assert!(host_command(&HostMessage { link: Some("v".repeat(9000)), ..msg("mailpath:load") }).is_err());
        assert_eq!(
            host_command(&HostMessage { step: Some(4.0), ..msg("mailpath:step") }),
            Ok(Some(HostCommand::Step(4)))
        );
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, 1e12] {
            assert!(host_command(&HostMessage { step: Some(bad), ..msg("mailpath:step") }).is_err(), "{bad}");
        }
        assert!(host_command(&msg("mailpath:step")).is_err());
        assert_eq!(host_command(&msg("mailpath:play")), Ok(Some(HostCommand::Play)));
        // Not for Mailpath, or not a command: ignored.
        assert_eq!(host_command(&msg("other:load")), Ok(None));
        assert_eq!(host_command(&msg("mailpath:height")), Ok(None));
        assert_eq!(host_command(&HostMessage::default()), Ok(None));
    }
}
