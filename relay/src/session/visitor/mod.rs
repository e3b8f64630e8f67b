//! `/ws/visitor`: the widget's socket.
//!
//! The hello names the site and (after the first visit) the visitor token; the relay derives the
//! conversation from the token, so a visitor can reach no conversation but their own.
//!
//! A visitor who has not written costs no storage: the hello's page and language and later
//! pages, name, email and cart stay in the session until the first message, and are stored in
//! its transaction. New identities and new conversations are limited per client address, and
//! the frames that are not messages by a rate per socket (see `throttle.rs`).

mod hello;

use super::order::Held;
use super::throttle::{FrameKind, FrameRates, Verdict};
use super::{Flow, Handler, answer, pump, refuse, scopeguard, send_json};
use crate::App;
use crate::chat::validation::{check_cart, check_comment, check_email, check_page, check_profile};
use crate::chat::{self, Post, Sender};
use crate::clock::{iso8601, now_millis};
use crate::error::{UNAVAILABLE_MESSAGE, socket_error};
use crate::frames::visitor_error as error_frame;
use crate::hub::{Outbound, VISITOR_OUTBOX};
use crate::limits::ConnectionSlot;
use crate::net::Socket;
use crate::store::{PeerTag, StoreError, VisitorDetails};
use beseda_protocol::api::{MAX_PAGES_PER_VISIT, PageView};
use beseda_protocol::visitor::{FromRelay, ToRelay, VisitorConversation};
use beseda_protocol::{
    ClientMessageId, ConversationId, ErrorCode, PROTOCOL_VERSION, Seq, VisitorId,
};
use hello::{Greeted, greet};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Serves one visitor socket; `client` is the address the limits per address count by.
pub async fn run(mut socket: Socket, app: Arc<App>, _slot: ConnectionSlot, client: IpAddr) {
    app.metrics
        .visitor_connections
        .fetch_add(1, Ordering::Relaxed);
    let _count = scopeguard(|| {
        app.metrics
            .visitor_connections
            .fetch_sub(1, Ordering::Relaxed)
    });
    let greeted = match greet(&mut socket, &app, client).await {
        Ok(greeted) => greeted,
        Err((code, message)) => {
            // A refused identity may come back later; anything else is a broken client.
            let close_code = if code == ErrorCode::RateLimited {
                CloseCode::Again
            } else {
                CloseCode::Policy
            };
            refuse(
                &mut socket,
                error_frame(code, &message, None),
                close_code,
                &message,
            )
            .await;
            return;
        }
    };
    let tag = app.hub.next_tag();
    let (outbox, mut inbox) = mpsc::channel(VISITOR_OUTBOX);
    // Register before reading the history: a message committed in between then arrives through
    // the outbox too, and `wants` drops the copy the welcome already carried.
    app.hub
        .add_visitor(tag, &greeted.site, &greeted.visitor_id, client, outbox);
    let _registration = scopeguard(|| {
        app.hub
            .remove_visitor(tag, &greeted.site, &greeted.visitor_id)
    });
    let mut session = VisitorSession {
        app: &app,
        tag,
        site: &greeted.site,
        visitor_id: &greeted.visitor_id,
        client,
        conversation_id: None,
        delivered: Seq(0),
        details: VisitorDetails::default(),
        searching: crate::answers::Searching::new(greeted.locale.as_deref()),
        rates: FrameRates::new(),
        held: Held::default(),
        blocked: false,
    };
    match session.welcome(&mut socket, &greeted).await {
        Ok(true) => {
            pump(&mut socket, &mut inbox, &mut session, &app).await;
            session.searching.end(&app, &greeted.site).await;
        }
        Ok(false) => {}
        Err(error) => {
            let (code, message) = socket_error(
                &error,
                "there is no conversation",
                "a visitor's welcome failed",
            );
            refuse(
                &mut socket,
                error_frame(code, &message, None),
                CloseCode::Error,
                &message,
            )
            .await
        }
    }
}

struct VisitorSession<'a> {
    app: &'a App,
    tag: PeerTag,
    site: &'a str,
    visitor_id: &'a VisitorId,
    /// The address the limits per address count by.
    client: IpAddr,
    conversation_id: Option<ConversationId>,
    /// The highest sequence number the welcome delivered; later copies from the hub are skipped.
    delivered: Seq,
    /// What the page told about the visitor (profile, cart, pages viewed, language) before a
    /// conversation existed to keep it on.
    details: VisitorDetails,
    /// The visitor's searches of the self-service answers.
    searching: crate::answers::Searching,
    /// How often this socket may send each kind of frame that is not a message.
    rates: FrameRates,
    /// The message a storage outage left unstored, which later ones wait behind.
    held: Held,
    /// The visitor's address is blocked (as of the welcome): nothing they send is taken. A
    /// blocked conversation's messages are refused by the store.
    blocked: bool,
}

