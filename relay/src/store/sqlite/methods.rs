//! The store's traits for [`SqliteStore`], one `impl` per aggregate: each method runs its SQL
//! (in the modules beside this one) on the writer's transaction or on a reader connection.

use super::{
    SqliteStore, accounts, answers, conversations, outbox, prompts, rows, team, visits, workflow,
};
use crate::store::{
    ActiveSession, Appended, MailId, MailOutcome, NewMessage, Notices, OperatorCredentials,
    PendingMail, StoreFuture, StoreStats, VisitorDetails, WelcomeExtras,
};
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats};
use beseda_protocol::api::{
    ConversationDetail, ConversationSummary, OperatorInfo, OperatorUpdate, PageView, PriorityRule,
    RuleInput, Shortcut, ShortcutInput, SiteSettings, TeamSettings,
};
use beseda_protocol::prompts::{Prompt, PromptEvent, PromptInput, PromptStats};
use beseda_protocol::{
    AnswerId, ConversationId, ConversationStatus, Message, MessageId, OperatorId, OperatorProfile,
    Rating, RuleId, Seq, ShortcutId, VisitorId,
};

impl crate::store::StoreLifecycle for SqliteStore {
    fn stats(&self) -> std::sync::Arc<StoreStats> {
        SqliteStore::stats(self)
    }

    fn close(&self) {
        SqliteStore::close(self)
    }
}

impl crate::store::ConversationStore for SqliteStore {
    fn append_message(
        &self,
        new_message: NewMessage,
        details: VisitorDetails,
        notices: Notices,
    ) -> StoreFuture<'_, Appended> {
        self.write(move |connection, events| {
            outbox::append_message(connection, &new_message, &details, notices, events)
        })
    }

    fn messages_after_seq(
        &self,
        conversation_id: ConversationId,
        after: Seq,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| rows::messages_after_seq(connection, conversation_id, after))
    }

    fn messages_after_id(
        &self,
        after: Option<MessageId>,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Message>> {
        self.read(move |connection| conversations::messages_after_id(connection, after, limit))
    }

    fn visitor_conversation(
        &self,
        site: &str,
        visitor_id: &VisitorId,
    ) -> StoreFuture<'_, Option<ConversationSummary>> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| {
            conversations::visitor_conversation(connection, &site, &visitor_id)
        })
    }

    fn conversations(
        &self,
        status: Option<ConversationStatus>,
        reader: Option<OperatorId>,
    ) -> StoreFuture<'_, Vec<ConversationSummary>> {
        self.read(move |connection| conversations::conversations(connection, status, reader))
    }

    fn conversation(&self, conversation_id: ConversationId) -> StoreFuture<'_, ConversationDetail> {
        self.read(move |connection| conversations::conversation(connection, conversation_id))
    }

    fn conversation_summary(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.read(move |connection| rows::conversation_summary(connection, conversation_id))
    }

    fn update_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, bool> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            conversations::update_visitor(connection, &site, &visitor_id, &details, events)
        })
    }

    fn set_status(
        &self,
        conversation_id: ConversationId,
        status: ConversationStatus,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            conversations::set_status(connection, conversation_id, status, events)
        })
    }
}

impl crate::store::WorkflowStore for SqliteStore {
    fn join(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            workflow::join(connection, conversation_id, operator_id, events)
        })
    }

    fn assign(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            workflow::assign(connection, conversation_id, operator_id, events)
        })
    }

    fn set_tags(
        &self,
        conversation_id: ConversationId,
        tags: Vec<String>,
    ) -> StoreFuture<'_, ConversationSummary> {
        self.write(move |connection, events| {
            workflow::set_tags(connection, conversation_id, &tags, events)
        })
    }

    fn mark_read(
        &self,
        conversation_id: ConversationId,
        operator_id: OperatorId,
        seq: Seq,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            workflow::mark_read(connection, conversation_id, operator_id, seq)
        })
    }

    fn rate(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        rating: Rating,
        comment: Option<String>,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            workflow::rate(
                connection,
                &site,
                &visitor_id,
                rating,
                comment.as_deref(),
                events,
            )
        })
    }

    fn visit(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        page: Option<PageView>,
        locale: Option<String>,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            visits::visit(
                connection,
                &site,
                &visitor_id,
                page.as_ref(),
                locale.as_deref(),
                events,
            )
        })
    }

    fn keep_visitor(
        &self,
        site: &str,
        visitor_id: &VisitorId,
        details: VisitorDetails,
    ) -> StoreFuture<'_, ()> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.write(move |connection, events| {
            visits::keep_visitor(connection, &site, &visitor_id, &details, events)
        })
    }

    fn welcome_extras(&self, site: &str, visitor_id: &VisitorId) -> StoreFuture<'_, WelcomeExtras> {
        let (site, visitor_id) = (site.to_owned(), visitor_id.clone());
        self.read(move |connection| visits::welcome_extras(connection, &site, &visitor_id))
    }

    fn auto_messages_due(&self) -> StoreFuture<'_, Vec<(ConversationId, i64, String)>> {
        self.read(visits::auto_messages_due)
    }

    fn post_auto_message(
        &self,
        conversation_id: ConversationId,
    ) -> StoreFuture<'_, Option<Message>> {
        self.write(move |connection, events| {
            visits::auto_message(connection, conversation_id, true, events)
        })
    }

    fn skip_auto_message(&self, conversation_id: ConversationId) -> StoreFuture<'_, ()> {
        self.write(move |connection, events| {
            visits::auto_message(connection, conversation_id, false, events).map(|_| ())
        })
    }
}

