//! What the team manages: operators, shortcuts, keyword rules, team settings and sites;
//! [`TeamStore`].

use super::StoreFuture;
use beseda_protocol::api::{
    OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, Shortcut, ShortcutInput, SiteSettings,
    TeamSettings,
};
use beseda_protocol::{OperatorId, OperatorProfile, RuleId, ShortcutId};

/// Persistence of what the team manages.
pub trait TeamStore: Send + Sync {
    /// Every operator, as the team page lists them.
    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>>;
    /// Changes an operator's name, photo or admin flag; fields given as `None` stay as they were.
    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile>;
    /// The team's shortcuts and the operator's own, by name.
    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>>;
    /// A shortcut by id.
    fn shortcut(&self, id: ShortcutId) -> StoreFuture<'_, Shortcut>;
    /// Creates a shortcut; `owner` None makes it the team's.
    fn create_shortcut(
        &self,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut>;
    /// Replaces a shortcut; `owner` None makes it the team's.
    fn replace_shortcut(
        &self,
        id: ShortcutId,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut>;
    /// Deletes a shortcut (`NotFound` when there is none).
    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()>;
    /// Every keyword rule.
    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>>;
    /// Creates a keyword rule (`NoSuchSite` for an unknown site).
    fn create_rule(&self, input: RuleInput) -> StoreFuture<'_, PriorityRule>;
    /// Replaces a keyword rule.
    fn replace_rule(&self, id: RuleId, input: RuleInput) -> StoreFuture<'_, PriorityRule>;
    /// Deletes a keyword rule (`NotFound` when there is none).
    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()>;
    /// The team's settings.
    fn team_settings(&self) -> StoreFuture<'_, TeamSettings>;
    /// Changes the team's settings; a higher maximum of chats gives waiting conversations out at once.
    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings>;
    /// Every site's settings, by name.
    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>>;
    /// Changes a site's settings (`NotFound` for an unknown site).
    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings>;
}
