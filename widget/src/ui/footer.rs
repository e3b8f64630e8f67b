//! The window's footer: the composer, or the contact form while nobody is online; neither once
//! the relay has refused the widget for good (the log says why).

use super::{fill, local_day_and_time, next_frame};
use crate::digits::decimal;
use crate::dom::{bind, element, field, labelled, listen, show, submit, text};
use crate::i18n::Texts;
use crate::state::{ChatState, Link};
use crate::transport;
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{KeyboardEvent, Node};

/// The composer, or the contact form while nobody is online; both built, one shown.
pub(super) fn footer(
    footer: &Node,
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
) {
    let contact = move || {
        state.with(|state| state.offline() && !state.contact_sent && state.link == Link::Open)
    };
    let refused = move || state.with(|state| state.link == Link::Refused);
    composer(footer, texts, state, open, move || contact() || refused());
    contact_form(footer, texts, state, contact);
}

/// The visitor's message: Enter sends, Shift+Enter starts a new line, a counter near the limit.
fn composer(
    footer: &Node,
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    hidden: impl Fn() -> bool + Copy + 'static,
) {
    let form = element(footer, "form", &[("class", "composer")]);
    // Files: picked here (on a phone the picker offers the camera too), dropped on the window or
    // pasted into the composer. The loader hands them to the files module, fetched the first
    // time, which previews and sends them.
    labelled(
        &form,
        "button",
        &[
            ("type", "button"),
            ("class", "attach"),
            ("aria-label", texts.attach),
        ],
        "+",
    );
    element(
        &form,
        "input",
        &[
            ("type", "file"),
            ("multiple", ""),
            ("accept", "image/*,application/pdf,text/plain"),
            ("hidden", ""),
        ],
    );
    let input: web_sys::HtmlTextAreaElement = element(
        &form,
        "textarea",
        &[
            ("aria-label", texts.message),
            ("placeholder", texts.placeholder),
            ("rows", "1"),
        ],
    )
    .unchecked_into();
    let counter = element(
        &form,
        "span",
        &[("class", "counter"), ("aria-live", "polite")],
    );
    let count_text = text(&counter, "");
    let send = submit(&form, texts.send);
    // The draft's length in characters, kept as the visitor types. Not a signal: a signal of a
    // type of its own would cost every visitor a copy of Leptos' signal code for it. The counter
    // and the Send button are refreshed where the length changes, and by an effect when the limit
    // does.
    let count = Rc::new(Cell::new(0_usize));
    let sendable = {
        let count = count.clone();
        move || {
            let count = count.get();
            count > 0 && count <= state.with(|state| state.max_text_chars)
        }
    };
    bind({
        let form = form.clone();
        move || show(&form, !hidden())
    });
    let refresh: Rc<dyn Fn()> = Rc::new({
        let (count, sendable) = (count.clone(), sendable.clone());
        move || {
            let (count, max) = (count.get(), state.with(|state| state.max_text_chars));
            show(&counter, count * 5 >= max * 4);
            let _ = counter.class_list().toggle_with_force("over", count > max);
            // Joined as `&str`s: `concat` over them is the one joining code the widget has.
            count_text
                .set_data(&[decimal(count as u64).as_str(), "/", &decimal(max as u64)].concat());
            let _ = send.toggle_attribute_with_force("disabled", !sendable());
        }
    });
    bind({
        let refresh = refresh.clone();
        move || refresh()
    });
    // The draft is measured as typed: blank counts as nothing to send.
    let measure = move |value: &str| {
        count.set(if value.trim().is_empty() {
            0
        } else {
            chars(value)
        });
        refresh();
    };
    let submit = {
        let (input, measure) = (input.clone(), measure.clone());
        move || {
            if sendable() {
                let _ = transport::send(input.value(), None);
                input.set_value("");
                measure("");
                crate::answers::sent();
            }
        }
    };
    listen(&input, "input", {
        let input = input.clone();
        move |_| {
            let value = input.value();
            transport::typing(!value.is_empty());
            crate::answers::typed(&value);
            measure(&value);
        }
    });
    listen(&input, "keydown", {
        let submit = submit.clone();
        move |event| {
            let key: &KeyboardEvent = event.unchecked_ref();
            if key.key() == "Enter" && !key.shift_key() && !key.is_composing() {
                event.prevent_default();
                submit();
            }
        }
    });
    listen(&form, "submit", move |event| {
        event.prevent_default();
        submit();
    });
    bind(move || {
        if open.get() && !hidden() {
            let input = input.clone();
            next_frame(move || {
                let _ = input.focus();
            });
        }
    });
}

/// The contact form while nobody is online: an email and a message, stored as a conversation.
fn contact_form(
    footer: &Node,
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    shown: impl Fn() -> bool + 'static,
) {
    let form = element(footer, "form", &[("class", "contact")]);
    // Outside the opening hours: when the shop is back, in the visitor's own time.
    let back = element(&form, "p", &[("class", "intro back")]);
    let back_text = text(&back, "");
    labelled(&form, "p", &[("class", "intro")], texts.offline_intro);
    let email: web_sys::HtmlInputElement = field(
        &form,
        texts.email,
        "input",
        &[
            ("type", "email"),
            ("required", ""),
            ("autocomplete", "email"),
        ],
    )
    .unchecked_into();
    let message: web_sys::HtmlTextAreaElement = field(
        &form,
        texts.message,
        "textarea",
        &[("required", ""), ("rows", "3")],
    )
    .unchecked_into();
    submit(&form, texts.send);
    bind({
        let form = form.clone();
        move || {
            show(&form, shown());
            let when = state.with(|state| {
                state
                    .back_at
                    .as_deref()
                    .map(|moment| local_day_and_time(moment, texts.lang))
                    .filter(|when| !when.is_empty())
                    .map(|when| fill(texts.back_at, &when))
                    .unwrap_or_default()
            });
            show(&back, !when.is_empty());
            back_text.set_data(&when);
        }
    });
    listen(&message.clone(), "input", {
        let message = message.clone();
        move |_| crate::answers::typed(&message.value())
    });
    listen(&form, "submit", move |event| {
        event.prevent_default();
        let text = message.value();
        let max = state.with_untracked(|state| state.max_text_chars);
        if !text.trim().is_empty() && chars(&text) <= max {
            let _ = transport::send(text, Some(email.value().trim().to_owned()));
            message.set_value("");
            crate::answers::sent();
        }
    });
}

/// How many characters `text` holds, as the relay counts them: the bytes that start one. (The
/// standard library's count is several hundred bytes of WebAssembly for speed the composer does
/// not need.)
fn chars(text: &str) -> usize {
    text.bytes().filter(|byte| byte & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_are_counted_as_the_relay_counts_them() {
        for text in ["", "ahoj", "žluťoučký kůň", "Привет", "👋🏽 hi"] {
            assert_eq!(super::chars(text), text.chars().count(), "{text}");
        }
    }
}