impl VisitorSession<'_> {
    /// Sends the welcome; false when the socket failed (and the session is over).
    async fn welcome(
        &mut self,
        socket: &mut Socket,
        greeted: &Greeted,
    ) -> Result<bool, StoreError> {
        let store = &self.app.store;
        let conversation = if greeted.new_visitor {
            None
        } else {
            store
                .visitor_conversation(self.site, self.visitor_id)
                .await?
        };
        if conversation.is_none() {
            // Nothing is written for a visitor who has not written: the page and language wait
            // in the session for the first message.
            let now = now_millis();
            self.details.first_seen = Some(now);
            self.details.locale = greeted.locale.clone();
            self.details
                .pages
                .extend(greeted.page.clone().map(|page| PageView {
                    at: iso8601(now),
                    ..page
                }));
        } else if greeted.page.is_some() || greeted.locale.is_some() {
            store
                .visit(
                    self.site,
                    self.visitor_id,
                    greeted.page.clone(),
                    greeted.locale.clone(),
                )
                .await?;
        }
        let mut missed = Vec::new();
        if let Some(conversation) = &conversation {
            missed = store
                .messages_after_seq(conversation.id, greeted.last_seq)
                .await?;
            self.conversation_id = Some(conversation.id);
            let last_known = Seq(conversation.message_count).min(greeted.last_seq);
            self.delivered = missed.last().map_or(last_known, |message| message.seq);
        }
        // Asked even without a conversation: whether the shop takes ratings is the site's.
        let extras = store.welcome_extras(self.site, self.visitor_id).await?;
        let address = self.app.visitor_tokens.address_hash(self.client);
        let now = now_millis();
        // A blocked conversation's messages are refused by the store (whenever the block came);
        // a blocked address has no conversation to hold it, so the session refuses for it.
        self.blocked = store.address_blocked(address, now).await?;
        if let (Some(id), Some(until)) = (&conversation, extras.address_until)
            && extras.blocked
            && until > now
        {
            // A visitor blocked with their address while not connected here: the address they
            // come back from is the one to block.
            store.block_address(id.id, address, until).await?;
        }
        let (online, back_at) = self.app.hub.site_availability(self.site);
        let welcome = FromRelay::Welcome {
            version: PROTOCOL_VERSION,
            token: greeted.token.clone(),
            conversation: conversation.map(|conversation| VisitorConversation {
                id: conversation.id,
                status: conversation.status,
                last_seq: Seq(conversation.message_count).max(self.delivered),
            }),
            missed,
            online,
            max_text_chars: self.app.config.max_text_chars,
            site_title: greeted.site_title.clone(),
            agent: extras.agent,
            queue_position: extras.queue_position,
            rating_enabled: extras.rating_enabled,
            rating: extras.rating,
            suggested_questions: extras.suggested_questions,
            back_at,
            blocked: self.blocked || extras.blocked,
            can_erase: extras.can_erase,
        };
        Ok(send_json(socket, &welcome).await)
    }

    /// Keeps what the page told (profile, cart, a page viewed) on the visitor's conversation,
    /// or in the session until there is one.
    async fn keep_details(&mut self, told: VisitorDetails) -> Result<(), StoreError> {
        let kept = &mut self.details;
        kept.name = told.name.or(kept.name.take());
        kept.email = told.email.or(kept.email.take());
        kept.cart = told.cart.or(kept.cart.take());
        kept.pages.extend(told.pages);
        if kept.pages.len() > MAX_PAGES_PER_VISIT {
            kept.pages.drain(..kept.pages.len() - MAX_PAGES_PER_VISIT);
        }
        if self.conversation_id.is_none() {
            // Another tab of this visitor may have started the conversation since this one's
            // welcome; a read is cheap next to what it saves (and the frames are rate-limited).
            self.conversation_id = self
                .app
                .store
                .visitor_conversation(self.site, self.visitor_id)
                .await?
                .map(|conversation| conversation.id);
            if self.conversation_id.is_none() {
                return Ok(());
            }
        }
        // Kept in the session until stored: a failed write loses nothing the visitor told.
        let details = self.details.clone();
        let store = &self.app.store;
        let stored = match details.pages.as_slice() {
            // The usual case, one page viewed in a conversation: consoles hear just that page.
            [page] if details.is_empty() && details.locale.is_none() => {
                store
                    .visit(self.site, self.visitor_id, Some(page.clone()), None)
                    .await
            }
            _ if details.has_visit() => {
                store
                    .keep_visitor(self.site, self.visitor_id, details)
                    .await
            }
            _ => store
                .update_visitor(self.site, self.visitor_id, details)
                .await
                .map(|_| ()),
        };
        if stored.is_ok() {
            self.details = VisitorDetails::default();
        }
        stored
    }

    /// Counts a frame against its kind's rate on this socket; `Err` says what to do instead of
    /// handling it.
    async fn throttle(&mut self, socket: &mut Socket, kind: FrameKind) -> Result<(), Flow> {
        match self.rates.check(kind) {
            Verdict::Allowed => Ok(()),
            // Typing is a hint the next one corrects: past its rate it is dropped unanswered.
            Verdict::Refused if kind == FrameKind::Typing => Err(Flow::Continue),
            Verdict::Refused => {
                let frame = error_frame(ErrorCode::RateLimited, &kind.refusal(), None);
                Err(answer(socket, frame).await)
            }
            Verdict::Flooding => Err(Flow::Close(
                ErrorCode::RateLimited,
                "far too many frames past their rates; this connection is closed".to_owned(),
                CloseCode::Policy,
            )),
        }
    }

    async fn details(
        &mut self,
        socket: &mut Socket,
        details: VisitorDetails,
        client_id: Option<ClientMessageId>,
    ) -> Result<(), Flow> {
        match self.keep_details(details).await {
            Ok(()) => Ok(()),
            Err(error) => {
                let (code, message) = match socket_error(
                    &error,
                    "there is no conversation yet",
                    "keeping the visitor's details failed",
                ) {
                    (ErrorCode::Internal, _) => (
                        ErrorCode::Internal,
                        "the details could not be kept; send them again".to_owned(),
                    ),
                    other => other,
                };
                Err(answer(socket, error_frame(code, &message, client_id)).await)
            }
        }
    }

    /// Answers a store call that has no acknowledgement of its own: nothing when it worked, an
    /// error frame (and the socket stays open) when it did not.
    async fn store_outcome(&self, socket: &mut Socket, outcome: Result<(), StoreError>) -> Flow {
        let (code, message) = match outcome {
            Ok(()) => return Flow::Continue,
            Err(error) => socket_error(
                &error,
                "there is no conversation yet",
                "a visitor's request failed",
            ),
        };
        answer(socket, error_frame(code, &message, None)).await
    }

    /// Stores a visitor message; `contact_email` is given by the contact form, and kept on the
    /// conversation in the same transaction as the message (with whatever the page told before
    /// the conversation existed), together with the email to the shop it calls for.
    async fn send(
        &mut self,
        socket: &mut Socket,
        client_id: ClientMessageId,
        text: String,
        contact_email: Option<String>,
    ) -> Flow {
        if self.blocked {
            let frame = error_frame(ErrorCode::Blocked, BLOCKED_MESSAGE, Some(client_id));
            return answer(socket, frame).await;
        }
        if self.held.waits(&client_id) {
            let frame = error_frame(ErrorCode::Unavailable, UNAVAILABLE_MESSAGE, Some(client_id));
            return answer(socket, frame).await;
        }
        // Sending ends the typing burst of the searches that led to it.
        self.searching.end(self.app, self.site).await;
        let first_message = self.conversation_id.is_none();
        let post = Post {
            files: Vec::new(),
            sender: Sender::Visitor {
                site: self.site.to_owned(),
                visitor_id: self.visitor_id.clone(),
                address: self.client,
                details: Box::new(self.details.clone()),
                contact_email,
                first_message,
            },
            client_id: Some(client_id.clone()),
            text,
            origin: Some(self.tag),
        };
        // The acknowledgement reaches this socket through the hub, in commit order.
        match chat::post(self.app, post).await {
            Ok(appended) => {
                self.held.settle(&client_id, None);
                self.conversation_id = Some(appended.message.conversation_id);
                if first_message {
                    self.details = VisitorDetails::default();
                }
                Flow::Continue
            }
            Err(error) => {
                let (code, message) = error.for_socket();
                self.held.settle(&client_id, Some(code));
                answer(socket, error_frame(code, &message, Some(client_id))).await
            }
        }
    }
}