impl crate::store::AccountStore for SqliteStore {
    fn site_title(&self, name: &str) -> StoreFuture<'_, Option<String>> {
        let name = name.to_owned();
        self.read(move |connection| rows::site_title(connection, &name))
    }

    fn ensure_site(&self, name: &str, title: &str) -> StoreFuture<'_, bool> {
        let (name, title) = (name.to_owned(), title.to_owned());
        self.write(move |connection, _| accounts::ensure_site(connection, &name, &title))
    }

    fn operator_count(&self) -> StoreFuture<'_, u64> {
        self.read(accounts::operator_count)
    }

    fn add_operator(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
    ) -> StoreFuture<'_, OperatorProfile> {
        let (email, name, password_hash) =
            (email.to_owned(), name.to_owned(), password_hash.to_owned());
        self.write(move |connection, _| {
            accounts::add_operator(connection, &email, &name, &password_hash, admin)
        })
    }

    fn operator_credentials(&self, email: &str) -> StoreFuture<'_, Option<OperatorCredentials>> {
        let email = email.to_owned();
        self.read(move |connection| accounts::operator_credentials(connection, &email))
    }

    fn create_session(
        &self,
        token_hash: [u8; 32],
        operator_id: OperatorId,
        expires_at_millis: i64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            accounts::create_session(connection, token_hash, operator_id, expires_at_millis)
        })
    }

    fn session_operator(
        &self,
        token_hash: [u8; 32],
        used_since: i64,
    ) -> StoreFuture<'_, Option<ActiveSession>> {
        self.read(move |connection| accounts::session_operator(connection, token_hash, used_since))
    }

    fn touch_session(&self, token_hash: [u8; 32], now: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| accounts::touch_session(connection, token_hash, now))
    }

    fn end_session(&self, token_hash: [u8; 32]) -> StoreFuture<'_, bool> {
        self.write(move |connection, _| accounts::end_session(connection, token_hash))
    }

    fn operator_password_hash(&self, operator_id: OperatorId) -> StoreFuture<'_, Option<String>> {
        self.read(move |connection| accounts::operator_password_hash(connection, operator_id))
    }

    fn change_password(
        &self,
        operator_id: OperatorId,
        password_hash: String,
        keep: [u8; 32],
    ) -> StoreFuture<'_, Vec<[u8; 32]>> {
        self.write(move |connection, _| {
            accounts::change_password(connection, operator_id, &password_hash, keep)
        })
    }

    fn set_operator_disabled(
        &self,
        operator_id: OperatorId,
        disabled: bool,
    ) -> StoreFuture<'_, (OperatorInfo, Vec<[u8; 32]>)> {
        self.write(move |connection, events| {
            team::set_operator_disabled(connection, operator_id, disabled, events)
        })
    }

    fn set_operator_online(&self, operator_id: OperatorId, online: bool) -> StoreFuture<'_, ()> {
        self.write(move |connection, events| {
            accounts::set_operator_online(connection, operator_id, online, events)
        })
    }

    fn online_operators(&self) -> StoreFuture<'_, Vec<OperatorId>> {
        self.read(accounts::online_operators)
    }

    fn setting_or_insert(&self, key: &str, create: Vec<u8>) -> StoreFuture<'_, Vec<u8>> {
        let key = key.to_owned();
        self.write(move |connection, _| accounts::setting_or_insert(connection, &key, &create))
    }
}

impl crate::store::TeamStore for SqliteStore {
    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>> {
        self.read(team::operators)
    }

    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile> {
        self.write(move |connection, _| team::update_operator(connection, operator_id, &update))
    }

    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>> {
        self.read(move |connection| team::shortcuts(connection, operator_id))
    }

