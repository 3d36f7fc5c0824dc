//! The SMTP console: pick where to type from and which server and port to connect to, type the conversation,
//! and watch the same simulation answer. The session runs here (its code loads with this panel) and the trace is
//! handed to the page, so the stage, the Why panel and playback follow what was typed.

use crate::browser;
use crate::components::share::CopyField;
use crate::state::{Action, ConsoleState, Model};
use mailpath_core::actor::HostId;
use mailpath_core::codes;
use mailpath_core::console::{self, Expect, Origin, Sent, Session, Setup};
use mailpath_core::named::Named;
use mailpath_core::trace::EventKind;
use mailpath_core::world::{host, World};
use std::rc::Rc;
use yew::prelude::*;

/// The most text one paste may carry.
const MAX_PASTE: usize = 200 * 1024;

/// Properties of [`Console`].
#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
    /// Typing is not allowed (a locked embed shows the prepared session only).
    #[prop_or_default]
    pub locked: bool,
}

fn scenario_key(m: &Model) -> usize {
    Rc::as_ptr(&m.scenario) as *const () as usize
}

/// Runs `lines` from `setup` and hands the session to the page; returns what it said about the lines.
fn run_and_show(m: &UseReducerHandle<Model>, setup: Setup, lines: Vec<String>, before_queued: usize) {
    let session = console::run(&m.scenario, &setup, &lines);
    let c = &session.conversation;
    let hop = &session.trace.hops[c.hop];
    let step = c.entries.iter().rev().find_map(|e| e.events.last().copied()).unwrap_or(hop.last_event);
    let play = c.queued.len() > before_queued;
    let state = ConsoleState { setup, lines, session: Some((Rc::new(session), scenario_key(m))) };
    m.dispatch(Action::ConsoleRan { state, step, play });
}

