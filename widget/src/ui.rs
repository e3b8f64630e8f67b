//! The widget's elements, made with plain DOM calls and kept up to date by Leptos' reactive
//! graph: every binding is a render effect that reads the signals it shows and sets the
//! attributes and texts that depend on them. (Leptos' `view!` renderer cost the widget 18 KB of
//! brotli for these few elements, more than a third of it; README, "Performance".)
//! Every text goes into the DOM as text, never as HTML.

use crate::i18n::Texts;
use crate::state::{ChatState, Link, Pending};
use crate::transport;
use beseda_protocol::{Author, Message, Rating};
use reactive_graph::effect::RenderEffect;
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Element, Event, HtmlElement, KeyboardEvent, Node, Text};

/// The styles, minified by `build.rs`.
const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// The launcher's speech bubble (constant markup, no text in it).
const ICON: &str = r#"<svg viewBox="0 0 24 24" aria-hidden="true" width="28" height="28"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>"#;

/// Opens or closes the window, announcing it to the page.
pub fn set_open(open: RwSignal<bool>, state: RwSignal<ChatState>, value: bool) {
    if open.get_untracked() == value {
        return;
    }
    // Opened before every part was built ahead: build the rest now.
    while value && build_step() {}
    open.set(value);
    if value {
        crate::prompts::hide();
        state.update(|state| state.unread = 0);
        transport::ensure_connected();
    }
    transport::emit(
        if value { "open" } else { "close" },
        &wasm_bindgen::JsValue::UNDEFINED,
    );
}

/// A catalog sentence with `value` put in for its `#`.
fn fill(template: &str, value: impl std::fmt::Display) -> String {
    match template.split_once('#') {
        Some((before, after)) => format!("{before}{value}{after}"),
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

/// The time of a message in the visitor's own time zone, as HH:MM.
fn local_time(sent_at: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(sent_at));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Runs `work` just before the next paint. Work that measures the layout waits for it, so that
/// building the view and laying it out never run as one long task.
fn next_frame(work: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(Closure::once_into_js(work).unchecked_ref());
    }
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|window| window.document())
        .expect_throw("no document")
}

/// A new `<tag>` with the attributes given, appended to `parent`.
fn element(parent: &Node, tag: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    let element = document().create_element(tag).unwrap_throw();
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
    let _ = parent.append_child(&element);
    element.unchecked_into()
}

/// A new text node in `parent`.
fn text(parent: &Node, value: &str) -> Text {
    let text = document().create_text_node(value);
    let _ = parent.append_child(&text);
    text
}

/// A new `<tag>` holding `value` as text.
fn labelled(parent: &Node, tag: &str, attributes: &[(&str, &str)], value: &str) -> HtmlElement {
    let element = element(parent, tag, attributes);
    text(&element, value);
    element
}

/// Shows or hides an element (its `hidden` attribute).
fn show(element: &Element, shown: bool) {
    let _ = if shown {
        element.remove_attribute("hidden")
    } else {
        element.set_attribute("hidden", "")
    };
}

/// Calls `handler` for every `kind` event on `target`, for as long as the page lives.
fn listen(target: &Element, kind: &str, handler: impl FnMut(Event) + 'static) {
    listen_boxed(target, kind, Box::new(handler));
}

fn listen_boxed(target: &Element, kind: &str, handler: Box<dyn FnMut(Event)>) {
    let closure = Closure::wrap(handler);
    let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Runs `work` now and again whenever a signal it read changes, for as long as the page lives.
fn bind(work: impl Fn() + 'static) {
    bind_boxed(Box::new(work));
}

fn bind_boxed(work: Box<dyn Fn()>) {
    std::mem::forget(RenderEffect::new(move |_: Option<()>| work()));
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

/// Mounts the styles.
pub fn mount_styles(point: &Node) {
    labelled(point, "style", &[], CSS);
}

/// Mounts the frame: the root and the (empty, hidden) window, its header, log and footer
/// filled in by [`build_step`].
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
            ("style", &format!("--accent: {accent}")),
        ],
    );
    bind({
        let root = root.clone();
        move || {
            let _ = root.class_list().toggle_with_force("open", open.get());
        }
    });
    // Built ahead, part by part, and laid out while hidden: opening only shows it.
    let window = element(&root, "section", &[("class", "window"), ("role", "dialog")]);
    bind({
        let window = window.clone();
        move || {
            show(&window, open.get());
            let _ = window.set_attribute("aria-label", &title(texts, state));
        }
    });
    listen(&window, "keydown", move |event| {
        if event.unchecked_ref::<KeyboardEvent>().key() == "Escape" {
            close(open, state);
        }
    });
    let header = element(&window, "header", &[]);
    let log = element(
        &window,
        "div",
        &[("class", "log"), ("role", "log"), ("aria-live", "polite")],
    );
    let footer = element(&window, "div", &[("class", "footer")]);
    // Keep the newest message in view.
    bind({
        let log = log.clone();
        move || {
            state.track();
            if open.get() {
                let log = log.clone();
                next_frame(move || log.set_scroll_top(log.scroll_height()));
            }
        }
    });
    let parts = Parts {
        texts,
        state,
        open,
        root,
        header,
        log,
        footer,
        built: 0,
    };
    PARTS.with(|cell| *cell.borrow_mut() = Some(parts));
}

