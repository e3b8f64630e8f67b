//! Proactive prompts: the widget's own offers of help, each with its variants (A/B tests) and
//! the conditions under which it shows. Everyone signed in sees them and their results; admins
//! add, change and delete them (the relay answers 403 to anyone else).

use super::prompt_fields::{PromptFields, trigger_summary};
use super::prompt_results::{PromptResults, letter};
use crate::outcome::{Outcome, OutcomeLine};
use crate::{api, app};
use beseda_protocol::api::SiteSettings;
use beseda_protocol::prompts::Prompt;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The form's fields as signals bound to its inputs.
#[derive(Clone, Copy)]
struct Form {
    site: RwSignal<String>,
    name: RwSignal<String>,
    variants: RwSignal<String>,
    url_pattern: RwSignal<String>,
    seconds_on_page: RwSignal<String>,
    min_pages_viewed: RwSignal<String>,
    min_dwell_seconds: RwSignal<String>,
    exit_intent: RwSignal<bool>,
    cart_min_total: RwSignal<String>,
    visitors: RwSignal<String>,
    dismiss_for_days: RwSignal<String>,
    max_per_session: RwSignal<String>,
    enabled: RwSignal<bool>,
}

impl Form {
    fn new(fields: PromptFields) -> Form {
        Form {
            site: RwSignal::new(fields.site),
            name: RwSignal::new(fields.name),
            variants: RwSignal::new(fields.variants),
            url_pattern: RwSignal::new(fields.url_pattern),
            seconds_on_page: RwSignal::new(fields.seconds_on_page),
            min_pages_viewed: RwSignal::new(fields.min_pages_viewed),
            min_dwell_seconds: RwSignal::new(fields.min_dwell_seconds),
            exit_intent: RwSignal::new(fields.exit_intent),
            cart_min_total: RwSignal::new(fields.cart_min_total),
            visitors: RwSignal::new(fields.visitors),
            dismiss_for_days: RwSignal::new(fields.dismiss_for_days),
            max_per_session: RwSignal::new(fields.max_per_session),
            enabled: RwSignal::new(fields.enabled),
        }
    }

    fn fill(self, fields: PromptFields) {
        self.site.set(fields.site);
        self.name.set(fields.name);
        self.variants.set(fields.variants);
        self.url_pattern.set(fields.url_pattern);
        self.seconds_on_page.set(fields.seconds_on_page);
        self.min_pages_viewed.set(fields.min_pages_viewed);
        self.min_dwell_seconds.set(fields.min_dwell_seconds);
        self.exit_intent.set(fields.exit_intent);
        self.cart_min_total.set(fields.cart_min_total);
        self.visitors.set(fields.visitors);
        self.dismiss_for_days.set(fields.dismiss_for_days);
        self.max_per_session.set(fields.max_per_session);
        self.enabled.set(fields.enabled);
    }

    fn read(self) -> PromptFields {
        PromptFields {
            site: self.site.get_untracked(),
            name: self.name.get_untracked(),
            variants: self.variants.get_untracked(),
            url_pattern: self.url_pattern.get_untracked(),
            seconds_on_page: self.seconds_on_page.get_untracked(),
            min_pages_viewed: self.min_pages_viewed.get_untracked(),
            min_dwell_seconds: self.min_dwell_seconds.get_untracked(),
            exit_intent: self.exit_intent.get_untracked(),
            cart_min_total: self.cart_min_total.get_untracked(),
            visitors: self.visitors.get_untracked(),
            dismiss_for_days: self.dismiss_for_days.get_untracked(),
            max_per_session: self.max_per_session.get_untracked(),
            enabled: self.enabled.get_untracked(),
        }
    }
}

fn days(days: u32) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

