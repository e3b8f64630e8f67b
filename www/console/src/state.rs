//! The console's state and how each frame from the relay changes it: plain Rust, tested
//! natively. `apply` is pure — it returns the follow-up work (effects) instead of doing it, and
//! `socket.rs` and the components carry the effects out.

use beseda_protocol::api::{
    ConversationDetail, ConversationSummary, MAX_PAGES_PER_VISIT, OperatorInfo, PageView,
    VisitorContext, VisitorInfo,
};
use beseda_protocol::operator::FromRelay;
use beseda_protocol::visitor::Cart;
use beseda_protocol::{
    Author, ClientMessageId, ConversationId, ConversationStatus, ErrorCode, Message, MessageId,
    OperatorId, Seq,
};
use std::collections::BTreeMap;

/// One conversation in the list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub summary: ConversationSummary,
    /// Visitor messages this operator has not read.
    pub unread: u64,
    pub visitor_typing: bool,
    /// Changes whenever the row does, so that the list redraws only the rows that changed.
    pub revision: u64,
}

/// The conversation on screen, once its detail has arrived.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenConversation {
    pub detail: ConversationDetail,
    pub visitor_typing: bool,
}

/// A reply sent over the socket and not yet acknowledged.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub client_id: ClientMessageId,
    pub conversation_id: ConversationId,
    pub text: String,
    /// Why the relay refused it, once it did.
    pub refused: Option<String>,
}

/// Everything the socket changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsoleState {
    pub rows: BTreeMap<ConversationId, Row>,
    pub operators: Vec<OperatorInfo>,
    /// Whether visitors see the chat as available.
    pub anyone_online: bool,
    /// The newest message id seen: the socket's hello resumes from it.
    pub last_message_id: Option<MessageId>,
    /// The highest event position heard (relays on PostgreSQL): the hello resumes from it, which
    /// holds when several relays write at once.
    pub last_position: Option<u64>,
    /// The conversation the operator picked.
    pub selected: Option<ConversationId>,
    /// The picked conversation's detail, once loaded.
    pub open: Option<OpenConversation>,
    /// Messages of the picked conversation that arrived before its detail did.
    early: Vec<Message>,
    pub pending: Vec<Pending>,
    /// An error the relay reported that belongs to no message.
    pub notice: Option<String>,
    revision: u64,
}

/// Follow-up work a frame asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// A conversation that did not exist before: worth a desktop notification.
    NewConversation(Box<ConversationSummary>),
    /// A message for a conversation the list does not hold: reload the list.
    ReloadList,
    /// The operator has seen the conversation on screen up to this message.
    Read(ConversationId, Seq),
    /// The open conversation changed in a way only its detail shows (the rating's comment).
    ReloadDetail(ConversationId),
    /// The relay could not store a reply for a moment: it stays pending ("sending…") and goes
    /// again with the same client id after this many milliseconds, or a backoff when unsaid.
    ResendLater(Option<u64>),
}

/// How a visitor is called in the console: name, else email, else the conversation's number.
pub fn visitor_label(visitor: &VisitorInfo, conversation_id: ConversationId) -> String {
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    given(&visitor.name)
        .or_else(|| given(&visitor.email))
        .unwrap_or_else(|| {
            crate::i18n::tf(
                crate::i18n::Text::VisitorNumber,
                &[("id", &conversation_id.to_string())],
            )
        })
}

impl ConsoleState {
    fn bump(&mut self) -> u64 {
        self.revision += 1;
        self.revision
    }

