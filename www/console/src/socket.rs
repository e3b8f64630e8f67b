//! The one owner of the operator socket (`/ws/operator`): says hello with the session token and
//! the last message id it has, applies every frame to the state, reconnects with exponential
//! backoff and jitter, and resends unacknowledged replies under their first client id (the relay
//! stores each client id once, so a resent reply is never doubled).
//!
//! The page has one thread, so the socket lives in a thread-local and its callbacks reach it
//! through plain functions. A generation number tells a stale socket's callbacks from the
//! current one's.

use crate::app::{self, Console, Link};
use crate::state::{Pending, apply};
use beseda_protocol::operator::{FromRelay, ToRelay};
use beseda_protocol::{ClientMessageId, ConversationId, ErrorCode, PROTOCOL_VERSION};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};

/// The longest wait between two reconnection attempts, in milliseconds.
const MAX_BACKOFF_MS: f64 = 30_000.0;

type Handler = Closure<dyn FnMut(web_sys::Event)>;

struct Connection {
    console: Console,
    socket: RefCell<Option<WebSocket>>,
    /// The current socket's handlers, kept alive as long as it is.
    handlers: RefCell<Vec<Handler>>,
    generation: Cell<u32>,
    attempt: Cell<u32>,
    /// Whether a welcome has arrived before: after a reconnection the lists are reloaded.
    welcomed: Cell<bool>,
    stopped: Cell<bool>,
}

thread_local! {
    static CONNECTION: RefCell<Option<Rc<Connection>>> = const { RefCell::new(None) };
}

fn current() -> Option<Rc<Connection>> {
    CONNECTION.with(|cell| cell.borrow().clone())
}

/// Opens the socket for a signed-in console.
pub fn start(console: Console) {
    stop();
    let connection = Rc::new(Connection {
        console,
        socket: RefCell::new(None),
        handlers: RefCell::new(Vec::new()),
        generation: Cell::new(0),
        attempt: Cell::new(0),
        welcomed: Cell::new(false),
        stopped: Cell::new(false),
    });
    CONNECTION.with(|cell| *cell.borrow_mut() = Some(connection.clone()));
    connection.connect();
}

/// Closes the socket for good (signing out).
pub fn stop() {
    if let Some(connection) = CONNECTION.with(|cell| cell.borrow_mut().take()) {
        connection.stopped.set(true);
        if let Some(socket) = connection.socket.borrow_mut().take() {
            // The handlers go with the connection; the socket must not call them afterwards.
            socket.set_onopen(None);
            socket.set_onmessage(None);
            socket.set_onclose(None);
            let _ = socket.close();
        }
    }
}

/// Sends a reply: kept as pending until acknowledged, sent now if the socket is open.
pub fn send_reply(conversation_id: ConversationId, text: String) {
    let Some(connection) = current() else { return };
    let pending = Pending {
        client_id: new_client_id(),
        conversation_id,
        text,
        refused: None,
    };
    connection
        .console
        .state
        .update(|state| state.pending.push(pending.clone()));
    connection.send_pending(&pending);
}

/// Tells the visitor whether the operator is typing.
pub fn send_typing(conversation_id: ConversationId, typing: bool) {
    if let Some(connection) = current() {
        connection.frame(&ToRelay::Typing {
            conversation_id,
            typing,
        });
    }
}

/// A fresh client message id: time and randomness, in the relay's alphabet.
fn new_client_id() -> ClientMessageId {
    let random = (js_sys::Math::random() * 1e15) as u64;
    let now = js_sys::Date::now() as u64;
    ClientMessageId(format!("c{now:x}-{random:x}"))
}

fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws/operator", location.host().ok()?))
}

