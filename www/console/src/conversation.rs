//! The conversation on screen: its header and actions (take over, transfer, resolve, reopen,
//! tags, the privacy actions), the visitor's rating, the messages with their files, and the
//! composer (files dropped onto the conversation go into its tray); the visitor's context
//! beside it.

use crate::app::{self, Console};
use crate::i18n::{self, Count, Text, t, tc, tf, tx};
use crate::state::visitor_label;
use crate::{api, composer, context, files, privacy, time, tray};
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::{Author, ConversationId, ConversationStatus, Message, OperatorId};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ConversationPane() -> impl IntoView {
    let console = app::console();
    let selected = Memo::new(move |_| console.state.with(|state| state.selected));
    let loaded = Memo::new(move |_| {
        console
            .state
            .with(|state| state.open.as_ref().map(|open| open.detail.id))
    });
    move || match (selected.get(), loaded.get()) {
        (None, _) => view! {
            <section class="conversation empty" aria-label=tx(Text::Conversation)>
                <p>{tx(Text::PickConversation)}</p>
            </section>
        }
        .into_any(),
        (Some(id), Some(open)) if id == open => {
            let tray = tray::Tray::new();
            view! {
                <section
                    class="conversation"
                    aria-labelledby="conversation-title"
                    on:dragover=move |event| {
                        // Accepting the drag is what lets files be dropped here.
                        if tray::dragged_files(&event) {
                            event.prevent_default();
                        }
                    }
                    on:drop=move |event| tray::drop_files(tray, &event)
                >
                    <ConversationHeader id=id/>
                    <Messages id=id/>
                    <composer::Composer id=id tray=tray/>
                </section>
                <context::VisitorContext/>
            }
            .into_any()
        }
        (Some(_), _) => view! {
            <section class="conversation empty" aria-label=tx(Text::Conversation)>
                <p role="status">{tx(Text::Loading)}</p>
            </section>
        }
        .into_any(),
    }
}

/// Applies a changed conversation the relay answered with (its frame follows anyway).
pub(crate) fn changed(
    console: Console,
    answer: Result<Option<ConversationSummary>, api::ApiError>,
) {
    match answer {
        Ok(Some(summary)) => {
            let effects = console
                .state
                .try_update(|state| state.upsert_summary(summary))
                .unwrap_or_default();
            app::carry_out(console, effects);
        }
        Ok(None) => {}
        Err(error) => console.report(error),
    }
}

fn assign(console: Console, id: ConversationId, operator: OperatorId) {
    spawn_local(async move {
        let answer = api::assign(id, operator).await;
        let taken = answer.is_ok() && operator == console.me.get_untracked().id;
        changed(console, answer);
        if taken {
            // Taking a conversation over is joining it: the visitor sees who is there now.
            if let Err(error) = api::join(id).await {
                console.report(error);
            }
        }
    });
}

