//! The one module that owns the socket: connects when the chat is needed, reconnects with
//! exponential backoff and jitter, resumes from the last sequence number, and keeps an outbox in
//! `localStorage` so that a message written offline is sent once the connection is back — once,
//! even across a reload (the relay stores each client id only once).
//!
//! It calls nothing above itself: of what a frame brings it does its own part (the sends'
//! promises, the token, giving up) and hands the rest, as [`Effect`]s, to the one function it was
//! started with (`dispatch::route`), which tells the page and the features. The features call
//! down into it (`send`, `send_frame`, …), never the other way round.
//!
//! Everything runs on the page's single thread, so the state lives in a thread-local and
//! callbacks reach it through plain functions.

use crate::digits::decimal;
use crate::state::{ChatState, Effect, Link, Pending, apply};
use crate::{storage, wire};
use beseda_protocol::api::PageView;
use beseda_protocol::visitor::{Cart, FromRelay, ToRelay};
use beseda_protocol::{ClientMessageId, ErrorCode, PROTOCOL_VERSION, Rating};
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// The longest wait between two reconnection attempts, in milliseconds.
const MAX_BACKOFF_MS: f64 = 30_000.0;

/// What the page told about the visitor, sent after every welcome.
#[derive(Default)]
struct Details {
    name: Option<String>,
    email: Option<String>,
    cart: Option<Cart>,
}

/// A socket event handler, kept alive as long as its socket.
type Handler = Closure<dyn FnMut(JsValue)>;

struct Transport {
    url: String,
    /// The relay's origin, which the messages' files are fetched from.
    relay: String,
    site: String,
    /// The widget's language, told to the relay for its own messages.
    locale: &'static str,
    state: RwSignal<ChatState>,
    window_open: RwSignal<bool>,
    /// Where the effects the transport does not finish itself go (a plain function pointer: the
    /// transport names nothing above it, and a pointer costs no closure).
    route: fn(Effect),
    socket: RefCell<Option<WebSocket>>,
    /// Handlers of the current socket, kept alive as long as it is.
    handlers: RefCell<Vec<Handler>>,
    token: RefCell<Option<String>>,
    /// Whether the visitor has interacted, so that their token may be kept in the browser.
    token_kept: Cell<bool>,
    attempt: Cell<u32>,
    /// How many times in a row the relay could not store a send (its storage failing for a
    /// moment). While not zero only the oldest unsent message goes out, again after a backoff, so
    /// that the visitor's messages are stored in the order written; its acknowledgement sends
    /// the rest.
    held: Cell<u32>,
    /// Whether that resend is scheduled: several sends refused at once schedule it once.
    resend_due: Cell<bool>,
    /// Set when the relay refused us for good (e.g. an unknown site): no more reconnecting.
    given_up: Cell<bool>,
    /// The relay's refusal, when it said why: every later send is rejected with it at once.
    refusal: RefCell<Option<(ErrorCode, String)>>,
    /// `resolve` and `reject` of each `send` promise, by client id. A few at a time: a list
    /// (a hash map would cost the widget bytes for nothing).
    promises: RefCell<Vec<(String, js_sys::Function, js_sys::Function)>>,
    details: RefCell<Details>,
    typing_sent: Cell<bool>,
    /// Client ids of messages sent through the contact form.
    contact_ids: RefCell<Vec<String>>,
}

thread_local! {
    static TRANSPORT: RefCell<Option<&'static Transport>> = const { RefCell::new(None) };
}

