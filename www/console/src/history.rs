//! The History page: every conversation, searched in full text and narrowed by filters (status,
//! site, operator, tag, rating, reviewed, dates), in keyset pages ("More"); a conversation opened
//! from a result with its messages, its internal notes (operators only, never the visitor) and
//! its review (written by admins, read by the operator who had it); the filtered list as CSV and
//! a conversation's transcript as text or printable HTML; for admins, a sample of an
//! operator's week to review (the relay's stable choice of conversations nobody has reviewed
//! yet), each marked once it is reviewed here. The REST calls of the history are here too.
//!
//! Snippets come as parts, each rendered as a text node (a matched one inside `<mark>`), so no
//! message text is ever read as markup. Downloads are fetched with the operator's token and
//! saved from a blob: a plain link could not carry the token.

use crate::api::{self, ApiError};
use crate::app;
use crate::i18n::{self, Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::state::visitor_label;
use crate::{files, time};
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::api::{OperatorInfo, SiteSettings};
use beseda_protocol::history::{
    ConversationWithNotes, HistoryItem, NewNote, Note, Review, ReviewInput, ReviewSample,
    SnippetPart, Verdict,
};
use beseda_protocol::{Author, ConversationId, ConversationStatus, Message, Rating};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::IgnoredAny;
use wasm_bindgen::JsCast;

/// Items asked for per page; a full page means there may be more.
const PAGE_SIZE: usize = 50;

/// The filters of a listing, as the form holds them: empty means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub q: String,
    /// `open` or `resolved`.
    pub status: String,
    pub site: String,
    /// An operator's id.
    pub operator: String,
    pub tag: String,
    /// `satisfied`, `neutral` or `dissatisfied`.
    pub rating: String,
    /// `true` or `false`.
    pub reviewed: String,
    /// `YYYY-MM-DD`, as a date input gives it.
    pub from: String,
    pub to: String,
}

impl Filters {
    /// The path that lists one page of the history (after `cursor`), or with `csv` the whole
    /// filtered list as CSV. A `limit` always goes with a page, which also makes the relay read
    /// the query as a history listing when no filter is set.
    pub fn path(&self, cursor: Option<&str>, csv: bool) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", self.q.trim()),
            ("status", self.status.as_str()),
            ("site", self.site.trim()),
            ("operator", self.operator.as_str()),
            ("tag", self.tag.trim()),
            ("rating", self.rating.as_str()),
            ("reviewed", self.reviewed.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name, value.to_owned()))
        .collect();
        if csv {
            pairs.push(("format", "csv".to_owned()));
        } else {
            pairs.push(("limit", PAGE_SIZE.to_string()));
            if let Some(cursor) = cursor {
                pairs.push(("cursor", cursor.to_owned()));
            }
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(name, value)| format!("{name}={}", encoded(value)))
            .collect();
        format!("/api/conversations?{}", query.join("&"))
    }
}

/// The most conversations a review sample holds (the relay's limit).
pub const MAX_SAMPLE: u32 = 50;

/// The path of a review sample: `n` conversations of an operator's ISO week (`2026-W49`).
pub fn sample_path(operator: &str, week: &str, n: &str) -> String {
    format!(
        "/api/reviews/sample?operator={}&week={}&n={}",
        encoded(operator.trim()),
        encoded(week.trim()),
        encoded(n.trim())
    )
}

/// A query value percent-encoded as UTF-8: everything but letters, digits and `-._~`.
fn encoded(value: &str) -> String {
    let mut text = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            text.push(byte as char);
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text
}

async fn page(filters: &Filters, cursor: Option<&str>) -> Result<Vec<HistoryItem>, ApiError> {
    api::call("GET", &filters.path(cursor, false), None).await
}

async fn sample(path: &str) -> Result<ReviewSample, ApiError> {
    api::call("GET", path, None).await
}

async fn detail(id: ConversationId) -> Result<ConversationWithNotes, ApiError> {
    api::call("GET", &format!("/api/conversations/{id}"), None).await
}

async fn add_note(id: ConversationId, text: String) -> Result<Note, ApiError> {
    let path = format!("/api/conversations/{id}/notes");
    api::call("POST", &path, api::json(&NewNote { text })).await
}

