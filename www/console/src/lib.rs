//! The Beseda operator console: a Leptos app compiled to WebAssembly and served by the relay at
//! `/console/`. Operators sign in, see the shop's conversations live over `/ws/operator`, answer,
//! and manage shortcuts, the team and the sites.
//!
//! `state` (the pure `apply(state, frame)`), `picker` (the "/" shortcut picker) and `time`'s
//! durations are plain Rust, tested natively, and so is `i18n`, the catalogue of the console's
//! six languages; `api` (REST), `socket` (the one owner of the
//! socket), `notify` and the components need a browser. Every text from the network goes into
//! the DOM as text, never as HTML.

mod answers;
mod api;
mod app;
mod composer;
mod context;
mod conversation;
mod files;
mod history;
pub mod i18n;
mod keys;
mod list;
mod modal;
pub mod navigation;
mod notify;
mod outcome;
pub mod picker;
mod privacy;
mod reports;
mod settings;
mod shell;
mod signin;
mod socket;
pub mod state;
mod time;
mod tray;

use beseda_protocol::OperatorProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

/// Mounts the console on the page; runs once the WebAssembly is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(Root);
}

/// Decides between the sign-in form and the console, by the session.
#[component]
fn Root() -> impl IntoView {
    // The language's signal is made here, under the root that lives as long as the page: made
    // first inside the sign-in form, it would go with the form.
    i18n::current();
    let session = RwSignal::new(None::<OperatorProfile>);
    let checking = RwSignal::new(false);
    app::set_session_signal(session);
    api::on_unauthorized(app::sign_out);
    if let Some(token) = app::stored_token() {
        api::set_token(Some(token));
        checking.set(true);
        spawn_local(async move {
            match api::me().await {
                Ok(me) => session.set(Some(me)),
                Err(error) if error.status == 401 => app::sign_out(),
                // The relay is unreachable: the sign-in form is the place to try again.
                Err(_) => api::set_token(None),
            }
            checking.set(false);
        });
    }
    let signed_in = Memo::new(move |_| session.with(Option::is_some));
    // The operator's stored language, once known, is the one on screen; `<html lang>` and the
    // title follow whichever it is, so that screen readers read the page in the right language.
    Effect::new(move |_| {
        session.with(|session| {
            if let Some(me) = session {
                i18n::follow(me.language.as_deref());
            }
        });
    });
    Effect::new(move |_| {
        let language = i18n::language();
        if let Some(document) = web_sys::window().and_then(|window| window.document()) {
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", language.code());
            }
            document.set_title(language.text(i18n::Text::ConsoleTitle));
        }
    });
    view! {
        <Show
            when=move || !checking.get()
            fallback=|| view! { <p class="loading" role="status">{i18n::tx(i18n::Text::Loading)}</p> }
        >
            <Show when=move || signed_in.get() fallback=signin::SignIn>
                {move || {
                    session
                        .get_untracked()
                        .map(|me| view! { <shell::Shell me=me/> })
                }}
            </Show>
        </Show>
    }
}