fn with<R>(work: impl FnOnce(&'static Transport) -> R) -> Option<R> {
    TRANSPORT.with(|cell| *cell.borrow()).map(work)
}

/// What this browser kept for a site: the visitor's token and the messages not yet sent.
#[derive(Default)]
pub struct Saved {
    token: Option<String>,
    outbox: Vec<Pending>,
}

impl Saved {
    pub fn load(site: &str) -> Saved {
        Saved {
            token: storage::load_token(site),
            outbox: storage::load_outbox(site),
        }
    }
}

/// Sets up the transport; connects at once only for a returning visitor (one with a kept token
/// or messages waiting in the outbox). Nothing is stored before the visitor interacts.
/// `route` receives the effects that concern what lies above the socket.
pub fn start(
    url: String,
    relay: String,
    site: String,
    saved: Saved,
    locale: &'static str,
    route: fn(Effect),
    state: RwSignal<ChatState>,
    window_open: RwSignal<bool>,
) {
    let Saved { token, outbox } = saved;
    let returning = token.is_some() || !outbox.is_empty();
    let contact_ids = outbox
        .iter()
        .filter(|pending| pending.email.is_some())
        .map(|pending| pending.client_id.0.clone())
        .collect();
    state.update(|state| state.pending = outbox);
    // The transport lives as long as the page: leaking it once gives the callbacks a 'static home.
    let transport: &'static Transport = Box::leak(Box::new(Transport {
        url,
        relay,
        site,
        locale,
        state,
        window_open,
        route,
        socket: RefCell::new(None),
        handlers: RefCell::new(Vec::new()),
        token_kept: Cell::new(token.is_some()),
        token: RefCell::new(token),
        attempt: Cell::new(0),
        held: Cell::new(0),
        resend_due: Cell::new(false),
        given_up: Cell::new(false),
        refusal: RefCell::new(None),
        promises: RefCell::new(Vec::new()),
        details: RefCell::new(Details::default()),
        typing_sent: Cell::new(false),
        contact_ids: RefCell::new(contact_ids),
    }));
    TRANSPORT.with(|cell| *cell.borrow_mut() = Some(transport));
    storage::on_token_change(&transport.site, |token| {
        with(|transport| transport.adopt_token(token));
    });
    if returning {
        connect();
    }
}

/// Connects unless a socket is open or opening.
pub fn ensure_connected() {
    let needed = with(|transport| transport.socket.borrow().is_none() && !transport.given_up.get())
        .unwrap_or(false);
    if needed {
        connect();
    }
}