/// The console panel.
#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let m = &props.model;
    let input = use_state(String::new);
    let history_at = use_state(|| None::<usize>);
    let note = use_state(String::new);
    let field = use_node_ref();
    let state = m.console.clone();
    // Run the session when it was not run yet, or the scenario changed under it; a session from the link is
    // read first.
    {
        let m = m.clone();
        let key = (scenario_key(&m), state.as_ref().map(|c| (c.setup, c.lines.len())), m.console_link.clone());
        use_effect_with(key, move |_| {
            if let Some((setup, typed)) = &m.console_link {
                match console::from_link(setup, typed.as_deref()) {
                    Ok((setup, lines)) => run_and_show(&m, setup, lines, usize::MAX),
                    Err(why) => m.dispatch(Action::ConsoleLinkFailed(why)),
                }
            } else if let Some(c) = &m.console {
                if c.session.as_ref().is_none_or(|(_, k)| *k != scenario_key(&m)) {
                    run_and_show(&m, c.setup, c.lines.clone(), usize::MAX);
                }
            }
        });
    }
    let Some(state) = state else {
        if m.console_link.is_some() {
            return html! { <p class="loading" role="status">{ "Replaying the session from the link…" }</p> };
        }
        let m = m.clone();
        return html! {
            <div class="console">
                <button onclick={Callback::from(move |_| m.dispatch(Action::ConsoleOpen))}>{ "Open the console" }</button>
            </div>
        };
    };
    let s = &m.scenario;
    let world = World::build(s);
    let setup = state.setup;
    let session = state.session.as_ref().map(|(s, _)| s.clone());
    let queued = session.as_ref().map_or(0, |x| x.conversation.queued.len());

    let connect = {
        let m = m.clone();
        Callback::from(move |setup: Setup| run_and_show(&m, setup, Vec::new(), usize::MAX))
    };
    let pick_from = {
        let (connect, origins) = (connect.clone(), Origin::all(&world));
        Callback::from(move |e: Event| {
            let i: usize = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0);
            if let Some(&from) = origins.get(i) {
                connect.emit(Setup { from, ..setup });
            }
        })
    };
    let targets = console::targets(s);
    let pick_to = {
        let (connect, targets) = (connect.clone(), targets.clone());
        Callback::from(move |e: Event| {
            let i: usize = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0);
            if let Some((to, _)) = targets.get(i) {
                connect.emit(Setup { to: *to, ..setup });
            }
        })
    };
    let pick_port = {
        let connect = connect.clone();
        Callback::from(move |e: Event| {
            let port: u16 = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(25);
            connect.emit(Setup { port, ..setup });
        })
    };
    let send = {
        let (m, input, note, history_at, lines) =
            (m.clone(), input.clone(), note.clone(), history_at.clone(), state.lines.clone());
        Callback::from(move |text: String| {
            if text.len() > MAX_PASTE {
                note.set(format!(
                    "That is {} KB of text; the console takes at most {} KB at once.",
                    text.len() / 1024,
                    MAX_PASTE / 1024
                ));
                return;
            }
            let typed: Vec<String> = text.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect();
            if lines.len() + typed.len() > console::MAX_LINES {
                note.set(format!(
                    "The console keeps at most {} lines; connect anew to start over.",
                    console::MAX_LINES
                ));
                return;
            }
            note.set(if typed.len() > 1 {
                format!("Sent {} lines at once (pipelined).", typed.len())
            } else {
                String::new()
            });
            let mut all = lines.clone();
            all.extend(typed);
            run_and_show(&m, setup, all, queued);
            input.set(String::new());
            history_at.set(None);
        })
    };
    let onsubmit = {
        let (send, input) = (send.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit((*input).clone());
        })
    };
    let oninput = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| {
            input.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())
        })
    };
    let typed_commands: Vec<String> = session
        .as_ref()
        .map(|x| {
            x.conversation.entries.iter().filter(|e| e.sent != Sent::MessageLine).map(|e| e.line.clone()).collect()
        })
        .unwrap_or_default();
    let onkeydown = {
        let (send, input, history_at, history) =
            (send.clone(), input.clone(), history_at.clone(), typed_commands.clone());
        Callback::from(move |e: KeyboardEvent| {
            let single = !input.contains('\n');
            match e.key().as_str() {
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    send.emit((*input).clone());
                }
                "ArrowUp" if single && !history.is_empty() => {
                    e.prevent_default();
                    let i = history_at.map_or(history.len() - 1, |i| i.saturating_sub(1));
                    history_at.set(Some(i));
                    input.set(history[i].clone());
                }
                "ArrowDown" if single && history_at.is_some() => {
                    e.prevent_default();
                    match history_at.map(|i| i + 1).filter(|i| *i < history.len()) {
                        Some(i) => {
                            history_at.set(Some(i));
                            input.set(history[i].clone());
                        }
                        None => {
                            history_at.set(None);
                            input.set(String::new());
                        }
                    }
                }
                _ => {}
            }
        })
    };
    let fill = {
        let (input, field) = (input.clone(), field.clone());
        Callback::from(move |text: String| {
            input.set(text);
            if let Some(el) = field.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        })
    };
    let replay = {
        let (m, s) = (m.clone(), s.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some((setup, lines)) = console::simulated(&s) {
                run_and_show(&m, setup, lines, 0);
            }
        })
    };
    let close = {
        let m = m.clone();
        Callback::from(move |_: MouseEvent| m.dispatch(Action::ConsoleClose))
    };
    let anew = connect.reform(move |_: MouseEvent| setup);

    let origins = Origin::all(&world);
    let host_name = host(setup.to, s).name.to_string();
    let hint = session.as_ref().map(|x| console::hint(s, &setup, x));
    let expects = session.as_ref().map_or(Expect::Command, |x| x.conversation.expects);
    let placeholder = match expects {
        Expect::Command => "Type a command, e.g. EHLO laptop.example",
        Expect::AuthAnswer => "Type the base64 answer (or * to cancel)",
        Expect::MessageLine => "Type the message; a line with only . ends it",
        Expect::Nothing => "The connection is closed: connect anew",
    };
    html! {
        <div class="console" data-testid="console">
            <div class="console-setup" role="group" aria-label="Connection">
                <label>{ "Type from " }
                    <select onchange={pick_from} data-testid="console-from">
                        { for origins.iter().enumerate().map(|(i, o)| html! {
                            <option value={i.to_string()} selected={*o == setup.from}>{ o.label(s) }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Connect to " }
                    <select onchange={pick_to} data-testid="console-to">
                        { for targets.iter().enumerate().map(|(i, (h, name))| html! {
                            <option value={i.to_string()} selected={*h == setup.to}>{ format!("{name} ({})", role(*h)) }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Port " }
                    <select onchange={pick_port} data-testid="console-port">
                        { for console::PORTS.iter().map(|p| html! {
                            <option value={p.to_string()} selected={*p == setup.port}>{ port_label(*p) }</option>
                        }) }
                    </select>
                </label>
                <button onclick={anew}>{ "Connect anew" }</button>
                if !props.locked {
                    <button onclick={replay}>{ "Replay the simulated client's conversation" }</button>
                }
                <button onclick={close}>{ "Back to the simulation" }</button>
            </div>
            { for session.as_ref().map(|x| log(s, x)) }
            { for hint.filter(|_| !props.locked).map(|h| {
                let line = h.line.clone();
                html! {
                    <p class="console-hint" data-testid="console-hint">
                        { for line.map(|l| {
                            let fill = fill.clone();
                            let text = l.clone();
                            html! { <>{ "Next: " }<code>{ l }</code>{ " " }
                                <button class="small" onclick={Callback::from(move |_| fill.emit(text.clone()))}>{ "Type it" }</button>{ " " }</> }
                        }) }
                        <span class="why-hint">{ h.why }</span>
                    </p>
                }
            }) }
            if !props.locked {
                <form class="console-input" onsubmit={onsubmit}>
                    <label for="console-line">{ "Your line (Enter sends it; Shift+Enter adds a line; paste several lines to send them at once; ↑ and ↓ go through what you typed)" }</label>
                    <div class="row">
                        <textarea id="console-line" ref={field} rows="2" spellcheck="false" autocomplete="off" autocapitalize="off"
                            placeholder={placeholder} value={(*input).clone()} {oninput} {onkeydown} data-testid="console-input"
                            disabled={expects == Expect::Nothing} />
                        <button type="submit" disabled={expects == Expect::Nothing}>{ "Send" }</button>
                    </div>
                    <p class="said" role="status">{ (*note).clone() }</p>
                </form>
                <LoginHelper model={m.clone()} fill={fill.clone()} />
                { for session.as_ref().map(|x| html! { <Export model={m.clone()} session={x.clone()} host={host_name.clone()} /> }) }
            }
        </div>
    }
}

fn role(h: HostId) -> &'static str {
    h.label()
}

fn port_label(p: u16) -> &'static str {
    match p {
        25 => "25 (SMTP, server to server)",
        587 => "587 (submission, STARTTLS)",
        _ => "465 (submission, TLS from the first byte)",
    }
}

/// The log: the greeting, each typed line and each reply, with plain words for each reply code.
fn log(s: &mailpath_core::Scenario, session: &Session) -> Html {
    let t = &session.trace;
    let c = &session.conversation;
    let hop = &t.hops[c.hop];
    let first_typed = c.entries.iter().find_map(|e| e.events.first().copied()).unwrap_or(hop.last_event + 1);
    let opening: Vec<usize> = (hop.first_event..first_typed.min(t.events.len())).collect();
    let item = |key: String, i: usize| -> Html {
        let e = &t.events[i];
        match &e.kind {
            EventKind::Connect { to, port, .. } => html! {
                <li key={key} class="note">{ format!("Connected to {} port {port}.", host(*to, s).name) }</li>
            },
            EventKind::Redirected { to } => html! {
                <li key={key} class="note">{ format!("The network sends the connection to {} instead.", host(*to, s).name) }</li>
            },
            EventKind::ConnectFailed { text, .. } => html! {
                <li key={key} class="note failed">{ format!("No connection: {text}. No SMTP reply exists.") }</li>
            },
            EventKind::Tls => html! { <li key={key} class="note tls">{ "TLS is on now." }</li> },
            EventKind::Command(cmd) => {
                html! { <li key={key} class="client"><span class="who">{ "C: " }</span>{ cmd.to_string() }</li> }
            }
            EventKind::MessageText { lines, .. } => html! {
                <li key={key} class="client"><span class="who">{ "C: " }</span>{ "." }<span class="meaning">{ format!(" (end of the message, {lines} lines)") }</span></li>
            },
            EventKind::Reply(r) => {
                let meaning = match r.status {
                    Some(st) => format!("{} {}", codes::reply_code(r.code), codes::status(st)),
                    None => codes::reply_code(r.code).to_string(),
                };
                html! {
                    <li key={key} class={classes!("server", (!r.is_positive()).then_some("refusal"))}>
                        { for r.wire_lines().map(|l| html! { <span class="l"><span class="who">{ "S: " }</span>{ l }</span> }) }
                        <span class="meaning">{ meaning }</span>
                        if r.unconfirmed { <span class="unconfirmed-note">{ "(this wording is not confirmed by a source)" }</span> }
                    </li>
                }
            }
            EventKind::Decision(d) => html! {
                <li key={key} class="note decision">{ format!("Decision on {}: {} — {}", d.rcpt, d.verdict.label(), d.rule) }</li>
            },
            EventKind::Closed => html! { <li key={key} class="note">{ "The connection is closed." }</li> },
            _ => html! {},
        }
    };
    html! {
        <ol class="console-log" role="log" aria-live="polite" aria-label="Console" data-testid="console-log">
            { for opening.iter().map(|&i| item(format!("e{i}"), i)) }
            { for c.entries.iter().enumerate().map(|(n, entry)| match entry.sent {
                Sent::MessageLine => html! { <li key={format!("m{n}")} class="client message-line"><span class="who">{ "C| " }</span>{ entry.line.clone() }</li> },
                Sent::NotConnected => html! { <li key={format!("x{n}")} class="note">{ format!("Not sent (no connection): {}", entry.line) }</li> },
                _ => html! { <>{ for entry.events.iter().map(|&i| item(format!("e{i}"), i)) }</> },
            }) }
            if !c.queued.is_empty() {
                <li key="queued" class="note ok">{ format!("The server took {} message(s): press Play to follow the trip.", c.queued.len()) }</li>
            }
        </ol>
    }
}

/// Properties of [`LoginHelper`].
#[derive(Properties, PartialEq)]
struct LoginProps {
    model: UseReducerHandle<Model>,
    fill: Callback<String>,
}

/// The base64 a login takes, from a user and a password.
#[component]
fn LoginHelper(p: &LoginProps) -> Html {
    let (user0, password0) = console::account(&p.model.scenario);
    let user = use_state(|| user0.clone());
    let password = use_state(|| password0.to_string());
    let set = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let plain = console::plain_token(&user, &password);
    let [u, pw] = console::login_tokens(&user, &password);
    let line = |text: String| {
        let fill = p.fill.clone();
        let t = text.clone();
        html! { <li><code>{ text }</code>{ " " }<button class="small" onclick={Callback::from(move |_| fill.emit(t.clone()))}>{ "Type it" }</button></li> }
    };
    html! {
        <details class="console-login">
            <summary>{ "Login helper (base64)" }</summary>
            <p class="hint">{ format!("This world's accounts use the password {password0}. AUTH PLAIN sends \\0user\\0password in base64; AUTH LOGIN sends the user and the password one at a time.") }</p>
            <label>{ "User " }<input type="text" value={(*user).clone()} oninput={set(&user)} autocomplete="off" /></label>
            <label>{ "Password " }<input type="text" value={(*password).clone()} oninput={set(&password)} autocomplete="off" /></label>
            <ul>
                { line(format!("AUTH PLAIN {plain}")) }
                { line("AUTH LOGIN".to_string()) }
                { line(u) }
                { line(pw) }
            </ul>
        </details>
    }
}

/// Properties of [`Export`].
#[derive(Properties)]
struct ExportProps {
    model: UseReducerHandle<Model>,
    session: Rc<Session>,
    host: String,
}

impl PartialEq for ExportProps {
    fn eq(&self, o: &Self) -> bool {
        self.model == o.model && Rc::ptr_eq(&self.session, &o.session) && self.host == o.host
    }
}

/// The session as a link, a transcript, and the same conversation for a real server.
#[component]
fn Export(p: &ExportProps) -> Html {
    let m = &p.model;
    let Some(state) = m.console.clone() else { return html! {} };
    let lines = &state.lines;
    let page = browser::page();
    let link = console::link_parts(&state.setup, lines).map(|_| format!("{page}#{}", m.link()));
    let transcript = console::transcript(&m.scenario, &state.setup, &p.session);
    let saved = use_state(|| "");
    let download = {
        let (saved, text) = (saved.clone(), transcript.clone());
        Callback::from(move |_: MouseEvent| {
            let ok = browser::download("mailpath-console.txt", "text/plain", &text);
            saved.set(if ok { "Download started." } else { "The browser refused the download." });
        })
    };
    html! {
        <details class="console-export">
            <summary>{ "Share this session, or try it on your own server" }</summary>
            { match link {
                Ok(link) => html! { <CopyField label="Link to this session" button="Copy link" text={link} testid="console-link" /> },
                Err(why) => html! { <p class="hint" role="status">{ why }</p> },
            } }
            <button onclick={download}>{ "Export the transcript" }</button>
            <span class="said" role="status">{ *saved }</span>
            <p class="warning">{ console::REAL_SERVER_WARNING }</p>
            <CopyField label="As a swaks command" button="Copy" text={console::swaks(&state.setup, lines, &p.host)} testid="console-swaks" multiline=true />
            <CopyField label="As an openssl session" button="Copy" text={console::openssl(&state.setup, lines, &p.host)} testid="console-openssl" multiline=true />
        </details>
    }
}
