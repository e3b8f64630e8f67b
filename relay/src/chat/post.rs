//! The front door for chat messages: [`post`].

use super::notices;
use crate::App;
use crate::chat::validation::{check_client_id, check_text};
use crate::error::{ApiError, socket_error};
use crate::store::{
    Appended, MessageTarget, NewMessage, Notices, PeerTag, StoreError, VisitorDetails,
};
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ErrorCode, FileRef, OperatorId, VisitorId,
};
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Who writes a message, with what only that kind of sender brings.
#[derive(Clone, Debug)]
pub enum Sender {
    /// A visitor, into their conversation on a site (created by the first message, reopened when
    /// resolved).
    Visitor {
        site: String,
        visitor_id: VisitorId,
        /// The client's address, which new conversations are counted by.
        address: IpAddr,
        /// What the page told before the conversation existed, kept with the first message.
        details: Box<VisitorDetails>,
        /// Given through the contact form: kept on the conversation, and the shop is emailed.
        contact_email: Option<String>,
        /// The sender's session knows no conversation of this visitor yet.
        first_message: bool,
    },
    /// An operator, into an existing conversation.
    Operator {
        operator_id: OperatorId,
        conversation_id: ConversationId,
    },
}

/// A chat message to post.
#[derive(Clone, Debug)]
pub struct Post {
    pub sender: Sender,
    /// The sender's id for the message, which makes a resend harmless.
    pub client_id: Option<ClientMessageId>,
    pub text: String,
    /// The socket that sent it: its acknowledgement comes through the hub, in commit order.
    pub origin: Option<PeerTag>,
    /// Files stored before (unattached) that the message carries; its text may then be empty.
    pub files: Vec<FileRef>,
}

/// Why a message was not posted.
#[derive(Debug)]
pub enum PostError {
    /// A rule or a limit refused it before anything was written: the code and the text for the
    /// sender.
    Refused(ErrorCode, String),
    /// The store refused or failed.
    Store(StoreError),
}

impl PostError {
    /// The error code and the text a socket client gets; internal failures are logged here and
    /// answered with a generic text.
    pub fn for_socket(&self) -> (ErrorCode, String) {
        match self {
            PostError::Refused(code, message) => (*code, message.clone()),
            PostError::Store(error) => {
                socket_error(error, "no such conversation", "storing a message failed")
            }
        }
    }
}

impl From<PostError> for ApiError {
    fn from(error: PostError) -> ApiError {
        match error {
            PostError::Refused(ErrorCode::RateLimited, _) => ApiError::RetryLater {
                seconds: 60,
                message: "too many messages",
            },
            PostError::Refused(code, message) => ApiError::Invalid(code, message),
            PostError::Store(error) => ApiError::store("conversation")(error),
        }
    }
}

/// Posts a chat message: checks it against the rules and the sender's limits, decides the
/// notices it causes, stores it with them in one transaction, rings for them and counts it.
/// Everyone concerned hears of the message through the hub, after the commit.
pub async fn post(app: &App, post: Post) -> Result<Appended, PostError> {
    if let Err((code, message)) = check(app, &post).await {
        app.metrics.messages_refused.fetch_add(1, Ordering::Relaxed);
        return Err(PostError::Refused(code, message));
    }
    let started = Instant::now();
    let (new_message, details, notices) = prepare(app, post).await;
    let file_ids = crate::store::files::file_ids(&new_message.files);
    let file_count = file_ids.len() as u64;
    let file_bytes: u64 = new_message.files.iter().map(|file| file.size).sum();
    let appended = app
        .store
        .append_message(new_message, details, notices)
        .await
        .map_err(PostError::Store)?;
    app.metrics.observe_store_write(started.elapsed());
    if appended.duplicate && !file_ids.is_empty() {
        // A resend: the message stored the first time carries the first upload's files, and
        // this upload's copies go at once (the sweep would take them otherwise).
        if let Err(error) = app.store.drop_files(file_ids).await {
            tracing::warn!(%error, "dropping a resend's files failed; the sweep takes them");
        }
    }
    if !appended.duplicate {
        app.metrics.messages_stored.fetch_add(1, Ordering::Relaxed);
        let metrics = &app.metrics;
        metrics
            .files_stored
            .fetch_add(file_count, Ordering::Relaxed);
        metrics
            .file_bytes_stored
            .fetch_add(file_bytes, Ordering::Relaxed);
        app.notice_bell.ring(&notices);
    }
    Ok(appended)
}