fn connect() {
    with(|transport| {
        // A scheduled retry may find a socket that a send opened meanwhile: a second socket
        // would drop the first one's handlers while the browser still calls them.
        if transport.given_up.get() || transport.socket.borrow().is_some() {
            return;
        }
        let socket = match WebSocket::new(&transport.url) {
            Ok(socket) => socket,
            Err(_) => {
                transport.schedule_reconnect();
                return;
            }
        };
        transport.state.update(|state| {
            state.link = if transport.attempt.get() == 0 {
                Link::Connecting
            } else {
                Link::Reconnecting
            }
        });
        let on_open = Handler::new(|_| {
            with(|transport| transport.hello());
        });
        let on_message = Handler::new(|event: JsValue| {
            if let Some(text) = event
                .dyn_ref::<MessageEvent>()
                .and_then(|event| event.data().as_string())
            {
                with(|transport| transport.receive(&text));
            }
        });
        let on_close = Handler::new(|event: JsValue| {
            let code = event.dyn_ref::<CloseEvent>().map_or(0, CloseEvent::code);
            with(|transport| transport.closed(code));
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *transport.handlers.borrow_mut() = vec![on_open, on_message, on_close];
        *transport.socket.borrow_mut() = Some(socket);
    });
}

/// Sends a visitor message (or a contact-form message with its email). Returns a promise that
/// resolves with the stored message once the relay has acknowledged it.
pub fn send(text: String, email: Option<String>) -> js_sys::Promise {
    let client_id = new_client_id();
    let mut slot = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| slot = Some((resolve, reject)));
    let refused = with(|transport| {
        // Refused for good: nothing can be sent from this page, and the shop hears it at once.
        if let Some((code, text)) = &*transport.refusal.borrow() {
            if let Some((_, reject)) = &slot {
                rejected(reject, *code, text);
            }
            return true;
        }
        if let Some((resolve, reject)) = slot {
            transport
                .promises
                .borrow_mut()
                .push((client_id.0.clone(), resolve, reject));
        }
        if email.is_some() {
            transport.contact_ids.borrow_mut().push(client_id.0.clone());
        }
        let pending = Pending {
            client_id,
            text,
            email,
            refused: None,
        };
        transport
            .state
            .update(|state| state.pending.push(pending.clone()));
        (transport.route)(Effect::Wrote);
        // Writing is interacting: from now on the visitor's chat may be remembered.
        transport.keep_token();
        storage::save_outbox(
            &transport.site,
            &transport
                .state
                .with_untracked(|state| state.pending.clone()),
        );
        if transport.is_open() && transport.held.get() == 0 {
            transport.send_pending(&pending);
        }
        transport.set_typing(false);
        false
    });
    if refused != Some(true) {
        ensure_connected();
    }
    promise
}

/// A file's address on the relay with the visitor's token in it: an `<img>` or a link cannot
/// send the token as a header.
pub fn file_url(path: &str) -> String {
    with(|transport| {
        let token = transport.token.borrow();
        [
            transport.relay.as_str(),
            path,
            "?token=",
            token.as_deref().unwrap_or_default(),
        ]
        .concat()
    })
    .unwrap_or_default()
}

/// The visitor's token for an upload of files. Sending files is writing: from now on the
/// visitor's chat may be remembered, as after a message.
pub fn upload_token() -> JsValue {
    with(|transport| {
        transport.keep_token();
        transport.token.borrow().as_deref().map(JsValue::from_str)
    })
    .flatten()
    .unwrap_or_default()
}

/// Rejects a send's promise with an `Error` carrying the relay's words and its `code`.
fn rejected(reject: &js_sys::Function, code: ErrorCode, text: &str) {
    let error = js_sys::Error::new(text);
    wire::set(&error, "code", code.as_str());
    let _ = reject.call1(&JsValue::NULL, &error);
}

/// Tells the operators whether the visitor is typing (only changes are sent).
pub fn typing(typing: bool) {
    with(|transport| transport.set_typing(typing));
}

pub fn set_visitor(name: Option<String>, email: Option<String>) {
    with(|transport| {
        {
            let mut details = transport.details.borrow_mut();
            details.name = name.clone().or(details.name.take());
            details.email = email.clone().or(details.email.take());
        }
        if transport.is_open() {
            transport.frame(&ToRelay::Profile { name, email });
        }
    });
}

pub fn set_cart(cart: Cart) {
    with(|transport| {
        transport.details.borrow_mut().cart = Some(cart.clone());
        if transport.is_open() {
            transport.frame(&ToRelay::Cart { cart });
        }
    });
}

/// Sends a frame if the socket is open (searches and opened answers need no resending).
pub fn send_frame(frame: &ToRelay) {
    with(|transport| {
        if transport.is_open() {
            transport.frame(frame);
        }
    });
}

/// Rates the resolved conversation; the relay answers every tab with `rated`.
pub fn rate(rating: Rating, comment: Option<String>) {
    with(|transport| transport.frame(&ToRelay::Rate { rating, comment }));
}

/// The page the widget runs on, for the operators' view of the visit.
fn current_page() -> Option<PageView> {
    let window = web_sys::window()?;
    let url = window.location().href().ok()?;
    let title = window
        .document()
        .map(|document| document.title())
        .unwrap_or_default();
    Some(PageView {
        url,
        title,
        at: String::new(),
    })
}

/// Sends the oldest unsent message again, after the relay could not store it for a moment.
fn resend() {
    with(|transport| {
        transport.resend_due.set(false);
        if let Some(oldest) = transport.state.with_untracked(ChatState::unsent).first()
            && transport.is_open()
        {
            transport.send_pending(oldest);
        }
    });
}

/// A wait growing exponentially from `base` milliseconds up to 30 s, with jitter, so that
/// visitors do not all come back at once.
fn backoff(attempt: u32, base: f64) -> f64 {
    (base * 2f64.powi(attempt.min(16) as i32)).min(MAX_BACKOFF_MS)
        * (0.5 + js_sys::Math::random() * 0.5)
}

/// Runs `work` after `delay` milliseconds.
fn after(delay: f64, work: fn()) {
    let work = crate::dom::once(Box::new(work));
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            work.unchecked_ref(),
            delay as i32,
        );
    }
}

/// A fresh client message id: time and randomness, in the relay's alphabet. Decimal: the
/// widget formats numbers so already, and hexadecimal would cost it bytes of its own.
fn new_client_id() -> ClientMessageId {
    let random = (js_sys::Math::random() * 1e15) as u64;
    let now = js_sys::Date::now() as u64;
    ClientMessageId(["w", &decimal(now), "-", &decimal(random)].concat())
}

