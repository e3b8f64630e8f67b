//! The widget's components. Every text goes into the DOM as text, never as HTML.

use crate::i18n::Texts;
use crate::state::{ChatState, Link, Pending};
use crate::transport;
use beseda_protocol::{Author, Message, Rating};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The styles, minified by `build.rs`.
const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

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
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
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
        let _ = window.request_animation_frame(
            &wasm_bindgen::closure::Closure::once_into_js(work).unchecked_into(),
        );
    }
}

/// The launcher and the window's parts, built one per call of [`build_step`] after the frame is
/// mounted.
struct Parts {
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    launcher: NodeRef<html::Button>,
    root: web_sys::HtmlElement,
    header: web_sys::HtmlElement,
    log: NodeRef<html::Div>,
    footer: web_sys::HtmlElement,
    /// How many parts are built.
    built: u8,
}

thread_local! {
    static PARTS: std::cell::RefCell<Option<Parts>> = const { std::cell::RefCell::new(None) };
}

/// Mounts the styles: the first view mounted, so most of its time is the browser compiling the
/// view code it runs for the first time, in a step of its own.
pub fn mount_styles(point: web_sys::HtmlElement) {
    leptos::mount::mount_to(point, || view! { <style>{CSS}</style> }).forget();
}

/// Mounts the frame: the (empty, hidden) window.
pub fn mount(
    point: web_sys::HtmlElement,
    texts: &'static Texts,
    left: bool,
    accent: String,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
) {
    let launcher: NodeRef<html::Button> = NodeRef::new();
    let root: NodeRef<html::Div> = NodeRef::new();
    let header: NodeRef<html::Header> = NodeRef::new();
    let log: NodeRef<html::Div> = NodeRef::new();
    let footer: NodeRef<html::Div> = NodeRef::new();
    leptos::mount::mount_to(point, move || {
        view! {
            <Root texts=texts left=left accent=accent state=state open=open launcher=launcher root=root header=header log=log footer=footer/>
        }
    })
    .forget();
    if let (Some(root), Some(header), Some(_), Some(footer)) = (
        root.get_untracked(),
        header.get_untracked(),
        log.get_untracked(),
        footer.get_untracked(),
    ) {
        let parts = Parts {
            texts,
            state,
            open,
            launcher,
            root: root.unchecked_into(),
            header: header.unchecked_into(),
            log,
            footer: footer.unchecked_into(),
            built: 0,
        };
        PARTS.with(|cell| *cell.borrow_mut() = Some(parts));
    }
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
        let launcher = parts.launcher;
        let log = parts.log.get_untracked().map(|log| -> web_sys::HtmlElement { log.unchecked_into() });
        match (parts.built, log) {
            // A proactive prompt, filled in and shown by `prompts`.
            (0, _) => leptos::mount::mount_to(parts.root.clone(), move || {
                view! {
                    <div class="prompt" hidden=true aria-live="polite" on:click=crate::prompts::clicked>
                        <button class="prompt-text" type="button"></button>
                        <button class="prompt-close" type="button" aria-label=texts.close>"×"</button>
                    </div>
                }
            })
            .forget(),
            (1, _) => leptos::mount::mount_to(parts.root.clone(), move || {
                view! { <Launcher texts=texts state=state open=open launcher=launcher/> }
            })
            .forget(),
            (2, _) => leptos::mount::mount_to(parts.header.clone(), move || {
                view! { <WindowHeader texts=texts state=state open=open launcher=launcher/> }
            })
            .forget(),
            (3, Some(log)) => {
                leptos::mount::mount_to(log, move || view! { <Log texts=texts state=state/> })
                    .forget()
            }
            (4, Some(log)) => {
                leptos::mount::mount_to(log, move || view! { <LogEnd texts=texts state=state/> })
                    .forget()
            }
            (5, _) => leptos::mount::mount_to(parts.footer.clone(), move || {
                view! { <Footer texts=texts state=state open=open/> }
            })
            .forget(),
            (6, log) => crate::answers::build(&parts.footer, log.map(Into::into), texts),
            _ => return false,
        }
        parts.built += 1;
        parts.built < 7
    })
}