#[component]
fn ConversationHeader(id: ConversationId) -> impl IntoView {
    let console = app::console();
    let detail = move |read: &dyn Fn(&beseda_protocol::api::ConversationDetail) -> String| {
        console.state.with(|state| {
            state
                .open
                .as_ref()
                .map(|open| read(&open.detail))
                .unwrap_or_default()
        })
    };
    let status = Memo::new(move |_| {
        console.state.with(|state| {
            state
                .open
                .as_ref()
                .map_or(ConversationStatus::Open, |open| open.detail.status)
        })
    });
    let assigned = Memo::new(move |_| {
        console
            .state
            .with(|state| state.open.as_ref().and_then(|open| open.detail.assigned_to))
    });
    let me = move || console.me.with(|me| me.id);
    let assignee = move || match assigned.get() {
        None => t(Text::InQueue).to_owned(),
        Some(operator) if operator == me() => t(Text::AssignedToYou).to_owned(),
        Some(operator) => console.state.with(|state| {
            let name = state.operator_name(operator).map_or_else(
                || tf(Text::OperatorNumber, &[("id", &operator.to_string())]),
                str::to_owned,
            );
            tf(Text::AssignedTo, &[("name", &name)])
        }),
    };
    let transfer_to = move || {
        console.state.with(|state| {
            state
                .operators
                .iter()
                .filter(|operator| Some(operator.profile.id) != assigned.get())
                .map(|operator| {
                    let name = operator.profile.name.as_str();
                    let label = if operator.online {
                        let open = tc(Count::OpenChats, operator.open_chats);
                        tf(Text::OperatorOnline, &[("name", name), ("open", &open)])
                    } else {
                        tf(Text::OperatorOffline, &[("name", name)])
                    };
                    view! { <option value=operator.profile.id.0.to_string()>{label}</option> }
                })
                .collect_view()
        })
    };
    let transfer = move |event: web_sys::Event| {
        let value = event_target_value(&event);
        if let Ok(operator) = value.parse::<i64>() {
            assign(console, id, OperatorId(operator));
        }
    };
    view! {
        <header class="conversation-header">
            <div class="title">
                <h2 id="conversation-title" dir="auto">
                    {move || detail(&|detail| visitor_label(&detail.visitor, detail.id))}
                </h2>
                <span class="status">
                    {move || t(if status.get() == ConversationStatus::Open { Text::Open } else { Text::Resolved })}
                    " · "
                    {assignee}
                    " · "
                    {move || detail(&|detail| detail.site_title.clone())}
                </span>
                <privacy::BlockedMark/>
            </div>
            <div class="actions">
                <Show when=move || status.get() == ConversationStatus::Open && assigned.get() != Some(me())>
                    <button type="button" on:click=move |_| assign(console, id, me())>{tx(Text::TakeOver)}</button>
                </Show>
                <label for="transfer">{tx(Text::TransferTo)}</label>
                <select id="transfer" on:change=transfer on:focus=move |_| app::reload_operators(console)>
                    <option value="" selected>{tx(Text::ChooseOperator)}</option>
                    {transfer_to}
                </select>
                {move || if status.get() == ConversationStatus::Open {
                    view! {
                        <button type="button" on:click=move |_| spawn_local(async move {
                            changed(console, api::resolve(id).await);
                        })>{tx(Text::Resolve)}</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" on:click=move |_| spawn_local(async move {
                            changed(console, api::reopen(id).await);
                        })>{tx(Text::Reopen)}</button>
                    }.into_any()
                }}
                <privacy::PrivacyActions id=id/>
            </div>
            <Tags id=id/>
            <RatingShown/>
        </header>
    }
}

