//! Priority rules (admins): a keyword in a visitor's message tags the conversation and raises
//! its priority, so it comes first in the queue and the list.

use crate::api;
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
                error: Some("The priority is a whole number.".into()),
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
            outcome.set(Outcome::of(&result, "Rule saved."));
            if result.is_ok() {
                clear();
                reload();
            }
        });
    };
    let delete = move |id: RuleId| {
        spawn_local(async move {
            let result = api::delete_rule(id).await;
            outcome.set(Outcome::of(&result, "Rule deleted."));
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
                view! {
                    <tr>
                        <td>{rule.keyword}</td>
                        <td>{rule.tag}</td>
                        <td>{rule.priority}</td>
                        <td>{rule.site.unwrap_or_else(|| "All sites".into())}</td>
                        <td>
                            <button type="button" aria-label=format!("Edit rule {label}") on:click=move |_| edit(&edited)>"Edit"</button>
                            <button type="button" aria-label=format!("Delete rule {label}") on:click=move |_| delete(id)>"Delete"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="rules-title">
            <h2 id="rules-title">"Priority rules"</h2>
            <p class="hint">"A keyword in a visitor's message (case and accents ignored) tags the chat and puts it first."</p>
            <table>
                <thead><tr><th scope="col">"Keyword"</th><th scope="col">"Tag"</th><th scope="col">"Priority"</th><th scope="col">"Site"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <form class="fields" on:submit=save aria-label="Priority rule">
                <label for="rule-keyword">"Keyword"</label>
                <input id="rule-keyword" type="text" required bind:value=keyword/>
                <label for="rule-tag">"Tag"</label>
                <input id="rule-tag" type="text" required bind:value=tag/>
                <label for="rule-priority">"Priority"</label>
                <input id="rule-priority" type="number" required bind:value=priority/>
                <label for="rule-site">"Site (empty = all sites)"</label>
                <input id="rule-site" type="text" bind:value=site/>
                <button type="submit">{move || if editing.get().is_some() { "Save rule" } else { "Add rule" }}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>"Cancel"</button>
                </Show>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}
