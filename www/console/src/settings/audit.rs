//! The audit log (admins): who exported, erased, blocked or unblocked a visitor, or changed a
//! site's retention, and when; newest first, a page at a time.

use crate::api::privacy;
use crate::i18n::{self, Count, Language, Text, fill, t, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::privacy::failed;
use crate::time;
use beseda_protocol::privacy::{AuditAction, AuditDetail, AuditEntry, AuditTarget};
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

/// What it was done to, in the admin's language (the relay writes it in one fixed form).
fn target_text(language: Language, target: &str) -> String {
    match AuditTarget::parse(target) {
        AuditTarget::Conversation(id) => fill(
            language.text(Text::AuditOnConversation),
            &[("id", &id.to_string())],
        ),
        AuditTarget::Site(site) => fill(language.text(Text::AuditOnSite), &[("site", &site)]),
        AuditTarget::Email => language.text(Text::AuditByEmail).to_owned(),
        AuditTarget::Other(text) => text,
    }
}

/// The rest of it, in the admin's language: how many conversations, until when an address is
/// blocked, a site's retention and visitors' erasing before and after.
fn detail_text(language: Language, detail: &str) -> String {
    let counted = |key, count: u64| language.counted(key, count, &count.to_string());
    match AuditDetail::parse(detail) {
        AuditDetail::None => String::new(),
        AuditDetail::Conversations(count) => counted(Count::AuditConversations, count),
        AuditDetail::AddressUntil(until) => fill(
            language.text(Text::AuditAddressUntil),
            &[("time", &time::date_time(language, &until))],
        ),
        AuditDetail::Retention {
            days: (before, after),
            visitor_erase: (erase_before, erase_after),
        } => {
            let days = |days: Option<u32>| {
                days.map_or_else(
                    || language.text(Text::AuditKept).to_owned(),
                    |days| counted(Count::Days, u64::from(days)),
                )
            };
            let on = |on: bool| language.text(if on { Text::AuditOn } else { Text::AuditOff });
            fill(
                language.text(Text::AuditRetentionDetail),
                &[
                    ("before", &days(before)),
                    ("after", &days(after)),
                    ("eraseBefore", on(erase_before)),
                    ("eraseAfter", on(erase_after)),
                ],
            )
        }
        AuditDetail::Other(text) => text,
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
                        <td>{target_text(language, &entry.target)}</td>
                        <td>{detail_text(language, &entry.detail)}</td>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relays_words_are_said_in_the_admins_language() {
        let english = Language::English;
        assert_eq!(target_text(english, "conversation 42"), "Conversation 42");
        assert_eq!(target_text(english, "site shop"), "Site shop");
        assert_eq!(target_text(english, "email"), "By email");
        assert_eq!(detail_text(english, "1 conversations"), "1 conversation");
        assert_eq!(detail_text(english, "3 conversations"), "3 conversations");
        assert_eq!(
            detail_text(english, "retention kept → 30 days, visitors erase off → on"),
            "Retention: kept → 30 days; visitors erase: off → on"
        );
        assert_eq!(detail_text(english, ""), "");
        assert_eq!(detail_text(english, "something new"), "something new");
        let czech = Language::Czech;
        assert_eq!(target_text(czech, "conversation 42"), "Konverzace 42");
        assert_eq!(detail_text(czech, "5 conversations"), "5 konverzací");
        assert_eq!(
            detail_text(czech, "retention 30 days → kept, visitors erase on → off"),
            "Uchování: 30 dní → trvale; mazání návštěvníkem: zapnuto → vypnuto"
        );
    }
}
