//! Features that load when first opened: each is a view (`fn(&Props) -> Html`) behind a split point, so its code
//! lives in its own wasm chunk (`lazy/<name>-<id>.wasm`) that the page fetches the first time the feature is shown.
//! [`show`] shows a short "Loading…" note meanwhile, and a failed load says so with a retry.
//!
//! With the `lazy` feature (the release bundle) the split points are real; without it (component tests, native
//! builds) the same loaders resolve at once, so both builds behave alike.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use yew::prelude::*;

/// A feature's view.
pub type View<P> = fn(&P) -> Html;

/// Why a feature could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

#[cfg(feature = "lazy")]
impl From<wasm_split_helpers::SplitLoaderError> for LoadError {
    fn from(e: wasm_split_helpers::SplitLoaderError) -> Self {
        LoadError(e.to_string())
    }
}

/// Loading a feature's view.
pub type LoadFuture<P> = Pin<Box<dyn Future<Output = Result<View<P>, LoadError>>>>;

/// A loader of a feature's view.
pub type Loader<P> = fn() -> LoadFuture<P>;

/// Declares a feature loaded on first use: `lazy_view!(module, LOADER, Props, |p| html! { … })` makes the
/// constant `LOADER`, which loads chunk `module` and returns the view.
macro_rules! lazy_view {
    ($(#[$doc:meta])* $module:ident, $loader:ident, $props:ty, |$p:ident| $body:expr) => {
        #[cfg_attr(feature = "lazy", wasm_split_helpers::wasm_split($module, fallible))]
        fn $module() -> Result<View<$props>, LoadError> {
            Ok(|$p: &$props| $body)
        }

        $(#[$doc])*
        pub const $loader: Loader<$props> = || {
            #[cfg(feature = "lazy")]
            return Box::pin($module());
            #[cfg(not(feature = "lazy"))]
            return Box::pin(async { $module() });
        };
    };
}

/// A loaded view whose properties' type is erased: one [`Lazy`] component serves every feature, so its code is in
/// the first load once rather than once per kind of properties.
type ErasedView = Rc<dyn Fn(&dyn Any) -> Html>;
type ErasedLoad = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<ErasedView, LoadError>>>>>;

/// Properties of [`Lazy`] (made by [`show`]).
#[derive(Properties)]
pub struct LazyProps {
    load: ErasedLoad,
    /// The loader's address: the same feature.
    id: usize,
    props: Rc<dyn Any>,
    same: fn(&dyn Any, &dyn Any) -> bool,
    /// What the feature is, for the loading and failure notes (`the share panel`).
    what: &'static str,
}

impl PartialEq for LazyProps {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.what == other.what && (self.same)(&*self.props, &*other.props)
    }
}

fn same<P: PartialEq + 'static>(a: &dyn Any, b: &dyn Any) -> bool {
    matches!((a.downcast_ref::<P>(), b.downcast_ref::<P>()), (Some(x), Some(y)) if x == y)
}

/// A feature that loads when first shown, with its properties: "Loading…", then the feature; after a failed
/// load a note and a retry.
pub fn show<P: PartialEq + 'static>(load: Loader<P>, props: P, what: &'static str) -> Html {
    let erased: ErasedLoad = Rc::new(move || {
        Box::pin(async move {
            let view = load().await?;
            Ok(Rc::new(move |p: &dyn Any| p.downcast_ref::<P>().map_or_else(Html::default, view)) as ErasedView)
        })
    });
    let id = load as *const () as usize;
    let props: Rc<dyn Any> = Rc::new(props);
    html! { <Lazy load={erased} id={id} props={props} same={same::<P> as fn(&dyn Any, &dyn Any) -> bool} what={what} /> }
}

enum Loaded {
    Loading,
    Ready(ErasedView),
    Failed(String),
}

/// The loading, loaded or failed feature (see [`show`]).
#[component]
fn Lazy(props: &LazyProps) -> Html {
    let state = use_state(|| Loaded::Loading);
    let attempt = use_state(|| 0u32);
    {
        // The same component may be reused for another feature (tabs): a new loader loads anew.
        let (state, load) = (state.clone(), props.load.clone());
        use_effect_with((*attempt, props.id), move |_| {
            state.set(Loaded::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                state.set(match load().await {
                    Ok(view) => Loaded::Ready(view),
                    Err(LoadError(why)) => Loaded::Failed(why),
                });
            });
        });
    }
    match &*state {
        Loaded::Ready(view) => view(&*props.props),
        Loaded::Loading => html! { <p class="loading" role="status">{ format!("Loading {}…", props.what) }</p> },
        Loaded::Failed(why) => {
            let retry = {
                let attempt = attempt.clone();
                Callback::from(move |_| attempt.set(*attempt + 1))
            };
            html! {
                <div class="load-failed" role="alert">
                    <p>{ format!("{} could not be loaded ({why}). Check the connection and try again.", capitalised(props.what)) }</p>
                    <button onclick={retry}>{ "Retry" }</button>
                </div>
            }
        }
    }
}

/// Properties of [`WhenShown`].
#[derive(Properties, PartialEq)]
pub struct WhenShownProps {
    /// What to show once it is on screen.
    pub children: Html,
    /// What the placeholder says (a button: pressing it, or reaching it with Tab, shows the content too).
    pub label: &'static str,
}

