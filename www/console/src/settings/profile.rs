//! My profile: the display name and photo that visitors see once the operator joins, the
//! console's language, and my password.

use crate::i18n::{self, Language, Text, t, tx};
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
            language: None,
        };
        spawn_local(async move {
            let result = api::update_me(&update).await;
            outcome.set(Outcome::of(&result, t(Text::ProfileSaved)));
            if let Ok(profile) = result {
                console.me.set(profile);
                app::reload_operators(console);
            }
        });
    };
    view! {
        <section aria-labelledby="profile-title">
            <h2 id="profile-title">{tx(Text::MyProfile)}</h2>
            <form class="fields" on:submit=save>
                <label for="profile-name">{tx(Text::DisplayName)}</label>
                <input id="profile-name" type="text" required maxlength="80" bind:value=name/>
                <label for="profile-photo">{tx(Text::PhotoUrl)}</label>
                <input id="profile-photo" type="url" placeholder="https://…" bind:value=photo/>
                <button type="submit">{tx(Text::SaveProfile)}</button>
                <OutcomeLine outcome=outcome/>
            </form>
            <LanguageChoice/>
        </section>
    }
}

/// The console's language: changed on screen at once and kept with the operator's profile on
/// the relay, so that it follows them to another computer. Each language is named in itself.
#[component]
fn LanguageChoice() -> impl IntoView {
    let console = app::console();
    let outcome = RwSignal::new(Outcome::default());
    let choose = move |event: web_sys::Event| {
        let Some(language) = Language::from_tag(&event_target_value(&event)) else {
            return;
        };
        i18n::current().set(language);
        let update = OperatorUpdate {
            language: Some(language.code().to_owned()),
            ..OperatorUpdate::default()
        };
        spawn_local(async move {
            let result = api::update_me(&update).await;
            outcome.set(Outcome::of(&result, t(Text::LanguageSaved)));
            if let Ok(profile) = result {
                console.me.set(profile);
            }
        });
    };
    view! {
        <form class="fields" on:submit=|event: web_sys::SubmitEvent| event.prevent_default()>
            <label for="profile-language">{tx(Text::ConsoleLanguage)}</label>
            <select
                id="profile-language"
                prop:value=move || i18n::language().code()
                on:change=choose
            >
                {Language::ALL
                    .into_iter()
                    .map(|language| {
                        view! {
                            <option value=language.code() lang=language.code()>
                                {language.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <OutcomeLine outcome=outcome/>
        </form>
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
            outcome.set(Outcome::of(&result, t(Text::PasswordChanged)));
            if result.is_ok() {
                current.set(String::new());
                new.set(String::new());
            }
        });
    };
    view! {
        <section aria-labelledby="password-title">
            <h2 id="password-title">{tx(Text::Password)}</h2>
            <form class="fields" on:submit=change>
                <label for="password-current">{tx(Text::CurrentPassword)}</label>
                <input id="password-current" type="password" autocomplete="current-password" required bind:value=current/>
                <label for="password-new">{tx(Text::NewPassword)}</label>
                <input id="password-new" type="password" autocomplete="new-password" required minlength="8" bind:value=new/>
                <button type="submit">{tx(Text::ChangePassword)}</button>
                <OutcomeLine outcome=outcome/>
            </form>
        </section>
    }
}
