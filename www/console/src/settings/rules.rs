//! Priority rules (admins): a keyword in a visitor's message tags the conversation and raises
//! its priority, so it comes first in the queue and the list.

use crate::api;
use crate::i18n::{Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use beseda_protocol::RuleId;
use beseda_protocol::api::{PriorityRule, RuleInput};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Rules() -> impl IntoView {
    let rules = RwSignal::new(Vec::<PriorityRule>::new());
    let outcome = RwSignal::new(Outcome::default());
    let editing = RwSignal::new(None::<RuleId>);
    let keyword = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let priority = RwSignal::new("1".to_owned());
    let site = RwSignal::new(String::new());
    let reload = move || {
        spawn_local(async move {
            match api::rules().await {
                Ok(list) => rules.set(list),
                Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    };
    reload();
    let clear = move || {
        editing.set(None);
        keyword.set(String::new());
        tag.set(String::new());
        priority.set("1".to_owned());
        site.set(String::new());
    };
    let edit = move |rule: &PriorityRule| {
        editing.set(Some(rule.id));
        keyword.set(rule.keyword.clone());
        tag.set(rule.tag.clone());
        priority.set(rule.priority.to_string());
        site.set(rule.site.clone().unwrap_or_default());
    };
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let Ok(priority) = priority.get_untracked().trim().parse::<i32>() else {
            outcome.set(Outcome {
                error: Some(t(Text::PriorityWholeNumber).into()),
                done: None,
            });
            return;
        };
        let site = site.get_untracked().trim().to_owned();
        let input = RuleInput {
            keyword: keyword.get_untracked().trim().to_owned(),
            tag: tag.get_untracked().trim().to_owned(),
            priority,
            site: (!site.is_empty()).then_some(site),
        };
        let id = editing.get_untracked();
        spawn_local(async move {
            let result = match id {
                Some(id) => api::update_rule(id, &input).await,
                None => api::add_rule(&input).await,
            };
            outcome.set(Outcome::of(&result, t(Text::RuleSaved)));
            if result.is_ok() {
                clear();
                reload();
            }
        });
    };
    let delete = move |id: RuleId| {
        spawn_local(async move {
            let result = api::delete_rule(id).await;
            outcome.set(Outcome::of(&result, t(Text::RuleDeleted)));
            reload();
        });
    };
    let rows = move || {
        rules
            .get()
            .into_iter()
            .map(|rule| {
                let edited = rule.clone();
                let id = rule.id;
                let label = rule.keyword.clone();
                let named = rule.keyword.clone();
                let site = rule.site.clone();
                view! {
                    <tr>
                        <td>{rule.keyword}</td>
                        <td>{rule.tag}</td>
                        <td>{rule.priority}</td>
                        <td>{move || site.clone().unwrap_or_else(|| t(Text::AllSites).into())}</td>
                        <td>
                            <button
                                type="button"
                                aria-label=move || tf(Text::EditRule, &[("keyword", &label)])
                                on:click=move |_| edit(&edited)
                            >
                                {tx(Text::Edit)}
                            </button>
                            <button
                                type="button"
                                aria-label=move || tf(Text::DeleteRule, &[("keyword", &named)])
                                on:click=move |_| delete(id)
                            >
                                {tx(Text::Delete)}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="rules-title">
            <h2 id="rules-title">{tx(Text::PriorityRules)}</h2>
            <p class="hint">{tx(Text::PriorityRulesHint)}</p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Keyword)}</th>
                        <th scope="col">{tx(Text::Tag)}</th>
                        <th scope="col">{tx(Text::PriorityColumn)}</th>
                        <th scope="col">{tx(Text::Site)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form class="fields" on:submit=save aria-label=tx(Text::PriorityRule)>
                <label for="rule-keyword">{tx(Text::Keyword)}</label>
                <input id="rule-keyword" type="text" required bind:value=keyword/>
                <label for="rule-tag">{tx(Text::Tag)}</label>
                <input id="rule-tag" type="text" required bind:value=tag/>
                <label for="rule-priority">{tx(Text::PriorityColumn)}</label>
                <input id="rule-priority" type="number" required bind:value=priority/>
                <label for="rule-site">{tx(Text::RuleSite)}</label>
                <input id="rule-site" type="text" bind:value=site/>
                <button type="submit">{move || t(if editing.get().is_some() { Text::SaveRule } else { Text::AddRule })}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>{tx(Text::Cancel)}</button>
                </Show>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}