impl VisitorSession<'_> {
    /// The visitor erases their own conversation, where the site allows it: every tab of theirs
    /// hears `erased` through the hub.
    async fn erase(&mut self, socket: &mut Socket) -> Flow {
        let outcome = crate::privacy::visitor_erase(self.app, self.site, self.visitor_id).await;
        if outcome.is_ok() {
            self.conversation_id = None;
            self.delivered = Seq(0);
        }
        match outcome {
            Ok(()) => Flow::Continue,
            Err((code, message)) => answer(socket, error_frame(code, &message, None)).await,
        }
    }
}

/// What a blocked visitor's widget is told; it shows its own neutral text.
const BLOCKED_MESSAGE: &str = "the chat is not available";

impl Handler for VisitorSession<'_> {
    async fn on_text(&mut self, socket: &mut Socket, text: &str) -> Flow {
        let frame: ToRelay = match serde_json::from_str(text) {
            Ok(frame) => frame,
            Err(error) => {
                let frame = error_frame(
                    ErrorCode::BadFrame,
                    &format!("not a valid frame: {error}"),
                    None,
                );
                return answer(socket, frame).await;
            }
        };
        let kind = match &frame {
            ToRelay::Page { .. } => Some(FrameKind::Page),
            ToRelay::Typing { .. } => Some(FrameKind::Typing),
            ToRelay::Profile { .. } => Some(FrameKind::Profile),
            ToRelay::Cart { .. } => Some(FrameKind::Cart),
            ToRelay::Search { .. } => Some(FrameKind::Search),
            _ => None,
        };
        if let Some(kind) = kind
            && let Err(flow) = self.throttle(socket, kind).await
        {
            return flow;
        }
        match frame {
            ToRelay::Hello { .. } => Flow::Close(
                ErrorCode::HelloRequired,
                "hello was already said".to_owned(),
                CloseCode::Policy,
            ),
            ToRelay::Send { client_id, text } => self.send(socket, client_id, text, None).await,
            ToRelay::Contact {
                client_id,
                email,
                text,
            } => match check_email(&email) {
                Err((code, message)) => {
                    answer(socket, error_frame(code, &message, Some(client_id))).await
                }
                Ok(()) => self.send(socket, client_id, text, Some(email)).await,
            },
            ToRelay::Profile { name, email } => match check_profile(name, email) {
                Err((code, message)) => answer(socket, error_frame(code, &message, None)).await,
                Ok(details) => self
                    .details(socket, details, None)
                    .await
                    .map_or_else(|flow| flow, |()| Flow::Continue),
            },
            ToRelay::Cart { cart } => match check_cart(&cart) {
                Err((code, message)) => answer(socket, error_frame(code, &message, None)).await,
                Ok(()) => {
                    let details = VisitorDetails {
                        cart: Some(cart),
                        ..VisitorDetails::default()
                    };
                    self.details(socket, details, None)
                        .await
                        .map_or_else(|flow| flow, |()| Flow::Continue)
                }
            },
            ToRelay::Page { page } => match check_page(&page) {
                Err((code, message)) => answer(socket, error_frame(code, &message, None)).await,
                Ok(()) => {
                    let page = PageView {
                        at: iso8601(now_millis()),
                        ..page
                    };
                    let details = VisitorDetails {
                        pages: vec![page],
                        ..VisitorDetails::default()
                    };
                    let kept = self.keep_details(details).await;
                    self.store_outcome(socket, kept).await
                }
            },
            ToRelay::Rate { rating, comment } => {
                let comment = comment.filter(|comment| !comment.trim().is_empty());
                if let Err((code, message)) = check_comment(comment.as_deref()) {
                    return answer(socket, error_frame(code, &message, None)).await;
                }
                let rated = self
                    .app
                    .store
                    .rate(self.site, self.visitor_id, rating, comment)
                    .await;
                self.store_outcome(socket, rated).await
            }
            ToRelay::Typing { typing } => {
                if let Some(conversation_id) = self.conversation_id {
                    self.app
                        .cluster
                        .visitor_typing(self.app, conversation_id, typing);
                }
                Flow::Continue
            }
            ToRelay::Search { query } => {
                let frame = self
                    .searching
                    .search(self.app, self.site, self.visitor_id, query)
                    .await;
                answer(socket, frame).await
            }
            ToRelay::Erase => self.erase(socket).await,
            ToRelay::AnswerOpened { id } => {
                match self
                    .searching
                    .opened(self.app, self.site, self.visitor_id, id)
                    .await
                {
                    Some(frame) => answer(socket, frame).await,
                    None => Flow::Continue,
                }
            }
        }
    }

    fn wants(&self, outbound: &Outbound) -> bool {
        match outbound {
            Outbound::Message { seq, ack, .. } => *ack || *seq > self.delivered,
            Outbound::Frame(_) | Outbound::End(_) => true,
        }
    }

    fn error_frame(&self, code: ErrorCode, message: &str) -> String {
        error_frame(code, message, None)
    }
}
