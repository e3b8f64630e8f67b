//! My profile: the display name and photo that visitors see once the operator joins, and my
//! password.

use crate::outcome::{Outcome, OutcomeLine};
use crate::{api, app};
use beseda_protocol::api::{OperatorUpdate, PasswordChange};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Profile() -> impl IntoView {
    let console = app::console();
    let me = console.me.get_untracked();
    let name = RwSignal::new(me.name);
    let photo = RwSignal::new(me.photo_url.unwrap_or_default());
    let outcome = RwSignal::new(Outcome::default());
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let update = OperatorUpdate {
            name: Some(name.get_untracked().trim().to_owned()),
            photo_url: Some(photo.get_untracked().trim().to_owned()),
            admin: None,
        };
        spawn_local(async move {
            let result = api::update_me(&update).await;
            outcome.set(Outcome::of(&result, "Profile saved."));
            if let Ok(profile) = result {
                console.me.set(profile);
                app::reload_operators(console);
            }
        });
    };
    view! {
        <section aria-labelledby="profile-title">
            <h2 id="profile-title">"My profile"</h2>
            <form class="fields" on:submit=save>
                <label for="profile-name">"Display name"</label>
                <input id="profile-name" type="text" required maxlength="80" bind:value=name/>
                <label for="profile-photo">"Photo URL"</label>
                <input id="profile-photo" type="url" placeholder="https://…" bind:value=photo/>
                <button type="submit">"Save profile"</button>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}

/// Changing one's own password: the relay wants the current one and signs out every other
/// console of the operator (this one stays signed in).
#[component]
pub fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let outcome = RwSignal::new(Outcome::default());
    let change = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let change = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        spawn_local(async move {
            let result = api::change_password(&change).await;
            outcome.set(Outcome::of(
                &result,
                "Password changed. Your other sessions are signed out.",
            ));
            if result.is_ok() {
                current.set(String::new());
                new.set(String::new());
            }
        });
    };
    view! {
        <section aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <form class="fields" on:submit=change>
                <label for="password-current">"Current password"</label>
                <input id="password-current" type="password" autocomplete="current-password" required bind:value=current/>
                <label for="password-new">"New password"</label>
                <input id="password-new" type="password" autocomplete="new-password" required minlength="8" bind:value=new/>
                <button type="submit">"Change password"</button>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}
