//! The audit log (admins): who exported, erased, blocked or unblocked a visitor, or changed a
//! site's retention, and when; newest first, a page at a time.

use crate::api::privacy;
use crate::i18n::{self, Text, t, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::privacy::failed;
use crate::time;
use beseda_protocol::privacy::{AuditAction, AuditEntry};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How many entries the relay answers at most a page.
const PAGE: usize = 100;

fn action_text(action: AuditAction) -> &'static str {
    t(match action {
        AuditAction::Export => Text::AuditExport,
        AuditAction::Erase => Text::AuditErase,
        AuditAction::VisitorErase => Text::AuditVisitorErase,
        AuditAction::RetentionErase => Text::AuditRetentionErase,
        AuditAction::RetentionChange => Text::AuditRetentionChange,
        AuditAction::Block => Text::AuditBlock,
        AuditAction::Unblock => Text::AuditUnblock,
    })
}

/// Who did it: the operator, else the visitor (their own erase) or the relay itself.
fn who(entry: &AuditEntry) -> String {
    match (&entry.operator, entry.action) {
        (Some(operator), _) => operator.clone(),
        (None, AuditAction::VisitorErase) => t(Text::TheVisitor).to_owned(),
        (None, _) => t(Text::Automatically).to_owned(),
    }
}

#[component]
pub fn AuditLog(
    /// Changes after each act done on the Privacy section: the log reads its first page again.
    acts: RwSignal<u32>,
) -> impl IntoView {
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let more = RwSignal::new(false);
    let outcome = RwSignal::new(Outcome::default());
    let load = move |before: Option<i64>| {
        spawn_local(async move {
            match privacy::audit(before).await {
                Ok(page) => {
                    more.try_set(page.len() >= PAGE);
                    entries.try_update(|entries| {
                        if before.is_none() {
                            entries.clear();
                        }
                        entries.extend(page);
                    });
                }
                Err(error) => {
                    outcome.try_set(failed(error.message));
                }
            }
        });
    };
    Effect::new(move |_| {
        acts.track();
        load(None);
    });
    let older = move |_| {
        let last = entries.with_untracked(|entries| entries.last().map(|entry| entry.id));
        if last.is_some() {
            load(last);
        }
    };
    let rows = move || {
        let language = i18n::current().get();
        entries
            .get()
            .into_iter()
            .map(|entry| {
                view! {
                    <tr>
                        <td>{time::date_time(language, &entry.at)}</td>
                        <td dir="auto">{who(&entry)}</td>
                        <td>{action_text(entry.action)}</td>
                        <td>{entry.target.clone()}</td>
                        <td>{entry.detail.clone()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <h3 id="audit-title">{tx(Text::AuditLog)}</h3>
        <OutcomeLine outcome=outcome/>
        <Show
            when=move || entries.with(|entries| !entries.is_empty())
            fallback=|| view! { <p class="hint">{tx(Text::NothingAudited)}</p> }
        >
            <table aria-labelledby="audit-title">
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::When)}</th>
                        <th scope="col">{tx(Text::AuditWho)}</th>
                        <th scope="col">{tx(Text::AuditWhat)}</th>
                        <th scope="col">{tx(Text::AuditTarget)}</th>
                        <th scope="col">{tx(Text::AuditDetail)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Show>
        <Show when=move || more.get()>
            <button type="button" on:click=older>{tx(Text::OlderEntries)}</button>
        </Show>
    }
}
