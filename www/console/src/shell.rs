//! The signed-in console's frame: the header (availability, who is online, notifications,
//! navigation, signing out), errors that belong to no form, and the screen picked.

use crate::app::{self, Console, View};
use crate::i18n::{Text, t, tf, tx};
use crate::socket::Link;
use crate::{answers, api, conversation, history, keys, list, notify, reports, settings};
use beseda_protocol::OperatorProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Shell(me: OperatorProfile) -> impl IntoView {
    let console = Console::new(me);
    provide_context(console);
    app::start(console);
    keys::listen(console);
    let view = console.view;
    view! {
        <Header/>
        <Notice/>
        // Changes that nothing else on screen speaks of (a new conversation, one resolved by a
        // shortcut), said once.
        <p class="visually-hidden" role="status">{move || console.announcement.get()}</p>
        {move || match view.get() {
            View::Conversations => view! {
                <main class="inbox">
                    // The page's title for screen readers' heading navigation; sighted operators
                    // see the same in the navigation's current button.
                    <h1 class="visually-hidden">{tx(Text::Conversations)}</h1>
                    <list::ConversationList/>
                    <conversation::ConversationPane/>
                </main>
            }
            .into_any(),
            View::History => view! { <history::History/> }.into_any(),
            View::Settings => view! { <settings::Settings/> }.into_any(),
            View::Answers => view! { <answers::Answers/> }.into_any(),
            View::Reports => view! { <reports::Reports/> }.into_any(),
        }}
    }
}

#[component]
fn Header() -> impl IntoView {
    let console = app::console();
    let others_online = move || {
        let me = console.me.with(|me| me.id);
        let names: Vec<String> = console.state.with(|state| {
            state
                .operators
                .iter()
                .filter(|operator| operator.online && operator.profile.id != me)
                .map(|operator| operator.profile.name.clone())
                .collect()
        });
        if names.is_empty() {
            t(Text::NoOneElseOnline).to_owned()
        } else {
            tf(Text::AlsoOnline, &[("names", &names.join(", "))])
        }
    };
    let link = move || match console.link.get() {
        Link::Open => "",
        Link::Connecting => t(Text::Connecting),
        Link::Reconnecting => t(Text::Reconnecting),
    };
    let nav = move |target: View, label: Text| {
        view! {
            <button
                type="button"
                aria-current=move || (console.view.get() == target).then_some("page")
                on:click=move |_| console.view.set(target)
            >
                {tx(label)}
            </button>
        }
    };
    view! {
        <header class="topbar">
            <span class="brand">"Beseda"</span>
            <nav aria-label=tx(Text::ConsoleNavigation)>
                {nav(View::Conversations, Text::Conversations)}
                {nav(View::History, Text::History)}
                {nav(View::Reports, Text::Reports)}
                {nav(View::Settings, Text::Settings)}
                {move || console.me.with(|me| me.admin).then(|| nav(View::Answers, Text::Answers))}
            </nav>
            <AvailabilitySwitch/>
            <span class="team">{others_online}</span>
            <NotificationSwitch/>
            <keys::ShortcutsHelp/>
            <span class="link" role="status">{link}</span>
            <span class="me" dir="auto">{move || console.me.with(|me| me.name.clone())}</span>
            <button type="button" on:click=move |_| app::log_out()>{tx(Text::SignOut)}</button>
        </header>
    }
}

/// The "Available" switch: visitors see at once whether someone is there.
#[component]
fn AvailabilitySwitch() -> impl IntoView {
    let console = app::console();
    let change = move |event: web_sys::Event| {
        let online = event_target_checked(&event);
        console.online.set(online);
        spawn_local(async move {
            match api::set_availability(online).await {
                Ok(answer) => console.online.set(answer.online),
                Err(error) => {
                    console.online.set(!online);
                    console.report(error);
                }
            }
        });
    };
    view! {
        <span class="switch">
            <input
                id="available"
                type="checkbox"
                role="switch"
                prop:checked=move || console.online.get()
                on:change=change
            />
            <label for="available">{tx(Text::Available)}</label>
        </span>
    }
}

/// Desktop notifications for new chats; asks the browser's permission when switched on.
#[component]
fn NotificationSwitch() -> impl IntoView {
    let console = app::console();
    let change = move |event: web_sys::Event| {
        let wanted = event_target_checked(&event);
        if !wanted {
            console.notifications.set(false);
            return;
        }
        console.notifications.set(true);
        notify::ask(move |granted| {
            console.notifications.try_set(granted);
        });
    };
    view! {
        <span class="switch">
            <input
                id="notifications"
                type="checkbox"
                prop:checked=move || console.notifications.get()
                on:change=change
            />
            <label for="notifications">{tx(Text::DesktopNotifications)}</label>
        </span>
    }
}

/// An error from the relay that belongs to no form.
#[component]
fn Notice() -> impl IntoView {
    let console = app::console();
    let notice = move || console.state.with(|state| state.notice.clone());
    view! {
        <div class="notice" role="alert">
            {move || {
                notice()
                    .map(|text| {
                        view! {
                            <p>
                                {text}
                                <button
                                    type="button"
                                    on:click=move |_| console.state.update(|state| state.notice = None)
                                >
                                    {tx(Text::Dismiss)}
                                </button>
                            </p>
                        }
                    })
            }}
        </div>
    }
}