async fn set_review(id: ConversationId, input: &ReviewInput) -> Result<Review, ApiError> {
    let path = format!("/api/conversations/{id}/review");
    api::call("PUT", &path, api::json(input)).await
}

async fn clear_review(id: ConversationId) -> Result<(), ApiError> {
    let path = format!("/api/conversations/{id}/review");
    api::call::<IgnoredAny>("DELETE", &path, None)
        .await
        .map(drop)
}

/// What the page lists: the filters applied, the items so far and whether more may follow.
#[derive(Clone, Copy)]
struct Listing {
    applied: RwSignal<Filters>,
    items: RwSignal<Vec<HistoryItem>>,
    more: RwSignal<bool>,
    busy: RwSignal<bool>,
    /// Counts the searches, so that an answer to an older one is dropped.
    generation: RwSignal<u64>,
    outcome: RwSignal<Outcome>,
}

impl Listing {
    fn new() -> Listing {
        Listing {
            applied: RwSignal::new(Filters::default()),
            items: RwSignal::new(Vec::new()),
            more: RwSignal::new(false),
            busy: RwSignal::new(false),
            generation: RwSignal::new(0),
            outcome: RwSignal::new(Outcome::default()),
        }
    }

    /// Lists the first page for `filters`.
    fn search(self, filters: Filters) {
        self.applied.set(filters);
        self.items.set(Vec::new());
        self.more.set(false);
        self.load(None);
    }

    /// The page after the last item listed.
    fn next(self) {
        let cursor = self
            .items
            .with_untracked(|items| items.last().map(|item| item.cursor.clone()));
        if cursor.is_some() {
            self.load(cursor);
        }
    }