/// The conversation's tags, each removable, and a field to add one.
#[component]
fn Tags(id: ConversationId) -> impl IntoView {
    let console = app::console();
    let tags = Memo::new(move |_| {
        console.state.with(|state| {
            state
                .open
                .as_ref()
                .map(|open| open.detail.tags.clone())
                .unwrap_or_default()
        })
    });
    let save = move |tags: Vec<String>| {
        spawn_local(async move { changed(console, api::set_tags(id, tags).await) });
    };
    let draft = RwSignal::new(String::new());
    let add = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let tag = draft.get_untracked().trim().to_owned();
        let mut list = tags.get_untracked();
        if !tag.is_empty() && !list.contains(&tag) {
            list.push(tag);
            save(list);
        }
        draft.set(String::new());
    };
    view! {
        <form class="tags" on:submit=add>
            <ul aria-label=tx(Text::Tags)>
                {move || {
                    tags.get()
                        .into_iter()
                        .map(|tag| {
                            let removed = tag.clone();
                            let named = tag.clone();
                            view! {
                                <li class="tag">
                                    {tag.clone()}
                                    <button
                                        type="button"
                                        aria-label=move || tf(Text::RemoveTag, &[("tag", &named)])
                                        on:click=move |_| {
                                            let mut list = tags.get_untracked();
                                            list.retain(|kept| kept != &removed);
                                            save(list);
                                        }
                                    >
                                        "×"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <label for="new-tag">{tx(Text::AddTag)}</label>
            <input id="new-tag" type="text" maxlength="40" bind:value=draft/>
            <button type="submit">{tx(Text::Add)}</button>
        </form>
    }
}

/// How the visitor rated the resolved conversation.
#[component]
fn RatingShown() -> impl IntoView {
    let console = app::console();
    move || {
        console.state.with(|state| {
            let detail = &state.open.as_ref()?.detail;
            let rating = detail.rating?;
            let label = crate::list::rating_text(rating);
            let comment = detail.rating_comment.clone();
            Some(view! {
                <p class=format!("rating {}", rating.as_str())>
                    {tx(Text::Rating)} " " <strong>{tx(label)}</strong>
                    {comment.map(|comment| view! { " — " <q>{comment}</q> })}
                </p>
            })
        })
    }
}

#[component]
fn Messages(id: ConversationId) -> impl IntoView {
    let console = app::console();
    let log: NodeRef<html::Div> = NodeRef::new();
    let messages = move || {
        console.state.with(|state| {
            state
                .open
                .as_ref()
                .map(|open| open.detail.messages.clone())
                .unwrap_or_default()
        })
    };
    let pending = move || {
        console.state.with(|state| {
            state
                .pending
                .iter()
                .filter(|pending| pending.conversation_id == id)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // Keep the newest message in view.
    Effect::new(move |_| {
        console.state.track();
        if let Some(log) = log.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });
    let typing = move || {
        console.state.with(|state| {
            state
                .open
                .as_ref()
                .filter(|open| open.visitor_typing)
                .map(|open| {
                    let name = visitor_label(&open.detail.visitor, id);
                    tf(Text::IsTyping, &[("name", &name)])
                })
        })
    };
    let visitor = Memo::new(move |_| {
        console.state.with(|state| {
            state
                .open
                .as_ref()
                .map(|open| visitor_label(&open.detail.visitor, id))
                .unwrap_or_default()
        })
    });
    view! {
        // The log role belongs on a wrapper: on the list itself it would take the list's role
        // away, and its items would be list items outside any list.
        <div class="messages" role="log" aria-live="polite" aria-label=tx(Text::Messages) node_ref=log tabindex="0">
        <ol class="message-list">
            <For
                each=messages
                key=|message| message.id
                children=move |message| view! { <MessageItem message=message visitor=visitor/> }
            />
            <For
                each=pending
                key=|pending| (pending.client_id.0.clone(), pending.refused.clone())
                children=move |pending| {
                    let client_id = pending.client_id.clone();
                    let discard = move |_| {
                        console.state.update(|state| state.pending.retain(|kept| kept.client_id != client_id));
                    };
                    view! {
                        <li class="message operator pending">
                            <p class="text" dir="auto">{pending.text.clone()}</p>
                            {match pending.refused.clone() {
                                None => view! { <span class="state">{tx(Text::Sending)}</span> }.into_any(),
                                Some(reason) => view! {
                                    <span class="state refused">{move || tf(Text::NotSent, &[("reason", &reason)])}</span>
                                    <button type="button" on:click=discard>{tx(Text::Discard)}</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }
            />
        </ol>
        </div>
        <p class="typing" aria-live="polite">{typing}</p>
    }
}

#[component]
fn MessageItem(message: Message, visitor: Memo<String>) -> impl IntoView {
    let author = message.author;
    let operator = message.author_name.clone();
    let sent_at = message.sent_at.clone();
    let sent_at_shown = message.sent_at.clone();
    let who = move || match author {
        Author::Visitor => visitor.get(),
        Author::Operator => operator
            .clone()
            .unwrap_or_else(|| t(Text::Operator).to_owned()),
        Author::System => t(Text::System).to_owned(),
    };
    view! {
        <li class=format!("message {}", message.author.as_str())>
            // Names and texts are people's own words, in any direction: each is isolated so that a
            // right-to-left one cannot reorder the time or labels beside it.
            <span class="who" dir="auto">{who}</span>
            " "
            <time
                datetime=message.sent_at.clone()
                title=move || time::date_time(i18n::language(), &sent_at)
            >
                {move || time::clock(i18n::language(), &sent_at_shown)}
            </time>
            {(!message.text.is_empty()).then(|| view! { <p class="text" dir="auto">{message.text}</p> })}
            {(!message.files.is_empty()).then(|| view! { <files::MessageFiles files=message.files/> })}
        </li>
    }
}
