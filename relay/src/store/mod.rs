//! Persistence: the [`Store`] trait the rest of the relay talks to, and its SQLite implementation.
//!
//! No rusqlite type crosses this module's boundary. Every write is committed before its future
//! resolves, and before the [`Event`]s it caused are handed to the commit listener, in commit
//! order, so that nobody is ever told about a message that a crash could still take back.

mod accounts;
mod answers;
mod conversations;
mod methods;
mod outbox;
#[cfg(test)]
mod outbox_tests;
mod prompts;
mod queue;
mod rows;
mod schema;
pub mod sqlite;
mod team;
#[cfg(test)]
mod tests;
mod visits;
mod workflow;
#[cfg(test)]
mod workflow_tests;

pub use outbox::{MailConversation, MailId, MailNotice, MailOutcome, MailTo, Notices, PendingMail};
pub use sqlite::{Location, SqliteStore};
pub use visits::WelcomeExtras;

use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};
use beseda_protocol::api::{
    ConversationDetail, ConversationSummary, OperatorInfo, OperatorUpdate, PageView, PriorityRule,
    RuleInput, Shortcut, ShortcutInput, SiteSettings, TeamSettings, VisitorContext, VisitorInfo,
};
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};
use beseda_protocol::visitor::{Agent, Cart};
use beseda_protocol::{
    AnswerId, Author, ClientMessageId, ConversationId, ConversationStatus, Message, MessageId,
    OperatorId, OperatorProfile, Rating, RuleId, Seq, ShortcutId, VisitorId,
};
use std::future::Future;
use std::pin::Pin;

/// What every store method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why a store call failed. Each variant is one reason; [`StoreError::kind`] sorts them into the
/// few answers a client may get, and `error.rs` maps those kinds to HTTP statuses and socket
/// error codes in one place. The `Display` texts of the kinds other than
/// [`ErrorKind::Internal`] are meant for people and may be sent; internal ones never are.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// What was looked up does not exist.
    #[error("not found")]
    NotFound,
    /// The input names a site that does not exist.
    #[error("there is no site {0:?}")]
    NoSuchSite(String),
    /// The input names an operator who does not exist.
    #[error("there is no operator {0}")]
    NoSuchOperator(OperatorId),
    /// Another operator has this email.
    #[error("an operator with the email {0} exists")]
    EmailTaken(String),
    /// The operator (or the team) has a shortcut of this name.
    #[error("a shortcut named {0:?} exists already")]
    ShortcutTaken(String),
    /// The site answers this question in this language already.
    #[error("the site has an answer to {0:?} in this language already")]
    QuestionAnswered(String),
    /// This page view's event of a prompt was counted before.
    #[error("this page view's {0} event was counted already")]
    EventCounted(&'static str),
    /// Only an open conversation can be joined.
    #[error("a resolved conversation cannot be joined; reopen it first")]
    NotOpen,
    /// Only a resolved conversation can be rated.
    #[error("a conversation can be rated once it is resolved")]
    NotResolved,
    /// The site does not ask for ratings.
    #[error("this shop does not ask for ratings")]
    RatingOff,
    /// The database failed; the text is for the log only.
    #[error("database error: {0}")]
    Database(String),
    /// The store's writer has stopped.
    #[error("the store is closed")]
    Closed,
}

/// What a [`StoreError`] means to the client that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing asked for does not exist (404).
    NotFound,
    /// The request names something that does not exist (400).
    Invalid,
    /// The request clashes with what is stored (409).
    Conflict,
    /// Nothing the client did: logged, and answered with a generic text (500).
    Internal,
}

impl StoreError {
    /// What this error means to the client that caused it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound => ErrorKind::NotFound,
            StoreError::NoSuchSite(_) | StoreError::NoSuchOperator(_) => ErrorKind::Invalid,
            StoreError::EmailTaken(_)
            | StoreError::ShortcutTaken(_)
            | StoreError::QuestionAnswered(_)
            | StoreError::EventCounted(_)
            | StoreError::NotOpen
            | StoreError::NotResolved
            | StoreError::RatingOff => ErrorKind::Conflict,
            StoreError::Database(_) | StoreError::Closed => ErrorKind::Internal,
        }
    }
}