/// Shows its content once it comes near the screen (within 300 px of it), so what sits below the first screen
/// loads when the reader gets there; until then a placeholder button holds its place.
#[component]
pub fn WhenShown(props: &WhenShownProps) -> Html {
    use wasm_bindgen::JsCast;
    let shown = use_state(|| false);
    let node = use_node_ref();
    {
        let (shown, node) = (shown.clone(), node.clone());
        use_effect_with((), move |_| {
            let observer = node.cast::<web_sys::Element>().and_then(|el| {
                let shown = shown.clone();
                let on_change =
                    wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let near = entries
                            .iter()
                            .any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
                        if near {
                            shown.set(true);
                        }
                    });
                let options = web_sys::IntersectionObserverInit::new();
                options.set_root_margin("300px");
                let observer =
                    web_sys::IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &options)
                        .ok()?;
                observer.observe(&el);
                Some((observer, on_change))
            });
            if observer.is_none() {
                // No IntersectionObserver: show it at once.
                shown.set(true);
            }
            move || {
                if let Some((o, _closure)) = observer {
                    o.disconnect();
                }
            }
        });
    }
    if *shown {
        return props.children.clone();
    }
    let (on_click, on_focus) = (shown.clone(), shown.clone());
    html! {
        <div class="when-shown" ref={node}>
            <button onclick={Callback::from(move |_: MouseEvent| on_click.set(true))}
                onfocus={Callback::from(move |_: FocusEvent| on_focus.set(true))}>{ props.label }</button>
        </div>
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

/// Reads a scenario file: the scenario, or every problem found in it.
pub type FileReader = fn(&str) -> Result<mailpath_core::Scenario, Vec<String>>;

#[cfg_attr(feature = "lazy", wasm_split_helpers::wasm_split(files, fallible))]
fn file_reader() -> Result<FileReader, LoadError> {
    Ok(|text| mailpath_core::file::from_json(text).map_err(|ps| ps.iter().map(|p| p.to_string()).collect()))
}

/// The scenario-file reader (the JSON reader and the file format), loaded the first time a file is opened.
pub async fn scenario_file_reader() -> Result<FileReader, LoadError> {
    #[cfg(feature = "lazy")]
    return file_reader().await;
    #[cfg(not(feature = "lazy"))]
    return file_reader();
}

/// Converts a name a person typed to the A-labels mail software sends (UTS #46).
pub type IdnConverter = fn(&str) -> Result<String, String>;

#[cfg_attr(feature = "lazy", wasm_split_helpers::wasm_split(idn, fallible))]
fn idn() -> Result<IdnConverter, LoadError> {
    Ok(mailpath_core::addr::to_a_labels)
}

/// The converter for internationalised names (the `idna` crate's mapping tables), loaded the first time a name
/// outside ASCII is typed.
pub async fn idn_converter() -> Result<IdnConverter, LoadError> {
    #[cfg(feature = "lazy")]
    return idn().await;
    #[cfg(not(feature = "lazy"))]
    return idn();
}

use crate::components::bounce::BounceReader;
use crate::components::console::{Console, ConsoleProps};
use crate::components::controls::{Controls, ControlsProps};
use crate::components::panels::{Message, PanelProps, Timeline, WhatIf};
use crate::components::present::{PresentBar, PresentProps};
use crate::components::reader::{OpenMessage, OpenProps};
use crate::components::share::{Share, ShareProps};
use crate::components::why::{Checks, ChecksProps, Fixes, FixesProps, Outcome, OutcomeProps};

lazy_view!(
    /// The share and export panel.
    share, SHARE, ShareProps, |p| html! { <Share model={p.model.clone()} on_close={p.on_close.clone()} /> }
);
lazy_view!(
    /// The presentation bar with its QR code.
    present, PRESENT, PresentProps, |p| html! { <PresentBar model={p.model.clone()} /> }
);
lazy_view!(
    /// The what-if grid.
    whatif, WHATIF, PanelProps, |p| html! { <WhatIf model={p.model.clone()} /> }
);
lazy_view!(
    /// The message panel.
    message, MESSAGE, PanelProps, |p| html! { <Message model={p.model.clone()} /> }
);
lazy_view!(
    /// The timeline.
    timeline, TIMELINE, PanelProps, |p| html! { <Timeline model={p.model.clone()} /> }
);
lazy_view!(
    /// The SMTP console (the typed-session reader and runner come with it).
    console, CONSOLE, ConsoleProps, |p| html! { <Console model={p.model.clone()} locked={p.locked} /> }
);
lazy_view!(
    /// The message reader (a bounce or a message copy in a modal window).
    reader, READER, OpenProps, |p| html! { <OpenMessage model={p.model.clone()} message={p.message} /> }
);
lazy_view!(
    /// The bounce reader (the core's reader of pasted bounces and mail-parser come with it).
    bounce, BOUNCE, PanelProps, |p| html! { <BounceReader model={p.model.clone()} /> }
);
lazy_view!(
    /// The fixes list (each fix found and checked by running it).
    fixes, FIXES, FixesProps, |p| html! { <Fixes model={p.model.clone()} /> }
);
lazy_view!(
    /// What a server checked for a decision, with the facts in its own terms.
    checks, CHECKS, ChecksProps, |p| html! { <Checks model={p.model.clone()} /> }
);
lazy_view!(
    /// How the run ended, and why.
    outcome, OUTCOME, OutcomeProps, |p| html! { <Outcome model={p.model.clone()} /> }
);
lazy_view!(
    /// The settings panel (every setting of the core, grouped).
    controls, CONTROLS, ControlsProps, |p| html! { <Controls model={p.model.clone()} /> }
);
