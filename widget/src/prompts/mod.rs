//! Proactive prompts: a small bubble by the launcher that offers help by itself, when the
//! shop's rules say so — and never pushily.
//!
//! The widget reads the site's enabled prompts from `GET /visitor/prompts` after it has started.
//! A prompt shows only while an operator is available (and the shop open), never while the
//! visitor is chatting, at most one per page view, at most `maxPerSession` times a visit, and
//! not for `dismissForDays` after the visitor closed it. It makes no sound and takes no focus.
//!
//! What it needs to remember (pages viewed this visit, time on matching pages, the visitor's
//! variant, dismissals, the last prompt shown and its signed view id) lives only in this browser,
//! under one `localStorage` key per site — and only on sites that have prompts, and only once the
//! shop said the visitor consented (`Beseda.consent(true)` or `data-consent="granted"`). Until
//! then the memory is this page view's, held in the page, and the one thing stored is a prompt
//! the visitor closed: they asked for it to stay away. `Beseda.consent(false)` withdraws and
//! clears what was kept but those dismissals. Consent itself is never stored. The relay hears
//! only anonymous counts: shown, dismissed, opened, conversation, order, each with the view id
//! the relay signed for the page view that showed the prompt, so that it counts each once.
//!
//! The rules and the memory (`rules.rs`) are plain Rust, tested natively; the rest needs a
//! browser.

mod memory;
mod rules;

pub use memory::consent;
use memory::{load, recall, remember, storage_key};
pub use rules::{Memory, Page, Rule, eligible, url_matches};

use crate::state::{ChatState, Link};
use crate::wire::{self, field, number, text};
use beseda_protocol::ConversationStatus;
use js_sys::{Function, JSON, Object, Reflect};
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// With nobody available, the relay is asked again only after this long.
const RECHECK_MS: f64 = 30_000.0;

struct Runtime {
    relay: String,
    site: String,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    /// The bubble (`.prompt`, hidden until a prompt shows) and its text button.
    element: web_sys::HtmlElement,
    rules: RefCell<Vec<Rule>>,
    /// The rules have been read.
    loaded: Cell<bool>,
    /// The prompt on screen: `(id, variant)`.
    bubble: Cell<Option<(i64, u32)>>,
    /// Seconds on this page while visible.
    seconds: Cell<f64>,
    cart_total: Cell<f64>,
    /// A prompt showed on this page view already.
    shown_here: Cell<bool>,
    /// Asking the relay whether anyone is available, for a prompt due now.
    checking: Cell<bool>,
    /// Nobody was available: when to ask again.
    recheck_at: Cell<f64>,
    /// The question was asked at an exit intent, which has passed by the time of the answer.
    asked_on_exit: Cell<bool>,
    ticker: Cell<Option<i32>>,
    /// This page view's memory, while it is not kept (no consent).
    memory: RefCell<Memory>,
    /// The shop said the visitor consented to being remembered, for this page view.
    consent: Cell<bool>,
    /// The memory is kept in the browser: consent was given and this page view joined it.
    kept: Cell<bool>,
    /// The handlers of the relay's answers, made once and used for every request.
    on_response: Closure<dyn FnMut(JsValue)>,
    on_view: Closure<dyn FnMut(JsValue)>,
    on_failure: Closure<dyn FnMut(JsValue)>,
}

thread_local! {
    static RUNTIME: RefCell<Option<&'static Runtime>> = const { RefCell::new(None) };
}

