//! The conversation: a hint while it is empty, suggested questions, the messages (one line
//! shape for every kind, updated in place), notices, the rating form and the operator's typing.
//! Once the relay has refused the widget for good, a notice saying so in place of the hint.

use super::fill;
use crate::digits::{decimal, two_digits};
use crate::dom::{bind, document, element, field, labelled, listen, show, submit, text};
use crate::i18n::Texts;
use crate::state::{ChatState, Link, Pending};
use crate::transport;
use beseda_protocol::visitor::ToRelay;
use beseda_protocol::{Author, FileRef, Message, Rating};
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Element, HtmlElement, Node, Text};

/// The time of a message in the visitor's own time zone, as HH:MM.
fn local_time(sent_at: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(sent_at));
    if date.get_time().is_nan() {
        return String::new();
    }
    [
        two_digits(u64::from(date.get_hours())).as_str(),
        ":",
        &two_digits(u64::from(date.get_minutes())),
    ]
    .concat()
}

/// One line of the conversation, as text (never HTML), the same shape for every kind.
#[derive(Default, PartialEq)]
struct Row {
    class: &'static str,
    seq: u64,
    text: String,
    who: String,
    sent_at: String,
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
        delivery: delivery.to_owned(),
    }
}

fn pending_row(texts: &'static Texts, pending: &Pending) -> Row {
    let (class, delivery) = match &pending.refused {
        Some((_, reason)) => (
            "message mine pending failed",
            [texts.not_sent, ": ", reason].concat(),
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
    files: HtmlElement,
    who: Text,
    time: HtmlElement,
    clock: Text,
    delivery: Text,
    shown: Row,
}

impl Line {
    /// A new, empty line in `log` before `anchor`. The text and the name are each isolated
    /// (`dir="auto"`): a right-to-left text or name takes its own direction without reordering
    /// the time and labels beside it.
    fn new(log: &Node, anchor: &Node) -> Line {
        let line = document().create_element("div").unwrap_throw();
        let body = text(
            &element(&line, "p", &[("class", "text"), ("dir", "auto")]),
            "",
        );
        let files = element(&line, "div", &[("class", "files")]);
        let meta = element(&line, "p", &[("class", "meta")]);
        let who = text(
            &element(&meta, "span", &[("class", "author"), ("dir", "auto")]),
            "",
        );
        text(&meta, " ");
        let time = element(&meta, "time", &[]);
        let clock = text(&time, "");
        text(&meta, " ");
        let delivery = text(&element(&meta, "span", &[("class", "delivery")]), "");
        let _ = log.insert_before(&line, Some(anchor));
        Line {
            element: line.unchecked_into(),
            text: body,
            files,
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

    /// Shows `row` and its message's `files`, changing only what differs from what is shown.
    fn show(&mut self, row: Row, files: &[FileRef]) {
        let (old, element) = (&self.shown, &self.element);
        if old.class != row.class {
            let _ = element.set_attribute("class", row.class);
        }
        if old.seq != row.seq {
            let _ = element.set_attribute("data-seq", &decimal(row.seq));
        }
        for (old, new, node) in [
            (&old.text, &row.text, &self.text),
            (&old.who, &row.who, &self.who),
            (&old.delivery, &row.delivery, &self.delivery),
        ] {
            if old != new {
                node.set_data(new);
            }
        }
        // The clock is worked out only for a line whose moment changed, not at every update.
        if old.sent_at != row.sent_at {
            let _ = self.time.set_attribute("datetime", &row.sent_at);
            self.clock.set_data(&local_time(&row.sent_at));
        }
        // A message's files never change: they are shown again only for another message.
        if old.seq != row.seq {
            self.files.set_text_content(None);
            for file in files {
                show_file(&self.files, file);
            }
        }
        self.shown = row;
    }
}

/// A message's file, as a link: an image shows its thumbnail (and the files module opens it
/// larger, in the widget), any other file its name and size.
fn show_file(files: &Node, file: &FileRef) {
    let link = element(
        files,
        "a",
        &[
            ("href", &transport::file_url(&file.url)),
            ("target", "_blank"),
            ("download", &file.name),
        ],
    );
    match &file.thumbnail_url {
        Some(thumbnail) => {
            let _ = link.set_attribute("class", "thumb");
            element(
                &link,
                "img",
                &[
                    ("src", &transport::file_url(thumbnail)),
                    ("alt", &file.name),
                ],
            );
        }
        None => {
            text(&link, &name_and_size(file));
        }
    }
}

/// A file's name and its size for people: whole bytes, kB or MB (powers of 1000, rounded).
/// Without the console's decimal: the number formatting for it would cost every visitor bytes.
fn name_and_size(file: &FileRef) -> String {
    let (scale, unit) = match file.size {
        0..1000 => (1, "B"),
        1000..1_000_000 => (1000, "kB"),
        _ => (1_000_000, "MB"),
    };
    [
        file.name.as_str(),
        " (",
        &decimal((file.size + scale / 2) / scale),
        " ",
        unit,
        ")",
    ]
    .concat()
}

/// The conversation: a hint while empty, suggested questions, the messages, and notices.
pub(super) fn log(log: &Node, texts: &'static Texts, state: RwSignal<ChatState>) {
    let empty = labelled(log, "p", &[("class", "hint")], texts.empty);
    let suggested = element(log, "div", &[("class", "suggested")]);
    // One listener for the log's own buttons: a suggested question is sent as the visitor's
    // first message; the erase (where the shop allows it) asks the browser's confirmation first,
    // and the focus stays in the log, which the conversation leaves.
    listen(log.unchecked_ref(), "click", {
        let log: HtmlElement = log.clone().unchecked_into();
        move |event| {
            let Some(button) = event
                .target()
                .and_then(|target| target.unchecked_into::<Element>().closest("button").ok())
                .flatten()
            else {
                return;
            };
            match button.class_name().as_str() {
                "suggestion" => {
                    let _ = transport::send(button.text_content().unwrap_or_default(), None);
                }
                "back erase"
                    if web_sys::window()
                        .and_then(|window| window.confirm_with_message(texts.erase).ok())
                        == Some(true) =>
                {
                    transport::send_frame(&ToRelay::Erase);
                    let _ = log.focus();
                }
                _ => {}
            }
        }
    });
    let sent = labelled(log, "p", &[("class", "hint")], texts.contact_sent);
    // The chat refused for good, the link lost, nobody online any more in a conversation under
    // way, the queue place while waiting, thanks once rated; empty (and hidden) otherwise. Inside
    // the log, which announces it: a live region of its own would announce it twice.
    let notice = text(&element(log, "p", &[("class", "hint notice")]), "");
    // Where the shop allows it, the visitor may erase their conversation.
    let erase = labelled(
        log,
        "button",
        &[("type", "button"), ("class", "back erase")],
        texts.erase,
    );
    let lines: RefCell<Vec<Line>> = RefCell::new(Vec::new());
    let questions: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let anchor: Node = sent.clone().into();
    let log = log.clone();
    bind(move || {
        state.with(|state| {
            let refused = state.link == Link::Refused;
            show(
                &empty,
                state.messages.is_empty() && state.pending.is_empty() && !refused,
            );
            show(&sent, state.contact_sent);
            show(
                &erase,
                state.can_erase && state.conversation.is_some() && !refused,
            );
            notice.set_data(&match (state.queue_place(), state.rating) {
                _ if refused => texts.unavailable.to_owned(),
                _ if state.link == Link::Reconnecting => texts.reconnecting.to_owned(),
                _ if state.link == Link::Open && state.offline() && !state.messages.is_empty() => {
                    texts.offline.to_owned()
                }
                (Some(place), _) => fill(texts.queue, &decimal(u64::from(place))),
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
            let stored = state
                .messages
                .iter()
                .map(|message| (row(texts, message), message.files.as_slice()));
            let pending = state
                .pending
                .iter()
                .map(|pending| (pending_row(texts, pending), &[][..]));
            let mut lines = lines.borrow_mut();
            let mut count = 0;
            for (row, files) in stored.chain(pending) {
                if lines.len() == count {
                    lines.push(Line::new(&log, &anchor));
                }
                lines[count].show(row, files);
                count += 1;
            }
            for line in lines.drain(count..) {
                line.element.remove();
            }
        });
    });
}

/// The end of the log, built after it: the rating form and the operator's typing.
pub(super) fn log_end(log: &Node, texts: &'static Texts, state: RwSignal<ChatState>) {
    rating_form(log, texts, state);
    let typing = text(&element(log, "p", &[("class", "typing")]), "");
    bind(move || {
        typing.set_data(&state.with(|state| {
            state
                .operator_typing
                .as_ref()
                .map(|name| [name, " ", texts.is_typing].concat())
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
    let comment: web_sys::HtmlTextAreaElement = field(
        &form,
        texts.comment,
        "textarea",
        &[("rows", "2"), ("maxlength", "1000")],
    )
    .unchecked_into();
    submit(&form, texts.rate);
    bind({
        let form = form.clone();
        move || show(&form, state.with(ChatState::wants_rating))
    });
    let form: web_sys::HtmlFormElement = form.unchecked_into();
    // The form goes once rated: the focus moves to the log, where the thanks are said, so that
    // a keyboard stays in the widget (Escape still closes it).
    let log: web_sys::HtmlElement = log.clone().unchecked_into();
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
            let _ = log.focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::name_and_size;
    use beseda_protocol::FileRef;

    #[test]
    fn a_file_shows_its_name_and_its_size_rounded() {
        let file = |size| FileRef {
            id: String::new(),
            name: "faktura.pdf".into(),
            content_type: String::new(),
            size,
            url: String::new(),
            thumbnail_url: None,
        };
        for (size, shown) in [
            (0, "faktura.pdf (0 B)"),
            (999, "faktura.pdf (999 B)"),
            (1000, "faktura.pdf (1 kB)"),
            (152_499, "faktura.pdf (152 kB)"),
            (152_500, "faktura.pdf (153 kB)"),
            (999_499, "faktura.pdf (999 kB)"),
            (999_500, "faktura.pdf (1000 kB)"),
            (10_485_760, "faktura.pdf (10 MB)"),
        ] {
            assert_eq!(name_and_size(&file(size)), shown, "{size} bytes");
        }
    }
}
