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
    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>>;
    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile>;
    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>>;
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
    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()>;
    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>>;
    /// Creates a keyword rule (`NoSuchSite` for an unknown site).
    fn create_rule(&self, input: RuleInput) -> StoreFuture<'_, PriorityRule>;
    /// Replaces a keyword rule.
    fn replace_rule(&self, id: RuleId, input: RuleInput) -> StoreFuture<'_, PriorityRule>;
    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()>;
    fn team_settings(&self) -> StoreFuture<'_, TeamSettings>;
    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings>;
    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>>;
    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings>;
}
