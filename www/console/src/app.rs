//! What the whole signed-in console shares: the [`Console`] context (signals only, so it is
//! `Copy`), and the actions that more than one component needs — loading lists, opening a
//! conversation, sending a reply, carrying out the effects of a frame, signing out.
//!
//! The console is the socket's [`socket::Owner`]: the socket reports what happens on it and
//! [`Console`] keeps it (applies frames to the state, sets the header's link), so the socket
//! never reaches back into this module.

use crate::api::{self, ApiError};
use crate::notify;
use crate::socket::{self, Link};
use crate::state::{ConsoleState, Effect, Pending, apply, visitor_label};
use beseda_protocol::api::{ReadMark, Shortcut};
use beseda_protocol::operator::FromRelay;
use beseda_protocol::{ConversationId, ConversationStatus, MessageId, OperatorProfile};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;

/// Where the session token is kept between visits.
pub const TOKEN_KEY: &str = "beseda.console.token";

/// The console's screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Conversations,
    /// Every conversation, searched and filtered, with notes and reviews.
    History,
    Settings,
    /// The self-service answers (admins).
    Answers,
    /// The manager's reports.
    Reports,
}

/// Everything the signed-in console's components share, given to them through context.
#[derive(Clone, Copy)]
pub struct Console {
    pub me: RwSignal<OperatorProfile>,
    pub state: RwSignal<ConsoleState>,
    pub link: RwSignal<Link>,
    pub view: RwSignal<View>,
    pub tab: RwSignal<ConversationStatus>,
    /// The time now, in milliseconds, ticking every second (waiting times).
    pub now: RwSignal<f64>,
    /// This operator's availability switch.
    pub online: RwSignal<bool>,
    pub shortcuts: RwSignal<Vec<Shortcut>>,
    /// Whether to show a desktop notification for a new chat.
    pub notifications: RwSignal<bool>,
    /// What screen readers are told of a change nothing else on screen speaks of.
    pub announcement: RwSignal<String>,
    /// Set by a keyboard shortcut that opens a conversation: its composer takes the focus once
    /// it is on screen.
    pub focus_composer: RwSignal<bool>,
    /// Whether the list of keyboard shortcuts is open.
    pub shortcuts_help: RwSignal<bool>,
}

impl Console {
    pub fn new(me: OperatorProfile) -> Console {
        Console {
            me: RwSignal::new(me),
            state: RwSignal::new(ConsoleState::default()),
            link: RwSignal::new(Link::Connecting),
            view: RwSignal::new(View::Conversations),
            tab: RwSignal::new(ConversationStatus::Open),
            now: RwSignal::new(js_sys::Date::now()),
            online: RwSignal::new(false),
            shortcuts: RwSignal::new(Vec::new()),
            notifications: RwSignal::new(false),
            announcement: RwSignal::new(String::new()),
            focus_composer: RwSignal::new(false),
            shortcuts_help: RwSignal::new(false),
        }
    }

    /// Has screen readers say `text` once, politely.
    pub fn announce(self, text: String) {
        self.announcement.try_set(text);
    }

    /// Shows an error that belongs to no form.
    pub fn report(self, error: ApiError) {
        // The message is in the language on screen when the error came.
        self.state
            .try_update(|state| state.notice = Some(error.message));
    }
}

pub fn console() -> Console {
    expect_context::<Console>()
}

thread_local! {
    /// The signed-in operator, or none: the root decides between sign-in and console by it.
    static SESSION: RefCell<Option<RwSignal<Option<OperatorProfile>>>> = const { RefCell::new(None) };
}

pub fn set_session_signal(session: RwSignal<Option<OperatorProfile>>) {
    SESSION.with(|cell| *cell.borrow_mut() = Some(session));
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn stored_token() -> Option<String> {
    local_storage()?.get_item(TOKEN_KEY).ok().flatten()
}

/// Keeps the token for the next visit and starts the console.
pub fn sign_in(token: String, operator: OperatorProfile) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(TOKEN_KEY, &token);
    }
    api::set_token(Some(token));
    if let Some(session) = SESSION.with(|cell| *cell.borrow()) {
        session.set(Some(operator));
    }
}

/// Signs out on the relay too (the token then opens nothing, wherever a copy of it is), then
/// forgets the token. Without the relay the console still forgets it.
pub fn log_out() {
    spawn_local(async {
        let _ = api::logout().await;
        sign_out();
    });
}

/// Forgets the token and returns to the sign-in form.
pub fn sign_out() {
    socket::stop();
    api::set_token(None);
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(TOKEN_KEY);
    }
    if let Some(session) = SESSION.with(|cell| *cell.borrow()) {
        session.set(None);
    }
}

/// Loads the conversations with `status` into the list.
pub fn reload_list(console: Console, status: ConversationStatus) {
    spawn_local(async move {
        match api::conversations(status).await {
            Ok(list) => {
                console
                    .state
                    .try_update(|state| state.load_list(Some(status), list));
            }
            Err(error) => console.report(error),
        }
    });
}

/// The team, for names, the "Transfer to" choice and who is online.
pub fn reload_operators(console: Console) {
    spawn_local(async move {
        if let Ok(operators) = api::operators().await {
            let me = console.me.get_untracked().id;
            if let Some(mine) = operators.iter().find(|operator| operator.profile.id == me) {
                console.online.set(mine.online);
            }
            console.state.try_update(|state| {
                state.anyone_online = operators.iter().any(|operator| operator.online);
                state.operators = operators;
            });
        }
    });
}

pub fn reload_shortcuts(console: Console) {
    spawn_local(async move {
        if let Ok(shortcuts) = api::shortcuts().await {
            console.shortcuts.set(shortcuts);
        }
    });
}

