//! The sign-in form: email and password, `POST /api/login`, and the relay's refusal, in the
//! language the browser prefers (the operator's own is known only once signed in).

use crate::i18n::{Text, tx};
use crate::{api, app};
use beseda_protocol::api::LoginRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SignIn() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::login(&request).await {
                Ok(login) => {
                    password.set(String::new());
                    app::sign_in(login.token, login.operator);
                }
                Err(refusal) => {
                    error.set(Some(refusal.message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <main class="sign-in">
            <form on:submit=submit aria-labelledby="sign-in-title">
                <h1 id="sign-in-title">{tx(Text::ConsoleTitle)}</h1>
                <label for="sign-in-email">{tx(Text::Email)}</label>
                <input id="sign-in-email" type="email" autocomplete="username" required bind:value=email/>
                <label for="sign-in-password">{tx(Text::Password)}</label>
                <input
                    id="sign-in-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    bind:value=password
                />
                <p class="error" role="alert">{move || error.get()}</p>
                <button type="submit" disabled=move || busy.get()>{tx(Text::SignIn)}</button>
            </form>
        </main>
    }
}