fn with<R>(work: impl FnOnce(&'static Runtime) -> R) -> Option<R> {
    RUNTIME.with(|cell| *cell.borrow()).map(work)
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn rule_from(value: &JsValue) -> Option<Rule> {
    let trigger = field(value, "trigger");
    let mut variants = Vec::new();
    for variant in wire::items(value, "variants") {
        variants.push((text(&variant, "text")?, number(&variant, "weight")?));
    }
    if variants.is_empty() {
        return None;
    }
    Some(Rule {
        id: number(value, "id")? as i64,
        variants,
        url_pattern: text(&trigger, "urlPattern"),
        seconds_on_page: number(&trigger, "secondsOnPage"),
        min_pages: number(&trigger, "minPagesViewed"),
        min_dwell: number(&trigger, "minDwellSeconds"),
        exit_intent: field(&trigger, "exitIntent").is_truthy(),
        cart_min_total: number(&trigger, "cartMinTotal"),
        returning: field(&trigger, "returningVisitor").as_bool(),
        dismiss_days: number(value, "dismissForDays").unwrap_or(7.0),
        per_session: number(value, "maxPerSession").unwrap_or(1.0),
        views: wire::items(value, "views")
            .iter()
            .map(|item| item.as_string().unwrap_or_default())
            .collect(),
    })
}

fn rules_from(view: &JsValue) -> Vec<Rule> {
    wire::items(view, "prompts")
        .iter()
        .filter_map(rule_from)
        .collect()
}

/// The page's address, as the triggers match it.
fn page(runtime: &Runtime, exit: bool) -> Page {
    let location = web_sys::window().map(|window| window.location());
    let (path, search, href) = location.map_or_else(Default::default, |location| {
        (
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default(),
            location.href().unwrap_or_default(),
        )
    });
    Page {
        path: path + &search,
        href,
        seconds: runtime.seconds.get(),
        cart_total: runtime.cart_total.get(),
        exit,
    }
}

/// Starts reading the site's prompts; called once the launcher (and `element`, the bubble) is
/// mounted.
/// `consent`: the visitor consented before the widget started.
pub fn start(
    relay: String,
    site: String,
    consent: bool,
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    element: web_sys::HtmlElement,
) {
    let on_response = Closure::<dyn FnMut(JsValue)>::new(|response: JsValue| {
        with(|runtime| runtime.answered(&response));
    });
    let on_view = Closure::<dyn FnMut(JsValue)>::new(|view: JsValue| {
        with(|runtime| runtime.received(&view));
    });
    let on_failure = Closure::<dyn FnMut(JsValue)>::new(|_| {
        with(|runtime| runtime.unavailable());
    });
    let runtime: &'static Runtime = Box::leak(Box::new(Runtime {
        relay,
        site,
        state,
        open,
        element,
        rules: RefCell::new(Vec::new()),
        loaded: Cell::new(false),
        bubble: Cell::new(None),
        seconds: Cell::new(0.0),
        cart_total: Cell::new(0.0),
        shown_here: Cell::new(false),
        checking: Cell::new(true),
        recheck_at: Cell::new(0.0),
        asked_on_exit: Cell::new(false),
        ticker: Cell::new(None),
        memory: RefCell::new(Memory::default()),
        consent: Cell::new(consent),
        kept: Cell::new(false),
        on_response,
        on_view,
        on_failure,
    }));
    RUNTIME.with(|cell| *cell.borrow_mut() = Some(runtime));
    runtime.ask();
}

/// `Beseda.setCart`: the cart's total, for `cartMinTotal`.
pub fn set_cart_total(total: f64) {
    with(|runtime| {
        runtime.cart_total.set(total);
        runtime.evaluate(false);
    });
}

/// The visitor wrote: a conversation counts for the prompt they saw last (once).
pub fn talked() {
    with(|runtime| {
        if runtime.rules.borrow().is_empty() {
            return;
        }
        let talked = remember(runtime, |memory| {
            let (id, variant) = memory.talked(now())?;
            Some((id, variant, memory.view.clone()))
        });
        if let Some((id, variant, view)) = talked {
            runtime.report(id, variant, &view, "conversation", None);
        }
    });
}

/// `Beseda.track("order", { total })`: the order counts for the prompt seen last (7 days).
pub fn ordered(total: f64) {
    with(|runtime| {
        let ordered = recall(runtime, |memory| {
            let (id, variant) = memory.ordered(now())?;
            Some((id, variant, memory.view.clone()))
        });
        if let Some((id, variant, view)) = ordered {
            runtime.report(id, variant, &view, "order", Some(total));
        }
    });
}

/// Takes the bubble away without counting a dismissal (the chat opened, nobody is available).
pub fn hide() {
    with(|runtime| {
        runtime.bubble.set(None);
        runtime.element.set_hidden(true);
    });
}

