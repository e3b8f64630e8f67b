//! The conversations list: Open and Resolved tabs; per row the visitor, the last message, unread
//! count, waiting time, priority, tags and who has it — urgent first, then longest waiting.

use crate::app::{self, Console};
use crate::state::{Row, visitor_label};
use crate::time;
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
    let tab_button = move |status: ConversationStatus, label: &'static str| {
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
                {label}
                {move || {
                    let unread = console.state.with(|state| state.unread_conversations());
                    (status == ConversationStatus::Open && unread > 0)
                        .then(|| view! { <span class="count">{format!(" ({unread})")}</span> })
                }}
            </button>
        }
    };
    let rows = move || console.state.with(|state| state.list(tab.get()));
    view! {
        <nav class="sidebar" aria-label="Inbox">
            <div role="tablist" aria-label="Conversation status">
                {tab_button(ConversationStatus::Open, "Open")}
                {tab_button(ConversationStatus::Resolved, "Resolved")}
            </div>
            <div
                role="tabpanel"
                id="conversations-panel"
                aria-labelledby=move || format!("tab-{}", tab.get().as_str())
            >
                <ul class="conversations" aria-label="Conversations">
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
                    <p class="empty">"No conversations."</p>
                </Show>
            </div>
        </nav>
    }
}

fn assignee(console: Console, row: &Row) -> impl Fn() -> String + use<> {
    let assigned = row.summary.assigned_to;
    move || match assigned {
        None => "Queue".to_owned(),
        Some(id) if id == console.me.with(|me| me.id) => console.me.with(|me| me.name.clone()),
        Some(id) => console.state.with(|state| {
            state
                .operator_name(id)
                .map_or_else(|| format!("Operator #{id}"), str::to_owned)
        }),
    }
}

#[component]
fn ConversationRow(row: Row) -> impl IntoView {
    let console = app::console();
    let id: ConversationId = row.summary.id;
    let label = visitor_label(&row.summary.visitor, id);
    let me = console.me.get_untracked().id;
    let last = row.summary.last_message.as_ref().map(|message| {
        let prefix = match message.author {
            Author::Visitor => String::new(),
            Author::System => "System: ".to_owned(),
            Author::Operator if message.operator_id == Some(me) => "You: ".to_owned(),
            Author::Operator => {
                format!("{}: ", message.author_name.as_deref().unwrap_or("Operator"))
            }
        };
        format!("{prefix}{}", message.text)
    });
    let waiting_since = row
        .summary
        .waiting_since
        .as_deref()
        .and_then(time::parse)
        .filter(|_| row.summary.status == ConversationStatus::Open);
    let waiting = move || {
        waiting_since.map(|since| format!("Waiting {}", time::duration(console.now.get() - since)))
    };
    let unread = row.unread;
    let priority = row.summary.priority;
    let urgent = priority > 0;
    let tags = row.summary.tags.clone();
    let typing = row.visitor_typing;
    let rating = row.summary.rating.map(|rating| rating.as_str());
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
                                <span class="unread" aria-label=format!("{unread} unread")>
                                    {unread}
                                </span>
                            }
                        })}
                </span>
                <span class="last" dir="auto">
                    {if typing { Some("Typing…".to_owned()) } else { last }}
                </span>
                <span class="line meta">
                    <span class="assignee" dir="auto">{assignee(console, &row)}</span>
                    <span class="waiting">{waiting}</span>
                </span>
                <span class="line tags">
                    {(priority > 0).then(|| view! { <span class="priority">{format!("Priority {priority}")}</span> })}
                    {tags.into_iter().map(|tag| view! { <span class="tag" dir="auto">{tag}</span> }).collect_view()}
                    {rating.map(|rating| view! { <span class="rating">{rating}</span> })}
                </span>
            </button>
        </li>
    }
}
