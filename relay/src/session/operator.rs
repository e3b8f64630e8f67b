//! `/ws/operator`: the console's socket. The hello carries the bearer token from `/api/login`;
//! afterwards the console hears of every stored message and conversation change.

use super::order::Held;
use super::{Flow, Handler, answer, first_text, pump, refuse, scopeguard, send_json};
use crate::App;
use crate::auth::session_token_hash;
use crate::chat::{self, Post, Sender};
use crate::clock::now_millis;
use crate::error::{UNAVAILABLE_MESSAGE, socket_error};
use crate::frames::operator_error as error_frame;
use crate::hub::{OPERATOR_OUTBOX, Outbound};
use crate::limits::ConnectionSlot;
use crate::net::Socket;
use crate::sessions::Registration;
use crate::store::PeerTag;
use beseda_protocol::operator::{FromRelay, ToRelay};
use beseda_protocol::{
    ClientMessageId, ConversationId, ErrorCode, MessageId, OperatorProfile, PROTOCOL_VERSION,
};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The most missed messages a welcome carries; a console that was away longer reloads over REST.
const MAX_MISSED: u32 = 1000;

pub async fn run(mut socket: Socket, app: Arc<App>, _slot: ConnectionSlot) {
    app.metrics
        .operator_connections
        .fetch_add(1, Ordering::Relaxed);
    let _count = scopeguard(|| {
        app.metrics
            .operator_connections
            .fetch_sub(1, Ordering::Relaxed)
    });
    let (operator, (last_message_id, last_position), token_hash, _session, mut ended) =
        match greet(&mut socket, &app).await {
            Ok(greeted) => greeted,
            Err((code, message)) => {
                refuse(
                    &mut socket,
                    error_frame(code, &message, None),
                    CloseCode::Policy,
                    &message,
                )
                .await;
                return;
            }
        };
    let tag = app.hub.next_tag();
    let (outbox, mut inbox) = mpsc::channel(OPERATOR_OUTBOX);
    app.hub.add_operator(tag, operator.id, outbox);
    app.presence.console_opened(operator.id);
    app.cluster.console_changed(operator.id);
    let operator_id = operator.id;
    let _registration = scopeguard(|| {
        let left = app.hub.remove_operator(tag);
        app.cluster.console_changed(operator_id);
        if left == 0 {
            crate::presence::start_grace(&app, operator_id);
        }
    });
    // Everything published up to here reaches the console through `missed`, the rest as frames.
    let position = app.store.published_position();
    let by_position = match last_position {
        Some(after) => app
            .store
            .messages_after_position(after, MAX_MISSED)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "a console's missed events could not be read");
                None
            }),
        None => None,
    };
    let missed = match by_position {
        Some(missed) => Ok(missed),
        None => {
            app.store
                .messages_after_id(last_message_id, MAX_MISSED)
                .await
        }
    };
    let missed = match missed {
        Ok(missed) => missed,
        Err(error) => {
            let (code, message) = socket_error(
                &error,
                "no such message",
                "an operator's missed messages could not be read",
            );
            refuse(
                &mut socket,
                error_frame(code, &message, None),
                CloseCode::Error,
                "internal error",
            )
            .await;
            return;
        }
    };
    let delivered = missed
        .last()
        .map(|message| message.id)
        .or(last_message_id)
        .unwrap_or(MessageId(0));
    let welcome = FromRelay::Welcome {
        version: PROTOCOL_VERSION,
        operator: operator.clone(),
        missed,
        position,
    };
    if !send_json(&mut socket, &welcome).await {
        return;
    }
    let mut session = OperatorSession {
        app: &app,
        tag,
        operator,
        delivered,
        token_hash,
        last_use_recorded: now_millis(),
        held: Held::default(),
    };
    // When the session ends (signed out, password changed, operator disabled) the socket closes
    // at once, with the error a console takes as "sign in again".
    let ended = tokio::select! {
        () = pump(&mut socket, &mut inbox, &mut session, &app) => None,
        Ok(reason) = &mut ended => Some(reason),
    };
    if let Some(reason) = ended {
        refuse(
            &mut socket,
            error_frame(ErrorCode::Unauthorized, reason, None),
            CloseCode::Policy,
            reason,
        )
        .await;
    }
}

/// A greeted operator: who, the last message their console had, their session token's hash,
/// and their socket's registration under the session, with the receiver that hears when the session ends.
type Greeted = (
    OperatorProfile,
    (Option<MessageId>, Option<u64>),
    [u8; 32],
    Registration,
    oneshot::Receiver<&'static str>,
);