/// A click in the bubble: its close button dismisses the prompt; its text is counted as opened,
/// and true is returned: the caller (the bubble's owner, `ui`) opens the chat.
pub fn clicked(event: web_sys::MouseEvent) -> bool {
    let target = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    let closing = target
        .as_ref()
        .is_some_and(|target| target.closest(".prompt-close").ok().flatten().is_some());
    with(|runtime| {
        let Some((id, variant)) = runtime.bubble.get() else {
            return false;
        };
        hide();
        let (days, view) = runtime
            .rules
            .borrow()
            .iter()
            .find(|rule| rule.id == id)
            .map_or((7.0, String::new()), |rule| {
                let view = rule.views.get(variant as usize).cloned();
                (rule.dismiss_days, view.unwrap_or_default())
            });
        if closing {
            memory::dismiss(runtime, id, days);
            emit("prompt:dismissed", id, variant);
            runtime.report(id, variant, &view, "dismissed", None);
        } else {
            runtime.report(id, variant, &view, "opened", None);
        }
        !closing
    })
    .unwrap_or(false)
}

fn emit(name: &str, id: i64, variant: u32) {
    let payload = Object::new();
    wire::set(&payload, "id", id as f64);
    wire::set(&payload, "variant", f64::from(variant));
    crate::events::emit(name, &payload);
}

impl Runtime {
    /// Asks the relay for the site's prompts and whether anyone can answer now.
    fn ask(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        self.checking.set(true);
        let site = String::from(js_sys::encode_uri_component(&self.site));
        let url = [self.relay.as_str(), "/visitor/prompts?site=", &site].concat();
        let _ = window
            .fetch_with_str(&url)
            .then2(&self.on_response, &self.on_failure);
    }

    fn answered(&self, response: &JsValue) {
        let json = Reflect::get(response, &"json".into())
            .ok()
            .and_then(|json| json.dyn_into::<Function>().ok())
            .filter(|_| field(response, "ok").is_truthy())
            .and_then(|json| json.call0(response).ok());
        match json {
            Some(json) => {
                let _ = json
                    .unchecked_into::<js_sys::Promise>()
                    .then2(&self.on_view, &self.on_failure);
            }
            None => self.unavailable(),
        }
    }

    /// The relay could not be asked, or nobody can answer: ask again later.
    fn unavailable(&self) {
        self.checking.set(false);
        self.recheck_at.set(now() + RECHECK_MS);
    }

    fn received(&'static self, view: &JsValue) {
        self.checking.set(false);
        let rules = rules_from(view);
        if !self.loaded.replace(true) {
            self.begin(rules);
            return;
        }
        // The answer to a prompt falling due: show it if someone is there and it still holds.
        let available = field(view, "online").is_truthy() && field(view, "backAt").is_undefined();
        *self.rules.borrow_mut() = rules;
        if available {
            self.evaluate_with(self.asked_on_exit.take(), true);
        } else {
            self.recheck_at.set(now() + RECHECK_MS);
        }
    }

