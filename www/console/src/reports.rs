//! The Reports page: the manager's figures from `GET /api/reports/{name}` for a date range
//! (a preset or chosen days) and a site or all, each beside the previous period of the same
//! length. Every chart is drawn here as SVG from the report's numbers (nothing is fetched for
//! it), is hidden from screen readers and followed by the same numbers as a table that they
//! read and that appears when the keyboard's focus reaches it; every report can be downloaded
//! as the relay's CSV.
//!
//! The relay counts days in the report's time zone (the site's, or the one all sites share,
//! else UTC), so the presets count them there too: "today" in Prague is not the browser's today
//! when the browser is in New York near midnight.

use crate::api;
use crate::app;
use crate::i18n::{self, Text, t, tf, tx};
use crate::time::{self, CivilDate};
use beseda_protocol::ConversationId;
use beseda_protocol::api::SiteSettings;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

/// The reports, in the order the page shows them (the relay's names).
const NAMES: [&str; 7] = [
    "hours",
    "volume",
    "response",
    "satisfaction",
    "operators",
    "prompts",
    "answers",
];

/// The weekdays as the hours report names them, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The upper bounds (seconds) of the relay's response-time buckets, the last open-ended.
const BUCKET_BOUNDS: [u64; 7] = [30, 60, 120, 300, 900, 3600, 14_400];

/// A date range the page offers ready-made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preset {
    Today,
    SevenDays,
    ThirtyDays,
    ThisMonth,
    Custom,
}

impl Preset {
    const ALL: [Preset; 5] = [
        Preset::Today,
        Preset::SevenDays,
        Preset::ThirtyDays,
        Preset::ThisMonth,
        Preset::Custom,
    ];

    fn value(self) -> &'static str {
        match self {
            Preset::Today => "today",
            Preset::SevenDays => "7",
            Preset::ThirtyDays => "30",
            Preset::ThisMonth => "month",
            Preset::Custom => "custom",
        }
    }

    fn label(self) -> Text {
        match self {
            Preset::Today => Text::PresetToday,
            Preset::SevenDays => Text::PresetSevenDays,
            Preset::ThirtyDays => Text::PresetThirtyDays,
            Preset::ThisMonth => Text::PresetThisMonth,
            Preset::Custom => Text::PresetCustom,
        }
    }

    fn from_value(value: &str) -> Preset {
        Preset::ALL
            .into_iter()
            .find(|preset| preset.value() == value)
            .unwrap_or(Preset::Custom)
    }

    /// The first and the last day it covers when it is `today`; `None` for a custom range.
    fn range(self, today: CivilDate) -> Option<(CivilDate, CivilDate)> {
        let days_back = match self {
            Preset::Today => 0,
            Preset::SevenDays => 6,
            Preset::ThirtyDays => 29,
            Preset::ThisMonth => today.day - 1,
            Preset::Custom => return None,
        };
        Some((today.days_before(days_back), today))
    }
}

/// The time zone the relay counts a report's days in, from each site's name and the zone of
/// its opening hours (UTC without them): the chosen site's, or for all sites the one they all
/// share, else UTC. `None` while the sites are not known (the browser's own zone then).
fn report_zone(sites: &[(String, Option<String>)], site: &str) -> Option<String> {
    let zone_of = |zone: &Option<String>| zone.clone().unwrap_or_else(|| "UTC".to_owned());
    if site.is_empty() {
        let first = zone_of(&sites.first()?.1);
        let shared = sites.iter().all(|(_, zone)| zone_of(zone) == first);
        Some(if shared { first } else { "UTC".to_owned() })
    } else {
        sites
            .iter()
            .find(|(name, _)| name == site)
            .map(|(_, zone)| zone_of(zone))
    }
}

/// Whether a text is a date as the relay takes it.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

/// The query of a report for a range and a site (empty: all sites).
fn query(from: &str, to: &str, site: &str) -> String {
    let mut query = format!(
        "from={}&to={}",
        js_sys::encode_uri_component(from),
        js_sys::encode_uri_component(to)
    );
    if !site.is_empty() {
        query.push_str(&format!("&site={}", js_sys::encode_uri_component(site)));
    }
    query
}

