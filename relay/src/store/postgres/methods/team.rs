//! [`TeamStore`](crate::store::TeamStore) for [`PgStore`]: operators, shortcuts, rules, team settings, sites.

use super::super::PgStore;
use super::pending;

use crate::store::StoreFuture;
use beseda_protocol::api::{
    OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, Shortcut, ShortcutInput, SiteSettings,
    TeamSettings,
};
use beseda_protocol::{OperatorId, OperatorProfile, RuleId, ShortcutId};

impl crate::store::TeamStore for PgStore {
    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>> {
        pending()
    }

    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile> {
        pending()
    }

    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>> {
        pending()
    }

    fn shortcut(&self, id: ShortcutId) -> StoreFuture<'_, Shortcut> {
        pending()
    }

    fn create_shortcut(
        &self,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        pending()
    }

    fn replace_shortcut(
        &self,
        id: ShortcutId,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        pending()
    }

    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()> {
        pending()
    }

    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>> {
        pending()
    }

    fn create_rule(&self, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        pending()
    }

    fn replace_rule(&self, id: RuleId, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        pending()
    }

    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()> {
        pending()
    }

    fn team_settings(&self) -> StoreFuture<'_, TeamSettings> {
        pending()
    }

    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings> {
        pending()
    }

    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>> {
        pending()
    }

    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings> {
        pending()
    }
}
