//! Team and site settings (admins): how many chats one operator takes at once, and per shop its
//! name, the automatic message (delay and text), whether visitors may rate, how long resolved
//! conversations are kept and whether visitors may erase their own.

use crate::api;
use crate::i18n::{Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use beseda_protocol::api::{SiteSettings, TeamSettings};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn TeamSettingsForm() -> impl IntoView {
    let max_chats = RwSignal::new(String::new());
    let outcome = RwSignal::new(Outcome::default());
    spawn_local(async move {
        match api::team_settings().await {
            Ok(settings) => max_chats.set(settings.max_chats_per_operator.to_string()),
            Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
        }
    });
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let Ok(max_chats_per_operator) = max_chats.get_untracked().trim().parse::<u32>() else {
            outcome.set(Outcome {
                error: Some(t(Text::WholeNumberOfChats).into()),
                done: None,
            });
            return;
        };
        spawn_local(async move {
            let result = api::set_team_settings(&TeamSettings {
                max_chats_per_operator,
            })
            .await;
            outcome.set(Outcome::of(&result, t(Text::TeamSettingsSaved)));
        });
    };
    view! {
        <section aria-labelledby="team-title">
            <h2 id="team-title">{tx(Text::Team)}</h2>
            <form class="fields" on:submit=save>
                <label for="max-chats">{tx(Text::ChatsPerOperator)}</label>
                <input id="max-chats" type="number" min="1" max="50" required bind:value=max_chats/>
                <button type="submit">{tx(Text::SaveTeamSettings)}</button>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}

#[component]
pub fn Sites() -> impl IntoView {
    let sites = RwSignal::new(Vec::<SiteSettings>::new());
    let outcome = RwSignal::new(Outcome::default());
    spawn_local(async move {
        match api::sites().await {
            Ok(list) => sites.set(list),
            Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
        }
    });
    view! {
        <section aria-labelledby="sites-title">
            <h2 id="sites-title">{tx(Text::Sites)}</h2>
            <OutcomeLine outcome=outcome/>
            <For
                each=move || sites.get()
                key=|site| site.name.clone()
                children=|site| view! { <SiteForm site=site/> }
            />
        </section>
    }
}

#[component]
fn SiteForm(site: SiteSettings) -> impl IntoView {
    let name = site.name.clone();
    let site_name = site.name.clone();
    let title = RwSignal::new(site.title);
    let delay = RwSignal::new(site.auto_message_delay_secs.to_string());
    let text = RwSignal::new(site.auto_message_text);
    let rating = RwSignal::new(site.rating_enabled);
    let questions = RwSignal::new(site.suggested_questions.join("\n"));
    let notify_email = RwSignal::new(site.notify_email);
    let retention = RwSignal::new(
        site.retention_days
            .map(|days| days.to_string())
            .unwrap_or_default(),
    );
    let visitor_erase = RwSignal::new(site.visitor_erase);
    let (zone, week, exceptions) = super::hours::to_text(site.hours.as_ref());
    let (zone, week, exceptions) = (
        RwSignal::new(zone),
        RwSignal::new(week),
        RwSignal::new(exceptions),
    );
    let outcome = RwSignal::new(Outcome::default());
    let field = |what: &str| format!("site-{name}-{what}");
    let save = {
        let name = name.clone();
        move |event: web_sys::SubmitEvent| {
            event.prevent_default();
            let Ok(auto_message_delay_secs) = delay.get_untracked().trim().parse::<u32>() else {
                outcome.set(Outcome {
                    error: Some(t(Text::DelayWholeSeconds).into()),
                    done: None,
                });
                return;
            };
            let retention_days = match crate::privacy::retention_days(&retention.get_untracked()) {
                Ok(days) => days,
                Err(text) => return outcome.set(crate::privacy::failed(t(text).to_owned())),
            };
            let hours = match super::hours::from_text(
                &zone.get_untracked(),
                &week.get_untracked(),
                &exceptions.get_untracked(),
            ) {
                Ok(hours) => hours,
                Err(error) => {
                    outcome.set(Outcome {
                        error: Some(error),
                        done: None,
                    });
                    return;
                }
            };
            let settings = SiteSettings {
                name: name.clone(),
                title: title.get_untracked().trim().to_owned(),
                auto_message_delay_secs,
                auto_message_text: text.get_untracked(),
                rating_enabled: rating.get_untracked(),
                suggested_questions: questions
                    .get_untracked()
                    .lines()
                    .map(str::trim)
                    .filter(|question| !question.is_empty())
                    .map(str::to_owned)
                    .collect(),
                hours,
                notify_email: notify_email.get_untracked().trim().to_owned(),
                retention_days,
                visitor_erase: visitor_erase.get_untracked(),
            };
            spawn_local(async move {
                let result = api::set_site(&settings).await;
                outcome.set(Outcome::of(&result, t(Text::SiteSaved)));
            });
        }
    };
    view! {
        <form class="fields site" on:submit=save aria-label=move || tf(Text::SiteNamed, &[("name", &site_name)])>
            <h3>{format!("data-site=\"{name}\"")}</h3>
            <label for=field("title")>{tx(Text::ShopName)}</label>
            <input id=field("title") type="text" required bind:value=title/>
            <label for=field("delay")>{tx(Text::AutomaticMessageAfter)}</label>
            <input id=field("delay") type="number" min="0" required bind:value=delay/>
            <label for=field("text")>{tx(Text::AutomaticMessage)}</label>
            <textarea id=field("text") rows="2" bind:value=text></textarea>
            <label for=field("questions")>{tx(Text::SuggestedQuestions)}</label>
            <textarea id=field("questions") rows="3" bind:value=questions></textarea>
            <label for=field("zone")>{tx(Text::OpeningHoursZone)}</label>
            <input id=field("zone") type="text" placeholder="Europe/Prague" bind:value=zone/>
            <label for=field("week")>{tx(Text::OpeningHoursWeek)}</label>
            <textarea id=field("week") rows="4" bind:value=week></textarea>
            <label for=field("exceptions")>{tx(Text::OpeningHoursExceptions)}</label>
            <textarea id=field("exceptions") rows="2" bind:value=exceptions></textarea>
            <label for=field("notify")>{tx(Text::NotifyEmail)}</label>
            <input id=field("notify") type="email" placeholder="shop@example.com" bind:value=notify_email/>
            <span class="check">
                <input id=field("rating") type="checkbox" bind:checked=rating/>
                <label for=field("rating")>{tx(Text::VisitorsMayRate)}</label>
            </span>
            <label for=field("retention")>{tx(Text::RetentionDays)}</label>
            <input
                id=field("retention")
                type="number"
                min="1"
                max=crate::privacy::MAX_RETENTION_DAYS.to_string()
                bind:value=retention
            />
            <span class="check">
                <input id=field("visitor-erase") type="checkbox" bind:checked=visitor_erase/>
                <label for=field("visitor-erase")>{tx(Text::VisitorsMayErase)}</label>
            </span>
            <button type="submit">{tx(Text::SaveSite)}</button>
            <OutcomeLine outcome=outcome/>
        </form>
    }
}
