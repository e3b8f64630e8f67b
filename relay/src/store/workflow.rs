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
