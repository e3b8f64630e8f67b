//! The Answers page (admins): a site's self-service answers per language — listed, added,
//! edited and deleted — and how visitors use them: how often each was opened, and what they
//! searched for without finding anything. The REST calls of `/api/answers` are here too.

use crate::api::{self, ApiError};
use crate::i18n::{Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::time;
use beseda_protocol::AnswerId;
use beseda_protocol::answers::{Answer, AnswerInput, AnswerStats, LANGUAGES};
use beseda_protocol::api::SiteSettings;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::IgnoredAny;

fn encoded(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

async fn answers(site: &str, language: &str) -> Result<Vec<Answer>, ApiError> {
    let path = format!(
        "/api/answers?site={}&language={}",
        encoded(site),
        encoded(language)
    );
    api::call("GET", &path, None).await
}

async fn stats(site: &str) -> Result<AnswerStats, ApiError> {
    let path = format!("/api/answers/stats?site={}", encoded(site));
    api::call("GET", &path, None).await
}

async fn save(id: Option<AnswerId>, input: &AnswerInput) -> Result<(), ApiError> {
    let body = api::json(input);
    let result = match id {
        Some(id) => api::call::<IgnoredAny>("PUT", &format!("/api/answers/{id}"), body).await,
        None => api::call::<IgnoredAny>("POST", "/api/answers", body).await,
    };
    result.map(drop)
}

async fn delete(id: AnswerId) -> Result<(), ApiError> {
    api::call::<IgnoredAny>("DELETE", &format!("/api/answers/{id}"), None)
        .await
        .map(drop)
}

/// Keywords as typed: separated by commas.
fn keywords_from(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|keyword| !keyword.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn Answers() -> impl IntoView {
    let sites = RwSignal::new(Vec::<SiteSettings>::new());
    let site = RwSignal::new(String::new());
    let language = RwSignal::new("cs".to_owned());
    let list = RwSignal::new(Vec::<Answer>::new());
    let usage = RwSignal::new(AnswerStats::default());
    let outcome = RwSignal::new(Outcome::default());
    let report = move |error: ApiError| outcome.set(Outcome::of::<()>(&Err(error), ""));
    let reload = move || {
        let (site, language) = (site.get_untracked(), language.get_untracked());
        if site.is_empty() {
            return;
        }
        spawn_local(async move {
            match answers(&site, &language).await {
                Ok(found) => list.set(found),
                Err(error) => report(error),
            }
            match stats(&site).await {
                Ok(found) => usage.set(found),
                Err(error) => report(error),
            }
        });
    };
    spawn_local(async move {
        match api::sites().await {
            Ok(found) => {
                // The demo shop's answers first, where there is one.
                let first = found
                    .iter()
                    .find(|settings| settings.name == "demo")
                    .or(found.first())
                    .map(|settings| settings.name.clone())
                    .unwrap_or_default();
                sites.set(found);
                site.set(first);
                reload();
            }
            Err(error) => report(error),
        }
    });
    let site_options = move || {
        sites
            .get()
            .into_iter()
            .map(|settings| {
                let label = format!("{} ({})", settings.title, settings.name);
                view! { <option value=settings.name>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <main class="settings answers-page">
            <h1>{tx(Text::Answers)}</h1>
            <p class="hint">
                {tx(Text::AnswersHint)}
            </p>
            <div class="fields">
                <label for="answers-site">{tx(Text::Site)}</label>
                <select id="answers-site" prop:value=move || site.get()
                    on:change=move |event| { site.set(event_target_value(&event)); reload(); }>
                    {site_options}
                </select>
                <label for="answers-language">{tx(Text::VisitorLanguage)}</label>
                <select id="answers-language" prop:value=move || language.get()
                    on:change=move |event| { language.set(event_target_value(&event)); reload(); }>
                    {LANGUAGES.iter().map(|code| view! { <option value=*code>{*code}</option> }).collect_view()}
                </select>
            </div>
            <Entries site=site language=language list=list outcome=outcome reload=reload/>
            <Usage usage=usage reload=reload/>
        </main>
    }
}

#[component]
fn Entries(
    site: RwSignal<String>,
    language: RwSignal<String>,
    list: RwSignal<Vec<Answer>>,
    outcome: RwSignal<Outcome>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let editing = RwSignal::new(None::<AnswerId>);
    let question = RwSignal::new(String::new());
    let keywords = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let clear = move || {
        editing.set(None);
        question.set(String::new());
        keywords.set(String::new());
        text.set(String::new());
    };
    let edit = move |answer: &Answer| {
        editing.set(Some(answer.id));
        question.set(answer.question.clone());
        keywords.set(answer.keywords.join(", "));
        text.set(answer.answer.clone());
        outcome.set(Outcome::default());
    };
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let input = AnswerInput {
            site: site.get_untracked(),
            language: language.get_untracked(),
            question: question.get_untracked(),
            keywords: keywords_from(&keywords.get_untracked()),
            answer: text.get_untracked(),
        };
        let id = editing.get_untracked();
        spawn_local(async move {
            let result = save(id, &input).await;
            outcome.set(Outcome::of(&result, t(Text::AnswerSaved)));
            if result.is_ok() {
                clear();
                reload();
            }
        });
    };
    let remove = move |id: AnswerId| {
        spawn_local(async move {
            let result = delete(id).await;
            outcome.set(Outcome::of(&result, t(Text::AnswerDeleted)));
            if editing.get_untracked() == Some(id) {
                clear();
            }
            reload();
        });
    };
    let rows = move || {
        list.get()
            .into_iter()
            .map(|answer| {
                let edited = answer.clone();
                let id = answer.id;
                let label = answer.question.clone();
                view! {
                    <tr>
                        <td>{answer.question}</td>
                        <td>{answer.keywords.join(", ")}</td>
                        <td class="template">{answer.answer}</td>
                        <td>
                            <button
                                type="button"
                                aria-label=tf(Text::EditAnswer, &[("question", &label)])
                                on:click=move |_| edit(&edited)
                            >
                                {t(Text::Edit)}
                            </button>
                            <button
                                type="button"
                                aria-label=tf(Text::DeleteAnswer, &[("question", &label)])
                                on:click=move |_| remove(id)
                            >
                                {t(Text::Delete)}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="answers-entries-title">
            <h2 id="answers-entries-title">{tx(Text::Entries)}</h2>
            <table aria-label=tx(Text::Answers)>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Question)}</th>
                        <th scope="col">{tx(Text::Keywords)}</th>
                        <th scope="col">{tx(Text::Answer)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="hint" hidden=move || !list.with(Vec::is_empty)>{tx(Text::NoAnswersYet)}</p>
            <form class="fields" on:submit=submit aria-label=tx(Text::Answer)>
                <label for="answer-question">{tx(Text::Question)}</label>
                <input id="answer-question" type="text" required maxlength="200" bind:value=question/>
                <label for="answer-keywords">{tx(Text::KeywordsLabel)}</label>
                <input id="answer-keywords" type="text" bind:value=keywords/>
                <label for="answer-text">{tx(Text::AnswerText)}</label>
                <textarea id="answer-text" required rows="5" maxlength="4000" bind:value=text></textarea>
                <button type="submit">{move || t(if editing.get().is_some() { Text::SaveAnswer } else { Text::AddAnswer })}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>{tx(Text::Cancel)}</button>
                </Show>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}

#[component]
fn Usage(
    usage: RwSignal<AnswerStats>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let opened = move || {
        usage
            .get()
            .answers
            .into_iter()
            .map(|row| {
                view! {
                    <tr>
                        <td>{row.question}</td>
                        <td>{row.language}</td>
                        <td>{time::number(crate::i18n::language(), row.opened as f64)}</td>
                        <td>{row.last_opened_at.as_deref().map(|at| time::date_time(crate::i18n::language(), at)).unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let misses = move || {
        usage
            .get()
            .misses
            .into_iter()
            .map(|row| {
                view! {
                    <tr>
                        <td>{row.text}</td>
                        <td>{row.language}</td>
                        <td>{time::number(crate::i18n::language(), row.count as f64)}</td>
                        <td>{time::date_time(crate::i18n::language(), &row.last_at)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="answers-usage-title">
            <h2 id="answers-usage-title">{tx(Text::HowVisitorsUseThem)}</h2>
            <button type="button" on:click=move |_| reload()>{tx(Text::Refresh)}</button>
            <h3>{tx(Text::Opened)}</h3>
            <table aria-label=tx(Text::OpenedAnswers)>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Question)}</th>
                        <th scope="col">{tx(Text::VisitorLanguage)}</th>
                        <th scope="col">{tx(Text::Opened)}</th>
                        <th scope="col">{tx(Text::LastOpened)}</th>
                    </tr>
                </thead>
                <tbody>{opened}</tbody>
            </table>
            <h3>{tx(Text::SearchesFoundNothing)}</h3>
            <p class="hint">{tx(Text::SearchesHint)}</p>
            <table aria-label=tx(Text::SearchesFoundNothing)>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Search)}</th>
                        <th scope="col">{tx(Text::VisitorLanguage)}</th>
                        <th scope="col">{tx(Text::Times)}</th>
                        <th scope="col">{tx(Text::LastSearched)}</th>
                    </tr>
                </thead>
                <tbody>{misses}</tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_split_at_commas() {
        assert_eq!(
            keywords_from(" doprava, doručení ,, balík "),
            ["doprava", "doručení", "balík"]
        );
        assert!(keywords_from(" , ").is_empty());
    }
}