/// Lists and the open conversation may have changed while the socket was away.
pub fn reload_after_reconnect(console: Console) {
    reload_list(console, ConversationStatus::Open);
    if console.tab.get_untracked() == ConversationStatus::Resolved {
        reload_list(console, ConversationStatus::Resolved);
    }
    reload_operators(console);
    if let Some(id) = console.state.with_untracked(|state| state.selected) {
        reload_detail(console, id);
    }
}

fn reload_detail(console: Console, id: ConversationId) {
    spawn_local(async move {
        match api::conversation(id).await {
            Ok(detail) => {
                console.state.try_update(|state| state.load_detail(detail));
            }
            Err(error) => console.report(error),
        }
    });
}

/// Puts a conversation on screen: loads it, joins it when it is this operator's or nobody's
/// (the visitor then sees the operator), and marks it read.
pub fn open_conversation(console: Console, id: ConversationId) {
    console.state.update(|state| state.select(Some(id)));
    spawn_local(async move {
        let detail = match api::conversation(id).await {
            Ok(detail) => detail,
            Err(error) => return console.report(error),
        };
        let me = console.me.get_untracked().id;
        let joinable = detail.status == ConversationStatus::Open
            && detail.assigned_to.is_none_or(|operator| operator == me);
        let last_seq = detail.messages.last().map(|message| message.seq);
        console.state.try_update(|state| state.load_detail(detail));
        if joinable && let Err(error) = api::join(id).await {
            console.report(error);
        }
        if let Some(seq) = last_seq {
            let _ = api::mark_read(id, ReadMark { seq }).await;
        }
    });
}

/// The console keeps what its socket reports.
impl socket::Owner for Console {
    fn last_message_id(&self) -> Option<MessageId> {
        self.state.with_untracked(|state| state.last_message_id)
    }

    fn last_position(&self) -> Option<u64> {
        self.state.with_untracked(|state| state.last_position)
    }

    fn hear(&self, event: socket::Event) {
        let console = *self;
        match event {
            socket::Event::Link(link) => console.link.set(link),
            socket::Event::Frame(frame) => receive(console, *frame),
            socket::Event::Welcomed { again } => {
                if again {
                    reload_after_reconnect(console);
                }
                for pending in self.unsent() {
                    socket::send_reply(&pending);
                }
            }
            socket::Event::Unauthorized => sign_out(),
        }
    }

    fn unsent(&self) -> Vec<Pending> {
        self.state.with_untracked(|state| {
            state
                .pending
                .iter()
                .filter(|pending| pending.refused.is_none())
                .cloned()
                .collect()
        })
    }
}

/// Applies a frame from the socket, with what it changes beside the state: who this operator
/// is (the welcome) and their availability switch.
fn receive(console: Console, frame: FromRelay) {
    match &frame {
        FromRelay::Welcome { operator, .. } => {
            crate::i18n::follow(operator.language.as_deref());
            console.me.set(operator.clone());
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
    let effects = console.state.try_update(|state| apply(state, frame));
    carry_out(console, effects.unwrap_or_default());
}

/// Sends a reply: kept as pending (shown, and sent again after a reconnection) until the relay
/// acknowledges it, sent now if the socket is open.
pub fn send_reply(console: Console, conversation_id: ConversationId, text: String) {
    let pending = Pending {
        client_id: socket::new_client_id(),
        conversation_id,
        text,
        refused: None,
    };
    console
        .state
        .update(|state| state.pending.push(pending.clone()));
    socket::send_reply(&pending);
}

/// Does what the frames asked for.
pub fn carry_out(console: Console, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::ReloadList => reload_list(console, ConversationStatus::Open),
            Effect::ReloadDetail(id) => reload_detail(console, id),
            Effect::ResendLater(retry_after_ms) => socket::resend_later(retry_after_ms),
            Effect::Read(id, seq) => {
                spawn_local(async move {
                    let _ = api::mark_read(id, ReadMark { seq }).await;
                });
            }
            Effect::NewConversation(summary) => {
                let summary = *summary;
                let who = visitor_label(&summary.visitor, summary.id);
                console.announce(crate::i18n::tf(
                    crate::i18n::Text::NewConversationFrom,
                    &[("name", &who)],
                ));
                if console.notifications.get_untracked() {
                    let text = summary
                        .last_message
                        .as_ref()
                        .map(crate::files::one_line)
                        .unwrap_or_default();
                    notify::new_chat(&who, &text);
                }
            }
        }
    }
}

/// The conversation the page's address names: `/console/#/conversations/7`, as the emails to
/// the shop link to it.
fn linked_conversation() -> Option<ConversationId> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let id = hash.strip_prefix("#/conversations/")?.parse().ok()?;
    Some(ConversationId(id))
}

/// Starts what a signed-in console runs: the socket, the lists, the clock.
pub fn start(console: Console) {
    // The list first: the socket then resumes after its newest message.
    spawn_local(async move {
        match api::conversations(ConversationStatus::Open).await {
            Ok(list) => {
                console.state.try_update(|state| {
                    state.last_message_id = list
                        .iter()
                        .filter_map(|summary| summary.last_message.as_ref())
                        .map(|message| message.id)
                        .max();
                    state.load_list(Some(ConversationStatus::Open), list);
                });
            }
            Err(error) => console.report(error),
        }
        if console.state.try_with_untracked(|_| ()).is_some() {
            socket::start(console);
            if let Some(id) = linked_conversation() {
                open_conversation(console, id);
            }
        }
    });
    reload_operators(console);
    reload_shortcuts(console);
    let clock = set_interval_with_handle(
        move || {
            console.now.try_set(js_sys::Date::now());
        },
        std::time::Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        socket::stop();
        if let Some(clock) = clock {
            clock.clear();
        }
    });
}
