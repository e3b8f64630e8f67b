//! The widget's elements, made with plain DOM calls and kept up to date by Leptos' reactive
//! graph: every binding is a render effect that reads the signals it shows and sets the
//! attributes and texts that depend on them. (Made with Leptos' `view!` renderer, these few
//! elements cost the widget 22 KB more brotli; README, "Performance".)
//! Every text goes into the DOM as text, never as HTML.

mod footer;
mod log;

use crate::digits::decimal;
use crate::dom::{bind, element, labelled, listen, show, svg, text};
use crate::i18n::Texts;
use crate::state::{ChatState, Link};
use crate::{events, prompts, transport};
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent, Node};

/// The styles, minified by `build.rs`.
const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// The launcher's speech bubble: an SVG path.
const ICON: &str =
    "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";

/// Opens or closes the window, announcing it to the page.
pub fn set_open(open: RwSignal<bool>, state: RwSignal<ChatState>, value: bool) {
    if open.get_untracked() == value {
        return;
    }
    // Opened before every part was built ahead: build the rest now.
    while value && build_step() {}
    open.set(value);
    if value {
        prompts::hide();
        state.update(|state| state.unread = 0);
        transport::ensure_connected();
    }
    events::emit(
        if value { "open" } else { "close" },
        &wasm_bindgen::JsValue::UNDEFINED,
    );
}

/// A catalog sentence with `value` put in for its `#`.
fn fill(template: &str, value: &str) -> String {
    match template.split_once('#') {
        Some((before, after)) => [before, value, after].concat(),
        None => template.to_owned(),
    }
}

/// A moment as the visitor reads it, in their own zone and language: "pondělí 9:00".
fn local_day_and_time(moment: &str, lang: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(moment));
    if date.get_time().is_nan() {
        return String::new();
    }
    let options = js_sys::Object::new();
    for (key, value) in [
        ("weekday", "long"),
        ("hour", "numeric"),
        ("minute", "2-digit"),
    ] {
        crate::wire::set(&options, key, value);
    }
    date.to_locale_string(lang, &options).into()
}

/// Runs `work` just before the next paint. Work that measures the layout waits for it, so that
/// building the view and laying it out never run as one long task.
fn next_frame(work: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(crate::dom::once(Box::new(work)).unchecked_ref());
    }
}

/// The window's title: the shop's name once the relay has told it.
fn title(texts: &'static Texts, state: RwSignal<ChatState>) -> String {
    state.with(|state| {
        state
            .title
            .clone()
            .unwrap_or_else(|| texts.title.to_owned())
    })
}

/// The launcher and the window's parts, built one per call of [`build_step`] after the frame is
/// mounted.
struct Parts {
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    root: HtmlElement,
    window: HtmlElement,
    header: HtmlElement,
    log: HtmlElement,
    footer: HtmlElement,
    /// How many parts are built.
    built: u8,
}

thread_local! {
    static PARTS: RefCell<Option<Parts>> = const { RefCell::new(None) };
    /// The launcher, which takes the focus back when the window closes.
    static LAUNCHER: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

/// Mounts the styles: a constructed style sheet adopted by the shadow root, which a shop's
/// Content Security Policy allows whatever its `style-src` (an inline `<style>` would need
/// `'unsafe-inline'`); a `<style>` element only where constructed sheets do not exist.
pub fn mount_styles(point: &Node) {
    let sheet = web_sys::CssStyleSheet::new().and_then(|sheet| {
        sheet.replace_sync(CSS)?;
        Ok(sheet)
    });
    match (
        sheet,
        point.get_root_node().dyn_into::<web_sys::ShadowRoot>(),
    ) {
        (Ok(sheet), Ok(shadow)) => {
            shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        }
        _ => {
            labelled(point, "style", &[], CSS);
        }
    }
}

/// Mounts the frame: the root and the (empty, hidden) window, its header, log and footer, bound
/// and filled in by [`build_step`].
pub fn mount(
    point: &Node,
    texts: &'static Texts,
    left: bool,
    accent: &str,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
) {
    let root = element(
        point,
        "div",
        &[
            ("class", if left { "root left" } else { "root" }),
            // The widget's language, which may not be the page's (and which the files module
            // speaks too).
            ("lang", texts.lang),
        ],
    );
    // Through the CSSOM, not a `style` attribute, which a strict Content Security Policy refuses.
    let _ = root.style().set_property("--accent", accent);
    // Built ahead, part by part, and laid out while hidden: opening only shows it.
    let window = element(
        &root,
        "section",
        &[("class", "window"), ("role", "dialog"), ("hidden", "")],
    );
    // Not a `<header>`: inside the page's body that would be a second banner landmark.
    let header = element(&window, "div", &[("class", "head")]);
    // A log is a polite live region: every line added (a message, an operator joining, the
    // queue place, going offline) is announced once, and only there.
    // Focusable, so that a long conversation scrolls by keyboard too.
    let log = element(
        &window,
        "div",
        &[("class", "log"), ("role", "log"), ("tabindex", "0")],
    );
    let footer = element(&window, "div", &[("class", "footer")]);
    let parts = Parts {
        texts,
        state,
        open,
        root,
        window,
        header,
        log,
        footer,
        built: 0,
    };
    PARTS.with(|cell| *cell.borrow_mut() = Some(parts));
}

/// Binds the frame to the signals: the root's `open` class, the window's visibility and label,
/// Escape, and the newest message kept in view.
fn bind_frame(parts: &Parts) {
    let (texts, state, open) = (parts.texts, parts.state, parts.open);
    let root = parts.root.clone();
    bind(move || {
        let _ = root.class_list().toggle_with_force("open", open.get());
    });
    let window = parts.window.clone();
    bind(move || {
        show(&window, open.get());
        let _ = window.set_attribute("aria-label", &title(texts, state));
    });
    listen(&parts.window, "keydown", move |event| {
        if event.unchecked_ref::<KeyboardEvent>().key() == "Escape" {
            close(open, state);
        }
    });
    let log = parts.log.clone();
    bind(move || {
        state.track();
        if open.get() {
            let log = log.clone();
            next_frame(move || log.set_scroll_top(log.scroll_height()));
        }
    });
}

/// Builds the next part (the frame's bindings, the prompt's bubble, the launcher, then the
/// window's header, messages, the log's end, composer and self-service answers), each in a task
/// of its own so that none is a long task. Returns whether parts remain.
pub fn build_step() -> bool {
    PARTS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let Some(parts) = cell.as_mut() else {
            return false;
        };
        let (texts, state, open) = (parts.texts, parts.state, parts.open);
        match parts.built {
            0 => bind_frame(parts),
            1 => prompt_bubble(&parts.root, texts, state, open),
            2 => launcher(&parts.root, texts, state, open),
            3 => window_header(&parts.header, texts, state, open),
            4 => log::log(&parts.log, texts, state),
            5 => log::log_end(&parts.log, texts, state),
            6 => footer::footer(&parts.footer, texts, state, open),
            7 => crate::answers::build(&parts.footer, Some(parts.log.clone().into()), texts),
            _ => return false,
        }
        parts.built += 1;
        parts.built < 8
    })
}