#[component]
pub fn Prompts() -> impl IntoView {
    let console = app::console();
    let admin = move || console.me.with(|me| me.admin);
    let prompts = RwSignal::new(Vec::<Prompt>::new());
    let sites = RwSignal::new(Vec::<SiteSettings>::new());
    let loading = RwSignal::new(Outcome::default());
    let outcome = RwSignal::new(Outcome::default());
    let editing = RwSignal::new(None::<i64>);
    let results = RwSignal::new(None::<(i64, String)>);
    let form = Form::new(PromptFields::default());
    let reload = move || {
        spawn_local(async move {
            match api::prompts().await {
                Ok(list) => prompts.set(list),
                Err(error) => loading.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    };
    reload();
    // A new prompt is for the first site unless the admin picks another.
    let first_site = move || {
        sites
            .with_untracked(|sites| sites.first().map(|site| site.name.clone()))
            .unwrap_or_default()
    };
    spawn_local(async move {
        if let Ok(list) = api::sites().await {
            sites.set(list);
            if form.site.get_untracked().is_empty() {
                form.site.set(first_site());
            }
        }
    });
    let clear = move || {
        editing.set(None);
        form.fill(PromptFields {
            site: first_site(),
            ..PromptFields::default()
        });
    };
    let name_input = NodeRef::<leptos::html::Input>::new();
    // The form is below the table: going there shows what is being edited.
    let edit = move |prompt: &Prompt| {
        editing.set(Some(prompt.id));
        form.fill(PromptFields::of(prompt));
        outcome.set(Outcome::default());
        if let Some(input) = name_input.get_untracked() {
            let _ = input.focus();
        }
    };
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let input = match form.read().to_input() {
            Ok(input) => input,
            Err(error) => {
                outcome.set(Outcome {
                    error: Some(error),
                    done: None,
                });
                return;
            }
        };
        let id = editing.get_untracked();
        spawn_local(async move {
            let result = match id {
                Some(id) => api::update_prompt(id, &input).await,
                None => api::add_prompt(&input).await,
            };
            outcome.set(Outcome::of(&result, "Prompt saved."));
            if result.is_ok() {
                clear();
                reload();
            }
        });
    };
    let delete = move |id: i64| {
        spawn_local(async move {
            let result = api::delete_prompt(id).await;
            outcome.set(Outcome::of(&result, "Prompt deleted."));
            if result.is_ok() {
                if results.with_untracked(|shown| shown.as_ref().is_some_and(|(of, _)| *of == id)) {
                    results.set(None);
                }
                if editing.get_untracked() == Some(id) {
                    clear();
                }
            }
            reload();
        });
    };
    let rows = move || {
        prompts
            .get()
            .into_iter()
            .map(|prompt| {
                let id = prompt.id;
                let name = prompt.name.clone();
                let edited = prompt.clone();
                let variants = prompt
                    .variants
                    .iter()
                    .enumerate()
                    .map(|(index, variant)| {
                        let text = format!(
                            "{}: {} (weight {})",
                            letter(index as u32),
                            variant.text,
                            variant.weight
                        );
                        view! { <li>{text}</li> }
                    })
                    .collect_view();
                let results_name = name.clone();
                let actions = admin().then(|| {
                    view! {
                        <button type="button" aria-label=format!("Edit prompt {name}") on:click=move |_| edit(&edited)>"Edit"</button>
                        <button type="button" aria-label=format!("Delete prompt {name}") on:click=move |_| delete(id)>"Delete"</button>
                    }
                });
                view! {
                    <tr>
                        <td>{prompt.name.clone()}</td>
                        <td>{prompt.site.clone()}</td>
                        <td>{if prompt.enabled { "Yes" } else { "No" }}</td>
                        <td><ul class="variants">{variants}</ul></td>
                        <td>{trigger_summary(&prompt.trigger)}</td>
                        <td>{days(prompt.dismiss_for_days)}</td>
                        <td>{prompt.max_per_session}</td>
                        <td>
                            <button type="button" aria-label=format!("Results for {}", prompt.name) on:click=move |_| results.set(Some((id, results_name.clone())))>"Results"</button>
                            {actions}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let site_options = move || {
        sites
            .get()
            .into_iter()
            .map(|site| {
                let name = site.name.clone();
                let label = format!("{} ({})", site.name, site.title);
                view! {
                    <option value=site.name prop:selected=move || form.site.with(|site| *site == name)>{label}</option>
                }
            })
            .collect_view()
    };
    let visitors_option = move |value: &'static str, label: &'static str| {
        view! {
            <option value=value prop:selected=move || form.visitors.with(|visitors| visitors == value)>{label}</option>
        }
    };
    let prompt_form = move || {
        admin().then(|| view! {
            <form class="fields" on:submit=save aria-label="Prompt">
                <h3>{move || if editing.get().is_some() { "Edit prompt" } else { "New prompt" }}</h3>
                <label for="prompt-site">"Site"</label>
                <select id="prompt-site" on:change=move |event| form.site.set(event_target_value(&event))>{site_options}</select>
                <label for="prompt-name">"Name"</label>
                <input id="prompt-name" type="text" required maxlength="80" node_ref=name_input bind:value=form.name/>
                <label for="prompt-variants">"Variants (one per line: text, or weight | text)"</label>
                <textarea id="prompt-variants" rows="3" placeholder="Can I help you choose a size?\n2 | Looking for a jacket? Ask us." bind:value=form.variants></textarea>
                <label for="prompt-url">"URL pattern (* for any characters, e.g. /products/*)"</label>
                <input id="prompt-url" type="text" bind:value=form.url_pattern/>
                <label for="prompt-seconds">"Seconds on page"</label>
                <input id="prompt-seconds" type="number" min="0" bind:value=form.seconds_on_page/>
                <label for="prompt-pages">"Pages viewed this visit"</label>
                <input id="prompt-pages" type="number" min="0" bind:value=form.min_pages_viewed/>
                <label for="prompt-dwell">"Seconds on matching pages"</label>
                <input id="prompt-dwell" type="number" min="0" bind:value=form.min_dwell_seconds/>
                <span class="check">
                    <input id="prompt-exit" type="checkbox" bind:checked=form.exit_intent/>
                    <label for="prompt-exit">"Exit intent (the pointer leaves the top of the window)"</label>
                </span>
                <label for="prompt-cart">"Cart total at least"</label>
                <input id="prompt-cart" type="text" inputmode="decimal" bind:value=form.cart_min_total/>
                <label for="prompt-visitors">"Visitors"</label>
                <select id="prompt-visitors" on:change=move |event| form.visitors.set(event_target_value(&event))>
                    {visitors_option("all", "All visitors")}
                    {visitors_option("returning", "Returning only")}
                    {visitors_option("new", "New only")}
                </select>
                <label for="prompt-dismiss">"Dismissed for days"</label>
                <input id="prompt-dismiss" type="number" min="0" required bind:value=form.dismiss_for_days/>
                <label for="prompt-per-visit">"Shows per visit"</label>
                <input id="prompt-per-visit" type="number" min="1" required bind:value=form.max_per_session/>
                <span class="check">
                    <input id="prompt-enabled" type="checkbox" bind:checked=form.enabled/>
                    <label for="prompt-enabled">"Enabled"</label>
                </span>
                <button type="submit">{move || if editing.get().is_some() { "Save prompt" } else { "Add prompt" }}</button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" on:click=move |_| clear()>"Cancel"</button>
                })}
                <OutcomeLine outcome=outcome/>
            </form>
        })
    };
    view! {
        <section aria-labelledby="prompts-title">
            <h2 id="prompts-title">"Prompts"</h2>
            <p class="hint">
                "The widget offers help by itself when every condition given holds, and only while someone can answer. Each visitor gets one variant, at random by weight; a dismissed prompt stays away for the days given. Seconds on matching pages adds up the time on the pages the URL pattern matches."
            </p>
            <OutcomeLine outcome=loading/>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Enabled"</th>
                        <th scope="col">"Variants"</th>
                        <th scope="col">"When"</th>
                        <th scope="col">"Dismissed for"</th>
                        <th scope="col">"Per visit"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {move || results.get().map(|(id, name)| view! {
                <PromptResults id=id name=name on_close=move |()| results.set(None)/>
            })}
            {prompt_form}
        </section>
    }
}
