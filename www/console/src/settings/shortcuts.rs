//! Shortcuts: my personal ones and the team's (only admins change team shortcuts). An invalid
//! template is refused by the relay with a message saying why; it is shown as it is.

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
            outcome.set(Outcome::of(&result, "Shortcut saved."));
            if result.is_ok() {
                clear();
                app::reload_shortcuts(console);
            }
        });
    };
    let delete = move |id: ShortcutId| {
        spawn_local(async move {
            let result = api::delete_shortcut(id).await;
            outcome.set(Outcome::of(&result, "Shortcut deleted."));
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
                view! {
                    <tr>
                        <td>{format!("/{}", shortcut.name)}</td>
                        <td class="template">{shortcut.text.clone()}</td>
                        <td>{if shortcut.scope == ShortcutScope::Team { "Team" } else { "Personal" }}</td>
                        <td>
                            {changeable.then(|| view! {
                                <button type="button" aria-label=format!("Edit /{}", shortcut.name) on:click=move |_| edit(&edited)>"Edit"</button>
                                <button type="button" aria-label=format!("Delete /{}", shortcut.name) on:click=move |_| delete(id)>"Delete"</button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Shortcuts"</h2>
            <p class="hint">
                "Type / in the composer to use them. Variables: {visitor.name}, {visitor.name|vocative}, {operator.name}, {shop.name}."
            </p>
            <table>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Text"</th><th scope="col">"Scope"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <form class="fields" on:submit=save aria-label="Shortcut">
                <label for="shortcut-name">"Shortcut name"</label>
                <input id="shortcut-name" type="text" required maxlength="40" bind:value=name/>
                <label for="shortcut-text">"Shortcut text"</label>
                <textarea id="shortcut-text" required rows="3" bind:value=text></textarea>
                <label for="shortcut-scope">"Scope"</label>
                <select id="shortcut-scope" prop:value=move || scope.get() on:change=move |event| scope.set(event_target_value(&event))>
                    <option value="personal">"Personal"</option>
                    {move || admin().then(|| view! { <option value="team">"Team"</option> })}
                </select>
                <button type="submit">{move || if editing.get().is_some() { "Save shortcut" } else { "Add shortcut" }}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>"Cancel"</button>
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
