//! Shortcuts: my personal ones and the team's (only admins change team shortcuts). An invalid
//! template is refused by the relay with a message saying why; it is shown as it is.

use crate::i18n::{Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::{api, app};
use beseda_protocol::ShortcutId;
use beseda_protocol::api::{Shortcut, ShortcutInput, ShortcutScope};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Shortcuts() -> impl IntoView {
    let console = app::console();
    let admin = move || console.me.with(|me| me.admin);
    let editing = RwSignal::new(None::<ShortcutId>);
    let name = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let scope = RwSignal::new("personal".to_owned());
    let outcome = RwSignal::new(Outcome::default());
    app::reload_shortcuts(console);

    let clear = move || {
        editing.set(None);
        name.set(String::new());
        text.set(String::new());
        scope.set("personal".to_owned());
    };
    let edit = move |shortcut: &Shortcut| {
        editing.set(Some(shortcut.id));
        name.set(shortcut.name.clone());
        text.set(shortcut.text.clone());
        scope.set(scope_name(shortcut.scope).to_owned());
        outcome.set(Outcome::default());
    };
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let input = ShortcutInput {
            name: name
                .get_untracked()
                .trim()
                .trim_start_matches('/')
                .to_owned(),
            text: text.get_untracked(),
            scope: if scope.get_untracked() == "team" {
                ShortcutScope::Team
            } else {
                ShortcutScope::Personal
            },
        };
        let id = editing.get_untracked();
        spawn_local(async move {
            let result = match id {
                Some(id) => api::update_shortcut(id, &input).await,
                None => api::add_shortcut(&input).await,
            };
            outcome.set(Outcome::of(&result, t(Text::ShortcutSaved)));
            if result.is_ok() {
                clear();
                app::reload_shortcuts(console);
            }
        });
    };
    let delete = move |id: ShortcutId| {
        spawn_local(async move {
            let result = api::delete_shortcut(id).await;
            outcome.set(Outcome::of(&result, t(Text::ShortcutDeleted)));
            app::reload_shortcuts(console);
        });
    };
    let rows = move || {
        let mut shortcuts = console.shortcuts.get();
        shortcuts
            .sort_by(|a, b| (scope_name(a.scope), &a.name).cmp(&(scope_name(b.scope), &b.name)));
        shortcuts
            .into_iter()
            .map(|shortcut| {
                let changeable = shortcut.scope == ShortcutScope::Personal || admin();
                let edited = shortcut.clone();
                let id = shortcut.id;
                let shortcut_name = shortcut.name.clone();
                let named = shortcut.name.clone();
                let team = shortcut.scope == ShortcutScope::Team;
                view! {
                    <tr>
                        <td>{format!("/{}", shortcut.name)}</td>
                        <td class="template">{shortcut.text.clone()}</td>
                        <td>{tx(if team { Text::Team } else { Text::Personal })}</td>
                        <td>
                            {changeable.then(|| view! {
                                <button
                                    type="button"
                                    aria-label=move || tf(Text::EditShortcut, &[("name", &shortcut_name)])
                                    on:click=move |_| edit(&edited)
                                >
                                    {tx(Text::Edit)}
                                </button>
                                <button
                                    type="button"
                                    aria-label=move || tf(Text::DeleteShortcut, &[("name", &named)])
                                    on:click=move |_| delete(id)
                                >
                                    {tx(Text::Delete)}
                                </button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">{tx(Text::Shortcuts)}</h2>
            <p class="hint">
                {tx(Text::ShortcutsHint)}
                " {visitor.name}, {visitor.name|vocative}, {operator.name}, {shop.name}."
            </p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Name)}</th>
                        <th scope="col">{tx(Text::TextColumn)}</th>
                        <th scope="col">{tx(Text::Scope)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form class="fields" on:submit=save aria-label=tx(Text::Shortcut)>
                <label for="shortcut-name">{tx(Text::ShortcutName)}</label>
                <input id="shortcut-name" type="text" required maxlength="40" bind:value=name/>
                <label for="shortcut-text">{tx(Text::ShortcutText)}</label>
                <textarea id="shortcut-text" required rows="3" bind:value=text></textarea>
                <label for="shortcut-scope">{tx(Text::Scope)}</label>
                <select id="shortcut-scope" prop:value=move || scope.get() on:change=move |event| scope.set(event_target_value(&event))>
                    <option value="personal">{tx(Text::Personal)}</option>
                    {move || admin().then(|| view! { <option value="team">{tx(Text::Team)}</option> })}
                </select>
                <button type="submit">{move || t(if editing.get().is_some() { Text::SaveShortcut } else { Text::AddShortcut })}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>{tx(Text::Cancel)}</button>
                </Show>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}

fn scope_name(scope: ShortcutScope) -> &'static str {
    match scope {
        ShortcutScope::Personal => "personal",
        ShortcutScope::Team => "team",
    }
}