/// Closes the window and gives the focus back to the launcher.
fn close(open: RwSignal<bool>, state: RwSignal<ChatState>, launcher: NodeRef<html::Button>) {
    set_open(open, state, false);
    if let Some(button) = launcher.get_untracked() {
        let _ = button.focus();
    }
}

#[component]
fn Root(
    texts: &'static Texts,
    left: bool,
    accent: String,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    launcher: NodeRef<html::Button>,
    root: NodeRef<html::Div>,
    header: NodeRef<html::Header>,
    log: NodeRef<html::Div>,
    footer: NodeRef<html::Div>,
) -> impl IntoView {
    // Keep the newest message in view.
    Effect::new(move |_| {
        state.track();
        if let (Some(log), true) = (log.get(), open.get()) {
            next_frame(move || log.set_scroll_top(log.scroll_height()));
        }
    });
    let title = move || {
        state.with(|state| {
            state
                .title
                .clone()
                .unwrap_or_else(|| texts.title.to_owned())
        })
    };
    view! {
        <div node_ref=root class="root" class:left=left class:open=move || open.get() style=format!("--accent: {accent}")>
            // Built ahead, part by part, and laid out while hidden: opening only shows it.
            <section
                class="window"
                hidden=move || !open.get()
                role="dialog"
                aria-label=title
                on:keydown=move |event: web_sys::KeyboardEvent| {
                    if event.key() == "Escape" {
                        close(open, state, launcher);
                    }
                }
            >
                <header node_ref=header></header>
                <div class="log" role="log" aria-live="polite" node_ref=log></div>
                <div class="footer" node_ref=footer></div>
            </section>
            // The prompt's bubble and the launcher follow, each mounted on its own.
        </div>
    }
}

/// The round button that opens and closes the window, with the unread badge.
#[component]
fn Launcher(
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    launcher: NodeRef<html::Button>,
) -> impl IntoView {
    let unread = move || state.with(|state| state.unread);
    view! {
        <button
            node_ref=launcher
            class="launcher"
            type="button"
            aria-label=move || if open.get() { texts.close_chat } else { texts.open_chat }
            aria-expanded=move || open.get().to_string()
            on:click=move |_| set_open(open, state, !open.get_untracked())
        >
            <svg viewBox="0 0 24 24" aria-hidden="true" width="28" height="28">
                <path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/>
            </svg>
            <span class="badge" hidden=move || { unread() == 0 || open.get() }
                aria-label=move || format!("{} {}", unread(), texts.unread)>{unread}</span>
        </button>
    }
}

#[component]
fn WindowHeader(
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    launcher: NodeRef<html::Button>,
) -> impl IntoView {
    let status = move || {
        state.with(|state| {
            let name = state
                .agent
                .as_ref()
                .map(|agent| &agent.name)
                .or(state.operator_name.as_ref());
            match (state.link, name) {
                (Link::Reconnecting, _) => texts.reconnecting.to_owned(),
                (_, Some(name)) if state.online => name.clone(),
                _ if state.online => texts.online.to_owned(),
                _ => texts.offline.to_owned(),
            }
        })
    };
    let photo = move || {
        state.with(|state| {
            state
                .agent
                .as_ref()
                .and_then(|agent| agent.photo_url.clone())
        })
    };
    let title = move || {
        state.with(|state| {
            state
                .title
                .clone()
                .unwrap_or_else(|| texts.title.to_owned())
        })
    };
    view! {
        <img class="avatar" src=photo hidden=move || photo().is_none() alt="" width="36" height="36"/>
        <div class="who">
            <strong>{title}</strong>
            <span class="status" class:online=move || state.with(|state| state.online)>{status}</span>
        </div>
        <button class="close" type="button" aria-label=texts.close on:click=move |_| close(open, state, launcher)>"×"</button>
    }
}

