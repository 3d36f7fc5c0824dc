//! A `<select>` that follows its value. Browsers stop honouring an option's `selected` attribute once the person
//! has picked an option, so after back/forward or a preset the shown choice would go stale; this sets the
//! element's value after every render instead.

use yew::prelude::*;

/// Properties of [`Select`].
#[derive(Properties, PartialEq)]
pub struct SelectProps {
    /// The element's id.
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// Accessible name, when no `<label for>` names it.
    #[prop_or_default]
    pub aria_label: Option<AttrValue>,
    /// The chosen option's value.
    pub value: AttrValue,
    /// Called with the new value.
    pub onchange: Callback<String>,
    /// The options.
    pub children: Html,
}

/// See the module documentation.
#[component]
pub fn Select(p: &SelectProps) -> Html {
    let node = use_node_ref();
    {
        let (node, value) = (node.clone(), p.value.clone());
        use_effect(move || {
            if let Some(s) = node.cast::<web_sys::HtmlSelectElement>() {
                if s.value() != value.as_str() {
                    s.set_value(&value);
                }
            }
        });
    }
    let onchange = p.onchange.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlSelectElement>().value());
    html! {
        <select ref={node} id={p.id.clone()} aria-label={p.aria_label.clone()} {onchange}>{ p.children.clone() }</select>
    }
}