async fn greet(socket: &mut Socket, app: &App) -> Result<Greeted, (ErrorCode, String)> {
    let text = first_text(socket, app).await?;
    let frame: ToRelay = serde_json::from_str(&text)
        .map_err(|error| (ErrorCode::BadFrame, format!("not a valid frame: {error}")))?;
    let ToRelay::Hello {
        version,
        token,
        last_message_id,
        last_position,
    } = frame
    else {
        return Err((
            ErrorCode::HelloRequired,
            "the first frame must be a hello".to_owned(),
        ));
    };
    if version != PROTOCOL_VERSION {
        return Err((
            ErrorCode::UnsupportedVersion,
            format!("this relay speaks protocol version {PROTOCOL_VERSION}"),
        ));
    }
    let token_hash = session_token_hash(&token);
    let (registration, ended) = app.console_sockets.register(token_hash);
    let operator = crate::sessions::active_operator(app, token_hash)
        .await
        .map_err(|error| {
            socket_error(
                &error,
                "sign in again",
                "checking an operator's session failed",
            )
        })?
        .ok_or((
            ErrorCode::Unauthorized,
            "sign in again: this token is not valid".to_owned(),
        ))?;
    Ok((
        operator,
        (last_message_id, last_position),
        token_hash,
        registration,
        ended,
    ))
}

struct OperatorSession<'a> {
    app: &'a App,
    tag: PeerTag,
    operator: OperatorProfile,
    /// The highest message id the welcome delivered.
    delivered: MessageId,
    /// The session's token hash, to record its use.
    token_hash: [u8; 32],
    /// When this socket last recorded the session's use (milliseconds since the Unix epoch).
    last_use_recorded: i64,
    /// The reply a storage outage left unstored, which later ones wait behind.
    held: Held,
}

impl OperatorSession<'_> {
    async fn reply(
        &mut self,
        socket: &mut Socket,
        client_id: ClientMessageId,
        conversation_id: ConversationId,
        text: String,
    ) -> Flow {
        if self.held.waits(&client_id) {
            let frame = error_frame(ErrorCode::Unavailable, UNAVAILABLE_MESSAGE, Some(client_id));
            return answer(socket, frame).await;
        }
        let post = Post {
            files: Vec::new(),
            sender: Sender::Operator {
                operator_id: self.operator.id,
                conversation_id,
            },
            client_id: Some(client_id.clone()),
            text,
            origin: Some(self.tag),
        };
        // The acknowledgement reaches this socket through the hub, in commit order.
        match chat::post(self.app, post).await {
            Ok(_) => {
                self.held.settle(&client_id, None);
                Flow::Continue
            }
            Err(error) => {
                let (code, message) = error.for_socket();
                self.held.settle(&client_id, Some(code));
                answer(socket, error_frame(code, &message, Some(client_id))).await
            }
        }
    }

    async fn typing(
        &mut self,
        socket: &mut Socket,
        conversation_id: ConversationId,
        typing: bool,
    ) -> Flow {
        match self.app.store.conversation_summary(conversation_id).await {
            Ok(conversation) => {
                self.app.cluster.operator_typing(
                    self.app,
                    &conversation.site,
                    &conversation.visitor.id,
                    typing,
                    &self.operator.name,
                );
                Flow::Continue
            }
            Err(error) => {
                let (code, message) = socket_error(
                    &error,
                    "no such conversation",
                    "an operator's request failed",
                );
                answer(socket, error_frame(code, &message, None)).await
            }
        }
    }
}

impl Handler for OperatorSession<'_> {
    async fn on_text(&mut self, socket: &mut Socket, text: &str) -> Flow {
        // An operator at work over the socket alone is using the session as much as over REST.
        let now = now_millis();
        if now - self.last_use_recorded >= crate::sessions::touch_interval_millis(self.app) {
            self.last_use_recorded = now;
            crate::sessions::record_use(self.app, self.token_hash, now).await;
        }
        match serde_json::from_str::<ToRelay>(text) {
            Err(error) => {
                answer(
                    socket,
                    error_frame(
                        ErrorCode::BadFrame,
                        &format!("not a valid frame: {error}"),
                        None,
                    ),
                )
                .await
            }
            Ok(ToRelay::Hello { .. }) => Flow::Close(
                ErrorCode::HelloRequired,
                "hello was already said".to_owned(),
                CloseCode::Policy,
            ),
            Ok(ToRelay::Send {
                client_id,
                conversation_id,
                text,
            }) => self.reply(socket, client_id, conversation_id, text).await,
            Ok(ToRelay::Typing {
                conversation_id,
                typing,
            }) => self.typing(socket, conversation_id, typing).await,
        }
    }

    fn wants(&self, outbound: &Outbound) -> bool {
        match outbound {
            Outbound::Message { id, ack, .. } => *ack || *id > self.delivered,
            Outbound::Frame(_) | Outbound::End(_) => true,
        }
    }

    fn error_frame(&self, code: ErrorCode, message: &str) -> String {
        error_frame(code, message, None)
    }
}