#[component]
fn Log(texts: &'static Texts, state: RwSignal<ChatState>) -> impl IntoView {
    // The queue place while waiting, thanks once rated; empty (and hidden) otherwise.
    let notice = move || {
        state.with(|state| match (state.queue_place(), state.rating) {
            (Some(place), _) => fill(texts.queue, place),
            (None, Some(_)) => texts.rated.to_owned(),
            (None, None) => String::new(),
        })
    };
    // Stored messages, then those still on their way. Rows are updated in place, by position:
    // the history only grows, and a sent message moves from the end of one list to the other.
    let rows = move || {
        state.with(|state| {
            let stored = state.messages.iter().map(|message| row(texts, message));
            let pending = state
                .pending
                .iter()
                .map(|pending| pending_row(texts, pending));
            stored.chain(pending).map(row_view).collect::<Vec<_>>()
        })
    };
    // A click sends the question as the visitor's first message.
    let suggestions = move || {
        state.with(|state| {
            state
                .suggestions()
                .iter()
                .map(|question| {
                    let text = question.clone();
                    view! {
                        <button type="button" class="suggestion" on:click=move |_| {
                            let _ = transport::send(text.clone(), None);
                        }>{question.clone()}</button>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="hint" hidden=move || state.with(|state| !state.messages.is_empty() || !state.pending.is_empty())>{texts.empty}</p>
        <div class="suggested" hidden=move || state.with(|state| state.suggestions().is_empty())>{suggestions}</div>
        {rows}
        <p class="hint" hidden=move || state.with(|state| !state.contact_sent)>{texts.contact_sent}</p>
        <p class="hint notice" role="status">{notice}</p>
    }
}

/// The end of the log, mounted after [`Log`]: the rating form and the operator's typing.
#[component]
fn LogEnd(texts: &'static Texts, state: RwSignal<ChatState>) -> impl IntoView {
    let typing = move || {
        state.with(|state| {
            state
                .operator_typing
                .as_ref()
                .map(|name| format!("{name} {}", texts.is_typing))
                .unwrap_or_default()
        })
    };
    view! {
        <RatingForm texts=texts state=state/>
        <p class="typing">{typing}</p>
    }
}

/// One line of the conversation, as text (never HTML), the same shape for every kind.
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
        seq: 0,
        text: pending.text.clone(),
        who: String::new(),
        sent_at: String::new(),
        time: String::new(),
        delivery,
    }
}

fn row_view(row: Row) -> impl IntoView + use<> {
    view! {
        <div class=row.class data-seq=row.seq>
            <p class="text">{row.text}</p>
            <p class="meta">
                <span class="author">{row.who}</span>
                " "
                <time datetime=row.sent_at>{row.time}</time>
                " "
                <span class="delivery">{row.delivery}</span>
            </p>
        </div>
    }
}

/// The composer, or the contact form while nobody is online; both built, one shown.
#[component]
fn Footer(
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let contact = move || {
        state.with(|state| state.offline() && !state.contact_sent && state.link == Link::Open)
    };
    view! {
        {composer(texts, state, open, contact)}
        {contact_form(texts, state, move || !contact())}
    }
}

fn composer(
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    hidden: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let input: NodeRef<html::Textarea> = NodeRef::new();
    let max = move || state.with(|state| state.max_text_chars);
    let count = move || draft.with(|draft| draft.chars().count());
    let sendable = move || draft.with(|draft| !draft.trim().is_empty()) && count() <= max();
    let submit = move || {
        if sendable() {
            let _ = transport::send(draft.get_untracked(), None);
            draft.set(String::new());
            crate::answers::sent();
        }
    };
    Effect::new(move |_| {
        if let (Some(input), true, false) = (input.get(), open.get(), hidden()) {
            next_frame(move || {
                let _ = input.focus();
            });
        }
    });
    view! {
        <form class="composer" hidden=hidden on:submit=move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            submit();
        }>
            <textarea
                node_ref=input
                aria-label=texts.message
                placeholder=texts.placeholder
                rows="1"
                prop:value=move || draft.get()
                on:input=move |event| {
                    let value = event_target_value(&event);
                    transport::typing(!value.is_empty());
                    crate::answers::typed(&value);
                    draft.set(value);
                }
                on:keydown=move |event: web_sys::KeyboardEvent| {
                    if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                        event.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <span class="counter" hidden=move || { count() * 5 < max() * 4 } class:over=move || { count() > max() } aria-live="polite">
                {move || format!("{}/{}", count(), max())}
            </span>
            <button type="submit" class="send" disabled=move || !sendable()>{texts.send}</button>
        </form>
    }
}

/// Satisfied / neutral / dissatisfied (native radio buttons) and an optional comment, for a
/// resolved conversation, hidden otherwise. Read once, on submit, and cleared.
#[component]
fn RatingForm(texts: &'static Texts, state: RwSignal<ChatState>) -> impl IntoView {
    let form: NodeRef<html::Form> = NodeRef::new();
    let choice = |value: &'static str, label: &'static str, face: &'static str| {
        view! {
            <label class="choice" title=label>
                <input type="radio" name="rating" value=value required/>
                <span aria-hidden="true">{face}</span>
                <span class="label">{label}</span>
            </label>
        }
    };
    view! {
        <form class="rating" hidden=move || !state.with(ChatState::wants_rating) node_ref=form on:submit=move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let Some(form) = form.get_untracked() else { return };
            let field = |selector: &str| {
                form.query_selector(selector)
                    .ok()
                    .flatten()
                    .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
            };
            let rating = field("input:checked").and_then(|input| Rating::from_name(&input.value()));
            let comment = form
                .query_selector("textarea")
                .ok()
                .flatten()
                .and_then(|element| element.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .map(|textarea| textarea.value().trim().to_owned())
                .filter(|comment| !comment.is_empty());
            if let Some(rating) = rating {
                transport::rate(rating, comment);
                form.reset();
            }
        }>
            <fieldset>
                <legend>{texts.rate_prompt}</legend>
                {choice("satisfied", texts.satisfied, "🙂")}
                {choice("neutral", texts.neutral, "😐")}
                {choice("dissatisfied", texts.dissatisfied, "🙁")}
            </fieldset>
            <label>
                <span>{texts.comment}</span>
                <textarea rows="2" maxlength="1000"></textarea>
            </label>
            <button type="submit" class="send">{texts.rate}</button>
        </form>
    }
}

fn contact_form(
    texts: &'static Texts,
    state: RwSignal<ChatState>,
    hidden: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let max = move || state.with(|state| state.max_text_chars);
    // Outside the opening hours: when the shop is back, in the visitor's own time.
    let back = move || {
        state.with(|state| {
            state
                .back_at
                .as_deref()
                .map(|moment| local_day_and_time(moment, texts.lang))
                .filter(|when| !when.is_empty())
                .map(|when| fill(texts.back_at, when))
                .unwrap_or_default()
        })
    };
    view! {
        <form class="contact" hidden=hidden on:submit=move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let message = text.get_untracked();
            if !message.trim().is_empty() && message.chars().count() <= max() {
                let _ = transport::send(message, Some(email.get_untracked().trim().to_owned()));
                text.set(String::new());
                crate::answers::sent();
            }
        }>
            <p class="intro back" hidden=move || back().is_empty()>{back}</p>
            <p class="intro">{texts.offline_intro}</p>
            <label>
                <span>{texts.email}</span>
                <input type="email" required autocomplete="email" prop:value=move || email.get()
                    on:input=move |event| email.set(event_target_value(&event))/>
            </label>
            <label>
                <span>{texts.message}</span>
                <textarea required rows="3" prop:value=move || text.get()
                    on:input=move |event| {
                        let value = event_target_value(&event);
                        crate::answers::typed(&value);
                        text.set(value);
                    }></textarea>
            </label>
            <button type="submit" class="send">{texts.send}</button>
        </form>
    }
}
