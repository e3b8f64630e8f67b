//! The operators' and visitors' workflow on a conversation: joining, transfers, tags, read
//! marks, ratings, the visit's pages and the automatic message; [`WorkflowStore`].

use super::{StoreFuture, VisitorDetails};
use beseda_protocol::api::{ConversationSummary, PageView};
use beseda_protocol::visitor::Agent;
use beseda_protocol::{ConversationId, Message, OperatorId, Rating, Seq, VisitorId};

/// What the widget's welcome tells beyond the messages.
#[derive(Clone, Debug, Default)]
pub struct WelcomeExtras {
    pub agent: Option<Agent>,
    pub queue_position: Option<u32>,
    pub rating_enabled: bool,
    pub rating: Option<Rating>,
    pub suggested_questions: Vec<String>,
    /// The site lets visitors erase their conversation.
    pub can_erase: bool,
    /// The visitor is blocked.
    pub blocked: bool,
    /// Until when the blocked visitor's address is to be blocked too (milliseconds).
    pub address_until: Option<i64>,
}

/// Persistence of the workflow on conversations. The queue that several of these methods set
/// off is planned by `chat::queue`; the store writes the plan in the same transaction.
pub trait WorkflowStore: Send + Sync {
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
    /// Replaces a conversation's tags.
    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary>;
    /// Records that the operator has read the conversation up to `seq` (a mark never moves back).
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
    /// What the widget's welcome tells beyond the messages: agent, queue place, rating, questions.
    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras>;
    /// Waiting conversations and when their automatic message is due (ms since the epoch).
    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64, String)>>;
    /// Posts the automatic message if the visitor is still waiting past the site's delay, and
    /// marks the wait as handled; `None` when it is not due (any more).
    fn post_auto_message(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, Option<Message>>;
    /// Marks a due wait as handled without a message (nobody is online to ask the visitor to
    /// wait for).
    fn skip_auto_message(&self, conversation_id: ConversationId) -> StoreFuture<'_, ()>;
}

/// A new visit begins after this long without a page view.
const SESSION_GAP_MILLIS: i64 = 30 * 60 * 1000;

/// A visitor's row as stored: when last seen, the current visit's pages (JSON), the language.
pub(crate) type StoredVisit = (i64, String, Option<String>);

/// What adding pages to a visitor's row changed, so that consoles can be told just that.
pub(crate) struct Kept {
    /// The pages went on the end of the list consoles know (false: a new visit began, and the
    /// old visit's pages were dropped).
    pub continued: bool,
    /// A language was given that differs from the one stored.
    pub locale_changed: bool,
}

/// The current visit's pages once `new_pages` are added at `now` (at most the newest
/// `MAX_PAGES_PER_VISIT`), and what that changed: the policy both stores apply to the row they
/// read before writing it back.
pub(crate) fn extend_visit(
    existing: Option<&StoredVisit>,
    now: i64,
    new_pages: &[beseda_protocol::api::PageView],
    locale: Option<&str>,
) -> (Vec<beseda_protocol::api::PageView>, Kept) {
    use beseda_protocol::api::MAX_PAGES_PER_VISIT;
    let continued = match existing {
        Some((last_seen, _, _)) => now - last_seen < SESSION_GAP_MILLIS,
        None => true,
    };
    let mut pages: Vec<beseda_protocol::api::PageView> = match existing {
        Some((_, pages, _)) if continued => serde_json::from_str(pages).unwrap_or_default(),
        _ => Vec::new(),
    };
    let locale_changed =
        locale.is_some() && existing.and_then(|(_, _, stored)| stored.as_deref()) != locale;
    pages.extend_from_slice(new_pages);
    if pages.len() > MAX_PAGES_PER_VISIT {
        pages.drain(..pages.len() - MAX_PAGES_PER_VISIT);
    }
    (
        pages,
        Kept {
            continued,
            locale_changed,
        },
    )
}