/// Figures a store keeps about its writer, for `/metrics`.
#[derive(Debug, Default)]
pub struct StoreStats {
    pub commits: std::sync::atomic::AtomicU64,
    pub committed_jobs: std::sync::atomic::AtomicU64,
    /// Writes asked for and not yet answered: queued, or in the transaction being committed.
    pub pending_writes: std::sync::atomic::AtomicUsize,
}

/// Which peer caused a write, so that its own socket gets an acknowledgement instead of a copy.
pub type PeerTag = u64;

/// A message to store.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub target: MessageTarget,
    pub author: Author,
    pub operator_id: Option<OperatorId>,
    pub client_id: Option<ClientMessageId>,
    pub text: String,
    pub origin: Option<PeerTag>,
}

/// Where a new message goes.
#[derive(Clone, Debug)]
pub enum MessageTarget {
    /// The visitor's conversation on a site, created on the first message and reopened if resolved.
    Visitor { site: String, visitor_id: VisitorId },
    /// An existing conversation, by id.
    Conversation(ConversationId),
}

/// The result of storing a message.
#[derive(Clone, Debug)]
pub struct Appended {
    pub message: Message,
    /// True when the client id had been stored before: nothing new was written.
    pub duplicate: bool,
}

/// Something that changed, reported to the commit listener after the commit.
#[derive(Clone, Debug)]
pub enum Event {
    MessageStored {
        message: Message,
        site: String,
        visitor_id: VisitorId,
        origin: Option<PeerTag>,
        /// A resend of a stored client id: only the sender needs to hear of it.
        duplicate: bool,
    },
    ConversationChanged {
        conversation: ConversationSummary,
        visitor_id: VisitorId,
        /// True when the conversation was just created (by its first message).
        created: bool,
        /// True when it was resolved or reopened: only then does its visitor hear of it (a
        /// widget offers the rating on each news of "resolved").
        status_changed: bool,
    },
    /// Who is still waiting for an operator, first in line first (sent while anyone is online).
    QueueChanged { waiting: Vec<(String, VisitorId)> },
    /// This visitor is no longer waiting in the queue.
    QueuePosition {
        site: String,
        visitor_id: VisitorId,
        position: Option<u32>,
    },
    /// An operator joined the visitor's conversation.
    AgentJoined {
        site: String,
        visitor_id: VisitorId,
        agent: Agent,
    },
    /// The visitor rated their conversation.
    Rated {
        site: String,
        visitor_id: VisitorId,
        rating: Rating,
        comment: Option<String>,
    },
    /// The visitor of a conversation viewed a page (and nothing else of the context changed).
    PageViewed {
        conversation_id: ConversationId,
        page: PageView,
    },
    /// The visitor's page, language, cart or profile changed.
    VisitorChanged {
        conversation_id: ConversationId,
        visitor: VisitorInfo,
        cart: Option<Cart>,
        context: VisitorContext,
    },
}

/// What the shop's page tells about a visitor (`Beseda.setVisitor`, `Beseda.setCart`, the
/// contact form), and what the session kept of the visit before the first message.
#[derive(Clone, Debug, Default)]
pub struct VisitorDetails {
    pub name: Option<String>,
    pub email: Option<String>,
    pub cart: Option<beseda_protocol::visitor::Cart>,
    /// Pages viewed before the conversation existed, oldest first, each with its time.
    pub pages: Vec<PageView>,
    /// The widget's language, told before the conversation existed.
    pub locale: Option<String>,
    /// When the session that kept these began (ms since the epoch): the visitor's first sight.
    pub first_seen: Option<i64>,
}

impl VisitorDetails {
    /// Whether nothing of the profile or cart is told (the visit's pages aside).
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.cart.is_none()
    }

    /// Whether pages or a language wait to be stored with the first message.
    pub fn has_visit(&self) -> bool {
        !self.pages.is_empty() || self.locale.is_some()
    }
}

/// An operator with the hash to check a password against.
#[derive(Clone, Debug)]
pub struct OperatorCredentials {
    pub profile: OperatorProfile,
    pub password_hash: String,
}

/// A session that may be used: its operator, and when it was last recorded as used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveSession {
    pub operator: OperatorProfile,
    /// Milliseconds since the Unix epoch; recorded at most about once a minute.
    pub last_used_at: i64,
}

