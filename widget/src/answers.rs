//! Self-service answers: while the visitor types (after a pause, from three characters on) the
//! relay is asked for the shop's answers; up to three are offered as buttons above the composer,
//! and the one opened is shown in the window in place of the conversation, with a way back.
//! Sending the message works as before. [`Found`] and [`query_for`] are plain Rust, tested
//! natively; the rest needs a browser.

use crate::i18n::Texts;
use crate::transport;
use beseda_protocol::answers::{AnswerHit, MAX_QUERY_CHARS};
use beseda_protocol::visitor::ToRelay;
use leptos::html;
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::JsCast;

/// How long typing must pause before a search, in milliseconds.
const PAUSE_MS: i32 = 300;
/// The fewest characters worth a search.
const MIN_CHARS: usize = 3;

/// The answers the visitor sees.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// The latest search sent: answers to older ones are dropped.
    pub asked: String,
    /// The answers offered for it, the best first.
    pub hits: Vec<AnswerHit>,
    /// The answer shown in place of the conversation.
    pub open: Option<AnswerHit>,
}

impl Found {
    /// Takes the relay's answers, unless they answer an older search than the latest.
    pub fn receive(&mut self, query: String, hits: Vec<AnswerHit>) {
        if query == self.asked {
            self.hits = hits;
        }
    }
}

/// The search for what is in the composer: its words with single spaces, from three
/// characters on, cut to what the relay takes; none for less.
pub fn query_for(draft: &str) -> Option<String> {
    let query: String = draft
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    (query.chars().count() >= MIN_CHARS).then_some(query)
}

thread_local! {
    static FOUND: Cell<Option<RwSignal<Found>>> = const { Cell::new(None) };
    /// The pending search's timer.
    static TIMER: Cell<Option<i32>> = const { Cell::new(None) };
    /// The button that opened the answer, to give the focus back to.
    static OPENER: Cell<Option<web_sys::HtmlElement>> = const { Cell::new(None) };
}

/// Creates the answers' signal; called once, outside any reactive owner, so it lives as long
/// as the page.
pub fn init() {
    FOUND.with(|cell| cell.set(Some(RwSignal::new(Found::default()))));
}

fn update(change: impl FnOnce(&mut Found)) {
    if let Some(found) = FOUND.with(Cell::get) {
        found.update(change);
    }
}

/// Whether an answer is shown in place of the conversation.
pub fn is_open() -> bool {
    FOUND
        .with(Cell::get)
        .is_some_and(|found| found.with(|found| found.open.is_some()))
}

fn cancel_timer() {
    if let (Some(timer), Some(window)) = (TIMER.with(Cell::take), web_sys::window()) {
        window.clear_timeout_with_handle(timer);
    }
}

/// The composer changed: search once typing pauses, or offer nothing for a short text.
pub fn typed(draft: &str) {
    cancel_timer();
    let Some(query) = query_for(draft) else {
        update(|found| {
            found.asked.clear();
            found.hits.clear();
        });
        return;
    };
    let search = wasm_bindgen::closure::Closure::once_into_js(move || {
        TIMER.with(Cell::take);
        let repeated = FOUND
            .with(Cell::get)
            .is_none_or(|found| found.with_untracked(|found| found.asked == query));
        if !repeated {
            update(|found| found.asked = query.clone());
            transport::send_frame(&ToRelay::Search { query });
        }
    });
    if let Some(window) = web_sys::window() {
        let timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            search.unchecked_ref(),
            PAUSE_MS,
        );
        TIMER.with(|cell| cell.set(timer.ok()));
    }
}

/// The message was sent: the answers and the typing that led to them are done with.
pub fn sent() {
    cancel_timer();
    update(|found| *found = Found::default());
}

/// The relay's answers to a search.
pub fn receive(query: String, hits: Vec<AnswerHit>) {
    update(|found| found.receive(query, hits));
}

fn back() {
    update(|found| found.open = None);
    if let Some(opener) = OPENER.with(Cell::take) {
        let _ = opener.focus();
    }
}

/// The offered answers (above the composer) and the open one (in place of the conversation).
pub fn view(texts: &'static Texts) -> impl IntoView {
    let found = FOUND.with(Cell::get)?;
    let back_button: NodeRef<html::Button> = NodeRef::new();
    let open = move |hit: AnswerHit, event: web_sys::MouseEvent| {
        OPENER.with(|cell| cell.set(event.current_target().and_then(|t| t.dyn_into().ok())));
        transport::send_frame(&ToRelay::AnswerOpened { id: hit.id });
        found.update(|found| found.open = Some(hit));
        if let Some(button) = back_button.get_untracked() {
            let _ = button.focus();
        }
    };
    let buttons = move || {
        found.with(|found| {
            found
                .hits
                .iter()
                .map(|hit| {
                    let hit = hit.clone();
                    let question = hit.question.clone();
                    view! {
                        <button type="button" class="suggestion" on:click=move |event| open(hit.clone(), event)>{question}</button>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let shown = move |part: fn(&AnswerHit) -> String| {
        move || found.with(|found| found.open.as_ref().map(part).unwrap_or_default())
    };
    Some(view! {
        <section class="answer" hidden=move || !is_open() aria-labelledby="answer-question"
            on:keydown=move |event: web_sys::KeyboardEvent| {
                // Escape leads back to the chat here, instead of closing the window.
                if event.key() == "Escape" {
                    event.stop_propagation();
                    back();
                }
            }>
            <button type="button" class="back" node_ref=back_button on:click=move |_| back()>{texts.answers_back}</button>
            <h2 id="answer-question">{shown(|hit| hit.question.clone())}</h2>
            <p class="text">{shown(|hit| hit.answer.clone())}</p>
            <p class="hint">{texts.answers_more}</p>
        </section>
        <div class="answers suggested" role="group" aria-label=texts.answers_found
            hidden=move || found.with(|found| found.hits.is_empty())>{buttons}</div>
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use beseda_protocol::AnswerId;

    fn hit(id: i64) -> AnswerHit {
        AnswerHit {
            id: AnswerId(id),
            question: format!("question {id}"),
            answer: "answer".into(),
        }
    }

    #[test]
    fn short_drafts_are_not_searched_and_long_ones_are_cut() {
        assert_eq!(query_for(" do "), None);
        assert_eq!(query_for("dop"), Some("dop".into()));
        assert_eq!(
            query_for("  kdy\n dorazí   doprava "),
            Some("kdy dorazí doprava".into())
        );
        assert_eq!(
            query_for(&"ž".repeat(500)).map(|query| query.chars().count()),
            Some(MAX_QUERY_CHARS)
        );
    }

    #[test]
    fn answers_to_an_older_search_are_dropped() {
        let mut found = Found {
            asked: "doprava".into(),
            ..Found::default()
        };
        found.receive("dopr".into(), vec![hit(1)]);
        assert!(found.hits.is_empty());
        found.receive("doprava".into(), vec![hit(2)]);
        assert_eq!(found.hits, [hit(2)]);
    }
}
