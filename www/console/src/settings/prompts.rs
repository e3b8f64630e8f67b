//! Proactive prompts: the widget's own offers of help, each with its variants (A/B tests) and
//! the conditions under which it shows. Everyone signed in sees them and their results; admins
//! add, change and delete them (the relay answers 403 to anyone else).

use super::prompt_fields::{PromptFields, trigger_summary};
use super::prompt_results::{PromptResults, letter};
use crate::i18n::{Count, Text, t, tc, tf, tx};
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
    tc(Count::Days, u64::from(days))
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
            outcome.set(Outcome::of(&result, t(Text::PromptSaved)));
            if result.is_ok() {
                clear();
                reload();
            }
        });
    };
    let delete = move |id: i64| {
        spawn_local(async move {
            let result = api::delete_prompt(id).await;
            outcome.set(Outcome::of(&result, t(Text::PromptDeleted)));
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
                        let text = tf(
                            Text::VariantWithWeight,
                            &[
                                ("letter", &letter(index as u32).to_string()),
                                ("text", &variant.text),
                                ("weight", &variant.weight.to_string()),
                            ],
                        );
                        view! { <li>{text}</li> }
                    })
                    .collect_view();
                let results_name = name.clone();
                let actions = admin().then(|| {
                    view! {
                        <button
                            type="button"
                            aria-label=tf(Text::EditPrompt, &[("name", &name)])
                            on:click=move |_| edit(&edited)
                        >
                            {t(Text::Edit)}
                        </button>
                        <button
                            type="button"
                            aria-label=tf(Text::DeletePrompt, &[("name", &name)])
                            on:click=move |_| delete(id)
                        >
                            {t(Text::Delete)}
                        </button>
                    }
                });
                view! {
                    <tr>
                        <td>{prompt.name.clone()}</td>
                        <td>{prompt.site.clone()}</td>
                        <td>{t(if prompt.enabled { Text::Yes } else { Text::No })}</td>
                        <td><ul class="variants">{variants}</ul></td>
                        <td>{trigger_summary(&prompt.trigger)}</td>
                        <td>{days(prompt.dismiss_for_days)}</td>
                        <td>{prompt.max_per_session}</td>
                        <td>
                            <button
                                type="button"
                                aria-label=tf(Text::ResultsFor, &[("name", &prompt.name)])
                                on:click=move |_| results.set(Some((id, results_name.clone())))
                            >
                                {t(Text::Results)}
                            </button>
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
    let visitors_option = move |value: &'static str, label: Text| {
        view! {
            <option value=value prop:selected=move || form.visitors.with(|visitors| visitors == value)>{tx(label)}</option>
        }
    };
    let prompt_form = move || {
        admin().then(|| view! {
            <form class="fields" on:submit=save aria-label=tx(Text::Prompt)>
                <h3>{move || t(if editing.get().is_some() { Text::EditPromptTitle } else { Text::NewPrompt })}</h3>
                <label for="prompt-site">{tx(Text::Site)}</label>
                <select id="prompt-site" on:change=move |event| form.site.set(event_target_value(&event))>{site_options}</select>
                <label for="prompt-name">{tx(Text::Name)}</label>
                <input id="prompt-name" type="text" required maxlength="80" node_ref=name_input bind:value=form.name/>
                <label for="prompt-variants">{tx(Text::VariantsLabel)}</label>
                <textarea id="prompt-variants" rows="3" placeholder=tx(Text::VariantsPlaceholder) bind:value=form.variants></textarea>
                <label for="prompt-url">{tx(Text::UrlPattern)}</label>
                <input id="prompt-url" type="text" bind:value=form.url_pattern/>
                <label for="prompt-seconds">{tx(Text::SecondsOnPage)}</label>
                <input id="prompt-seconds" type="number" min="0" bind:value=form.seconds_on_page/>
                <label for="prompt-pages">{tx(Text::PagesViewed)}</label>
                <input id="prompt-pages" type="number" min="0" bind:value=form.min_pages_viewed/>
                <label for="prompt-dwell">{tx(Text::SecondsOnMatchingPages)}</label>
                <input id="prompt-dwell" type="number" min="0" bind:value=form.min_dwell_seconds/>
                <span class="check">
                    <input id="prompt-exit" type="checkbox" bind:checked=form.exit_intent/>
                    <label for="prompt-exit">{tx(Text::ExitIntent)}</label>
                </span>
                <label for="prompt-cart">{tx(Text::CartTotalAtLeast)}</label>
                <input id="prompt-cart" type="text" inputmode="decimal" bind:value=form.cart_min_total/>
                <label for="prompt-visitors">{tx(Text::Visitors)}</label>
                <select id="prompt-visitors" on:change=move |event| form.visitors.set(event_target_value(&event))>
                    {visitors_option("all", Text::AllVisitors)}
                    {visitors_option("returning", Text::ReturningOnly)}
                    {visitors_option("new", Text::NewOnly)}
                </select>
                <label for="prompt-dismiss">{tx(Text::DismissedForDays)}</label>
                <input id="prompt-dismiss" type="number" min="0" required bind:value=form.dismiss_for_days/>
                <label for="prompt-per-visit">{tx(Text::ShowsPerVisit)}</label>
                <input id="prompt-per-visit" type="number" min="1" required bind:value=form.max_per_session/>
                <span class="check">
                    <input id="prompt-enabled" type="checkbox" bind:checked=form.enabled/>
                    <label for="prompt-enabled">{tx(Text::Enabled)}</label>
                </span>
                <button type="submit">{move || t(if editing.get().is_some() { Text::SavePrompt } else { Text::AddPrompt })}</button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" on:click=move |_| clear()>{tx(Text::Cancel)}</button>
                })}
                <OutcomeLine outcome=outcome/>
            </form>
        })
    };
    view! {
        <section aria-labelledby="prompts-title">
            <h2 id="prompts-title">{tx(Text::Prompts)}</h2>
            <p class="hint">
                {tx(Text::PromptsHint)}
            </p>
            <OutcomeLine outcome=loading/>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Name)}</th>
                        <th scope="col">{tx(Text::Site)}</th>
                        <th scope="col">{tx(Text::Enabled)}</th>
                        <th scope="col">{tx(Text::Variants)}</th>
                        <th scope="col">{tx(Text::When)}</th>
                        <th scope="col">{tx(Text::DismissedFor)}</th>
                        <th scope="col">{tx(Text::PerVisit)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
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
