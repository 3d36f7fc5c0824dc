//! Text assets of the first load made smaller without changing what they mean: the stylesheets without comments
//! and runs of white space, the generated JavaScript without indentation and comment lines. Both are checked to
//! be safe to compact (no string or template runs over a line end), and left as they are otherwise.

/// `css` without comments and with white space collapsed: one space where a run stood, none around `{`, `}`,
/// `;` and `,` or after `:` (no selector has a space after a colon), and no `;` before `}`. Strings (`"…"`,
/// `'…'`) are kept as written.
pub fn css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for d in chars.by_ref() {
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
                space = true;
            }
            '"' | '\'' => {
                if space && !out.is_empty() && !out.ends_with(['{', '}', ';', ',']) {
                    out.push(' ');
                }
                space = false;
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => space = !out.ends_with(':'),
            '{' | '}' | ';' | ',' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                space = false;
            }
            c => {
                if space && !out.is_empty() && !out.ends_with(['{', '}', ';', ',']) {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    out.push('\n');
    out
}

/// Generated JavaScript (wasm-bindgen's glue, the split loader) without indentation, blank lines and lines that
/// are only a `//` comment; `None` when a line might continue a string, a template literal or a comment (an odd
/// number of backticks, a trailing backslash, a `/*` not closed on its line), where that would change the
/// program.
pub fn js(js: &str) -> Option<String> {
    let open_comment = |l: &str| l.rfind("/*").is_some_and(|at| !l[at..].contains("*/"));
    let unsafe_line = |l: &str| l.matches('`').count() % 2 == 1 || l.trim_end().ends_with('\\') || open_comment(l);
    if js.lines().any(unsafe_line) {
        return None;
    }
    let mut out = String::with_capacity(js.len());
    for line in js.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")) {
        out.push_str(line);
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_loses_comments_and_space_but_keeps_strings() {
        let src = "/* a\n comment */\n:root {\n  --x: 1px;  /* note */\n}\na::before { content: \"a  b\"; }\n\n.x > .y , .z {\n  margin: 0 auto;\n}\n";
        assert_eq!(css(src), ":root{--x:1px}a::before{content:\"a  b\"}.x > .y,.z{margin:0 auto}\n");
        assert_eq!(
            css("@media (max-width: 600px) { a:hover { color: red; } }"),
            "@media (max-width:600px){a:hover{color:red}}\n"
        );
    }

    #[test]
    fn js_keeps_code_and_refuses_what_it_cannot_compact() {
        let src = "// a comment\nexport function f(a) {\n    return a + 1; // not a line comment\n}\n\n";
        assert_eq!(js(src).as_deref(), Some("export function f(a) {\nreturn a + 1; // not a line comment\n}\n"));
        assert_eq!(js("const s = `a\nb`;\n"), None);
        assert_eq!(js("/* x\n*/ f();\n"), None);
        assert_eq!(js("  f(); /* a, b */\n").as_deref(), Some("f(); /* a, b */\n"));
    }
}