    fn load(self, cursor: Option<String>) {
        let generation = self.generation.get_untracked() + 1;
        self.generation.set(generation);
        self.busy.set(true);
        let filters = self.applied.get_untracked();
        spawn_local(async move {
            let result = page(&filters, cursor.as_deref()).await;
            if self.generation.get_untracked() != generation {
                return;
            }
            self.busy.set(false);
            match result {
                Ok(found) => {
                    self.more.set(found.len() >= PAGE_SIZE);
                    self.items.update(|items| items.extend(found));
                    self.outcome.set(Outcome::default());
                }
                Err(error) => self.outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    }
}

/// The review sample as drawn, and which of its conversations have been reviewed since: the
/// relay leaves reviewed ones out of a sample, so the list drawn stays as it was and marks them.
#[derive(Clone, Copy)]
struct Sample {
    operator: RwSignal<String>,
    /// The ISO week, as a week input holds it: `2026-W49`.
    week: RwSignal<String>,
    size: RwSignal<String>,
    drawn: RwSignal<Option<Vec<ConversationSummary>>>,
    reviewed: RwSignal<Vec<ConversationId>>,
    busy: RwSignal<bool>,
    outcome: RwSignal<Outcome>,
}

impl Sample {
    fn new() -> Sample {
        Sample {
            operator: RwSignal::new(String::new()),
            // The relay's weeks are UTC weeks: this one by default.
            week: RwSignal::new(time::today_in(Some("UTC")).iso_week()),
            size: RwSignal::new("5".to_owned()),
            drawn: RwSignal::new(None),
            reviewed: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
            outcome: RwSignal::new(Outcome::default()),
        }
    }

    fn draw(self) {
        let path = sample_path(
            &self.operator.get_untracked(),
            &self.week.get_untracked(),
            &self.size.get_untracked(),
        );
        self.busy.set(true);
        spawn_local(async move {
            let result = sample(&path).await;
            self.busy.set(false);
            match result {
                Ok(found) => {
                    self.reviewed.set(Vec::new());
                    self.drawn.set(Some(found.conversations));
                    self.outcome.set(Outcome::default());
                }
                Err(error) => self.outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    }

    /// Notes that a conversation was reviewed here (or its review cleared).
    fn mark(self, id: ConversationId, reviewed: bool) {
        self.reviewed.update(|ids| {
            ids.retain(|other| *other != id);
            if reviewed {
                ids.push(id);
            }
        });
    }
}

#[component]
pub fn History() -> impl IntoView {
    let listing = Listing::new();
    let sample = Sample::new();
    let admin = app::console().me.with_untracked(|me| me.admin);
    let opened = RwSignal::new(None::<ConversationId>);
    // The element the focus goes back to when the conversation is closed: the item it was
    // opened from, in the results or in the sample.
    let opened_from = RwSignal::new(String::new());
    let operators = RwSignal::new(Vec::<OperatorInfo>::new());
    let sites = RwSignal::new(Vec::<SiteSettings>::new());
    spawn_local(async move {
        if let Ok(found) = api::operators().await {
            operators.set(found);
        }
        // Only admins may read the sites' settings; the others type a site's name.
        if let Ok(found) = api::sites().await {
            sites.set(found);
        }
    });
    listing.search(Filters::default());
    let results_heading = NodeRef::<html::H2>::new();
    let close = move || {
        let from = opened_from.get_untracked();
        opened.set(None);
        // Back where the operator left: the item they opened, else the results' heading.
        request_animation_frame(move || {
            let result = Some(from).filter(|from| !from.is_empty()).and_then(|from| {
                web_sys::window()?
                    .document()?
                    .get_element_by_id(&from)?
                    .dyn_into::<web_sys::HtmlElement>()
                    .ok()
            });
            match result {
                Some(element) => {
                    let _ = element.focus();
                }
                None => {
                    if let Some(heading) = results_heading.get_untracked() {
                        let _ = heading.focus();
                    }
                }
            }
        });
    };
    view! {
        <main class="settings history-page">
            <h1>{tx(Text::History)}</h1>
            <Show
                when=move || opened.get().is_none()
                fallback=move || {
                    let id = opened.get().expect("shown only when a conversation is open");
                    view! { <OpenedConversation id=id operators=operators sample=sample close=close/> }
                }
            >
                <SearchForm listing=listing operators=operators sites=sites/>
                <Results listing=listing opened=opened opened_from=opened_from operators=operators heading=results_heading/>
                {admin.then(|| view! {
                    <SampleSection sample=sample opened=opened opened_from=opened_from operators=operators/>
                })}
            </Show>
        </main>
    }
}

#[component]
fn SearchForm(
    listing: Listing,
    operators: RwSignal<Vec<OperatorInfo>>,
    sites: RwSignal<Vec<SiteSettings>>,
) -> impl IntoView {
    // The form starts from the filters applied, so that coming back from a conversation keeps them.
    let applied = listing.applied.get_untracked();
    let q = RwSignal::new(applied.q);
    let status = RwSignal::new(applied.status);
    let site = RwSignal::new(applied.site);
    let operator = RwSignal::new(applied.operator);
    let tag = RwSignal::new(applied.tag);
    let rating = RwSignal::new(applied.rating);
    let reviewed = RwSignal::new(applied.reviewed);
    let from = RwSignal::new(applied.from);
    let to = RwSignal::new(applied.to);
    let filters = move || Filters {
        q: q.get_untracked(),
        status: status.get_untracked(),
        site: site.get_untracked(),
        operator: operator.get_untracked(),
        tag: tag.get_untracked(),
        rating: rating.get_untracked(),
        reviewed: reviewed.get_untracked(),
        from: from.get_untracked(),
        to: to.get_untracked(),
    };
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        listing.search(filters());
    };
    let clear = move |_| {
        for field in [q, status, site, operator, tag, rating, reviewed, from, to] {
            field.set(String::new());
        }
        listing.search(Filters::default());
    };
    let export = move |_| {
        let path = listing.applied.get_untracked().path(None, true);
        spawn_local(async move {
            if let Err(error) = api::download(&path, "beseda-history.csv").await {
                listing.outcome.set(Outcome::of::<()>(&Err(error), ""));
            }
        });
    };
    let operator_options = move || {
        operators
            .get()
            .into_iter()
            .map(|operator| {
                let id = operator.profile.id.to_string();
                view! { <option value=id>{operator.profile.name}</option> }
            })
            .collect_view()
    };
    let site_options = move || {
        sites
            .get()
            .into_iter()
            .map(|settings| view! { <option value=settings.name>{settings.title}</option> })
            .collect_view()
    };
    let choice =
        |value: &'static str, label: Text| view! { <option value=value>{tx(label)}</option> };
    view! {
        <form class="history-search" role="search" aria-label=tx(Text::SearchHistory) on:submit=submit>
            <div class="search-line">
                <label for="history-q">{tx(Text::SearchHistory)}</label>
                <input id="history-q" type="search" maxlength="200" bind:value=q/>
                <button type="submit">{tx(Text::Find)}</button>
            </div>
            <fieldset class="fields">
                <legend>{tx(Text::Filters)}</legend>
                <label for="history-status">{tx(Text::ConversationStatus)}</label>
                <select id="history-status" prop:value=move || status.get()
                    on:change=move |event| status.set(event_target_value(&event))>
                    {choice("", Text::AnyStatus)}
                    {choice("open", Text::Open)}
                    {choice("resolved", Text::Resolved)}
                </select>
                <label for="history-site">{tx(Text::Site)}</label>
                <input id="history-site" type="text" list="history-sites" maxlength="64" bind:value=site/>
                <datalist id="history-sites">{site_options}</datalist>
                <label for="history-operator">{tx(Text::Operator)}</label>
                <select id="history-operator" prop:value=move || operator.get()
                    on:change=move |event| operator.set(event_target_value(&event))>
                    {choice("", Text::AnyOperator)}
                    {operator_options}
                </select>
                <label for="history-tag">{tx(Text::Tag)}</label>
                <input id="history-tag" type="text" maxlength="64" bind:value=tag/>
                <label for="history-rating">{tx(Text::Rating)}</label>
                <select id="history-rating" prop:value=move || rating.get()
                    on:change=move |event| rating.set(event_target_value(&event))>
                    {choice("", Text::AnyRating)}
                    {choice("satisfied", Text::Satisfied)}
                    {choice("neutral", Text::Neutral)}
                    {choice("dissatisfied", Text::Dissatisfied)}
                </select>
                <label for="history-reviewed">{tx(Text::ReviewedFilter)}</label>
                <select id="history-reviewed" prop:value=move || reviewed.get()
                    on:change=move |event| reviewed.set(event_target_value(&event))>
                    {choice("", Text::AnyReview)}
                    {choice("true", Text::Reviewed)}
                    {choice("false", Text::NotReviewedYet)}
                </select>
                <label for="history-from">{tx(Text::DateFrom)}</label>
                <input id="history-from" type="date" bind:value=from/>
                <label for="history-to">{tx(Text::DateTo)}</label>
                <input id="history-to" type="date" bind:value=to/>
            </fieldset>
            <div class="actions">
                <button type="submit">{tx(Text::ApplyFilters)}</button>
                <button type="button" on:click=clear>{tx(Text::ClearFilters)}</button>
                <button type="button" on:click=export>{tx(Text::DownloadCsv)}</button>
            </div>
            <OutcomeLine outcome=listing.outcome/>
        </form>
    }
}

/// A snippet's parts as text nodes, the matched ones marked.
fn snippet_view(parts: Vec<SnippetPart>) -> impl IntoView {
    parts
        .into_iter()
        .map(|part| {
            if part.matched {
                view! { <mark>{part.text}</mark> }.into_any()
            } else {
                part.text.into_any()
            }
        })
        .collect_view()
}

fn status_text(status: ConversationStatus) -> Text {
    match status {
        ConversationStatus::Open => Text::Open,
        ConversationStatus::Resolved => Text::Resolved,
    }
}

fn rating_text(rating: Rating) -> Text {
    match rating {
        Rating::Satisfied => Text::Satisfied,
        Rating::Neutral => Text::Neutral,
        Rating::Dissatisfied => Text::Dissatisfied,
    }
}

fn verdict_text(verdict: Verdict) -> Text {
    match verdict {
        Verdict::Good => Text::VerdictGood,
        Verdict::Coaching => Text::VerdictCoaching,
    }
}

/// An operator's name from the team list, else their number.
fn operator_name(
    operators: RwSignal<Vec<OperatorInfo>>,
    id: beseda_protocol::OperatorId,
) -> String {
    operators
        .with(|operators| {
            operators
                .iter()
                .find(|operator| operator.profile.id == id)
                .map(|operator| operator.profile.name.clone())
        })
        .unwrap_or_else(|| tf(Text::OperatorNumber, &[("id", &id.to_string())]))
}

#[component]
fn Results(
    listing: Listing,
    opened: RwSignal<Option<ConversationId>>,
    opened_from: RwSignal<String>,
    operators: RwSignal<Vec<OperatorInfo>>,
    heading: NodeRef<html::H2>,
) -> impl IntoView {
    let rows = move || {
        listing
            .items
            .get()
            .into_iter()
            .map(|item| {
                let summary = item.summary;
                let id = summary.id;
                let who = visitor_label(&summary.visitor, id);
                let created_at = summary.created_at.clone();
                let created = summary.created_at.clone();
                let assigned = summary.assigned_to.map(|operator| operator_name(operators, operator));
                let status = status_text(summary.status);
                let rating = summary.rating.map(rating_text);
                let reviewed = item.reviewed;
                let tags = summary.tags.join(", ");
                let snippet = item.snippet.map(|snippet| snippet.parts);
                let last = summary.last_message.as_ref().map(files::one_line);
                view! {
                    <li class="history-item">
                        <button
                            type="button"
                            class="open"
                            id=format!("history-result-{id}")
                            on:click=move |_| {
                                opened_from.set(format!("history-result-{id}"));
                                opened.set(Some(id));
                            }
                        >
                            <span class="who" dir="auto">{who}</span>
                        </button>
                        " "
                        <span class="meta">
                            {summary.site}
                            " · "
                            <time datetime=created_at>
                                {move || time::date_time(i18n::language(), &created)}
                            </time>
                            " · "
                            {tx(status)}
                            {assigned.map(|name| view! { " · " <span dir="auto">{name}</span> })}
                            {rating.map(|rating| view! { " · " {tx(rating)} })}
                            {(!tags.is_empty()).then(|| view! { " · " <span dir="auto">{tags}</span> })}
                            {reviewed.then(|| view! { " · " <span class="badge">{tx(Text::Reviewed)}</span> })}
                        </span>
                        {match snippet {
                            Some(parts) => view! { <p class="snippet" dir="auto">{snippet_view(parts)}</p> }.into_any(),
                            None => view! { <p class="snippet" dir="auto">{last}</p> }.into_any(),
                        }}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="history-results-title">
            <h2 id="history-results-title" tabindex="-1" node_ref=heading>{tx(Text::Results)}</h2>
            <ol class="history-results" aria-label=tx(Text::Results) aria-busy=move || listing.busy.get().to_string()>
                {rows}
            </ol>
            <p class="hint" hidden=move || listing.busy.get() || !listing.items.with(Vec::is_empty)>
                {tx(Text::NothingFound)}
            </p>
            <p class="hint" role="status">{move || listing.busy.get().then(|| t(Text::Loading))}</p>
            <Show when=move || listing.more.get() && !listing.busy.get()>
                <button type="button" on:click=move |_| listing.next()>{tx(Text::More)}</button>
            </Show>
        </section>
    }
}

/// The review sample: an operator, an ISO week and how many; the conversations drawn, each
/// opened like a search result and marked once reviewed.
#[component]
fn SampleSection(
    sample: Sample,
    opened: RwSignal<Option<ConversationId>>,
    opened_from: RwSignal<String>,
    operators: RwSignal<Vec<OperatorInfo>>,
) -> impl IntoView {
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        sample.draw();
    };
    let operator_options = move || {
        operators
            .get()
            .into_iter()
            .map(|operator| {
                let id = operator.profile.id.to_string();
                view! { <option value=id>{operator.profile.name}</option> }
            })
            .collect_view()
    };
    let rows = move || {
        sample
            .drawn
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|summary| {
                let id = summary.id;
                let who = visitor_label(&summary.visitor, id);
                let created_at = summary.created_at.clone();
                let created = summary.created_at.clone();
                let status = status_text(summary.status);
                let last = summary.last_message.as_ref().map(files::one_line);
                let reviewed = move || sample.reviewed.with(|ids| ids.contains(&id));
                view! {
                    <li class="history-item" class:reviewed=reviewed>
                        <button
                            type="button"
                            class="open"
                            id=format!("history-sample-{id}")
                            on:click=move |_| {
                                opened_from.set(format!("history-sample-{id}"));
                                opened.set(Some(id));
                            }
                        >
                            <span class="who" dir="auto">{who}</span>
                        </button>
                        " "
                        <span class="meta">
                            {summary.site}
                            " · "
                            <time datetime=created_at>
                                {move || time::date_time(i18n::language(), &created)}
                            </time>
                            " · "
                            {tx(status)}
                            " · "
                            {move || if reviewed() {
                                view! { <span class="badge">{tx(Text::Reviewed)}</span> }.into_any()
                            } else {
                                view! { <span class="pending-review">{tx(Text::NotReviewedYet)}</span> }.into_any()
                            }}
                        </span>
                        <p class="snippet" dir="auto">{last}</p>
                    </li>
                }
            })
            .collect_view()
    };
    let empty = move || {
        sample
            .drawn
            .with(|drawn| drawn.as_ref().is_some_and(Vec::is_empty))
    };
    view! {
        <section class="review-sample" aria-labelledby="history-sample-title">
            <h2 id="history-sample-title">{tx(Text::ReviewSample)}</h2>
            <p class="hint">{tx(Text::ReviewSampleHint)}</p>
            <form class="fields" on:submit=submit aria-label=tx(Text::ReviewSample)>
                <label for="history-sample-operator">{tx(Text::Operator)}</label>
                <select id="history-sample-operator" required prop:value=move || sample.operator.get()
                    on:change=move |event| sample.operator.set(event_target_value(&event))>
                    <option value="">{tx(Text::ChooseOperator)}</option>
                    {operator_options}
                </select>
                <label for="history-sample-week">{tx(Text::Week)}</label>
                <input id="history-sample-week" type="week" required bind:value=sample.week/>
                <label for="history-sample-size">{tx(Text::SampleSize)}</label>
                <input id="history-sample-size" type="number" required min="1"
                    max=MAX_SAMPLE.to_string() bind:value=sample.size/>
                <button type="submit">{tx(Text::DrawSample)}</button>
                <OutcomeLine outcome=sample.outcome/>
            </form>
            <ol class="history-results" aria-label=tx(Text::ReviewSample)
                aria-busy=move || sample.busy.get().to_string()>
                {rows}
            </ol>
            <p class="hint" hidden=move || !empty()>{tx(Text::SampleEmpty)}</p>
        </section>
    }
}

#[component]
fn OpenedConversation(
    id: ConversationId,
    operators: RwSignal<Vec<OperatorInfo>>,
    sample: Sample,
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let conversation = RwSignal::new(None::<ConversationWithNotes>);
    let outcome = RwSignal::new(Outcome::default());
    let heading = NodeRef::<html::H2>::new();
    spawn_local(async move {
        match detail(id).await {
            Ok(found) => conversation.set(Some(found)),
            Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
        }
    });
    // The operator's focus follows them into the conversation.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let transcript = move |format: &'static str, extension: &'static str| {
        let path = format!("/api/conversations/{id}/transcript?format={format}");
        let file_name = format!("beseda-conversation-{id}.{extension}");
        spawn_local(async move {
            if let Err(error) = api::download(&path, &file_name).await {
                outcome.set(Outcome::of::<()>(&Err(error), ""));
            }
        });
    };
    let title = move || {
        conversation.with(|conversation| match conversation {
            Some(found) => tf(
                Text::ConversationWith,
                &[("visitor", &visitor_label(&found.detail.visitor, id))],
            ),
            None => t(Text::Conversation).to_owned(),
        })
    };
    view! {
        <section class="history-conversation" aria-labelledby="history-conversation-title">
            <button type="button" on:click=move |_| close()>{tx(Text::BackToResults)}</button>
            <h2 id="history-conversation-title" tabindex="-1" node_ref=heading dir="auto">{title}</h2>
            <div class="actions">
                <button type="button" on:click=move |_| transcript("text", "txt")>
                    {tx(Text::TranscriptText)}
                </button>
                <button type="button" on:click=move |_| transcript("html", "html")>
                    {tx(Text::TranscriptHtml)}
                </button>
            </div>
            <OutcomeLine outcome=outcome/>
            {move || {
                conversation
                    .get()
                    .map(|found| {
                        let visitor = visitor_label(&found.detail.visitor, id);
                        let assigned = found.detail.assigned_to;
                        view! {
                            <Transcript messages=found.detail.messages visitor=visitor/>
                            <Notes id=id notes=found.notes/>
                            <ReviewPanel id=id review=found.review assigned=assigned operators=operators sample=sample/>
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn Transcript(messages: Vec<Message>, visitor: String) -> impl IntoView {
    let items = messages
        .into_iter()
        .map(|message| {
            let who = match message.author {
                Author::Visitor => visitor.clone(),
                Author::Operator => message
                    .author_name
                    .clone()
                    .unwrap_or_else(|| t(Text::Operator).to_owned()),
                Author::System => t(Text::System).to_owned(),
            };
            let sent_at = message.sent_at.clone();
            view! {
                <li class=format!("message {}", message.author.as_str())>
                    <span class="who" dir="auto">{who}</span>
                    " "
                    <time datetime=message.sent_at.clone()>
                        {move || time::date_time(i18n::language(), &sent_at)}
                    </time>
                    {(!message.text.is_empty()).then(|| view! { <p class="text" dir="auto">{message.text}</p> })}
                    {(!message.files.is_empty()).then(|| view! { <files::MessageFiles files=message.files/> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="history-messages-title">
            <h3 id="history-messages-title">{tx(Text::Messages)}</h3>
            <ol class="messages history-messages" aria-label=tx(Text::Messages)>{items}</ol>
        </section>
    }
}

#[component]
fn Notes(id: ConversationId, notes: Vec<Note>) -> impl IntoView {
    let notes = RwSignal::new(notes);
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(Outcome::default());
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let written = text.get_untracked();
        spawn_local(async move {
            let result = add_note(id, written).await;
            outcome.set(Outcome::of(&result, t(Text::NoteAdded)));
            if let Ok(note) = result {
                notes.update(|notes| notes.push(note));
                text.set(String::new());
            }
        });
    };
    let items = move || {
        notes
            .get()
            .into_iter()
            .map(|note| {
                let created = note.created_at.clone();
                view! {
                    <li class="note">
                        <span class="badge internal">{tx(Text::InternalNote)}</span>
                        " "
                        <span class="who" dir="auto">{note.author}</span>
                        " "
                        <time datetime=note.created_at.clone()>
                            {move || time::date_time(i18n::language(), &created)}
                        </time>
                        <p class="text" dir="auto">{note.text}</p>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="notes" aria-labelledby="history-notes-title">
            <h3 id="history-notes-title">{tx(Text::InternalNotes)}</h3>
            <p class="hint">{tx(Text::NotesHint)}</p>
            <ul aria-label=tx(Text::InternalNotes)>{items}</ul>
            <p class="hint" hidden=move || !notes.with(Vec::is_empty)>{tx(Text::NoNotesYet)}</p>
            <form class="fields" on:submit=submit aria-label=tx(Text::AddNote)>
                <label for="history-note">{tx(Text::InternalNote)}</label>
                <textarea id="history-note" required rows="3" maxlength="4000" bind:value=text></textarea>
                <button type="submit">{tx(Text::AddNote)}</button>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}

#[component]
fn ReviewPanel(
    id: ConversationId,
    review: Option<Review>,
    assigned: Option<beseda_protocol::OperatorId>,
    operators: RwSignal<Vec<OperatorInfo>>,
    sample: Sample,
) -> impl IntoView {
    let console = app::console();
    let admin = console.me.with_untracked(|me| me.admin);
    let review = RwSignal::new(review);
    let verdict = RwSignal::new(
        review
            .with_untracked(|review| review.as_ref().map(|review| review.verdict))
            .unwrap_or(Verdict::Good),
    );
    let comment = RwSignal::new(
        review
            .with_untracked(|review| review.as_ref().map(|review| review.comment.clone()))
            .unwrap_or_default(),
    );
    let outcome = RwSignal::new(Outcome::default());
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let input = ReviewInput {
            verdict: verdict.get_untracked(),
            comment: comment.get_untracked(),
        };
        spawn_local(async move {
            let result = set_review(id, &input).await;
            outcome.set(Outcome::of(&result, t(Text::ReviewSaved)));
            if let Ok(saved) = result {
                review.set(Some(saved));
                sample.mark(id, true);
            }
        });
    };
    let clear = move |_| {
        spawn_local(async move {
            let result = clear_review(id).await;
            outcome.set(Outcome::of(&result, t(Text::ReviewCleared)));
            if result.is_ok() {
                review.set(None);
                sample.mark(id, false);
                verdict.set(Verdict::Good);
                comment.set(String::new());
            }
        });
    };
    let shown = move || {
        review.get().map(|review| {
            let when = review.reviewed_at.clone();
            view! {
                <div class="review-shown">
                    <p><strong>{tx(verdict_text(review.verdict))}</strong></p>
                    {(!review.comment.is_empty()).then(|| view! { <p class="text" dir="auto">{review.comment.clone()}</p> })}
                    <p class="hint">
                        {move || tf(Text::ReviewedBy, &[
                            ("name", &review.reviewer),
                            ("date", &time::date_time(i18n::language(), &when)),
                        ])}
                    </p>
                </div>
            }
        })
    };
    let who_had_it = move || assigned.map(|operator| operator_name(operators, operator));
    let radio = move |value: Verdict, label: Text| {
        let id = format!("history-verdict-{}", value.as_str());
        view! {
            <input
                type="radio"
                name="history-verdict"
                id=id.clone()
                value=value.as_str()
                prop:checked=move || verdict.get() == value
                on:change=move |_| verdict.set(value)
            />
            <label for=id>{tx(label)}</label>
        }
    };
    view! {
        <section class="review" aria-labelledby="history-review-title">
            <h3 id="history-review-title">{tx(Text::Review)}</h3>
            {move || who_had_it().map(|name| view! { <p class="hint" dir="auto">{tf(Text::HandledBy, &[("name", &name)])}</p> })}
            {shown}
            <p class="hint" hidden=move || review.with(Option::is_some)>{tx(Text::NotReviewedYet)}</p>
            {admin.then(|| view! {
                <form class="fields" on:submit=submit aria-label=tx(Text::Review)>
                    <fieldset>
                        <legend>{tx(Text::Verdict)}</legend>
                        {radio(Verdict::Good, Text::VerdictGood)}
                        {radio(Verdict::Coaching, Text::VerdictCoaching)}
                    </fieldset>
                    <label for="history-review-comment">{tx(Text::ReviewComment)}</label>
                    <textarea id="history-review-comment" rows="3" maxlength="2000" bind:value=comment></textarea>
                    <button type="submit">{tx(Text::SaveReview)}</button>
                    <Show when=move || review.with(Option::is_some)>
                        <button type="button" on:click=clear>{tx(Text::ClearReview)}</button>
                    </Show>
                    <OutcomeLine outcome=outcome/>
                </form>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_form_lists_the_first_page_of_everything() {
        assert_eq!(
            Filters::default().path(None, false),
            "/api/conversations?limit=50"
        );
    }

    #[test]
    fn filters_and_the_cursor_are_encoded_and_empty_ones_left_out() {
        let filters = Filters {
            q: " vrácení zboží ".into(),
            status: "resolved".into(),
            operator: "3".into(),
            tag: "a&b=c".into(),
            reviewed: "false".into(),
            from: "2026-12-01".into(),
            ..Filters::default()
        };
        assert_eq!(
            filters.path(Some("h1.2a"), false),
            "/api/conversations?q=vr%C3%A1cen%C3%AD%20zbo%C5%BE%C3%AD&status=resolved&operator=3\
             &tag=a%26b%3Dc&reviewed=false&from=2026-12-01&limit=50&cursor=h1.2a"
        );
    }

    #[test]
    fn a_sample_names_the_operator_the_week_and_how_many() {
        assert_eq!(
            sample_path("3", "2026-W49", " 5 "),
            "/api/reviews/sample?operator=3&week=2026-W49&n=5"
        );
        assert_eq!(
            sample_path("", "2026-W01&x", "1"),
            "/api/reviews/sample?operator=&week=2026-W01%26x&n=1"
        );
    }

    #[test]
    fn the_csv_export_takes_the_filters_without_paging() {
        let filters = Filters {
            site: "demo".into(),
            rating: "satisfied".into(),
            ..Filters::default()
        };
        assert_eq!(
            filters.path(Some("h1.2a"), true),
            "/api/conversations?site=demo&rating=satisfied&format=csv"
        );
    }
}