/// Persistence for conversations, operators and relay settings.
pub trait Store: Send + Sync + 'static {
    /// The writer's figures, for `/metrics`.
    fn stats(&self) -> std::sync::Arc<StoreStats>;
    /// Stops taking writes, commits what is queued and waits for the writer to finish (blocks).
    fn close(&self);

    /// Stores a message (or returns the stored one when its client id was seen before), keeps
    /// the visitor's `details` on its conversation and records the `notices` it causes: all in
    /// one transaction, so that no notice (nor the address an email goes to) can be lost once
    /// the message is stored. A resend of a stored client id records no notice.
    fn append_message(
        &self,
        new_message: NewMessage,
        details: VisitorDetails,
        notices: Notices,
    ) -> StoreFuture<'_, Appended>;
    /// Messages of a conversation with a sequence number above `after`, in order.
    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>>;
    /// Messages of all conversations with an id above `after`, oldest first, at most `limit`.
    /// Without `after`, the newest `limit` messages.
    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>>;
    /// The visitor's conversation on a site, if they have written anything yet.
    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>>;
    /// Conversations, the most urgent first; with `reader`, each with that operator's unread count.
    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>>;
    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail>;
    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary>;
    /// Records what the shop's page told about the visitor on their conversation; fields given
    /// as `None` stay as they were. False when the visitor has no conversation yet.
    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, bool>;
    /// Resolves or reopens a conversation; answers the conversation as it now is.
    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary>;

    /// The title of a site, if the site exists.
    fn site_title(&self, name: &str) -> StoreFuture<'_, Option<String>>;
    /// Creates a site unless one of that name exists; true when it was created.
    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool>;

    fn operator_count(&self) -> StoreFuture<'_, u64>;
    fn add_operator(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
    ) -> StoreFuture<'_, OperatorProfile>;
    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>>;
    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()>;
    /// The session a token opens, if it exists, has not expired, was used after `used_since`
    /// (milliseconds since the Unix epoch) and its operator is not disabled.
    fn session_operator(
        &self,
        token_hash: [u8; 32],
        used_since: i64,
    ) -> StoreFuture<'_, Option<ActiveSession>>;
    /// Records that a session was used at `now` (milliseconds since the Unix epoch).
    fn touch_session(&self, token_hash: [u8; 32], now: i64) -> StoreFuture<'_, ()>;
    /// Ends one session (sign out); false when there was none.
    fn end_session(&self, token_hash: [u8; 32]) -> StoreFuture<'_, bool>;
    /// The password hash of an operator who is not disabled.
    fn operator_password_hash(&self, operator_id: OperatorId) -> StoreFuture<'_, Option<String>>;
    /// Sets a new password hash and ends the operator's sessions but `keep`; returns the token
    /// hashes of the sessions ended.
    fn change_password(
        &self,
        operator_id: OperatorId,
        password_hash: String,
        keep: [u8; 32],
    ) -> StoreFuture<'_, Vec<[u8; 32]>>;
    /// Disables an operator (ending their sessions, setting them offline and putting their open
    /// conversations back in the queue) or enables them again; returns the operator and the token
    /// hashes of the sessions ended.
    fn set_operator_disabled(
        &self,
        operator_id: OperatorId,
        disabled: bool,
    ) -> StoreFuture<'_, (OperatorInfo, Vec<[u8; 32]>)>;
    /// Sets the availability switch; an operator coming online is given waiting conversations.
    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()>;
    /// The ids of the operators whose availability switch is on.
    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>>;

    /// A relay setting, created with `create` on first use and the same forever after.
    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>>;

    // The operators' workflow (see `assignment.rs`).
    /// The operator opened the conversation: tells the visitor (once per operator), and takes
    /// the conversation if nobody had it.
    fn join(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary>;
    /// Transfers a conversation (or takes it over, when `operator_id` is the caller).
    fn assign(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary>;
    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary>;
    fn mark_read(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        seq: Seq,
    ) -> StoreFuture<'_, ()>;
    /// Rates the visitor's resolved conversation (Conflict when it is open or ratings are off).
    fn rate(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        rating: Rating,
        comment: Option<String>,
    ) -> StoreFuture<'_, ()>;
    /// Records a page view and the widget's language.
    fn visit(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        page: Option<PageView>,
        locale: Option<String>,
    ) -> StoreFuture<'_, ()>;
    /// Stores what a session kept before it knew of the visitor's conversation (pages viewed,
    /// language, profile, cart) on that conversation, in one transaction.
    fn keep_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, ()>;
    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras>;
    /// Waiting conversations and when their automatic message is due (ms since the epoch).
    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64, String)>>;
    /// Posts the automatic message if it is due (or, with `post` false, only marks it handled).
    fn auto_message(
        &self,
        conversation_id: ConversationId,
        post: bool,
    ) -> StoreFuture<'_, Option<Message>>;

    // What the team manages (see `team.rs`).
    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>>;
    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile>;
    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>>;
    fn shortcut(&self, id: ShortcutId) -> StoreFuture<'_, Shortcut>;
    /// Creates (`id` None) or replaces a shortcut; `owner` None makes it the team's.
    fn save_shortcut(
        &self,
        id: Option<ShortcutId>,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut>;
    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()>;
    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>>;
    fn save_rule(&self, id: Option<RuleId>, input: RuleInput) -> StoreFuture<'_, PriorityRule>;
    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()>;
    fn team_settings(&self) -> StoreFuture<'_, TeamSettings>;
    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings>;
    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>>;
    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings>;
    /// Every prompt, or one site's; `enabled_only` for widgets.
    fn prompts(&self, site: Option<String>, enabled_only: bool) -> StoreFuture<'_, Vec<Prompt>>;
    fn prompt(&self, id: i64) -> StoreFuture<'_, Prompt>;
    /// Creates (`id` none) or replaces a prompt; `input.site` names an existing site.
    fn save_prompt(&self, id: Option<i64>, input: PromptInput) -> StoreFuture<'_, Prompt>;
    fn delete_prompt(&self, id: i64) -> StoreFuture<'_, ()>;
    /// Counts a widget's report once per page view (`view`, the random part of its signed view
    /// id) and event: `Conflict` when counted before; `NotFound` unless the prompt is the site's
    /// and has the variant.
    fn count_prompt_event(
        &self,
        id: i64,
        site: String,
        variant: u32,
        view: String,
        event: PromptEvent,
        total: f64,
    ) -> StoreFuture<'_, ()>;
    fn prompt_stats(&self, id: i64) -> StoreFuture<'_, PromptStats>;

    // Self-service answers (see `answers.rs`).
    /// A site's answers, in one language or in all.
    fn answers(&self, site: &str, language: Option<&str>) -> StoreFuture<'_, Vec<Answer>>;
    fn answer(&self, id: AnswerId) -> StoreFuture<'_, Answer>;
    /// Creates (`id` None) or replaces an answer (Conflict for an unknown site or a question
    /// the site already answers in that language).
    fn save_answer(&self, id: Option<AnswerId>, input: AnswerInput) -> StoreFuture<'_, Answer>;
    fn delete_answer(&self, id: AnswerId) -> StoreFuture<'_, ()>;
    /// Adds or updates (by language and question) answers of a site, all or none; with
    /// `if_empty`, only into a site that has none. (added, updated)
    fn import_answers(
        &self,
        site: &str,
        inputs: Vec<AnswerInput>,
        if_empty: bool,
    ) -> StoreFuture<'_, (u32, u32)>;
    /// Counts an opening of a site's answer (NotFound for another site's).
    fn answer_opened(&self, site: &str, id: AnswerId) -> StoreFuture<'_, ()>;
    /// Counts a search that found nothing, by its normalised query.
    fn answer_missed(
        &self,
        site: &str,
        language: &str,
        query: &str,
        text: &str,
    ) -> StoreFuture<'_, ()>;
    fn answer_stats(&self, site: &str) -> StoreFuture<'_, AnswerStats>;

    // Email (see `outbox.rs`).
    /// Emails due at `now` (ms since the epoch), the longest waiting first, at most `limit`.
    fn mail_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<PendingMail>>;
    /// When the next queued email falls due (ms since the epoch), if any is queued.
    fn next_mail_due(&self) -> StoreFuture<'_, Option<i64>>;
    /// Records what came of an attempt to send an email.
    fn mail_attempted(&self, id: MailId, outcome: MailOutcome) -> StoreFuture<'_, ()>;
}