    /// The conversations with `status`, urgent first, then those waiting longest, then the
    /// most recently active; as (id, revision) pairs for a keyed list.
    pub fn list(&self, status: ConversationStatus) -> Vec<(ConversationId, u64)> {
        let mut rows: Vec<&Row> = self
            .rows
            .values()
            .filter(|row| row.summary.status == status)
            .collect();
        rows.sort_by(|a, b| {
            let (a, b) = (&a.summary, &b.summary);
            b.priority
                .cmp(&a.priority)
                .then_with(|| match (&a.waiting_since, &b.waiting_since) {
                    // ISO 8601 in UTC with a fixed width sorts as text.
                    (Some(a), Some(b)) => a.cmp(b),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| b.updated_at.cmp(&a.updated_at))
                .then_with(|| b.id.cmp(&a.id))
        });
        rows.iter()
            .map(|row| (row.summary.id, row.revision))
            .collect()
    }

    /// How many open conversations have unread visitor messages.
    pub fn unread_conversations(&self) -> usize {
        self.rows
            .values()
            .filter(|row| row.summary.status == ConversationStatus::Open && row.unread > 0)
            .count()
    }

    pub fn operator_name(&self, id: OperatorId) -> Option<&str> {
        self.operators
            .iter()
            .find(|operator| operator.profile.id == id)
            .map(|operator| operator.profile.name.as_str())
    }

    /// Replaces the conversations with `status` (all of them for `None`) by a fresh list.
    pub fn load_list(
        &mut self,
        status: Option<ConversationStatus>,
        list: Vec<ConversationSummary>,
    ) {
        let fresh: std::collections::BTreeSet<ConversationId> =
            list.iter().map(|summary| summary.id).collect();
        let selected = self.selected;
        self.rows.retain(|id, row| {
            fresh.contains(id)
                || Some(*id) == selected
                || status.is_some_and(|status| row.summary.status != status)
        });
        for summary in list {
            let revision = self.bump();
            let previous = self.rows.get(&summary.id);
            let unread = summary
                .unread
                .or(previous.map(|row| row.unread))
                .unwrap_or(0);
            let unread = if Some(summary.id) == selected {
                0
            } else {
                unread
            };
            let visitor_typing = previous.is_some_and(|row| row.visitor_typing);
            self.rows.insert(
                summary.id,
                Row {
                    summary,
                    unread,
                    visitor_typing,
                    revision,
                },
            );
        }
    }

    /// The operator picked a conversation; its detail is still to come.
    pub fn select(&mut self, id: Option<ConversationId>) {
        if self.selected == id {
            return;
        }
        self.selected = id;
        self.open = None;
        self.early.clear();
        if let Some(id) = id {
            let revision = self.bump();
            if let Some(row) = self.rows.get_mut(&id) {
                row.unread = 0;
                row.revision = revision;
            }
        }
    }

    /// The picked conversation's detail arrived; messages that came meanwhile are kept.
    pub fn load_detail(&mut self, mut detail: ConversationDetail) {
        if self.selected != Some(detail.id) {
            return;
        }
        for message in std::mem::take(&mut self.early) {
            insert_message(&mut detail.messages, message);
        }
        let revision = self.bump();
        let visitor_typing = match self.rows.get_mut(&detail.id) {
            Some(row) => {
                // The detail may be newer than the row: the visitor may have named themselves.
                if row.summary.visitor != detail.visitor {
                    row.summary.visitor = detail.visitor.clone();
                    row.revision = revision;
                }
                row.visitor_typing
            }
            None => false,
        };
        self.open = Some(OpenConversation {
            detail,
            visitor_typing,
        });
    }

    /// A conversation changed (created, resolved, reopened, assigned, tagged, rated).
    pub fn upsert_summary(&mut self, summary: ConversationSummary) -> Vec<Effect> {
        let mut effects = Vec::new();
        let revision = self.bump();
        let previous = self.rows.get(&summary.id);
        if previous.is_none()
            && summary.status == ConversationStatus::Open
            && summary.message_count <= 1
        {
            effects.push(Effect::NewConversation(Box::new(summary.clone())));
        }
        let unread = previous.map_or(summary.unread.unwrap_or(0), |row| row.unread);
        let visitor_typing = previous.is_some_and(|row| row.visitor_typing);
        if let Some(open) = self
            .open
            .as_mut()
            .filter(|open| open.detail.id == summary.id)
        {
            let detail = &mut open.detail;
            if detail.rating != summary.rating {
                effects.push(Effect::ReloadDetail(summary.id));
            }
            detail.status = summary.status;
            detail.visitor = summary.visitor.clone();
            detail.assigned_to = summary.assigned_to;
            detail.priority = summary.priority;
            detail.tags = summary.tags.clone();
            detail.waiting_since = summary.waiting_since.clone();
            detail.rating = summary.rating;
            detail.updated_at = summary.updated_at.clone();
        }
        self.rows.insert(
            summary.id,
            Row {
                summary,
                unread,
                visitor_typing,
                revision,
            },
        );
        effects
    }

    /// Keeps the highest position heard.
    fn heard(&mut self, position: Option<u64>) {
        if position > self.last_position {
            self.last_position = position;
        }
    }

    fn message(&mut self, message: Message, effects: &mut Vec<Effect>) {
        if self.last_message_id.is_none_or(|last| message.id > last) {
            self.last_message_id = Some(message.id);
        }
        let id = message.conversation_id;
        let selected = self.selected == Some(id);
        let revision = self.bump();
        match self.rows.get_mut(&id) {
            Some(row) => {
                let summary = &mut row.summary;
                let newer = summary
                    .last_message
                    .as_ref()
                    .is_none_or(|last| message.id > last.id);
                if newer {
                    summary.message_count += 1;
                    summary.updated_at = message.sent_at.clone();
                    match message.author {
                        Author::Visitor => {
                            summary.waiting_since.get_or_insert(message.sent_at.clone());
                            row.visitor_typing = false;
                            if !selected {
                                row.unread += 1;
                            }
                        }
                        Author::Operator => summary.waiting_since = None,
                        Author::System => {}
                    }
                    summary.last_message = Some(message.clone());
                    row.revision = revision;
                }
            }
            None => {
                if !effects.contains(&Effect::ReloadList) {
                    effects.push(Effect::ReloadList);
                }
            }
        }
        if !selected {
            return;
        }
        match self.open.as_mut() {
            Some(open) => {
                if message.author == Author::Visitor {
                    open.visitor_typing = false;
                    effects.retain(|effect| !matches!(effect, Effect::Read(..)));
                    effects.push(Effect::Read(id, message.seq));
                }
                insert_message(&mut open.detail.messages, message);
            }
            None => self.early.push(message),
        }
    }

    fn visitor(
        &mut self,
        id: ConversationId,
        visitor: VisitorInfo,
        cart: Option<Cart>,
        context: VisitorContext,
    ) {
        let revision = self.bump();
        if let Some(row) = self.rows.get_mut(&id) {
            row.summary.visitor = visitor.clone();
            row.revision = revision;
        }
        if let Some(open) = self.open.as_mut().filter(|open| open.detail.id == id) {
            open.detail.visitor = visitor;
            open.detail.cart = cart;
            open.detail.context = context;
        }
    }

    /// The visitor viewed a page: it joins the open conversation's context (the relay sends only
    /// the new page, not the whole list) and is the current page.
    fn page(&mut self, id: ConversationId, page: PageView) {
        if let Some(open) = self.open.as_mut().filter(|open| open.detail.id == id) {
            let context = &mut open.detail.context;
            context.current_page = Some(page.clone());
            context.pages.push(page);
            if context.pages.len() > MAX_PAGES_PER_VISIT {
                let excess = context.pages.len() - MAX_PAGES_PER_VISIT;
                context.pages.drain(..excess);
            }
        }
    }

    fn typing(&mut self, id: ConversationId, typing: bool) {
        let revision = self.bump();
        if let Some(row) = self.rows.get_mut(&id) {
            row.visitor_typing = typing;
            row.revision = revision;
        }
        if let Some(open) = self.open.as_mut().filter(|open| open.detail.id == id) {
            open.visitor_typing = typing;
        }
    }

    /// A conversation was erased for good: it leaves the list, and the screen when it is on it.
    pub fn forget(&mut self, id: ConversationId) {
        self.rows.remove(&id);
        self.pending.retain(|pending| pending.conversation_id != id);
        if self.selected == Some(id) {
            self.select(None);
        }
    }

    /// The conversation's visitor was blocked or unblocked.
    pub fn blocked(&mut self, id: ConversationId, blocked: bool) {
        if let Some(open) = self.open.as_mut().filter(|open| open.detail.id == id) {
            open.detail.blocked = blocked;
        }
    }

    fn availability(&mut self, id: OperatorId, online: bool, anyone_online: bool) {
        self.anyone_online = anyone_online;
        if let Some(operator) = self
            .operators
            .iter_mut()
            .find(|operator| operator.profile.id == id)
        {
            operator.online = online;
        }
    }
}

/// Puts a message in its place by sequence number, once.
fn insert_message(messages: &mut Vec<Message>, message: Message) {
    if messages.iter().any(|known| known.id == message.id) {
        return;
    }
    let at = messages.partition_point(|known| known.seq < message.seq);
    messages.insert(at, message);
}

/// Applies one frame from the relay and says what else needs doing.
pub fn apply(state: &mut ConsoleState, frame: FromRelay) -> Vec<Effect> {
    let mut effects = Vec::new();
    match frame {
        FromRelay::Welcome {
            missed, position, ..
        } => {
            for message in missed {
                state.message(message, &mut effects);
            }
            state.heard(position);
        }
        FromRelay::Ack {
            client_id,
            message,
            position,
        } => {
            state
                .pending
                .retain(|pending| pending.client_id != client_id);
            state.message(message, &mut effects);
            state.heard(position);
        }
        FromRelay::Message { message, position } => {
            state.message(message, &mut effects);
            state.heard(position);
        }
        FromRelay::Conversation { conversation } => {
            effects = state.upsert_summary(conversation);
        }
        FromRelay::Visitor {
            conversation_id,
            visitor,
            cart,
            context,
        } => state.visitor(conversation_id, visitor, cart, context),
        FromRelay::Page {
            conversation_id,
            page,
        } => state.page(conversation_id, page),
        FromRelay::Typing {
            conversation_id,
            typing,
        } => state.typing(conversation_id, typing),
        // Notes are read with the conversation's detail until the console shows them live.
        FromRelay::Note { .. } => {}
        FromRelay::Erased { conversation_id } => state.forget(conversation_id),
        FromRelay::Blocked {
            conversation_id,
            blocked,
        } => state.blocked(conversation_id, blocked),
        FromRelay::Availability {
            operator_id,
            online,
            anyone_online,
        } => state.availability(operator_id, online, anyone_online),
        FromRelay::Error {
            code: ErrorCode::Unavailable,
            client_id: Some(client_id),
            retry_after_ms,
            ..
        } if state
            .pending
            .iter()
            .any(|pending| pending.client_id == client_id) =>
        {
            effects.push(Effect::ResendLater(retry_after_ms));
        }
        FromRelay::Error {
            code,
            message,
            client_id,
            ..
        } => match client_id.and_then(|client_id| {
            state
                .pending
                .iter_mut()
                .find(|pending| pending.client_id == client_id)
        }) {
            Some(pending) => pending.refused = Some(refusal(code, &message)),
            None => state.notice = Some(refusal(code, &message)),
        },
    }
    effects
}

/// A refusal from the relay in the language on screen.
fn refusal(code: ErrorCode, message: &str) -> String {
    crate::i18n::refusal(crate::i18n::language(), Some(code), message)
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
