//! Self-service answers: while the visitor types (after a pause, from three characters on) the
//! relay is asked for the shop's answers; up to three are offered as buttons above the composer,
//! and the one opened is shown in the window in place of the conversation, with a way back.
//! Sending the message works as before.
//!
//! [`Found`] and [`query_for`] are plain Rust, tested natively. The elements are made with the
//! widget's DOM helpers (`dom.rs`) and updated by one function, `change`, since they change
//! only when an answer arrives or is opened.

use crate::dom::{element, labelled, listen, show, text};
use crate::i18n::Texts;
use crate::transport;
use beseda_protocol::answers::{AnswerHit, MAX_HITS, MAX_QUERY_CHARS};
use beseda_protocol::visitor::ToRelay;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, Text};

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
/// characters on, cut to what the relay takes; none for less. (One plain loop: iterator
/// adapters and `join` cost the widget bytes.)
pub fn query_for(draft: &str) -> Option<String> {
    let mut query = String::new();
    let mut chars = 0;
    let mut gap = false;
    for c in draft.trim().chars() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if chars + usize::from(gap) >= MAX_QUERY_CHARS {
            break;
        }
        if gap {
            query.push(' ');
            chars += 1;
            gap = false;
        }
        query.push(c);
        chars += 1;
    }
    (chars >= MIN_CHARS).then_some(query)
}

/// The answers' state in the page, with the elements that show it.
struct Answers {
    found: Found,
    /// The search waiting for typing to pause, and its timer.
    pending: Option<String>,
    timer: Option<i32>,
    /// The place of the answer opened in the list, to give the focus back to.
    opener: usize,
    dom: Option<Dom>,
}

/// The elements the answers are shown in.
struct Dom {
    /// The open answer, in place of the conversation.
    panel: HtmlElement,
    back: HtmlElement,
    question: Text,
    text: Text,
    /// The offered answers: one button (and its text) per place.
    list: HtmlElement,
    offered: Vec<(HtmlElement, Text)>,
    /// The conversation, hidden while an answer is shown.
    log: Option<Element>,
}

thread_local! {
    static ANSWERS: RefCell<Answers> = const {
        RefCell::new(Answers {
            found: Found { asked: String::new(), hits: Vec::new(), open: None },
            pending: None,
            timer: None,
            opener: 0,
            dom: None,
        })
    };
}

/// Changes the answers, then shows them as they now are. Every change goes through this one
/// call (behind `dyn`), so that the code reaching the state exists once.
fn change(work: &mut dyn FnMut(&mut Answers)) {
    ANSWERS.with(|answers| {
        let mut answers = answers.borrow_mut();
        work(&mut answers);
        answers.render();
    });
}

impl Answers {
    fn render(&self) {
        let (Some(dom), found) = (&self.dom, &self.found) else {
            return;
        };
        let open = found.open.as_ref();
        show(&dom.panel, open.is_some());
        if let Some(log) = &dom.log {
            show(log, open.is_none());
        }
        dom.question
            .set_node_value(open.map(|hit| hit.question.as_str()));
        dom.text.set_node_value(open.map(|hit| hit.answer.as_str()));
        show(&dom.list, !found.hits.is_empty());
        for (index, (button, text)) in dom.offered.iter().enumerate() {
            let hit = found.hits.get(index);
            show(button, hit.is_some());
            text.set_node_value(hit.map(|hit| hit.question.as_str()));
        }
    }

    fn cancel_timer(&mut self) {
        if let (Some(timer), Some(window)) = (self.timer.take(), web_sys::window()) {
            window.clear_timeout_with_handle(timer);
        }
    }

    /// Shows the offered answer at `index`, reports it, and moves the focus to the way back.
    fn open(&mut self, index: usize) {
        let Some(hit) = self.found.hits.get(index).cloned() else {
            return;
        };
        self.opener = index;
        transport::send_frame(&ToRelay::AnswerOpened { id: hit.id });
        self.found.open = Some(hit);
        self.focus(None);
    }

    /// Back to the conversation, the focus on the answer's button.
    fn back(&mut self) {
        self.found.open = None;
        self.focus(Some(self.opener));
    }

