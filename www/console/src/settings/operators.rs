//! The team: everybody sees who is in it, who is online and who is disabled; admins add
//! operators, change their name, photo and role, and disable them (or enable them again).

use crate::i18n::{Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::{api, app};
use beseda_protocol::OperatorId;
use beseda_protocol::api::{NewOperator, OperatorInfo, OperatorUpdate};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Operators() -> impl IntoView {
    let console = app::console();
    let admin = move || console.me.with(|me| me.admin);
    let outcome = RwSignal::new(Outcome::default());
    app::reload_operators(console);
    // Rows are redrawn only when a profile changes, so that an admin's edit in progress
    // survives availability changes.
    let operators = Memo::new(move |_| console.state.with(|state| state.operators.clone()));
    let rows = move || {
        view! {
            <For
                each=move || operators.get()
                key=|operator| {
                    let profile = &operator.profile;
                    (
                        profile.id,
                        profile.name.clone(),
                        profile.photo_url.clone(),
                        profile.admin,
                        operator.disabled,
                    )
                }
                children=move |operator| view! { <OperatorRow operator=operator outcome=outcome/> }
            />
        }
    };
    view! {
        <section aria-labelledby="operators-title">
            <h2 id="operators-title">{tx(Text::Operators)}</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Name)}</th>
                        <th scope="col">{tx(Text::Email)}</th>
                        <th scope="col">{tx(Text::PhotoUrl)}</th>
                        <th scope="col">{tx(Text::Admin)}</th>
                        <th scope="col">{tx(Text::Online)}</th>
                        <th scope="col">{tx(Text::OpenChatsColumn)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <OutcomeLine outcome=outcome/>
            <Show when=admin>
                <NewOperatorForm/>
            </Show>
        </section>
    }
}

/// One operator; an admin edits the row in place.
#[component]
fn OperatorRow(operator: OperatorInfo, outcome: RwSignal<Outcome>) -> impl IntoView {
    let console = app::console();
    let admin = console.me.with_untracked(|me| me.admin);
    let id: OperatorId = operator.profile.id;
    let profile = operator.profile;
    let name = RwSignal::new(profile.name.clone());
    let photo = RwSignal::new(profile.photo_url.clone().unwrap_or_default());
    let is_admin = RwSignal::new(profile.admin);
    let save = move |_| {
        let update = OperatorUpdate {
            language: None,
            name: Some(name.get_untracked().trim().to_owned()),
            photo_url: Some(photo.get_untracked().trim().to_owned()),
            admin: Some(is_admin.get_untracked()),
        };
        spawn_local(async move {
            let result = api::update_operator(id, &update).await;
            outcome.set(Outcome::of(&result, t(Text::OperatorSaved)));
            app::reload_operators(console);
        });
    };
    let live = move || {
        console.state.with(|state| {
            state
                .operators
                .iter()
                .find(|operator| operator.profile.id == id)
                .map(|operator| (operator.online, operator.open_chats))
        })
    };
    let disabled = operator.disabled;
    let online = move || match live() {
        _ if disabled => t(Text::Disabled),
        Some((true, _)) => t(Text::Online),
        _ => t(Text::Offline),
    };
    let open_chats = move || live().map_or(0, |(_, open_chats)| open_chats);
    if !admin {
        return view! {
            <tr>
                <td>{profile.name}</td>
                <td>{profile.email}</td>
                <td>{profile.photo_url}</td>
                <td>{tx(if profile.admin { Text::Yes } else { Text::No })}</td>
                <td>{online}</td>
                <td>{open_chats}</td>
                <td></td>
            </tr>
        }
        .into_any();
    }
    let toggle = move |_| {
        spawn_local(async move {
            let result = api::set_operator_disabled(id, !disabled).await;
            let done = t(if disabled {
                Text::OperatorEnabled
            } else {
                Text::OperatorDisabled
            });
            outcome.set(Outcome::of(&result, done));
            app::reload_operators(console);
        });
    };
    // An admin cannot disable themselves (the relay refuses it too).
    let own_row = console.me.with_untracked(|me| me.id == id);
    let toggle_button = (!own_row).then(|| {
        let (action, named) = if disabled {
            (Text::Enable, Text::EnableOperator)
        } else {
            (Text::Disable, Text::DisableOperator)
        };
        let email = profile.email.clone();
        view! {
            <button
                type="button"
                aria-label=move || tf(named, &[("email", &email)])
                on:click=toggle
            >
                {tx(action)}
            </button>
        }
    });
    let field = |what: Text| {
        let email = profile.email.clone();
        move || tf(what, &[("email", &email)])
    };
    let email = profile.email.clone();
    view! {
        <tr>
            <td><input type="text" aria-label=field(Text::NameOf) bind:value=name/></td>
            <td>{profile.email.clone()}</td>
            <td><input type="url" aria-label=field(Text::PhotoUrlOf) bind:value=photo/></td>
            <td><input type="checkbox" aria-label=field(Text::AdminOf) bind:checked=is_admin/></td>
            <td>{online}</td>
            <td>{open_chats}</td>
            <td>
                <button
                    type="button"
                    aria-label=move || tf(Text::SaveOperator, &[("email", &email)])
                    on:click=save
                >
                    {tx(Text::Save)}
                </button>
                {toggle_button}
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn NewOperatorForm() -> impl IntoView {
    let console = app::console();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let outcome = RwSignal::new(Outcome::default());
    let add = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let operator = NewOperator {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            admin: admin.get_untracked(),
        };
        spawn_local(async move {
            let result = api::add_operator(&operator).await;
            outcome.set(Outcome::of(&result, t(Text::OperatorAdded)));
            if result.is_ok() {
                email.set(String::new());
                name.set(String::new());
                password.set(String::new());
                admin.set(false);
                app::reload_operators(console);
            }
        });
    };
    view! {
        <form class="fields" on:submit=add aria-labelledby="new-operator-title">
            <h3 id="new-operator-title">{tx(Text::AddAnOperator)}</h3>
            <label for="new-operator-email">{tx(Text::NewOperatorEmail)}</label>
            <input id="new-operator-email" type="email" required bind:value=email/>
            <label for="new-operator-name">{tx(Text::NewOperatorName)}</label>
            <input id="new-operator-name" type="text" required bind:value=name/>
            <label for="new-operator-password">{tx(Text::NewOperatorPassword)}</label>
            <input id="new-operator-password" type="password" autocomplete="new-password" required bind:value=password/>
            <span class="check">
                <input id="new-operator-admin" type="checkbox" bind:checked=admin/>
                <label for="new-operator-admin">{tx(Text::Admin)}</label>
            </span>
            <button type="submit">{tx(Text::AddOperator)}</button>
            <OutcomeLine outcome=outcome/>
        </form>
    }
}