impl Transport {
    fn is_open(&self) -> bool {
        self.state.with_untracked(|state| state.link == Link::Open)
    }

    fn frame(&self, frame: &ToRelay) {
        let Some(socket) = self.socket.borrow().clone() else {
            return;
        };
        if let Some(text) = wire::encode(frame) {
            let _ = socket.send_with_str(&text);
        }
    }

    fn hello(&self) {
        let last_seq = self.state.with_untracked(|state| state.last_seq());
        self.frame(&ToRelay::Hello {
            version: PROTOCOL_VERSION,
            site: self.site.clone(),
            token: self.token.borrow().clone(),
            last_seq: Some(last_seq),
            page: current_page(),
            locale: Some(self.locale.to_owned()),
        });
    }

    fn send_pending(&self, pending: &Pending) {
        let frame = match &pending.email {
            Some(email) => ToRelay::Contact {
                client_id: pending.client_id.clone(),
                email: email.clone(),
                text: pending.text.clone(),
            },
            None => ToRelay::Send {
                client_id: pending.client_id.clone(),
                text: pending.text.clone(),
            },
        };
        self.frame(&frame);
    }

    fn set_typing(&self, typing: bool) {
        if self.typing_sent.get() != typing && self.is_open() {
            self.typing_sent.set(typing);
            self.frame(&ToRelay::Typing { typing });
        }
    }

    fn keep_token(&self) {
        self.token_kept.set(true);
        if let Some(token) = self.token.borrow().as_deref() {
            storage::save_token(&self.site, token);
        }
    }

    /// Another tab kept a token: talk as that visitor too, so both tabs share the conversation.
    fn adopt_token(&self, token: String) {
        if self.token.borrow().as_deref() == Some(token.as_str()) {
            return;
        }
        *self.token.borrow_mut() = Some(token);
        self.token_kept.set(true);
        let socket = self.socket.borrow().clone();
        if let Some(socket) = socket {
            // Closing makes the close handler reconnect with the new token at once.
            self.attempt.set(0);
            let _ = socket.close();
        } else {
            connect();
        }
    }

    fn receive(&self, text: &str) {
        let frame = wire::decode(text);
        let Some(frame) = frame else {
            // A frame this widget does not understand is skipped, never fatal.
            web_sys::console::warn_1(&JsValue::from_str(
                "Beseda: skipped a frame it does not understand",
            ));
            return;
        };
        // Answers change nothing of the chat: they go up as they are, without touching its state.
        if let FromRelay::Answers { query, answers } = frame {
            (self.route)(Effect::Answers(query, answers));
            return;
        }
        // Nor does a moment's failure of the relay's storage: the message stays pending
        // ("sending…"), its promise unsettled, and goes again with the same client id.
        if let FromRelay::Error {
            code: ErrorCode::Unavailable,
            client_id: Some(_),
            retry_after_ms,
            ..
        } = frame
        {
            self.resend_later(retry_after_ms);
            return;
        }
        let welcome = matches!(frame, FromRelay::Welcome { .. });
        let window_open = self.window_open.get_untracked();
        let mut effects = Vec::new();
        self.state
            .update(|state| effects = apply(state, frame, window_open));
        for effect in effects {
            if let Some(effect) = self.effect(effect) {
                (self.route)(effect);
            }
        }
        if welcome {
            self.attempt.set(0);
            self.after_welcome();
        }
    }

    fn after_welcome(&self) {
        let details = std::mem::take(&mut *self.details.borrow_mut());
        if details.name.is_some() || details.email.is_some() {
            self.frame(&ToRelay::Profile {
                name: details.name.clone(),
                email: details.email.clone(),
            });
        }
        if let Some(cart) = &details.cart {
            self.frame(&ToRelay::Cart { cart: cart.clone() });
        }
        *self.details.borrow_mut() = details;
        self.held.set(0);
        self.send_unsent();
    }

    fn send_unsent(&self) {
        let pending: Vec<Pending> = self.state.with_untracked(ChatState::unsent);
        for message in &pending {
            self.send_pending(message);
        }
    }