impl Connection {
    fn connect(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let Some(socket) = socket_url().and_then(|url| WebSocket::new(&url).ok()) else {
            self.schedule_reconnect();
            return;
        };
        let link = if self.welcomed.get() {
            Link::Reconnecting
        } else {
            Link::Connecting
        };
        self.console.link.set(link);
        let on_open = Handler::new(move |_| with_current(generation, |c| c.hello()));
        let on_message = Handler::new(move |event: web_sys::Event| {
            let text = event
                .dyn_ref::<MessageEvent>()
                .and_then(|event| event.data().as_string());
            if let Some(text) = text {
                with_current(generation, |connection| connection.receive(&text));
            }
        });
        let on_close = Handler::new(move |_| with_current(generation, |c| c.closed()));
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.handlers.borrow_mut() = vec![on_open, on_message, on_close];
        *self.socket.borrow_mut() = Some(socket);
    }

    fn hello(&self) {
        let Some(token) = crate::api::token() else {
            return;
        };
        let last_message_id = self
            .console
            .state
            .with_untracked(|state| state.last_message_id);
        self.frame(&ToRelay::Hello {
            version: PROTOCOL_VERSION,
            token,
            last_message_id,
        });
    }

    fn frame(&self, frame: &ToRelay) -> bool {
        let socket = self.socket.borrow();
        let Some(socket) = socket
            .as_ref()
            .filter(|socket| socket.ready_state() == WebSocket::OPEN)
        else {
            return false;
        };
        let text = serde_json::to_string(frame).expect("protocol types always serialise");
        socket.send_with_str(&text).is_ok()
    }

    fn send_pending(&self, pending: &Pending) {
        if self.console.link.get_untracked() == Link::Open {
            self.frame(&ToRelay::Send {
                client_id: pending.client_id.clone(),
                conversation_id: pending.conversation_id,
                text: pending.text.clone(),
            });
        }
    }

    fn receive(&self, text: &str) {
        // A frame this console cannot read is skipped: the relay may know newer frames.
        let Ok(frame) = serde_json::from_str::<FromRelay>(text) else {
            return;
        };
        let console = self.console;
        match &frame {
            FromRelay::Welcome { operator, .. } => {
                self.attempt.set(0);
                console.link.set(Link::Open);
                console.me.set(operator.clone());
            }
            FromRelay::Error {
                code: ErrorCode::Unauthorized,
                ..
            } => {
                self.stopped.set(true);
                app::sign_out();
                return;
            }
            FromRelay::Availability {
                operator_id,
                online,
                ..
            } if *operator_id == console.me.with_untracked(|me| me.id) => {
                console.online.set(*online);
            }
            _ => {}
        }
        let welcome = matches!(frame, FromRelay::Welcome { .. });
        let effects = console.state.try_update(|state| apply(state, frame));
        app::carry_out(console, effects.unwrap_or_default());
        if welcome {
            if self.welcomed.replace(true) {
                app::reload_after_reconnect(console);
            }
            let pending = console.state.with_untracked(|state| state.pending.clone());
            for pending in pending.iter().filter(|pending| pending.refused.is_none()) {
                self.send_pending(pending);
            }
        }
    }

    fn closed(self: &Rc<Self>) {
        self.socket.borrow_mut().take();
        if !self.stopped.get() {
            self.console.link.set(Link::Reconnecting);
            self.schedule_reconnect();
        }
    }

    fn schedule_reconnect(self: &Rc<Self>) {
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        let base = (500.0 * 2f64.powi(attempt.min(16) as i32)).min(MAX_BACKOFF_MS);
        let delay = base / 2.0 + js_sys::Math::random() * base / 2.0;
        let generation = self.generation.get();
        set_timeout(
            move || with_current(generation, |connection| connection.connect()),
            Duration::from_millis(delay as u64),
        );
    }
}

/// Runs `work` on the connection if it is still the one that made the callback.
fn with_current(generation: u32, work: impl FnOnce(&Rc<Connection>)) {
    if let Some(connection) = current().filter(|c| c.generation.get() == generation)
        && !connection.stopped.get()
    {
        work(&connection);
    }
}