    /// Focuses the way back (`None`) or an offered answer.
    fn focus(&self, place: Option<usize>) {
        let element = self.dom.as_ref().and_then(|dom| match place {
            None => Some(&dom.back),
            Some(index) => dom.offered.get(index).map(|(button, _)| button),
        });
        if let Some(element) = element {
            // Shown before it is focused: an element still hidden cannot take the focus.
            self.render();
            let _ = element.focus();
        }
    }
}

/// Typing paused: sends the waiting search, unless it is the one last sent.
fn search_now() {
    change(&mut |answers| {
        answers.timer = None;
        if let Some(query) = answers.pending.take()
            && query != answers.found.asked
        {
            transport::send_frame(&ToRelay::Search {
                query: query.clone(),
            });
            answers.found.asked = query;
        }
    });
}

/// The composer changed: search once typing pauses, or offer nothing for a short text.
pub fn typed(draft: &str) {
    let mut query = query_for(draft);
    change(&mut |answers| {
        answers.cancel_timer();
        answers.pending = query.take();
        if answers.pending.is_none() {
            answers.found.asked.clear();
            answers.found.hits.clear();
        } else if let Some(window) = web_sys::window() {
            let search = crate::dom::once(Box::new(search_now));
            answers.timer = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    search.unchecked_ref(),
                    PAUSE_MS,
                )
                .ok();
        }
    });
}

/// The message was sent: the answers and the typing that led to them are done with.
pub fn sent() {
    change(&mut |answers| {
        answers.cancel_timer();
        answers.pending = None;
        answers.found = Found::default();
    });
}

/// The relay's answers to a search.
pub fn receive(query: String, hits: Vec<AnswerHit>) {
    let mut answer = Some((query, hits));
    change(&mut |answers| {
        if let Some((query, hits)) = answer.take() {
            answers.found.receive(query, hits);
        }
    });
}

/// Clicks on the answers' buttons and Escape in an open answer (which leads back to the chat
/// instead of closing the window).
fn on_event(event: web_sys::Event) {
    // Only key events have a key; the target of a click here is always an element.
    let escape = crate::wire::text(&event, "key").map(|key| key == "Escape");
    let button = event
        .target()
        .and_then(|target| target.unchecked_into::<Element>().closest("button").ok())
        .flatten();
    if escape == Some(true) {
        event.stop_propagation();
    } else if escape.is_some() || button.is_none() {
        return;
    }
    change(&mut |answers| {
        let offered = answers.dom.as_ref().and_then(|dom| {
            dom.offered
                .iter()
                .position(|(offered, _)| Some(offered.as_ref()) == button.as_ref())
        });
        match offered {
            Some(index) if escape.is_none() => answers.open(index),
            _ => answers.back(),
        }
    });
}

/// Puts the answers' elements at the start of the window's footer (before the composer);
/// `log` is the conversation, hidden while an answer is shown.
pub fn build(footer: &Element, log: Option<Element>, texts: &'static Texts) {
    let holder = element(footer, "div", &[("class", "footer")]);
    let panel = element(
        &holder,
        "section",
        &[("class", "answer"), ("aria-labelledby", "answer-question")],
    );
    let back = labelled(
        &panel,
        "button",
        &[("class", "back"), ("type", "button")],
        texts.answers_back,
    );
    let question = text(&element(&panel, "h2", &[("id", "answer-question")]), "");
    let answer = text(&element(&panel, "p", &[("class", "text")]), "");
    labelled(&panel, "p", &[("class", "hint")], texts.answers_more);
    let list = element(
        &holder,
        "div",
        &[
            ("class", "answers"),
            ("role", "group"),
            ("aria-label", texts.answers_found),
        ],
    );
    let offered = (0..MAX_HITS)
        .map(|_| {
            let button = element(&list, "button", &[("class", "offered"), ("type", "button")]);
            let label = text(&button, "");
            (button, label)
        })
        .collect();
    for (target, kind) in [(&panel, "click"), (&panel, "keydown"), (&list, "click")] {
        listen(target, kind, on_event);
    }
    // First in the footer, before the composer.
    let _ = footer.insert_before(&holder, footer.first_child().as_ref());
    let mut dom = Some(Dom {
        panel,
        back,
        question,
        text: answer,
        list,
        offered,
        log,
    });
    change(&mut |answers| answers.dom = dom.take());
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
