//! The presentation bar: the link to the current view as text and as a QR code, so students can open the same
//! step on their own device, and the way back.

use crate::browser;
use crate::state::{Action, Model};
use yew::prelude::*;

/// Properties of [`PresentBar`].
#[derive(Properties, PartialEq)]
pub struct PresentProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// The modules of a QR code as one SVG path (a unit square per dark module), and the code's width.
pub fn qr_path(text: &str) -> Option<(String, usize)> {
    let code = crate::qr::encode(text.as_bytes())?;
    let mut d = String::new();
    for y in 0..code.width {
        for x in 0..code.width {
            if code.get(x, y) {
                d.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    Some((d, code.width))
}

/// The presentation bar.
#[component]
pub fn PresentBar(props: &PresentProps) -> Html {
    let m = &props.model;
    let link = format!("{}#{}", browser::page(), m.link());
    let qr = use_memo(link.clone(), |l| qr_path(l));
    let exit = {
        let m = m.clone();
        Callback::from(move |_| m.dispatch(Action::Present(false)))
    };
    html! {
        <aside class="present-bar" aria-label="Open this on your own device">
            { for qr.as_ref().as_ref().map(|(d, w)| {
                let quiet = 4;
                html! {
                    <svg class="qr" viewBox={format!("-{quiet} -{quiet} {} {}", w + 2 * quiet, w + 2 * quiet)}
                        role="img" aria-label="QR code of the link to this step" data-testid="qr">
                        <rect class="qr-bg" x={format!("-{quiet}")} y={format!("-{quiet}")}
                            width={(w + 2 * quiet).to_string()} height={(w + 2 * quiet).to_string()} />
                        <path d={d.clone()} />
                    </svg>
                }
            }) }
            if qr.is_none() {
                <p class="hint">{ "This link is too long for a QR code; share the link itself." }</p>
            }
            <p class="present-link" data-testid="present-link">{ link }</p>
            <p class="hint">{ "Step with → / ← or PageDown / PageUp (a presentation clicker), Space to play, Esc to leave." }</p>
            <button onclick={exit}>{ "Leave presentation" }</button>
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_code_has_the_finder_patterns_and_grows_with_the_text() {
        let (d, w) = qr_path("http://127.0.0.1:8080/#v1;p=outlook-express;s=12").unwrap();
        assert_eq!((w - 17) % 4, 0, "a QR width is 17 + 4 × version");
        // The three finder patterns: dark corners at (0,0), (w-1,0) and (0,w-1).
        for (x, y) in [(0, 0), (w - 1, 0), (0, w - 1)] {
            assert!(d.contains(&format!("M{x} {y}h")), "({x},{y})");
        }
        let (_, longer) = qr_path(&"x".repeat(600)).unwrap();
        assert!(qr_path(&"x".repeat(5000)).is_none(), "too long for a QR code: no code, the link is shown");
        assert!(longer > w);
    }
}
