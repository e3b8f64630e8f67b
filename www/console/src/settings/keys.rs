//! API keys (admins): a key lets another system (a CRM, the shop's order system) use the REST
//! API as the admin who made it, reading only or reading and writing, for every site or one.
//! The key is shown once, right after it is made; the list shows its first characters only.

use crate::api;
use crate::i18n::{self, Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::time;
use beseda_protocol::keys::{ApiKeyInfo, KeyScope, NewApiKey};
use leptos::prelude::*;
use leptos::task::spawn_local;

fn scope_text(scope: KeyScope) -> &'static str {
    match scope {
        KeyScope::Read => t(Text::ScopeRead),
        KeyScope::ReadWrite => t(Text::ScopeReadWrite),
    }
}

#[component]
pub fn ApiKeys() -> impl IntoView {
    let keys = RwSignal::new(Vec::<ApiKeyInfo>::new());
    let outcome = RwSignal::new(Outcome::default());
    let name = RwSignal::new(String::new());
    let read_write = RwSignal::new(false);
    let site = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move {
            match api::keys().await {
                Ok(list) => keys.set(list),
                Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    };
    reload();
    let create = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let site = site.get_untracked().trim().to_owned();
        let request = NewApiKey {
            name: name.get_untracked().trim().to_owned(),
            scope: if read_write.get_untracked() {
                KeyScope::ReadWrite
            } else {
                KeyScope::Read
            },
            site: (!site.is_empty()).then_some(site),
        };
        spawn_local(async move {
            let result = api::create_key(&request).await;
            outcome.set(Outcome::of(&result, t(Text::KeyCreated)));
            if let Ok(created) = result {
                shown.set(Some(created.key));
                name.set(String::new());
                reload();
            }
        });
    };
    let revoke = move |id: i64| {
        spawn_local(async move {
            let result = api::revoke_key(id).await;
            outcome.set(Outcome::of(&result, t(Text::KeyRevoked)));
            reload();
        });
    };
    let rows = move || {
        let language = i18n::current().get();
        keys.get()
            .into_iter()
            .map(|key| {
                let id = key.id;
                let label = key.name.clone();
                let used = key
                    .last_used_at
                    .as_deref()
                    .map(|at| time::date_time(language, at))
                    .unwrap_or_else(|| t(Text::NeverUsed).to_owned());
                view! {
                    <tr>
                        <td>{key.name}</td>
                        <td><code>{key.prefix}"…"</code></td>
                        <td>{scope_text(key.scope)}</td>
                        <td>{key.site.unwrap_or_else(|| t(Text::AllSites).into())}</td>
                        <td>{key.created_by}</td>
                        <td>{used}</td>
                        <td>
                            <button
                                type="button"
                                aria-label=move || tf(Text::RevokeKeyNamed, &[("name", &label)])
                                on:click=move |_| revoke(id)
                            >
                                {tx(Text::RevokeKey)}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-labelledby="keys-title">
            <h2 id="keys-title">{tx(Text::ApiKeys)}</h2>
            <p class="hint">{tx(Text::ApiKeysHint)}</p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::KeyName)}</th>
                        <th scope="col">{tx(Text::KeyStart)}</th>
                        <th scope="col">{tx(Text::KeyScopeLabel)}</th>
                        <th scope="col">{tx(Text::Site)}</th>
                        <th scope="col">{tx(Text::CreatedBy)}</th>
                        <th scope="col">{tx(Text::LastUsed)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form class="fields" on:submit=create aria-label=tx(Text::NewApiKey)>
                <label for="key-name">{tx(Text::KeyName)}</label>
                <input id="key-name" type="text" required maxlength="100" bind:value=name/>
                <span class="check">
                    <input id="key-write" type="checkbox" bind:checked=read_write/>
                    <label for="key-write">{tx(Text::ScopeReadWrite)}</label>
                </span>
                <label for="key-site">{tx(Text::KeySite)}</label>
                <input id="key-site" type="text" bind:value=site/>
                <button type="submit">{tx(Text::CreateKey)}</button>
                <OutcomeLine outcome=outcome/>
            </form>
            <Show when=move || shown.get().is_some()>
                <div class="secret">
                    <label id="key-shown-label" for="key-shown">{tx(Text::KeyShownOnce)}</label>
                    <input
                        id="key-shown"
                        type="text"
                        readonly
                        prop:value=move || shown.get().unwrap_or_default()
                    />
                    <button type="button" on:click=move |_| shown.set(None)>{tx(Text::Dismiss)}</button>
                </div>
            </Show>
        </section>
    }
}
