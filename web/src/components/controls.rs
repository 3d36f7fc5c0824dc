//! Controls for every setting the core has, grouped as a person thinks of them, each with a one-line hint.
//! A change re-runs the simulation at once; a value the core refuses leaves the last good one in place.

use crate::components::select::Select;
use crate::state::{Action, Model};
use mailpath_core::fields::{self, Kind, Value};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The groups and the settings in each; settings after `|` sit under "More settings".
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "Your mail program",
        &[
            "sender",
            "client.program",
            "client.server",
            "client.port",
            "client.tls",
            "client.auth",
            "message.to",
            "|",
            "client.pop_before_smtp",
            "client.pop_age",
            "client.login",
            "client.persistence",
            "message.from",
            "message.header_from",
            "message.subject",
            "message.body",
            "message.attachment_kb",
            "title",
            "seed",
        ],
    ),
    ("Where you are", &["network.place", "network.port25", "network.ptr"]),
    (
        "Your provider's server",
        &[
            "provider.flavour",
            "provider.policy",
            "provider.trust",
            "provider.sasl",
            "provider.submission",
            "|",
            "provider.*",
        ],
    ),
    ("Middle-man", &["middle.role", "middle.handles_domain", "middle.recipient_list", "middle.login", "|", "middle.*"]),
    (
        "Recipient",
        &[
            "recipient.flavour",
            "recipient.handles_domain",
            "recipient.down.for",
            "recipient.greylisting",
            "|",
            "recipient.*",
            "dns.outage.at",
            "dns.outage.for",
            "dns.backup_preference",
        ],
    ),
    (
        "Names and addresses",
        &[
            "names.provider.domain",
            "names.provider.host",
            "names.recipient.domain",
            "names.recipient.host",
            "|",
            "names.*",
        ],
    ),
];

/// Expands `server.*` to that server's settings not listed elsewhere in the group.
fn expand(list: &[&str]) -> (Vec<String>, Vec<String>) {
    let all = fields::all();
    let (mut main, mut more) = (Vec::new(), Vec::new());
    let mut in_more = false;
    for k in list {
        if *k == "|" {
            in_more = true;
            continue;
        }
        let target = if in_more { &mut more } else { &mut main };
        match k.strip_suffix(".*") {
            Some(prefix) => {
                for (key, ..) in &all {
                    let listed = list.contains(&key.as_str());
                    if key.starts_with(prefix) && key[prefix.len()..].starts_with('.') && !listed {
                        target.push(key.clone());
                    }
                }
            }
            None => target.push((*k).to_string()),
        }
    }
    (main, more)
}

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The model.
    pub model: UseReducerHandle<Model>,
}

/// Properties of [`Control`]: only what it shows, so an unchanged setting is not re-rendered.
#[derive(Properties, PartialEq)]
struct ControlProps {
    key_name: AttrValue,
    help: &'static str,
    kind: Kind,
    value: Value,
    /// Notes beside it (lines of a main.cf that are read but not simulated).
    #[prop_or_default]
    notes: Vec<String>,
    dispatch: UseReducerDispatcher<Model>,
}

#[component]
fn Control(p: &ControlProps) -> Html {
    let key = p.key_name.as_str();
    let id = format!("f-{}", key.replace('.', "-"));
    let label = fields::label(key);
    let k = p.key_name.clone();
    let d = p.dispatch.clone();
    let widget = match p.kind {
        Kind::Bool => {
            let on = p.value == Value::Bool(true);
            let onchange = Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlInputElement>().checked();
                d.dispatch(Action::Set(k.to_string(), Value::Bool(v)));
            });
            html! { <input type="checkbox" id={id.clone()} checked={on} {onchange} /> }
        }
        Kind::Choice(names) => {
            let current = p.value.render();
            let onchange = Callback::from(move |v: String| d.dispatch(Action::Set(k.to_string(), Value::Text(v))));
            html! {
                <Select id={id.clone()} value={current.clone()} {onchange}>
                    { for names.iter().map(|n| html! { <option value={*n} selected={*n == current}>{ choice_label(key, n) }</option> }) }
                </Select>
            }
        }
        Kind::HostName { .. } => {
            // Shown in Unicode, sent as A-labels: an internationalised name is converted by UTS #46 (loaded the
            // first time one is typed) before the core checks it.
            let onchange = Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                if v.is_ascii() {
                    d.dispatch(Action::Set(k.to_string(), Value::Text(v)));
                    return;
                }
                let (d, k) = (d.clone(), k.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match crate::lazy::idn_converter().await {
                        Ok(convert) => match convert(&v) {
                            Ok(ascii) => d.dispatch(Action::Set(k.to_string(), Value::Text(ascii))),
                            Err(why) => d.dispatch(Action::Notes(vec![format!("Not changed: `{k}`: {why}")])),
                        },
                        Err(e) => d.dispatch(Action::Notes(vec![format!(
                            "Not changed: the converter for internationalised names could not be loaded ({}). Try again.",
                            e.0
                        )])),
                    }
                });
            });
            let shown = mailpath_core::addr::display_name(&p.value.render());
            html! { <input type="text" id={id.clone()} value={shown} {onchange} spellcheck="false" /> }
        }
        Kind::Text { max } if max > 1000 => {
            // Long text (a copied main.cf, a message body) in a text area, applied when it loses focus.
            let onchange = Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
                d.dispatch(Action::Set(k.to_string(), Value::Text(v)));
            });
            html! { <textarea id={id.clone()} value={p.value.render()} {onchange} spellcheck="false" rows="6" /> }
        }
        kind => {
            let onchange = Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                d.dispatch(Action::Set(k.to_string(), Value::Text(v)));
            });
            let kind_attr = if matches!(kind, Kind::Number { .. }) { "number" } else { "text" };
            html! { <input type={kind_attr} id={id.clone()} value={p.value.render()} {onchange} spellcheck="false" /> }
        }
    };
    html! {
        <div class={classes!("control", matches!(p.kind, Kind::Bool).then_some("check"))}>
            <label for={id}>{ label }</label>
            { widget }
            <p class="hint">{ p.help }</p>
            { for p.notes.iter().map(|n| html! { <p class="hint note">{ format!("Not simulated: {n}") }</p> }) }
        </div>
    }
}