/// Builds the next part (the prompt's bubble, the launcher, then the window's header, messages,
/// the log's end, composer and self-service answers), each in a task of its own so that none is
/// a long task. Returns whether parts remain.
pub fn build_step() -> bool {
    PARTS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let Some(parts) = cell.as_mut() else {
            return false;
        };
        let (texts, state, open) = (parts.texts, parts.state, parts.open);
        match parts.built {
            0 => prompt_bubble(&parts.root, texts),
            1 => launcher(&parts.root, texts, state, open),
            2 => window_header(&parts.header, texts, state, open),
            3 => log(&parts.log, texts, state),
            4 => log_end(&parts.log, texts, state),
            5 => footer(&parts.footer, texts, state, open),
            6 => crate::answers::build(&parts.footer, Some(parts.log.clone().into()), texts),
            _ => return false,
        }
        parts.built += 1;
        parts.built < 7
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

/// A proactive prompt's bubble, filled in and shown by `prompts`.
fn prompt_bubble(root: &Node, texts: &'static Texts) {
    let bubble = element(
        root,
        "div",
        &[("class", "prompt"), ("hidden", ""), ("aria-live", "polite")],
    );
    listen(&bubble, "click", |event| {
        crate::prompts::clicked(event.unchecked_into());
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
    button.set_inner_html(ICON);
    listen(&button, "click", move |_| {
        set_open(open, state, !open.get_untracked());
    });
    let badge = element(&button, "span", &[("class", "badge")]);
    let count = text(&badge, "");
    bind({
        let button = button.clone();
        move || {
            let open = open.get();
            let label = if open {
                texts.close_chat
            } else {
                texts.open_chat
            };
            let _ = button.set_attribute("aria-label", label);
            let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
            let unread = state.with(|state| state.unread);
            show(&badge, unread != 0 && !open);
            let _ = badge.set_attribute("aria-label", &format!("{unread} {}", texts.unread));
            count.set_data(&unread.to_string());
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
    let name = text(&element(&who, "strong", &[]), "");
    let status = element(&who, "span", &[("class", "status")]);
    let status_text = text(&status, "");
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

/// One line of the conversation, as text (never HTML), the same shape for every kind.
#[derive(Default, PartialEq)]
struct Row {
    class: &'static str,
    seq: u64,
    text: String,
    who: String,
    sent_at: String,
    time: String,
    delivery: String,
}

fn row(texts: &'static Texts, message: &Message) -> Row {
    let (class, who, delivery) = match message.author {
        Author::Visitor => ("message mine", texts.you.to_owned(), texts.delivered),
        Author::Operator => (
            "message theirs",
            message.author_name.clone().unwrap_or_default(),
            "",
        ),
        Author::System => ("message system", String::new(), ""),
    };
    Row {
        class,
        seq: message.seq.0,
        text: message.text.clone(),
        who,
        sent_at: message.sent_at.clone(),
        time: local_time(&message.sent_at),
        delivery: delivery.to_owned(),
    }
}

fn pending_row(texts: &'static Texts, pending: &Pending) -> Row {
    let (class, delivery) = match &pending.refused {
        Some((_, reason)) => (
            "message mine pending failed",
            format!("{}: {reason}", texts.not_sent),
        ),
        None => ("message mine pending", texts.sending.to_owned()),
    };
    Row {
        class,
        text: pending.text.clone(),
        delivery,
        ..Row::default()
    }
}

/// A line's elements, with what they show.
struct Line {
    element: HtmlElement,
    text: Text,
    who: Text,
    time: HtmlElement,
    clock: Text,
    delivery: Text,
    shown: Row,
}

impl Line {
    /// A new, empty line in `log` before `anchor`.
    fn new(log: &Node, anchor: &Node) -> Line {
        let line = document().create_element("div").unwrap_throw();
        let body = text(&element(&line, "p", &[("class", "text")]), "");
        let meta = element(&line, "p", &[("class", "meta")]);
        let who = text(&element(&meta, "span", &[("class", "author")]), "");
        text(&meta, " ");
        let time = element(&meta, "time", &[]);
        let clock = text(&time, "");
        text(&meta, " ");
        let delivery = text(&element(&meta, "span", &[("class", "delivery")]), "");
        let _ = log.insert_before(&line, Some(anchor));
        Line {
            element: line.unchecked_into(),
            text: body,
            who,
            time,
            clock,
            delivery,
            shown: Row {
                seq: u64::MAX,
                ..Row::default()
            },
        }
    }

    /// Shows `row`, changing only what differs from what is shown.
    fn show(&mut self, row: Row) {
        let (old, element) = (&self.shown, &self.element);
        if old.class != row.class {
            let _ = element.set_attribute("class", row.class);
        }
        if old.seq != row.seq {
            let _ = element.set_attribute("data-seq", &row.seq.to_string());
        }
        for (old, new, node) in [
            (&old.text, &row.text, &self.text),
            (&old.who, &row.who, &self.who),
            (&old.time, &row.time, &self.clock),
            (&old.delivery, &row.delivery, &self.delivery),
        ] {
            if old != new {
                node.set_data(new);
            }
        }
        if old.sent_at != row.sent_at {
            let _ = self.time.set_attribute("datetime", &row.sent_at);
        }
        self.shown = row;
    }
}

/// The conversation: a hint while empty, suggested questions, the messages, and notices.
fn log(log: &Node, texts: &'static Texts, state: RwSignal<ChatState>) {
    let empty = labelled(log, "p", &[("class", "hint")], texts.empty);
    let suggested = element(log, "div", &[("class", "suggested")]);
    // A click sends the question as the visitor's first message.
    listen(&suggested, "click", |event| {
        let question = event
            .target()
            .and_then(|target| {
                target
                    .unchecked_into::<Element>()
                    .closest(".suggestion")
                    .ok()
            })
            .flatten()
            .and_then(|button| button.text_content());
        if let Some(question) = question {
            let _ = transport::send(question, None);
        }
    });
    let sent = labelled(log, "p", &[("class", "hint")], texts.contact_sent);
    // The queue place while waiting, thanks once rated; empty (and hidden) otherwise.
    let notice = text(
        &element(log, "p", &[("class", "hint notice"), ("role", "status")]),
        "",
    );
    let lines: RefCell<Vec<Line>> = RefCell::new(Vec::new());
    let questions: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let anchor: Node = sent.clone().into();
    let log = log.clone();
    bind(move || {
        state.with(|state| {
            show(
                &empty,
                state.messages.is_empty() && state.pending.is_empty(),
            );
            show(&sent, state.contact_sent);
            notice.set_data(&match (state.queue_place(), state.rating) {
                (Some(place), _) => fill(texts.queue, place),
                (None, Some(_)) => texts.rated.to_owned(),
                (None, None) => String::new(),
            });
            let offered = state.suggestions();
            show(&suggested, !offered.is_empty());
            let mut questions = questions.borrow_mut();
            if questions.as_slice() != offered {
                suggested.set_text_content(None);
                for question in offered {
                    labelled(
                        &suggested,
                        "button",
                        &[("type", "button"), ("class", "suggestion")],
                        question,
                    );
                }
                *questions = offered.to_vec();
            }
            // Stored messages, then those still on their way. Lines are updated in place, by
            // position: the history only grows, and a sent message moves from the end of one
            // list to the other.
            let stored = state.messages.iter().map(|message| row(texts, message));
            let pending = state
                .pending
                .iter()
                .map(|pending| pending_row(texts, pending));
            let mut lines = lines.borrow_mut();
            let mut count = 0;
            for row in stored.chain(pending) {
                if lines.len() == count {
                    lines.push(Line::new(&log, &anchor));
                }
                lines[count].show(row);
                count += 1;
            }
            for line in lines.drain(count..) {
                line.element.remove();
            }
        });
    });
}

/// The end of the log, built after it: the rating form and the operator's typing.
fn log_end(log: &Node, texts: &'static Texts, state: RwSignal<ChatState>) {
    rating_form(log, texts, state);
    let typing = text(&element(log, "p", &[("class", "typing")]), "");
    bind(move || {
        typing.set_data(&state.with(|state| {
            state
                .operator_typing
                .as_ref()
                .map(|name| format!("{name} {}", texts.is_typing))
                .unwrap_or_default()
        }));
    });
}

/// Satisfied / neutral / dissatisfied (native radio buttons) and an optional comment, for a
/// resolved conversation, hidden otherwise. Read once, on submit, and cleared.
fn rating_form(log: &Node, texts: &'static Texts, state: RwSignal<ChatState>) {
    let form = element(log, "form", &[("class", "rating")]);
    let fieldset = element(&form, "fieldset", &[]);
    labelled(&fieldset, "legend", &[], texts.rate_prompt);
    for (value, label, face) in [
        ("satisfied", texts.satisfied, "🙂"),
        ("neutral", texts.neutral, "😐"),
        ("dissatisfied", texts.dissatisfied, "🙁"),
    ] {
        let choice = element(&fieldset, "label", &[("class", "choice"), ("title", label)]);
        element(
            &choice,
            "input",
            &[
                ("type", "radio"),
                ("name", "rating"),
                ("value", value),
                ("required", ""),
            ],
        );
        labelled(&choice, "span", &[("aria-hidden", "true")], face);
        labelled(&choice, "span", &[("class", "label")], label);
    }
    let comment = element(&form, "label", &[]);
    labelled(&comment, "span", &[], texts.comment);
    let comment: web_sys::HtmlTextAreaElement = element(
        &comment,
        "textarea",
        &[("rows", "2"), ("maxlength", "1000")],
    )
    .unchecked_into();
    labelled(
        &form,
        "button",
        &[("type", "submit"), ("class", "send")],
        texts.rate,
    );
    bind({
        let form = form.clone();
        move || show(&form, state.with(ChatState::wants_rating))
    });
    let form: web_sys::HtmlFormElement = form.unchecked_into();
    listen(&form.clone(), "submit", move |event| {
        event.prevent_default();
        let rating = form
            .query_selector("input:checked")
            .ok()
            .flatten()
            .map(|input| input.unchecked_into::<web_sys::HtmlInputElement>().value())
            .and_then(|value| Rating::from_name(&value));
        let note = comment.value().trim().to_owned();
        if let Some(rating) = rating {
            transport::rate(rating, (!note.is_empty()).then_some(note));
            form.reset();
        }
    });
}

/// The composer, or the contact form while nobody is online; both built, one shown.
fn footer(footer: &Node, texts: &'static Texts, state: RwSignal<ChatState>, open: RwSignal<bool>) {
    let contact = move || {
        state.with(|state| state.offline() && !state.contact_sent && state.link == Link::Open)
    };
    composer(footer, texts, state, open, contact);
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
    let send = labelled(
        &form,
        "button",
        &[("type", "submit"), ("class", "send")],
        texts.send,
    );
    // The draft's length in characters, kept as the visitor types.
    let count = RwSignal::new(0_usize);
    let sendable = move || {
        let count = count.get();
        count > 0 && count <= state.with(|state| state.max_text_chars)
    };
    bind({
        let form = form.clone();
        move || show(&form, !hidden())
    });
    bind(move || {
        let (count, max) = (count.get(), state.with(|state| state.max_text_chars));
        show(&counter, count * 5 >= max * 4);
        let _ = counter.class_list().toggle_with_force("over", count > max);
        count_text.set_data(&format!("{count}/{max}"));
        let _ = send.toggle_attribute_with_force("disabled", !sendable());
    });
    // The draft is measured as typed: blank counts as nothing to send.
    let measure = move |value: &str| {
        count.set(if value.trim().is_empty() {
            0
        } else {
            value.chars().count()
        });
    };
    let submit = {
        let input = input.clone();
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
    let field = |tag: &str, label: &str, attributes: &[(&str, &str)]| {
        let holder = element(&form, "label", &[]);
        labelled(&holder, "span", &[], label);
        element(&holder, tag, attributes)
    };
    let email: web_sys::HtmlInputElement = field(
        "input",
        texts.email,
        &[
            ("type", "email"),
            ("required", ""),
            ("autocomplete", "email"),
        ],
    )
    .unchecked_into();
    let message: web_sys::HtmlTextAreaElement = field(
        "textarea",
        texts.message,
        &[("required", ""), ("rows", "3")],
    )
    .unchecked_into();
    labelled(
        &form,
        "button",
        &[("type", "submit"), ("class", "send")],
        texts.send,
    );
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
                    .map(|when| fill(texts.back_at, when))
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
        if !text.trim().is_empty() && text.chars().count() <= max {
            let _ = transport::send(text, Some(email.value().trim().to_owned()));
            message.set_value("");
            crate::answers::sent();
        }
    });
}
