//! [`TeamStore`](crate::store::TeamStore) for [`PgStore`]: operators, shortcuts, rules, team settings, sites.

use super::super::{PgStore, team};

use crate::store::StoreFuture;
use beseda_protocol::api::{
    OperatorInfo, OperatorUpdate, PriorityRule, RuleInput, Shortcut, ShortcutInput, SiteSettings,
    TeamSettings,
};
use beseda_protocol::{OperatorId, OperatorProfile, RuleId, ShortcutId};

impl crate::store::TeamStore for PgStore {
    fn operators(&self) -> StoreFuture<'_, Vec<OperatorInfo>> {
        self.read(move |client| async move { team::operators(&client).await })
    }

    fn update_operator(
        &self,
        operator_id: OperatorId,
        update: OperatorUpdate,
    ) -> StoreFuture<'_, OperatorProfile> {
        self.write(move |tx| async move { team::update_operator(&tx, operator_id, &update).await })
    }

    fn shortcuts(&self, operator_id: OperatorId) -> StoreFuture<'_, Vec<Shortcut>> {
        self.read(move |client| async move { team::shortcuts(&client, operator_id).await })
    }

    fn shortcut(&self, id: ShortcutId) -> StoreFuture<'_, Shortcut> {
        self.read(move |client| async move { team::shortcut(&client, id).await })
    }

    fn create_shortcut(
        &self,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        self.write(move |tx| async move { team::save_shortcut(&tx, None, owner, &input).await })
    }

    fn replace_shortcut(
        &self,
        id: ShortcutId,
        owner: Option<OperatorId>,
        input: ShortcutInput,
    ) -> StoreFuture<'_, Shortcut> {
        self.write(move |tx| async move { team::save_shortcut(&tx, Some(id), owner, &input).await })
    }

    fn delete_shortcut(&self, id: ShortcutId) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { team::delete_shortcut(&tx, id).await })
    }

    fn rules(&self) -> StoreFuture<'_, Vec<PriorityRule>> {
        self.read(move |client| async move { team::rules(&client).await })
    }

    fn create_rule(&self, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        self.write(move |tx| async move { team::save_rule(&tx, None, &input).await })
    }

    fn replace_rule(&self, id: RuleId, input: RuleInput) -> StoreFuture<'_, PriorityRule> {
        self.write(move |tx| async move { team::save_rule(&tx, Some(id), &input).await })
    }

    fn delete_rule(&self, id: RuleId) -> StoreFuture<'_, ()> {
        self.write(move |tx| async move { team::delete_rule(&tx, id).await })
    }

    fn team_settings(&self) -> StoreFuture<'_, TeamSettings> {
        self.read(move |client| async move { team::team_settings(&client).await })
    }

    fn set_team_settings(&self, settings: TeamSettings) -> StoreFuture<'_, TeamSettings> {
        self.write(move |tx| async move { team::set_team_settings(&tx, &settings).await })
    }

    fn sites(&self) -> StoreFuture<'_, Vec<SiteSettings>> {
        self.read(move |client| async move { team::sites(&client).await })
    }

    fn update_site(&self, name: &str, settings: SiteSettings) -> StoreFuture<'_, SiteSettings> {
        let name = name.to_owned();
        self.write(move |tx| async move { team::update_site(&tx, &name, &settings).await })
    }
}