/// A choice's label for people (the core's enums know theirs).
fn choice_label(key: &str, name: &str) -> String {
    use mailpath_core::named::Named;
    use mailpath_core::scenario::*;
    fn l<T: Named>(n: &str) -> Option<&'static str> {
        T::from_name(n).map(|v| v.label())
    }
    let last = key.rsplit('.').next().unwrap_or(key);
    let found = match last {
        "sender" => l::<Sender>(name),
        "program" => l::<Program>(name),
        "server" => l::<Outgoing>(name),
        "port" => l::<Port>(name),
        "auth" => l::<Auth>(name),
        "place" => l::<Place>(name),
        "port25" => l::<Port25>(name),
        "flavour" => l::<Flavour>(name),
        "policy" => l::<Policy>(name),
        "trust" => l::<Trust>(name),
        "retrieval" => l::<Retrieval>(name),
        "role" => l::<Role>(name),
        "persistence" => l::<Persistence>(name),
        _ => None,
    };
    found.unwrap_or(name).to_string()
}

/// Which sections of the settings are open: for each group, the group itself and its "More settings" (several
/// can open in one task, so changes go through a reducer).
#[derive(PartialEq)]
struct Sections(Vec<[bool; 2]>);

impl Reducible for Sections {
    /// (group, 0 for the group or 1 for its "More settings", open now).
    type Action = (usize, usize, bool);
    fn reduce(self: std::rc::Rc<Self>, (group, part, now): Self::Action) -> std::rc::Rc<Self> {
        if self.0.get(group).map(|g| g[part]) == Some(now) {
            return self;
        }
        let mut next = self.0.clone();
        next[group][part] = now;
        std::rc::Rc::new(Sections(next))
    }
}

/// The settings, grouped.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let m = &props.model;
    // The table of settings and the groups never change: built once.
    let table = use_memo((), |_| {
        let all = fields::all();
        GROUPS
            .iter()
            .map(|(title, keys)| {
                let (main, more) = expand(keys);
                let find = |list: Vec<String>| -> Vec<(AttrValue, &'static str, Kind)> {
                    list.into_iter()
                        .filter_map(|k| {
                            all.iter().find(|(key, ..)| *key == k).map(|(_, help, kind)| (k.into(), *help, *kind))
                        })
                        .collect()
                };
                (*title, find(main), find(more))
            })
            .collect::<Vec<_>>()
    });
    let dispatch = m.dispatcher();
    let control = |(key, help, kind): &(AttrValue, &'static str, Kind)| {
        let value = fields::get(&m.scenario, key).unwrap_or(Value::Bool(false));
        let notes = match key.strip_suffix(".main_cf") {
            Some(prefix) => fields::main_cf_notes(&m.scenario, prefix),
            None => Vec::new(),
        };
        html! {
            <Control key={key.to_string()} key_name={key.clone()} help={*help} kind={*kind} {value} {notes} dispatch={dispatch.clone()} />
        }
    };
    // A closed section's controls are not built at all (most of the page's elements would otherwise sit unseen
    // in closed sections); they are built when it opens, however it is opened. The first three groups start open.
    let open = use_reducer(|| Sections((0..table.len()).map(|g| [g < 3, false]).collect()));
    let toggle = |group: usize, part: usize| {
        let open = open.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(d) = e.target_dyn_into::<web_sys::HtmlDetailsElement>() {
                open.dispatch((group, part, d.open()));
            }
        })
    };
    html! {
        <section class="controls" aria-labelledby="controls-title">
            <h2 id="controls-title">{ "Settings" }</h2>
            { for table.iter().zip(&open.0).enumerate().map(|(g, ((title, main, more), &[shown, more_shown]))| html! {
                <details class="group" open={shown} ontoggle={toggle(g, 0)}>
                    <summary>{ *title }</summary>
                    if shown {
                        { for main.iter().map(control) }
                        if !more.is_empty() {
                            <details class="more" open={more_shown} ontoggle={toggle(g, 1)}>
                                <summary>{ "More settings" }</summary>
                                if more_shown {
                                    { for more.iter().map(control) }
                                }
                            </details>
                        }
                    }
                </details>
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_exactly_one_control() {
        let mut shown: Vec<String> = GROUPS
            .iter()
            .flat_map(|(_, keys)| {
                let (a, b) = expand(keys);
                a.into_iter().chain(b)
            })
            .collect();
        shown.sort();
        let mut all: Vec<String> = fields::all().into_iter().map(|(k, ..)| k).collect();
        all.sort();
        assert_eq!(shown, all);
    }
}