    fn shortcut(&self, id: ShortcutId) -> StoreFuture<'_, Shortcut> {
        self.read(move |connection| team::shortcut(connection, id))
    }

    fn create_shortcut(
        &self,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        self.write(move |connection, _| team::save_shortcut(connection, None, owner, &input))
    }

    fn replace_shortcut(
        &self,
        id: ShortcutId,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        self.write(move |connection, _| team::save_shortcut(connection, Some(id), owner, &input))
    }

    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| team::delete_shortcut(connection, id))
    }

    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>> {
        self.read(team::rules)
    }

    fn create_rule(&self, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        self.write(move |connection, _| team::save_rule(connection, None, &input))
    }

    fn replace_rule(&self, id: RuleId, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        self.write(move |connection, _| team::save_rule(connection, Some(id), &input))
    }

    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| team::delete_rule(connection, id))
    }

    fn team_settings(&self) -> StoreFuture<'_, TeamSettings> {
        self.read(team::team_settings)
    }

    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings> {
        self.write(move |connection, events| team::set_team_settings(connection, &settings, events))
    }

    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>> {
        self.read(team::sites)
    }

    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings> {
        let name = name.to_owned();
        self.write(move |connection, _| team::update_site(connection, &name, &settings))
    }
}

impl crate::store::PromptStore for SqliteStore {
    fn prompts(&self, site: Option<String>, enabled_only: bool) -> StoreFuture<'_, Vec<Prompt>> {
        self.read(move |connection| prompts::prompts(connection, site.as_deref(), enabled_only))
    }

    fn prompt(&self, id: i64) -> StoreFuture<'_, Prompt> {
        self.read(move |connection| prompts::prompt(connection, id))
    }

    fn create_prompt(&self, input: PromptInput) -> StoreFuture<'_, Prompt> {
        self.write(move |connection, _| prompts::save_prompt(connection, None, &input))
    }

    fn replace_prompt(&self, id: i64, input: PromptInput) -> StoreFuture<'_, Prompt> {
        self.write(move |connection, _| prompts::save_prompt(connection, Some(id), &input))
    }

    fn delete_prompt(&self, id: i64) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| prompts::delete_prompt(connection, id))
    }

    fn count_prompt_event(
        &self,
        id: i64,
        site: String,
        variant: u32,
        view: String,
        event: PromptEvent,
        total: f64,
    ) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| {
            prompts::count_event(connection, id, &site, variant, &view, event, total)
        })
    }

    fn prompt_stats(&self, id: i64) -> StoreFuture<'_, PromptStats> {
        self.read(move |connection| prompts::stats(connection, id))
    }
}

impl crate::store::AnswerStore for SqliteStore {
    fn answers(&self, site: &str, language: Option<&str>) -> StoreFuture<'_, Vec<Answer>> {
        let (site, language) = (site.to_owned(), language.map(str::to_owned));
        self.read(move |connection| answers::answers(connection, &site, language.as_deref()))
    }

    fn answer(&self, id: AnswerId) -> StoreFuture<'_, Answer> {
        self.read(move |connection| answers::answer(connection, id))
    }

    fn create_answer(&self, input: AnswerInput) -> StoreFuture<'_, Answer> {
        self.write(move |connection, _| answers::save_answer(connection, None, &input))
    }

    fn replace_answer(&self, id: AnswerId, input: AnswerInput) -> StoreFuture<'_, Answer> {
        self.write(move |connection, _| answers::save_answer(connection, Some(id), &input))
    }

    fn delete_answer(&self, id: AnswerId) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| answers::delete_answer(connection, id))
    }

    fn import_answers(
        &self,
        site: &str,
        inputs: Vec<AnswerInput>,
        if_empty: bool,
    ) -> StoreFuture<'_, (u32, u32)> {
        let site = site.to_owned();
        self.write(move |connection, _| {
            answers::import_answers(connection, &site, &inputs, if_empty)
        })
    }

    fn answer_opened(&self, site: &str, id: AnswerId) -> StoreFuture<'_, ()> {
        let site = site.to_owned();
        self.write(move |connection, _| answers::answer_opened(connection, &site, id))
    }

    fn answer_missed(
        &self,
        site: &str,
        language: &str,
        query: &str,
        text: &str,
    ) -> StoreFuture<'_, ()> {
        let (site, language, query, text) = (
            site.to_owned(),
            language.to_owned(),
            query.to_owned(),
            text.to_owned(),
        );
        self.write(move |connection, _| {
            answers::answer_missed(connection, &site, &language, &query, &text)
        })
    }

    fn answer_stats(&self, site: &str) -> StoreFuture<'_, AnswerStats> {
        let site = site.to_owned();
        self.read(move |connection| answers::answer_stats(connection, &site))
    }
}

impl crate::store::OutboxStore for SqliteStore {
    fn mail_due(&self, now: i64, limit: u32) -> StoreFuture<'_, Vec<PendingMail>> {
        self.read(move |connection| outbox::mail_due(connection, now, limit))
    }

    fn next_mail_due(&self) -> StoreFuture<'_, Option<i64>> {
        self.read(outbox::next_mail_due)
    }

    fn mail_attempted(&self, id: MailId, outcome: MailOutcome) -> StoreFuture<'_, ()> {
        self.write(move |connection, _| outbox::mail_attempted(connection, id, &outcome))
    }
}