/// A number of a report, 0 where it has none.
fn number(value: &Value, key: &str) -> f64 {
    value.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn rows<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn count_text(value: f64) -> String {
    time::number(i18n::language(), value)
}

/// A duration in seconds, or a dash where there is none (nothing was measured).
fn seconds_text(value: Option<f64>) -> String {
    value.map_or_else(
        || "–".to_owned(),
        |seconds| time::duration(i18n::language(), seconds * 1000.0),
    )
}

fn share_text(value: Option<f64>) -> String {
    value.map_or_else(
        || "–".to_owned(),
        |share| time::percent(i18n::language(), share),
    )
}

/// A figure with the previous period's beside it.
fn compared(current: String, previous: Option<String>) -> String {
    match previous {
        Some(previous) => tf(
            Text::WithPrevious,
            &[("value", &current), ("previous", &previous)],
        ),
        None => current,
    }
}

/// The label of a response-time bucket: "< 30 s", "30 s – 1 min", "≥ 4 h".
fn bucket_label(index: usize) -> String {
    let language = i18n::language();
    let at = |seconds: u64| time::duration(language, seconds as f64 * 1000.0);
    match index {
        0 => format!("< {}", at(BUCKET_BOUNDS[0])),
        index if index >= BUCKET_BOUNDS.len() => {
            format!("≥ {}", at(BUCKET_BOUNDS[BUCKET_BOUNDS.len() - 1]))
        }
        index => format!(
            "{} – {}",
            at(BUCKET_BOUNDS[index - 1]),
            at(BUCKET_BOUNDS[index])
        ),
    }
}

/// An SVG coordinate.
fn at(value: f64) -> String {
    format!("{value:.1}")
}

#[component]
pub fn Reports() -> impl IntoView {
    let sites = RwSignal::new(Vec::<SiteSettings>::new());
    let site = RwSignal::new(String::new());
    let preset = RwSignal::new(Preset::SevenDays);
    let zone = move || {
        let zones: Vec<(String, Option<String>)> = sites.with(|sites| {
            sites
                .iter()
                .map(|settings| {
                    let zone = settings.hours.as_ref().map(|hours| hours.time_zone.clone());
                    (settings.name.clone(), zone)
                })
                .collect()
        });
        report_zone(&zones, &site.get())
    };
    // Shown until the sites are known: the browser's last seven days.
    let (first, last) = Preset::SevenDays
        .range(time::today_in(None))
        .expect("a preset has a range");
    let from = RwSignal::new(first.to_string());
    let to = RwSignal::new(last.to_string());
    let figures: [RwSignal<Option<Value>>; 7] = std::array::from_fn(|_| RwSignal::new(None));
    let error = RwSignal::new(None::<String>);
    // Only the answers to the latest request are shown, whatever order they arrive in.
    let generation = RwSignal::new(0u32);
    let load = move || {
        let (first, last) = (from.get_untracked(), to.get_untracked());
        if !is_date(&first) || !is_date(&last) || first > last {
            return;
        }
        let query = query(&first, &last, &site.get_untracked());
        let current = generation.get_untracked() + 1;
        generation.set(current);
        error.set(None);
        for (name, target) in NAMES.into_iter().zip(figures) {
            let path = format!("/api/reports/{name}?{query}");
            spawn_local(async move {
                let answer = api::call::<Value>("GET", &path, None).await;
                if generation.get_untracked() != current {
                    return;
                }
                match answer {
                    Ok(value) => target.set(Some(value)),
                    Err(refusal) => {
                        target.set(None);
                        error.set(Some(refusal.message));
                    }
                }
            });
        }
    };
    let choose = move |chosen: Preset| {
        preset.set(chosen);
        let today = time::today_in(zone().as_deref());
        if let Some((first, last)) = chosen.range(today) {
            from.set(first.to_string());
            to.set(last.to_string());
            load();
        }
    };
    // A day typed by keyboard passes through incomplete dates (the month typed, not yet the
    // day), which the field reports as empty: those are left in the field, since setting the
    // range to them would clear what has been typed so far.
    let change_day = move |day: RwSignal<String>, value: String| {
        if is_date(&value) {
            day.set(value);
            preset.set(Preset::Custom);
            load();
        }
    };
    // The first figures once the sites (and so the zone of "today") are known.
    spawn_local(async move {
        match api::sites().await {
            Ok(found) => sites.set(found),
            Err(refusal) => error.set(Some(refusal.message)),
        }
        match preset.get_untracked() {
            Preset::Custom => load(),
            chosen => choose(chosen),
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
    let download = move |name: &'static str| {
        let (first, last) = (from.get_untracked(), to.get_untracked());
        let path = format!(
            "/api/reports/{name}?{}&format=csv",
            query(&first, &last, &site.get_untracked())
        );
        let file_name = format!("beseda-{name}-{first}-{last}.csv");
        spawn_local(async move {
            if let Err(refusal) = api::download(&path, &file_name).await {
                error.set(Some(refusal.message));
            }
        });
    };
    let period = move || {
        figures[0].with(|report| {
            report.as_ref().map(|report| {
                let language = i18n::language();
                let date = |part: &str, key: &str| {
                    report[part][key]
                        .as_str()
                        .map(|date| time::date(language, date))
                        .unwrap_or_default()
                };
                tf(
                    Text::PeriodCompared,
                    &[
                        ("from", &date("current", "from")),
                        ("to", &date("current", "to")),
                        ("previousFrom", &date("previous", "from")),
                        ("previousTo", &date("previous", "to")),
                    ],
                )
            })
        })
    };
    let section = move |index: usize, title: Text, draw: fn(&Value) -> AnyView| {
        let name = NAMES[index];
        let heading = format!("report-{name}-title");
        let labelled_by = heading.clone();
        view! {
            <section class="report" aria-labelledby=labelled_by data-report=name>
                <div class="report-head">
                    <h2 id=heading>{tx(title)}</h2>
                    <button type="button" on:click=move |_| download(name)>
                        {tx(Text::DownloadCsv)}
                    </button>
                </div>
                {move || figures[index].with(|report| report.as_ref().map(draw))}
            </section>
        }
    };
    view! {
        <main class="settings reports">
            <h1>{tx(Text::Reports)}</h1>
            <p class="hint">{tx(Text::ReportsHint)}</p>
            <div class="fields report-filters">
                <label for="report-preset">{tx(Text::ReportPeriod)}</label>
                <select id="report-preset" prop:value=move || preset.get().value()
                    on:change=move |event| choose(Preset::from_value(&event_target_value(&event)))>
                    {Preset::ALL.into_iter().map(|preset| view! {
                        <option value=preset.value()>{tx(preset.label())}</option>
                    }).collect_view()}
                </select>
                <label for="report-from">{tx(Text::DateFrom)}</label>
                <input id="report-from" type="date" prop:value=move || from.get()
                    on:change=move |event| change_day(from, event_target_value(&event))/>
                <label for="report-to">{tx(Text::DateTo)}</label>
                <input id="report-to" type="date" prop:value=move || to.get()
                    on:change=move |event| change_day(to, event_target_value(&event))/>
                <label for="report-site">{tx(Text::Site)}</label>
                <select id="report-site" prop:value=move || site.get()
                    on:change=move |event| {
                        site.set(event_target_value(&event));
                        // Another site may count its days in another zone.
                        match preset.get_untracked() {
                            Preset::Custom => load(),
                            chosen => choose(chosen),
                        }
                    }>
                    <option value="">{tx(Text::AllSites)}</option>
                    {site_options}
                </select>
            </div>
            <p class="hint zone">
                {move || zone().map(|zone| tf(Text::ReportZone, &[("zone", &zone)]))}
            </p>
            <p class="period" role="status">{period}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            {section(0, Text::BusiestHours, heat_map)}
            {section(1, Text::VolumeReport, volume)}
            {section(2, Text::ResponseTimes, response)}
            {section(3, Text::Satisfaction, satisfaction)}
            {section(4, Text::Operators, operators)}
            {section(5, Text::Prompts, prompts)}
            {section(6, Text::SelfService, answers)}
        </main>
    }
}

/// A horizontal bar chart: one group per row, one bar per series, its value at its end.
fn bar_chart(groups: &[(String, Vec<f64>)]) -> AnyView {
    let series = groups.first().map_or(1, |(_, values)| values.len().max(1));
    let max = groups
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .fold(0.0, f64::max);
    let (label_width, plot_width, bar) = (170.0, 470.0, 12.0);
    let group_height = bar * series as f64 + 10.0;
    let height = group_height * groups.len() as f64 + 4.0;
    let bars = groups
        .iter()
        .enumerate()
        .map(|(row, (label, values))| {
            let top = row as f64 * group_height + 4.0;
            let marks = values
                .iter()
                .enumerate()
                .map(|(index, value)| {
                    let width = if max > 0.0 {
                        value / max * plot_width
                    } else {
                        0.0
                    };
                    let y = top + index as f64 * bar;
                    view! {
                        <rect class=format!("series-{index}") x=at(label_width) y=at(y)
                            width=at(width) height=at(bar - 2.0)/>
                        <text x=at(label_width + width + 4.0) y=at(y + bar - 3.0)>
                            {count_text(*value)}
                        </text>
                    }
                })
                .collect_view();
            view! {
                <text class="label" x=at(label_width - 6.0) y=at(top + bar - 3.0) text-anchor="end">
                    {label.clone()}
                </text>
                {marks}
            }
        })
        .collect_view();
    view! {
        <svg class="chart" aria-hidden="true" role="presentation"
            viewBox=format!("0 0 {} {}", label_width + plot_width + 60.0, at(height))>
            {bars}
        </svg>
    }
    .into_any()
}

/// A legend naming the series' colours.
fn legend(names: &[Text]) -> AnyView {
    let items = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            view! {
                <li><span class=format!("swatch series-{index}")></span>{tx(*name)}</li>
            }
        })
        .collect_view();
    view! { <ul class="legend" aria-hidden="true">{items}</ul> }.into_any()
}

/// A figure of the current period beside the previous one, as a term and its value.
fn figure(label: Text, current: String, previous: Option<String>) -> impl IntoView {
    view! {
        <div>
            <dt>{tx(label)}</dt>
            <dd>{compared(current, previous)}</dd>
        </div>
    }
}

/// A table's column heads, one `<th scope="col">` each.
fn column_heads(heads: &[Text]) -> impl IntoView + use<> {
    heads
        .iter()
        .map(|head| view! { <th scope="col">{tx(*head)}</th> })
        .collect_view()
}

/// The table of a chart's numbers, read by screen readers only.
fn numbers_table(title: Text, heads: &[Text], body: Vec<Vec<String>>) -> impl IntoView {
    let caption = tf(Text::ReportNumbers, &[("report", t(title))]);
    let heads = column_heads(heads);
    let body = body
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let first = cells.next().unwrap_or_default();
            let rest = cells.map(|cell| view! { <td>{cell}</td> }).collect_view();
            view! { <tr><th scope="row">{first}</th>{rest}</tr> }
        })
        .collect_view();
    // Hidden from sight until the keyboard's focus reaches it, so that a sighted keyboard user
    // can read the numbers too (and scroll a wide table with the arrow keys).
    view! {
        <div class="numbers visually-hidden" tabindex="0" role="group"
            aria-label=tx(Text::ReportNumbersHint)>
            <table>
                <caption>{caption}</caption>
                <thead><tr>{heads}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// The weekday × hour heat map with the hours an operator was available framed.
fn heat_map(report: &Value) -> AnyView {
    let language = i18n::language();
    let current = &report["current"];
    let cells = rows(current, "cells");
    let max = cells
        .iter()
        .map(|cell| number(cell, "conversations"))
        .fold(0.0, f64::max);
    let (left, top, width, height) = (44.0, 16.0, 28.0, 22.0);
    let place = |cell: &Value| {
        let day = WEEKDAYS
            .iter()
            .position(|day| cell["weekday"].as_str() == Some(day))
            .unwrap_or(0);
        let hour = cell["hour"].as_u64().unwrap_or(0) as f64;
        (day, left + hour * width, top + day as f64 * height)
    };
    let marks = cells
        .iter()
        .map(|cell| {
            let (day, x, y) = place(cell);
            let conversations = number(cell, "conversations");
            let available = number(cell, "hoursAvailable");
            let in_range = number(cell, "hoursInRange");
            let opacity = if max > 0.0 && conversations > 0.0 {
                0.15 + 0.85 * conversations / max
            } else {
                0.0
            };
            let covered = (available > 0.0).then(|| {
                view! {
                    <rect class="covered" x=at(x + 1.5) y=at(y + 1.5) width=at(width - 5.0)
                        height=at(height - 5.0) rx="2"
                        stroke-opacity=format!("{:.2}", 0.4 + 0.6 * available / in_range.max(1.0))/>
                }
            });
            view! {
                <rect class="heat-empty" x=at(x) y=at(y) width=at(width - 2.0)
                    height=at(height - 2.0) rx="2"/>
                <rect class="heat" x=at(x) y=at(y) width=at(width - 2.0) height=at(height - 2.0)
                    rx="2" fill-opacity=format!("{opacity:.3}")
                    data-weekday=WEEKDAYS[day] data-hour=cell["hour"].as_u64().unwrap_or(0)
                    data-conversations=conversations as u64/>
                {covered}
            }
        })
        .collect_view();
    let day_labels = (0..7)
        .map(|day| {
            view! {
                <text x=at(left - 6.0) y=at(top + day as f64 * height + 15.0) text-anchor="end">
                    {time::weekday(language, day)}
                </text>
            }
        })
        .collect_view();
    let hour_labels = (0..24)
        .step_by(3)
        .map(|hour| {
            view! {
                <text x=at(left + hour as f64 * width + 13.0) y="11" text-anchor="middle">
                    {hour.to_string()}
                </text>
            }
        })
        .collect_view();
    let total = |part: &Value, key: &str| {
        rows(part, "cells")
            .iter()
            .map(|cell| number(cell, key))
            .sum::<f64>()
    };
    let previous = &report["previous"];
    let has_previous = previous.is_object();
    let table_rows = cells
        .iter()
        .filter(|cell| {
            number(cell, "conversations")
                + number(cell, "visitorMessages")
                + number(cell, "hoursAvailable")
                > 0.0
        })
        .map(|cell| {
            let (day, _, _) = place(cell);
            vec![
                format!(
                    "{} {}:00",
                    time::weekday(language, day),
                    cell["hour"].as_u64().unwrap_or(0)
                ),
                count_text(number(cell, "conversations")),
                count_text(number(cell, "visitorMessages")),
                count_text(number(cell, "hoursAvailable")),
                count_text(number(cell, "hoursInRange")),
            ]
        })
        .collect();
    view! {
        <p class="hint">{tx(Text::BusiestHoursHint)}</p>
        <dl class="figures">
            {figure(
                Text::ConversationsStarted,
                count_text(total(current, "conversations")),
                has_previous.then(|| count_text(total(previous, "conversations"))),
            )}
            {figure(
                Text::VisitorMessages,
                count_text(total(current, "visitorMessages")),
                has_previous.then(|| count_text(total(previous, "visitorMessages"))),
            )}
        </dl>
        <svg class="chart heat-map" aria-hidden="true" role="presentation"
            viewBox=format!("0 0 {} {}", at(left + 24.0 * width), at(top + 7.0 * height))>
            {day_labels}
            {hour_labels}
            {marks}
        </svg>
        {numbers_table(
            Text::BusiestHours,
            &[
                Text::Hour,
                Text::ConversationsStarted,
                Text::VisitorMessages,
                Text::HoursAvailable,
                Text::HoursInRange,
            ],
            table_rows,
        )}
    }
    .into_any()
}

/// Conversations per day: new, reopened, resolved and missed as columns side by side.
fn volume(report: &Value) -> AnyView {
    let language = i18n::language();
    let current = &report["current"];
    let days = rows(current, "days");
    let keys = ["new", "reopened", "resolved", "missed"];
    let max = days
        .iter()
        .flat_map(|day| keys.map(|key| number(day, key)))
        .fold(0.0, f64::max);
    let (left, top, plot_width, plot_height) = (36.0, 8.0, 680.0, 160.0);
    let group = plot_width / days.len().max(1) as f64;
    let bar = (group / 5.0).max(0.5);
    let every = days.len().div_ceil(10).max(1);
    let columns = days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let x = left + index as f64 * group;
            let bars = keys
                .iter()
                .enumerate()
                .map(|(series, key)| {
                    let height = if max > 0.0 {
                        number(day, key) / max * plot_height
                    } else {
                        0.0
                    };
                    view! {
                        <rect class=format!("series-{series}") x=at(x + series as f64 * bar)
                            y=at(top + plot_height - height) width=at(bar) height=at(height)/>
                    }
                })
                .collect_view();
            let label = (index % every == 0).then(|| {
                let date = day["date"].as_str().unwrap_or_default();
                view! {
                    <text x=at(x + 2.0 * bar) y=at(top + plot_height + 14.0) text-anchor="middle">
                        {time::day_month(language, date)}
                    </text>
                }
            });
            view! { {bars}{label} }
        })
        .collect_view();
    let totals = &current["totals"];
    let previous_totals = report["previous"].get("totals");
    let figure_of = |label: Text, key: &str| {
        figure(
            label,
            count_text(number(totals, key)),
            previous_totals.map(|totals| count_text(number(totals, key))),
        )
    };
    let table_rows = days
        .iter()
        .map(|day| {
            let date = day["date"].as_str().unwrap_or_default();
            let mut row = vec![time::date(language, date)];
            row.extend(
                ["new", "reopened", "resolved", "missed", "contactForms"]
                    .map(|key| count_text(number(day, key))),
            );
            row
        })
        .collect();
    view! {
        <dl class="figures">
            {figure_of(Text::NewConversations, "new")}
            {figure_of(Text::Reopened, "reopened")}
            {figure_of(Text::Resolved, "resolved")}
            {figure_of(Text::Missed, "missed")}
            {figure_of(Text::ContactForms, "contactForms")}
        </dl>
        {legend(&[Text::NewConversations, Text::Reopened, Text::Resolved, Text::Missed])}
        <svg class="chart" aria-hidden="true" role="presentation"
            viewBox=format!("0 0 {} {}", at(left + plot_width + 8.0), at(top + plot_height + 20.0))>
            <text x=at(left - 6.0) y=at(top + 8.0) text-anchor="end">{count_text(max)}</text>
            <text x=at(left - 6.0) y=at(top + plot_height) text-anchor="end">"0"</text>
            <line class="axis" x1=at(left) x2=at(left + plot_width)
                y1=at(top + plot_height) y2=at(top + plot_height)/>
            {columns}
        </svg>
        {numbers_table(
            Text::VolumeReport,
            &[
                Text::Date,
                Text::NewConversations,
                Text::Reopened,
                Text::Resolved,
                Text::Missed,
                Text::ContactForms,
            ],
            table_rows,
        )}
    }
    .into_any()
}