    fn begin(&'static self, rules: Vec<Rule>) {
        if rules.is_empty() {
            // Nothing to offer: nothing is remembered and nothing runs.
            return;
        }
        *self.memory.borrow_mut() = Memory::page_view(now(), load(&self.site));
        *self.rules.borrow_mut() = rules;
        if self.consent.get() {
            self.keep();
        }
        let exit = self.rules.borrow().iter().any(|rule| rule.exit_intent);
        let Some(window) = web_sys::window() else {
            return;
        };
        let tick = Closure::<dyn FnMut()>::new(|| {
            with(|runtime| runtime.tick());
        });
        if let Ok(handle) = window.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            1000,
        ) {
            self.ticker.set(Some(handle));
        }
        tick.forget();
        let desktop = window
            .match_media("(hover: hover) and (pointer: fine)")
            .ok()
            .flatten()
            .is_some_and(|query| query.matches());
        if let (true, true, Some(document)) = (exit, desktop, window.document()) {
            let leaving =
                Closure::<dyn FnMut(web_sys::MouseEvent)>::new(|event: web_sys::MouseEvent| {
                    if event.related_target().is_none() && event.client_y() <= 0 {
                        with(|runtime| runtime.evaluate(true));
                    }
                });
            let _ = document
                .add_event_listener_with_callback("mouseout", leaving.as_ref().unchecked_ref());
            leaving.forget();
        }
        // Closed in another tab: closed here too.
        crate::storage::on_change(storage_key(&self.site), |_| {
            with(|runtime| {
                if let Some((id, _)) = runtime.bubble.get()
                    && load(&runtime.site).dismissed(id, now())
                {
                    hide();
                }
            });
        });
        self.evaluate(false);
    }

    fn tick(&'static self) {
        let visible = web_sys::window()
            .and_then(|window| window.document())
            .is_some_and(|document| !document.hidden());
        if !visible {
            return;
        }
        self.seconds.set(self.seconds.get() + 1.0);
        let page = page(self, false);
        let mut dwelling = Vec::new();
        for rule in self.rules.borrow().iter() {
            if let (Some(_), Some(pattern)) = (rule.min_dwell, rule.url_pattern.as_deref())
                && page.matches(pattern)
            {
                dwelling.push(rule.id);
            }
        }
        if !dwelling.is_empty() {
            remember(self, |memory| {
                memory.seen = now();
                for id in dwelling {
                    memory.add_dwell(id, 1.0);
                }
            });
        }
        self.evaluate(false);
    }

    /// Whether the visitor is busy with the chat already.
    fn chatting(&self) -> bool {
        self.open.get_untracked()
            || self.state.with_untracked(|state| {
                !state.pending.is_empty()
                    || state
                        .conversation
                        .as_ref()
                        .is_some_and(|conversation| conversation.status == ConversationStatus::Open)
            })
    }

    fn evaluate(&'static self, exit: bool) {
        self.evaluate_with(exit, false);
    }

    /// Shows the first prompt whose triggers hold, once someone is available to answer;
    /// `available` when the relay just said so.
    fn evaluate_with(&'static self, exit: bool, available: bool) {
        if self.shown_here.get() || self.checking.get() || self.chatting() {
            return;
        }
        let page = page(self, exit);
        let kept = self.kept.get();
        let due = recall(self, |memory| {
            self.rules
                .borrow()
                .iter()
                .find(|rule| eligible(rule, memory, &page, now(), kept))
                .cloned()
        });
        let Some(rule) = due else {
            return;
        };
        let link = self.state.with_untracked(|state| state.link);
        if matches!(link, Link::Connecting | Link::Reconnecting) {
            // A returning visitor: whether they are chatting is known once the relay welcomed them.
            return;
        }
        let connected = link == Link::Open;
        if available {
            self.show(&rule);
        } else if connected {
            if self
                .state
                .with_untracked(|state| state.online && state.back_at.is_none())
            {
                self.show(&rule);
            }
        } else if now() >= self.recheck_at.get() {
            // Not connected (a new visitor): ask the relay whether anyone can answer now.
            self.asked_on_exit.set(exit);
            self.ask();
        }
    }

    fn show(&self, rule: &Rule) {
        let mut view = String::new();
        let variant = remember(self, |memory| {
            let variant = memory.variant(rule, js_sys::Math::random());
            view = rule
                .views
                .get(variant as usize)
                .cloned()
                .unwrap_or_default();
            memory.shown(rule.id, variant, &view, now());
            memory.seen = now();
            variant
        });
        self.shown_here.set(true);
        if let Some(handle) = self.ticker.take()
            && let Some(window) = web_sys::window()
        {
            window.clear_interval_with_handle(handle);
        }
        let text = rule
            .variants
            .get(variant as usize)
            .map(|(text, _)| text.as_str())
            .unwrap_or_default();
        if let Some(button) = self.element.first_element_child() {
            button.set_text_content(Some(text));
        }
        self.bubble.set(Some((rule.id, variant)));
        self.element.set_hidden(false);
        emit("prompt:shown", rule.id, variant);
        self.report(rule.id, variant, &view, "shown", None);
    }

    /// Tells the relay, without waiting for an answer (and even while the page unloads), with
    /// the signed view id the relay gave for the prompt shown.
    fn report(&self, id: i64, variant: u32, view: &str, event: &str, total: Option<f64>) {
        let body = Object::new();
        wire::set(&body, "site", self.site.as_str());
        wire::set(&body, "variant", f64::from(variant));
        wire::set(&body, "event", event);
        wire::set(&body, "view", view);
        if let Some(total) = total {
            wire::set(&body, "total", total);
        }
        let (Some(window), Some(body)) = (
            web_sys::window(),
            JSON::stringify(&body)
                .ok()
                .and_then(|json| json.as_string()),
        ) else {
            return;
        };
        // As `u64`: ids are positive.
        let url = [
            self.relay.as_str(),
            "/visitor/prompts/",
            &crate::digits::decimal(id as u64),
            "/events",
        ]
        .concat();
        let _ = window
            .navigator()
            .send_beacon_with_opt_str(&url, Some(&body));
    }
}
