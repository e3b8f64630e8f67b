//! The conversations list: Open and Resolved tabs; per row the visitor, the last message, unread
//! count, waiting time, priority, tags and who has it — urgent first, then longest waiting.

use crate::app::{self, Console};
use crate::i18n::{self, Count, Text, t, tc, tf, tx};
use crate::state::{Row, visitor_label};
use crate::{files, time};
use beseda_protocol::{Author, ConversationId, ConversationStatus};
use leptos::prelude::*;

#[component]
pub fn ConversationList() -> impl IntoView {
    let console = app::console();
    let tab = console.tab;
    let pick = move |status: ConversationStatus| {
        tab.set(status);
        app::reload_list(console, status);
    };
    let tab_button = move |status: ConversationStatus, label: Text| {
        let id = format!("tab-{}", status.as_str());
        view! {
            <button
                type="button"
                role="tab"
                id=id
                aria-controls="conversations-panel"
                aria-selected=move || (tab.get() == status).to_string()
                on:click=move |_| pick(status)
            >
                {tx(label)}
                {move || {
                    let unread = console.state.with(|state| state.unread_conversations());
                    (status == ConversationStatus::Open && unread > 0).then(|| {
                        let shown = crate::time::number(i18n::language(), unread as f64);
                        view! {
                            <span class="count" title=move || tc(Count::UnreadConversations, unread as u64)>
                                {format!(" ({shown})")}
                            </span>
                        }
                    })
                }}
            </button>
        }
    };
    let rows = move || console.state.with(|state| state.list(tab.get()));
    view! {
        <nav class="sidebar" aria-label=tx(Text::Inbox)>
            <div role="tablist" aria-label=tx(Text::ConversationStatus)>
                {tab_button(ConversationStatus::Open, Text::Open)}
                {tab_button(ConversationStatus::Resolved, Text::Resolved)}
            </div>
            <div
                role="tabpanel"
                id="conversations-panel"
                aria-labelledby=move || format!("tab-{}", tab.get().as_str())
            >
                <ul class="conversations" aria-label=tx(Text::Conversations)>
                    <For
                        each=rows
                        key=|(id, revision)| (*id, *revision)
                        children=move |(id, _)| {
                            console
                                .state
                                .with_untracked(|state| state.rows.get(&id).cloned())
                                .map(|row| view! { <ConversationRow row=row/> })
                        }
                    />
                </ul>
                <Show when=move || rows().is_empty()>
                    <p class="empty">{tx(Text::NoConversations)}</p>
                </Show>
            </div>
        </nav>
    }
}

fn assignee(console: Console, row: &Row) -> impl Fn() -> String + use<> {
    let assigned = row.summary.assigned_to;
    move || match assigned {
        None => t(Text::Queue).to_owned(),
        Some(id) if id == console.me.with(|me| me.id) => console.me.with(|me| me.name.clone()),
        Some(id) => console.state.with(|state| {
            state.operator_name(id).map_or_else(
                || tf(Text::OperatorNumber, &[("id", &id.to_string())]),
                str::to_owned,
            )
        }),
    }
}

#[component]
fn ConversationRow(row: Row) -> impl IntoView {
    let console = app::console();
    let id: ConversationId = row.summary.id;
    let visitor = row.summary.visitor.clone();
    let label = move || visitor_label(&visitor, id);
    let me = console.me.get_untracked().id;
    let last_message = row.summary.last_message.clone();
    let last = move || {
        last_message.as_ref().map(|message| {
            let author = match message.author {
                Author::Visitor => return files::one_line(message),
                Author::System => t(Text::System),
                Author::Operator if message.operator_id == Some(me) => t(Text::You),
                Author::Operator => message
                    .author_name
                    .as_deref()
                    .unwrap_or_else(|| t(Text::Operator)),
            };
            tf(
                Text::AuthorSaid,
                &[("author", author), ("text", &files::one_line(message))],
            )
        })
    };
    let waiting_since = row
        .summary
        .waiting_since
        .as_deref()
        .and_then(time::parse)
        .filter(|_| row.summary.status == ConversationStatus::Open);
    let waiting = move || {
        waiting_since.map(|since| {
            let waited = time::duration(i18n::language(), console.now.get() - since);
            tf(Text::Waiting, &[("duration", &waited)])
        })
    };
    let unread = row.unread;
    let priority = row.summary.priority;
    let urgent = priority > 0;
    let tags = row.summary.tags.clone();
    let typing = row.visitor_typing;
    let rating = row.summary.rating.map(rating_text);
    let selected = move || console.state.with(|state| state.selected == Some(id));
    view! {
        <li class="row" class:selected=selected class:urgent=urgent>
            <button
                type="button"
                aria-current=move || selected().then_some("true")
                on:click=move |_| app::open_conversation(console, id)
            >
                <span class="line">
                    <strong class="visitor" dir="auto">{label}</strong>
                    {(unread > 0)
                        .then(|| {
                            view! {
                                <span class="unread" aria-label=move || tc(Count::Unread, unread)>
                                    {move || time::number(i18n::language(), unread as f64)}
                                </span>
                            }
                        })}
                </span>
                <span class="last" dir="auto">
                    {move || if typing { Some(t(Text::TypingShort).to_owned()) } else { last() }}
                </span>
                <span class="line meta">
                    <span class="assignee" dir="auto">{assignee(console, &row)}</span>
                    <span class="waiting">{waiting}</span>
                </span>
                <span class="line tags">
                    {(priority > 0).then(|| view! { <span class="priority">{move || tf(Text::Priority, &[("priority", &priority.to_string())])}</span> })}
                    {tags.into_iter().map(|tag| view! { <span class="tag" dir="auto">{tag}</span> }).collect_view()}
                    {rating.map(|rating| view! { <span class="rating">{tx(rating)}</span> })}
                </span>
            </button>
        </li>
    }
}

/// The text of a visitor's rating.
pub fn rating_text(rating: beseda_protocol::Rating) -> Text {
    match rating {
        beseda_protocol::Rating::Satisfied => Text::Satisfied,
        beseda_protocol::Rating::Neutral => Text::Neutral,
        beseda_protocol::Rating::Dissatisfied => Text::Dissatisfied,
    }
}