/// First response and resolution: median and 90th percentile in clock and business time, the
/// distribution of first responses, and each operator's.
fn response(report: &Value) -> AnyView {
    let (current, previous) = (&report["current"], &report["previous"]);
    let seconds = |part: &Value, measure: &str, clock: &str, key: &str| {
        part.get(measure)
            .and_then(|measure| measure.get(clock))
            .and_then(|clock| clock.get(key))
            .and_then(Value::as_f64)
    };
    let cell = |measure: &'static str, clock: &'static str, key: &'static str| {
        compared(
            seconds_text(seconds(current, measure, clock, key)),
            previous
                .is_object()
                .then(|| seconds_text(seconds(previous, measure, clock, key))),
        )
    };
    let summary_row = |label: Text, measure: &'static str| {
        view! {
            <tr>
                <th scope="row">{tx(label)}</th>
                <td>{cell(measure, "wallClock", "medianSeconds")}</td>
                <td>{cell(measure, "wallClock", "p90Seconds")}</td>
                <td>{cell(measure, "businessTime", "medianSeconds")}</td>
                <td>{cell(measure, "businessTime", "p90Seconds")}</td>
            </tr>
        }
    };
    let buckets = |clock: &str| -> Vec<f64> {
        current["firstResponse"][clock]["buckets"]
            .as_array()
            .map(|buckets| {
                buckets
                    .iter()
                    .map(|bucket| number(bucket, "count"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (wall, business) = (buckets("wallClock"), buckets("businessTime"));
    let groups: Vec<(String, Vec<f64>)> = wall
        .iter()
        .enumerate()
        .map(|(index, count)| {
            (
                bucket_label(index),
                vec![*count, business.get(index).copied().unwrap_or(0.0)],
            )
        })
        .collect();
    let table_rows = groups
        .iter()
        .map(|(label, counts)| {
            let mut row = vec![label.clone()];
            row.extend(counts.iter().map(|count| count_text(*count)));
            row
        })
        .collect();
    let operator_rows = rows(current, "operators")
        .iter()
        .map(|row| {
            let name = row["name"].as_str().unwrap_or_default().to_owned();
            let time = |key: &str| seconds_text(row.get(key).and_then(Value::as_f64));
            view! {
                <tr>
                    <th scope="row" dir="auto">{name}</th>
                    <td>{count_text(number(row, "count"))}</td>
                    <td>{time("medianSeconds")}</td>
                    <td>{time("p90Seconds")}</td>
                    <td>{time("businessMedianSeconds")}</td>
                    <td>{time("businessP90Seconds")}</td>
                </tr>
            }
        })
        .collect_view();
    let heads = move || {
        view! {
            <th scope="col">{tx(Text::Median)}" · "{tx(Text::WallClock)}</th>
            <th scope="col">{tx(Text::Percentile90)}" · "{tx(Text::WallClock)}</th>
            <th scope="col">{tx(Text::Median)}" · "{tx(Text::BusinessTime)}</th>
            <th scope="col">{tx(Text::Percentile90)}" · "{tx(Text::BusinessTime)}</th>
        }
    };
    view! {
        <table>
            <thead><tr><td></td>{heads()}</tr></thead>
            <tbody>
                {summary_row(Text::FirstResponse, "firstResponse")}
                {summary_row(Text::Resolution, "resolution")}
            </tbody>
        </table>
        <h3>{tx(Text::FirstResponse)}</h3>
        {legend(&[Text::WallClock, Text::BusinessTime])}
        {bar_chart(&groups)}
        {numbers_table(Text::FirstResponse, &[Text::TimeTaken, Text::WallClock, Text::BusinessTime], table_rows)}
        <table>
            <thead>
                <tr>
                    <th scope="col">{tx(Text::Operator)}</th>
                    <th scope="col">{tx(Text::Conversations)}</th>
                    {heads()}
                </tr>
            </thead>
            <tbody>{operator_rows}</tbody>
        </table>
    }
    .into_any()
}

/// Ratings per level beside the previous period's, score and response rate, each operator's,
/// and the comments with a way to their conversations.
fn satisfaction(report: &Value) -> AnyView {
    let (current, previous) = (&report["current"], &report["previous"]);
    let has_previous = previous.is_object();
    let share = |part: &Value, key: &str| part.get(key).and_then(Value::as_f64);
    let levels = [
        (Text::Satisfied, "satisfied"),
        (Text::Neutral, "neutral"),
        (Text::Dissatisfied, "dissatisfied"),
    ];
    let groups: Vec<(String, Vec<f64>)> = levels
        .iter()
        .map(|(label, key)| {
            (
                t(*label).to_owned(),
                vec![number(current, key), number(previous, key)],
            )
        })
        .collect();
    let table_rows = groups
        .iter()
        .map(|(label, counts)| {
            let mut row = vec![label.clone()];
            row.extend(counts.iter().map(|count| count_text(*count)));
            row
        })
        .collect();
    let operator_rows = rows(current, "operators")
        .iter()
        .map(|row| {
            let name = row["name"].as_str().unwrap_or_default().to_owned();
            view! {
                <tr>
                    <th scope="row" dir="auto">{name}</th>
                    <td>{count_text(number(row, "resolved"))}</td>
                    <td>{count_text(number(row, "rated"))}</td>
                    <td>{count_text(number(row, "satisfied"))}</td>
                    <td>{count_text(number(row, "neutral"))}</td>
                    <td>{count_text(number(row, "dissatisfied"))}</td>
                    <td>{share_text(share(row, "score"))}</td>
                </tr>
            }
        })
        .collect_view();
    let comments = rows(current, "comments")
        .iter()
        .map(|comment| {
            let id = comment["conversationId"].as_i64().unwrap_or(0);
            let level = match comment["rating"].as_str() {
                Some("satisfied") => t(Text::Satisfied),
                Some("neutral") => t(Text::Neutral),
                Some("dissatisfied") => t(Text::Dissatisfied),
                _ => "",
            };
            let text = comment["comment"].as_str().unwrap_or_default().to_owned();
            let open = move |_| {
                let console = app::console();
                console.view.set(app::View::Conversations);
                app::open_conversation(console, ConversationId(id));
            };
            view! {
                <li>
                    <strong>{level}</strong>" "
                    <q dir="auto">{text}</q>" "
                    <button type="button" on:click=open>
                        {tf(Text::OpenConversationNumber, &[("id", &id.to_string())])}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <dl class="figures">
            {figure(
                Text::Score,
                share_text(share(current, "score")),
                has_previous.then(|| share_text(share(previous, "score"))),
            )}
            {figure(
                Text::ResponseRate,
                share_text(share(current, "responseRate")),
                has_previous.then(|| share_text(share(previous, "responseRate"))),
            )}
            {figure(
                Text::Rated,
                count_text(number(current, "rated")),
                has_previous.then(|| count_text(number(previous, "rated"))),
            )}
            {figure(
                Text::Resolved,
                count_text(number(current, "resolved")),
                has_previous.then(|| count_text(number(previous, "resolved"))),
            )}
        </dl>
        {legend(&[Text::ThisPeriod, Text::PreviousPeriod])}
        {bar_chart(&groups)}
        {numbers_table(Text::Satisfaction, &[Text::Rating, Text::ThisPeriod, Text::PreviousPeriod], table_rows)}
        <table>
            <thead>
                <tr>
                    {column_heads(&[Text::Operator, Text::Resolved, Text::Rated, Text::Satisfied, Text::Neutral, Text::Dissatisfied, Text::Score])}
                </tr>
            </thead>
            <tbody>{operator_rows}</tbody>
        </table>
        <h3>{tx(Text::RatingComments)}</h3>
        <ul class="comments">{comments}</ul>
    }
    .into_any()
}

/// One row per operator, with the previous period's conversations and messages beside.
fn operators(report: &Value) -> AnyView {
    let previous_rows = rows(&report["previous"], "operators");
    let before = |id: &Value, key: &str| {
        previous_rows
            .iter()
            .find(|row| &row["operatorId"] == id)
            .map(|row| count_text(number(row, key)))
    };
    let body = rows(&report["current"], "operators")
        .iter()
        .map(|row| {
            let id = &row["operatorId"];
            let ratings = &row["ratings"];
            view! {
                <tr>
                    <th scope="row" dir="auto">{row["name"].as_str().unwrap_or_default().to_owned()}</th>
                    <td>{compared(count_text(number(row, "conversations")), before(id, "conversations"))}</td>
                    <td>{compared(count_text(number(row, "messages")), before(id, "messages"))}</td>
                    <td>{seconds_text(row.get("medianFirstResponseSeconds").and_then(Value::as_f64))}</td>
                    <td>{count_text(number(ratings, "rated"))}</td>
                    <td>{share_text(ratings.get("score").and_then(Value::as_f64))}</td>
                    <td>{seconds_text(Some(number(row, "availableSeconds")))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead>
                <tr>
                    {column_heads(&[Text::Operator, Text::Conversations, Text::Messages, Text::MedianFirstResponse, Text::Rated, Text::Score, Text::TimeAvailable])}
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    }
    .into_any()
}

/// Each prompt's variants as a funnel — shown, opened, conversation, order — and the table
/// with the order totals and the significance against the first variant.
fn prompts(report: &Value) -> AnyView {
    let language = i18n::language();
    let previous_prompts = rows(&report["previous"], "prompts");
    let list = rows(&report["current"], "prompts");
    if list.is_empty() {
        return view! { <p class="empty">{tx(Text::NoReportData)}</p> }.into_any();
    }
    list.iter()
        .map(|prompt| {
            let name = prompt["name"].as_str().unwrap_or_default().to_owned();
            let site = prompt["site"].as_str().unwrap_or_default().to_owned();
            let before = previous_prompts
                .iter()
                .find(|other| other["promptId"] == prompt["promptId"]);
            let variants = rows(prompt, "variants");
            let letter = |index: usize| char::from(b'A' + (index % 26) as u8).to_string();
            let groups: Vec<(String, Vec<f64>)> = variants
                .iter()
                .enumerate()
                .flat_map(|(index, variant)| {
                    [
                        (Text::Shown, "shown"),
                        (Text::Opened, "opened"),
                        (Text::Conversations, "conversations"),
                        (Text::Orders, "orders"),
                    ]
                    .map(|(label, key)| {
                        (
                            format!("{}: {}", letter(index), t(label)),
                            vec![number(variant, key)],
                        )
                    })
                })
                .collect();
            let body = variants
                .iter()
                .enumerate()
                .map(|(index, variant)| {
                    let earlier = before.and_then(|before| rows(before, "variants").get(index));
                    let with = |key: &str| {
                        compared(
                            count_text(number(variant, key)),
                            earlier.map(|earlier| count_text(number(earlier, key))),
                        )
                    };
                    let text = variant["text"].as_str().unwrap_or_default().to_owned();
                    view! {
                        <tr>
                            <th scope="row" dir="auto">{format!("{}: {text}", letter(index))}</th>
                            <td>{with("shown")}</td>
                            <td>{with("opened")}</td>
                            <td>{with("conversations")}</td>
                            <td>{with("orders")}</td>
                            <td>{time::number(language, number(variant, "orderTotal"))}</td>
                            <td>{share_text(variant.get("conversion").and_then(Value::as_f64))}</td>
                            <td>{variant.get("pValue").and_then(Value::as_f64)
                                .map_or_else(|| "–".to_owned(), |p| format!("{p:.3}"))}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h3 dir="auto">{format!("{name} ({site})")}</h3>
                {bar_chart(&groups)}
                <table>
                    <thead>
                        <tr>
                            {column_heads(&[Text::Variant, Text::Shown, Text::Opened, Text::Conversations, Text::Orders, Text::OrderTotal, Text::Conversion, Text::PValue])}
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            }
        })
        .collect_view()
        .into_any()
}

/// Self-service: answers opened, searches that found nothing and conversations avoided, and
/// each answer's openings beside the conversations it avoided.
fn answers(report: &Value) -> AnyView {
    let (current, previous) = (&report["current"], &report["previous"]);
    let has_previous = previous.is_object();
    let figure_of = |label: Text, key: &str| {
        figure(
            label,
            count_text(number(current, key)),
            has_previous.then(|| count_text(number(previous, key))),
        )
    };
    let groups: Vec<(String, Vec<f64>)> = rows(current, "answers")
        .iter()
        .map(|answer| {
            (
                answer["question"]
                    .as_str()
                    .map_or_else(|| format!("#{}", answer["answerId"]), str::to_owned),
                vec![
                    number(answer, "opened"),
                    number(answer, "conversationsAvoided"),
                ],
            )
        })
        .collect();
    let table_rows = groups
        .iter()
        .map(|(label, counts)| {
            let mut row = vec![label.clone()];
            row.extend(counts.iter().map(|count| count_text(*count)));
            row
        })
        .collect();
    view! {
        <dl class="figures">
            {figure_of(Text::AnswersOpened, "opened")}
            {figure_of(Text::SearchesFoundNothing, "searchesWithoutResult")}
            {figure_of(Text::ConversationsAvoided, "conversationsAvoided")}
        </dl>
        {(!groups.is_empty()).then(|| view! {
            {legend(&[Text::Opened, Text::ConversationsAvoided])}
            {bar_chart(&groups)}
        })}
        {numbers_table(Text::SelfService, &[Text::Question, Text::Opened, Text::ConversationsAvoided], table_rows)}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{Preset, report_zone};
    use crate::time::CivilDate;

    #[test]
    fn presets_count_back_from_the_day_given() {
        let today = CivilDate::new(2026, 3, 2);
        let range = |preset: Preset| {
            preset
                .range(today)
                .map(|(first, last)| (first.to_string(), last.to_string()))
        };
        let days = |first: &str, last: &str| Some((first.to_owned(), last.to_owned()));
        assert_eq!(range(Preset::Today), days("2026-03-02", "2026-03-02"));
        assert_eq!(range(Preset::SevenDays), days("2026-02-24", "2026-03-02"));
        assert_eq!(range(Preset::ThirtyDays), days("2026-02-01", "2026-03-02"));
        assert_eq!(range(Preset::ThisMonth), days("2026-03-01", "2026-03-02"));
        assert_eq!(range(Preset::Custom), None);
    }

    #[test]
    fn the_zone_is_the_sites_or_the_one_all_share_else_utc() {
        let site = |name: &str, zone: Option<&str>| (name.to_owned(), zone.map(str::to_owned));
        let prague = site("demo", Some("Europe/Prague"));
        let also_prague = site("outlet", Some("Europe/Prague"));
        let no_hours = site("blog", None);
        let zone = |sites: &[(String, Option<String>)], chosen: &str| report_zone(sites, chosen);
        assert_eq!(zone(&[], ""), None, "unknown until the sites are read");
        assert_eq!(
            zone(std::slice::from_ref(&prague), "demo").as_deref(),
            Some("Europe/Prague")
        );
        assert_eq!(
            zone(&[prague.clone(), no_hours.clone()], "blog").as_deref(),
            Some("UTC")
        );
        assert_eq!(
            zone(&[prague.clone(), also_prague], "").as_deref(),
            Some("Europe/Prague")
        );
        assert_eq!(
            zone(&[prague.clone(), no_hours], "").as_deref(),
            Some("UTC")
        );
        assert_eq!(zone(&[prague], "gone"), None);
    }
}