    /// The handlers of the `send` promise for a client id, removed.
    fn take_promise(
        &self,
        client_id: &str,
    ) -> Option<(String, js_sys::Function, js_sys::Function)> {
        let mut promises = self.promises.borrow_mut();
        let index = promises.iter().position(|(id, _, _)| id == client_id)?;
        Some(promises.swap_remove(index))
    }

    /// Does the transport's part of an effect; returns what is left for the dispatcher.
    fn effect(&self, effect: Effect) -> Option<Effect> {
        match effect {
            Effect::Stored(client_id, message) => {
                if let Some((_, resolve, _)) = self.take_promise(&client_id.0) {
                    let _ = resolve.call1(&JsValue::NULL, &wire::public_message(&message));
                }
                let contact = {
                    let mut ids = self.contact_ids.borrow_mut();
                    let index = ids.iter().position(|id| *id == client_id.0);
                    index.map(|index| ids.swap_remove(index)).is_some()
                };
                if contact {
                    self.state.update(|state| state.contact_sent = true);
                }
                self.save_outbox();
                // The relay stores again: what waited behind the oldest message goes now.
                if self.held.replace(0) > 0 {
                    self.send_unsent();
                }
            }
            Effect::Refused(client_id, code, text) => {
                if let Some((_, _, reject)) = self.take_promise(&client_id.0) {
                    rejected(&reject, code, &text);
                }
                // The message stays in view, marked as not sent with the reason (`apply` marked
                // it); the outbox keeps only what is still to be sent.
                self.save_outbox();
            }
            Effect::Token(token) => {
                *self.token.borrow_mut() = Some(token);
                if self.token_kept.get() {
                    self.keep_token();
                }
            }
            Effect::Erased => {
                // Nothing of the erased conversation stays in this browser either: the relay
                // closes the socket, and the next connection is a new visitor's.
                *self.token.borrow_mut() = None;
                self.token_kept.set(false);
                storage::forget_token(&self.site);
                self.save_outbox();
            }
            Effect::Fatal(code, text) => {
                web_sys::console::error_1(&JsValue::from_str(&["Beseda: ", &text].concat()));
                self.given_up.set(true);
                // The token is not ours (or no longer valid): forget it and start anew next time.
                storage::forget_token(&self.site);
                // What waited cannot be sent from this page (`apply` dropped it): every waiting
                // send is rejected, and the outbox is emptied, so that the next page does not
                // connect at once only to be refused again.
                while let Some((_, _, reject)) = self.promises.borrow_mut().pop() {
                    rejected(&reject, code, &text);
                }
                self.contact_ids.borrow_mut().clear();
                self.save_outbox();
                *self.refusal.borrow_mut() = Some((code, text.clone()));
                return Some(Effect::Fatal(code, text));
            }
            // Announcements and what the features do: not the socket's business.
            effect => return Some(effect),
        }
        None
    }

    /// Schedules the oldest unsent message to go again after `retry_after_ms` (the relay's
    /// suggestion) or a backoff of 1 s, 2 s, 4 s … up to 30 s; once, however many sends the
    /// relay could not store.
    fn resend_later(&self, retry_after_ms: Option<u64>) {
        if !self.resend_due.replace(true) {
            let held = self.held.get();
            self.held.set(held + 1);
            let delay = retry_after_ms.map_or(backoff(held, 1000.0), |delay| delay as f64);
            after(delay, resend);
        }
    }

    fn save_outbox(&self) {
        let pending: Vec<Pending> = self.state.with_untracked(ChatState::unsent);
        storage::save_outbox(&self.site, &pending);
    }

    fn closed(&self, code: u16) {
        self.socket.borrow_mut().take();
        self.typing_sent.set(false);
        // Policy violations (1008) mean resending the same hello would fail the same way.
        if code == 1008 {
            self.given_up.set(true);
        }
        if self.given_up.get() {
            // A refusal the relay explained stays on screen.
            self.state.update(|state| {
                if state.link != Link::Refused {
                    state.link = Link::Idle;
                }
            });
            return;
        }
        self.state.update(|state| state.link = Link::Reconnecting);
        self.schedule_reconnect();
    }

    fn schedule_reconnect(&self) {
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        // A relay restart is not met by every visitor at once.
        after(backoff(attempt, 250.0), connect);
    }
}
