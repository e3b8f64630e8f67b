//! [`TeamStore`](crate::store::TeamStore) for [`SqliteStore`]: operators, shortcuts, rules, team settings, sites.

use super::super::{SqliteStore, team};
use crate::store::StoreFuture;
use beseda_protocol::api::{
    OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, Shortcut, ShortcutInput, SiteSettings,
    TeamSettings,
};
use beseda_protocol::{OperatorId, OperatorProfile, RuleId, ShortcutId};

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