/// Closes the window and gives the focus back to the launcher.
fn close(open: RwSignal<bool>, state: RwSignal<ChatState>) {
    set_open(open, state, false);
    LAUNCHER.with(|launcher| {
        if let Some(launcher) = launcher.borrow().as_ref() {
            let _ = launcher.focus();
        }
    });
}

/// A proactive prompt's bubble, filled in and shown by `prompts`; a click on its text opens the
/// chat.
fn prompt_bubble(
    root: &Node,
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
) {
    let bubble = element(
        root,
        "div",
        &[("class", "prompt"), ("hidden", ""), ("aria-live", "polite")],
    );
    listen(&bubble, "click", move |event| {
        if prompts::clicked(event.unchecked_into()) {
            set_open(open, state, true);
        }
    });
    element(
        &bubble,
        "button",
        &[("class", "prompt-text"), ("type", "button")],
    );
    labelled(
        &bubble,
        "button",
        &[
            ("class", "prompt-close"),
            ("type", "button"),
            ("aria-label", texts.close),
        ],
        "×",
    );
}

/// The round button that opens and closes the window, with the unread badge.
fn launcher(root: &Node, texts: &'static Texts, state: RwSignal<ChatState>, open: RwSignal<bool>) {
    let button = element(root, "button", &[("class", "launcher"), ("type", "button")]);
    let icon = svg(
        &button,
        "svg",
        &[
            ("viewBox", "0 0 24 24"),
            ("aria-hidden", "true"),
            ("width", "28"),
            ("height", "28"),
        ],
    );
    svg(&icon, "path", &[("fill", "currentColor"), ("d", ICON)]);
    listen(&button, "click", move |_| {
        set_open(open, state, !open.get_untracked());
    });
    // The count is in the button's name, which holds what the badge shows.
    let badge = element(
        &button,
        "span",
        &[("class", "badge"), ("aria-hidden", "true")],
    );
    let count = text(&badge, "");
    bind({
        let button = button.clone();
        move || {
            let open = open.get();
            let unread = decimal(u64::from(state.with(|state| state.unread)));
            let badged = unread != "0" && !open;
            let label = match (open, badged) {
                (true, _) => texts.close_chat.to_owned(),
                (_, true) => [texts.open_chat, ", ", &unread, " ", texts.unread].concat(),
                _ => texts.open_chat.to_owned(),
            };
            let _ = button.set_attribute("aria-label", &label);
            let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
            show(&badge, badged);
            count.set_data(&unread);
        }
    });
    LAUNCHER.with(|launcher| *launcher.borrow_mut() = Some(button));
}

fn window_header(
    header: &Node,
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
) {
    let avatar = element(
        header,
        "img",
        &[
            ("class", "avatar"),
            ("alt", ""),
            ("width", "36"),
            ("height", "36"),
        ],
    );
    let who = element(header, "div", &[("class", "who")]);
    // The shop's and the operator's names are isolated (`dir="auto"`), like every name.
    let name = text(&element(&who, "strong", &[("dir", "auto")]), "");
    let status = element(&who, "span", &[("class", "status")]);
    let status_text = text(&element(&status, "bdi", &[]), "");
    let close_button = labelled(
        header,
        "button",
        &[
            ("class", "close"),
            ("type", "button"),
            ("aria-label", texts.close),
        ],
        "×",
    );
    listen(&close_button, "click", move |_| close(open, state));
    bind(move || {
        name.set_data(&title(texts, state));
        state.with(|state| {
            let photo = state
                .agent
                .as_ref()
                .and_then(|agent| agent.photo_url.as_deref());
            show(&avatar, photo.is_some());
            match photo {
                Some(photo) => avatar.set_attribute("src", photo),
                None => avatar.remove_attribute("src"),
            }
            .unwrap_or_default();
            let name = state
                .agent
                .as_ref()
                .map(|agent| agent.name.as_str())
                .or(state.operator_name.as_deref());
            status_text.set_data(match (state.link, name) {
                (Link::Reconnecting, _) => texts.reconnecting,
                (_, Some(name)) if state.online => name,
                _ if state.online => texts.online,
                _ => texts.offline,
            });
            let _ = status
                .class_list()
                .toggle_with_force("online", state.online);
        });
    });
}