/// The rules every message follows, then the limits of its sender.
async fn check(app: &App, post: &Post) -> Result<(), (ErrorCode, String)> {
    if let Some(client_id) = &post.client_id {
        check_client_id(client_id)?;
    }
    if post.files.is_empty() || !post.text.trim().is_empty() {
        check_text(&post.text, app.config.max_text_chars)?;
    }
    let Sender::Visitor {
        site,
        visitor_id,
        address,
        first_message,
        ..
    } = &post.sender
    else {
        return Ok(());
    };
    let per_minute = app.config.visitor_messages_per_minute;
    if !app
        .visitor_messages
        .try_acquire(&(site.to_owned(), visitor_id.clone()))
        || !app
            .cluster
            .allow(
                format!("messages {site} {}", visitor_id.0),
                per_minute,
                Duration::from_secs(60),
            )
            .await
    {
        return Err((
            ErrorCode::RateLimited,
            format!(
                "at most {} messages a minute; wait a moment",
                app.config.visitor_messages_per_minute
            ),
        ));
    }
    if *first_message {
        new_conversation_allowed(app, site, visitor_id, *address).await?;
    }
    Ok(())
}

/// Counts a conversation about to be started against the client address's limit. A conversation
/// that another tab of the visitor started since this one's welcome is not new, and is not
/// counted.
async fn new_conversation_allowed(
    app: &App,
    site: &str,
    visitor_id: &VisitorId,
    address: IpAddr,
) -> Result<(), (ErrorCode, String)> {
    let limit = app.config.conversations_per_hour;
    if limit == 0 {
        return Ok(());
    }
    match app.store.visitor_conversation(site, visitor_id).await {
        Ok(Some(_)) => return Ok(()),
        Ok(None) => {}
        // The append that follows meets the same failure and answers it.
        Err(error) => tracing::warn!(%error, "looking up a visitor's conversation failed"),
    }
    let bucket = crate::limits::address_bucket(address);
    if app.new_conversations.try_acquire(&bucket)
        && app
            .cluster
            .allow(
                format!("conversations {bucket}"),
                limit,
                Duration::from_secs(60 * 60),
            )
            .await
    {
        return Ok(());
    }
    Err((
        ErrorCode::RateLimited,
        format!("at most {limit} new conversations an hour from one address; try again later"),
    ))
}

/// The message to store, the visitor's details to keep with it, and the notices it causes.
async fn prepare(app: &App, post: Post) -> (NewMessage, VisitorDetails, Notices) {
    match post.sender {
        Sender::Visitor {
            site,
            visitor_id,
            mut details,
            contact_email,
            first_message,
            ..
        } => {
            if !first_message {
                *details = VisitorDetails::default();
            }
            let contact = contact_email.is_some();
            if let Some(email) = contact_email {
                details.email = Some(email);
            }
            let notices = notices::for_visitor_message(app, &site, contact);
            let new_message = NewMessage {
                files: post.files,
                target: MessageTarget::Visitor { site, visitor_id },
                author: Author::Visitor,
                operator_id: None,
                client_id: post.client_id,
                text: post.text,
                origin: post.origin,
            };
            (new_message, *details, notices)
        }
        Sender::Operator {
            operator_id,
            conversation_id,
        } => {
            let notices = notices::for_operator_reply(app, conversation_id).await;
            let new_message = NewMessage {
                files: post.files,
                target: MessageTarget::Conversation(conversation_id),
                author: Author::Operator,
                operator_id: Some(operator_id),
                client_id: post.client_id,
                text: post.text,
                origin: post.origin,
            };
            (new_message, VisitorDetails::default(), notices)
        }
    }
}
