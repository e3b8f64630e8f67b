//! The one owner of the operator socket (`/ws/operator`): says hello with the session token and
//! the last message id the console has, reconnects with exponential backoff and jitter, and
//! sends replies only while the relay has welcomed it (an unacknowledged reply is sent again
//! under its first client id, and the relay stores each client id once, so it is never doubled).
//!
//! The socket keeps no console state and knows no component: whatever happens on it (the link's
//! state, each frame, a refused session) it reports to the [`Owner`] it was started for, which
//! applies the frame to the state and carries out what follows. So this module imports only the
//! REST client (for the token) and the plain state types, never the app.
//!
//! The page has one thread, so the socket lives in a thread-local and its callbacks reach it
//! through plain functions. A generation number tells a stale socket's callbacks from the
//! current one's.

use crate::api;
use crate::state::Pending;
use beseda_protocol::operator::{FromRelay, ToRelay};
use beseda_protocol::{ClientMessageId, ConversationId, ErrorCode, MessageId, PROTOCOL_VERSION};
use leptos::prelude::set_timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};

/// The state of the operator socket, shown in the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Open,
    Reconnecting,
}

/// What the socket reports to its owner, in the order it happens.
#[derive(Debug)]
pub enum Event {
    /// The link changed. It is `Open` once the relay has welcomed the socket, just before the
    /// welcome frame itself.
    Link(Link),
    /// A frame from the relay, to be applied to the state. Boxed: frames are far larger than
    /// the other events.
    Frame(Box<FromRelay>),
    /// The welcome frame has been reported: the replies not yet acknowledged may be sent again
    /// ([`send_reply`]). `again` when an earlier socket of this sign-in had been welcomed too, so
    /// that what happened while the socket was away must be loaded.
    Welcomed { again: bool },
    /// The relay refused the session token. The socket has stopped for good; the frame that
    /// said so is not reported.
    Unauthorized,
}

/// The one the socket works for: it says where to resume and hears what happens.
pub trait Owner {
    /// The newest message id the owner has: the relay sends what came after it.
    fn last_message_id(&self) -> Option<MessageId>;
    /// The highest event position the owner has heard (relays on PostgreSQL).
    fn last_position(&self) -> Option<u64>;
    /// Hears what happened, from the socket's callbacks. It may call this module's functions
    /// (send, stop) while hearing.
    fn hear(&self, event: Event);
    /// The replies not yet acknowledged nor refused, oldest first: the socket sends them again
    /// once the relay can store them.
    fn unsent(&self) -> Vec<Pending>;
}

/// The longest wait between two reconnection attempts, in milliseconds.
const MAX_BACKOFF_MS: f64 = 30_000.0;

type Handler = Closure<dyn FnMut(web_sys::Event)>;

