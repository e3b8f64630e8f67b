//! The few DOM calls the widget's elements are made with, and the one way they are bound to
//! the signals: a render effect per binding, kept for the page's life.

use reactive_graph::effect::RenderEffect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Element, Event, HtmlElement, Node, Text};

pub(crate) fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|window| window.document())
        .expect_throw("no document")
}

/// A new `<tag>` with the attributes given, appended to `parent`.
pub(crate) fn element(parent: &Node, tag: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    element_in(HTML, parent, tag, attributes).unchecked_into()
}

/// A new SVG element, made as [`element`] is. (Never markup through `innerHTML`: a shop that
/// enforces Trusted Types would refuse it.)
pub(crate) fn svg(parent: &Node, tag: &str, attributes: &[(&str, &str)]) -> Element {
    element_in("http://www.w3.org/2000/svg", parent, tag, attributes)
}

const HTML: &str = "http://www.w3.org/1999/xhtml";

fn element_in(namespace: &str, parent: &Node, tag: &str, attributes: &[(&str, &str)]) -> Element {
    let element = document()
        .create_element_ns(Some(namespace), tag)
        .unwrap_throw();
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
    let _ = parent.append_child(&element);
    element
}

/// A new text node in `parent`.
pub(crate) fn text(parent: &Node, value: &str) -> Text {
    let text = document().create_text_node(value);
    let _ = parent.append_child(&text);
    text
}

/// A new `<tag>` holding `value` as text.
pub(crate) fn labelled(
    parent: &Node,
    tag: &str,
    attributes: &[(&str, &str)],
    value: &str,
) -> HtmlElement {
    let element = element(parent, tag, attributes);
    text(&element, value);
    element
}

/// A form field with its visible label: `<label><span>label</span><tag …></label>` in `form`.
pub(crate) fn field(
    form: &Node,
    label: &str,
    tag: &str,
    attributes: &[(&str, &str)],
) -> HtmlElement {
    let holder = element(form, "label", &[]);
    labelled(&holder, "span", &[], label);
    element(&holder, tag, attributes)
}

/// A form's submit button.
pub(crate) fn submit(form: &Node, label: &str) -> HtmlElement {
    labelled(
        form,
        "button",
        &[("type", "submit"), ("class", "send")],
        label,
    )
}

/// Shows or hides an element (its `hidden` attribute).
pub(crate) fn show(element: &Element, shown: bool) {
    let _ = if shown {
        element.remove_attribute("hidden")
    } else {
        element.set_attribute("hidden", "")
    };
}

/// Calls `handler` for every `kind` event on `target`, for as long as the page lives.
pub(crate) fn listen(target: &Element, kind: &str, handler: impl FnMut(Event) + 'static) {
    listen_boxed(target, kind, Box::new(handler));
}

/// `work` as a JS function that runs it once. Boxed, as every caller's: one copy of
/// wasm-bindgen's code for all such functions, not one for each kind of work.
pub(crate) fn once(work: Box<dyn FnOnce()>) -> wasm_bindgen::JsValue {
    Closure::once_into_js(work)
}

fn listen_boxed(target: &Element, kind: &str, handler: Box<dyn FnMut(Event)>) {
    let closure = Closure::wrap(handler);
    let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Runs `work` now and again whenever a signal it read changes, for as long as the page lives.
pub(crate) fn bind(work: impl Fn() + 'static) {
    bind_boxed(Box::new(work));
}

fn bind_boxed(work: Box<dyn Fn()>) {
    std::mem::forget(RenderEffect::new(move |_: Option<()>| work()));
}