struct Connection {
    owner: Box<dyn Owner>,
    /// The link's state as last reported: replies are sent only while it is `Open`.
    link: Cell<Link>,
    socket: RefCell<Option<WebSocket>>,
    /// The current socket's handlers, kept alive as long as it is.
    handlers: RefCell<Vec<Handler>>,
    generation: Cell<u32>,
    attempt: Cell<u32>,
    /// How many times in a row the relay could not store a reply (its storage failing for a
    /// moment). While not zero only the oldest unsent reply goes out, again after a backoff, so
    /// that replies are stored in the order written; its acknowledgement sends the rest.
    held: Cell<u32>,
    /// Whether that resend is scheduled: several replies refused at once schedule it once.
    resend_due: Cell<bool>,
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

/// Opens the socket for a signed-in console, which `owner` keeps.
pub fn start(owner: impl Owner + 'static) {
    stop();
    let connection = Rc::new(Connection {
        owner: Box::new(owner),
        link: Cell::new(Link::Connecting),
        socket: RefCell::new(None),
        handlers: RefCell::new(Vec::new()),
        generation: Cell::new(0),
        attempt: Cell::new(0),
        held: Cell::new(0),
        resend_due: Cell::new(false),
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

/// Sends a reply kept as pending by the owner, now if the relay has welcomed the socket;
/// otherwise it goes when the owner hears [`Event::Welcomed`].
pub fn send_reply(pending: &Pending) {
    if let Some(connection) = current() {
        connection.send_pending(pending);
    }
}

/// The relay could not store a reply for a moment: the replies wait, and the oldest goes again
/// after `retry_after_ms` (the relay's suggestion) or a backoff of 1 s, 2 s, 4 s … up to 30 s.
pub fn resend_later(retry_after_ms: Option<u64>) {
    if let Some(connection) = current()
        && !connection.resend_due.replace(true)
    {
        let held = connection.held.get();
        connection.held.set(held.saturating_add(1));
        let delay = retry_after_ms.map_or_else(|| backoff(held, 1000.0), |delay| delay as f64);
        let generation = connection.generation.get();
        set_timeout(
            move || with_current(generation, |connection| connection.resend_oldest()),
            Duration::from_millis(delay as u64),
        );
    }
}

/// A wait growing exponentially from `base` milliseconds up to 30 s, with jitter, so that
/// consoles do not all come back at once.
fn backoff(attempt: u32, base: f64) -> f64 {
    let ceiling = (base * 2f64.powi(attempt.min(16) as i32)).min(MAX_BACKOFF_MS);
    ceiling / 2.0 + js_sys::Math::random() * ceiling / 2.0
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
pub fn new_client_id() -> ClientMessageId {
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
        self.set_link(link);
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

    fn set_link(&self, link: Link) {
        self.link.set(link);
        self.owner.hear(Event::Link(link));
    }

    fn hello(&self) {
        let Some(token) = api::token() else {
            return;
        };
        self.frame(&ToRelay::Hello {
            version: PROTOCOL_VERSION,
            token,
            last_message_id: self.owner.last_message_id(),
            last_position: self.owner.last_position(),
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

    /// Sends a reply unless the relay is open to none, or replies wait for the oldest to be
    /// stored.
    fn send_pending(&self, pending: &Pending) {
        if self.held.get() == 0 {
            self.send_now(pending);
        }
    }

    fn send_now(&self, pending: &Pending) {
        if self.link.get() == Link::Open {
            self.frame(&ToRelay::Send {
                client_id: pending.client_id.clone(),
                conversation_id: pending.conversation_id,
                text: pending.text.clone(),
            });
        }
    }

    fn resend_oldest(&self) {
        self.resend_due.set(false);
        if let Some(oldest) = self.owner.unsent().first() {
            self.send_now(oldest);
        }
    }

    fn receive(&self, text: &str) {
        // A frame this console cannot read is skipped: the relay may know newer frames.
        let Ok(frame) = serde_json::from_str::<FromRelay>(text) else {
            return;
        };
        let mut stored_again = false;
        match &frame {
            FromRelay::Welcome { .. } => {
                self.attempt.set(0);
                // The owner sends every unsent reply on the welcome.
                self.held.set(0);
                self.set_link(Link::Open);
            }
            FromRelay::Ack { .. } => stored_again = self.held.replace(0) > 0,
            FromRelay::Error {
                code: ErrorCode::Unauthorized,
                ..
            } => {
                self.stopped.set(true);
                self.owner.hear(Event::Unauthorized);
                return;
            }
            _ => {}
        }
        let welcome = matches!(frame, FromRelay::Welcome { .. });
        self.owner.hear(Event::Frame(Box::new(frame)));
        // The relay stores again: what waited behind the oldest reply goes now.
        if stored_again {
            for pending in self.owner.unsent() {
                self.send_now(&pending);
            }
        }
        if welcome {
            let again = self.welcomed.replace(true);
            self.owner.hear(Event::Welcomed { again });
        }
    }

    fn closed(self: &Rc<Self>) {
        self.socket.borrow_mut().take();
        if !self.stopped.get() {
            self.set_link(Link::Reconnecting);
            self.schedule_reconnect();
        }
    }

    fn schedule_reconnect(self: &Rc<Self>) {
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        let delay = backoff(attempt, 500.0);
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
