//! Desktop notifications for a new chat, only when the operator asked for them and only while
//! the console's tab is hidden (a visible console shows the chat in its list already).

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Notification, NotificationOptions, NotificationPermission, VisibilityState};

/// Whether the browser has allowed notifications.
pub fn permitted() -> bool {
    Notification::permission() == NotificationPermission::Granted
}

/// Asks the browser for permission; `done` learns whether it was given.
pub fn ask(done: impl FnOnce(bool) + 'static) {
    if permitted() {
        return done(true);
    }
    let callback: Closure<dyn FnMut(wasm_bindgen::JsValue)> =
        Closure::once(move |permission: wasm_bindgen::JsValue| {
            done(permission.as_string().as_deref() == Some("granted"));
        });
    if let Ok(promise) = Notification::request_permission() {
        let _ = promise.then(&callback);
        // The promise settles once; the callback must live until then.
        callback.forget();
    }
}

fn hidden() -> bool {
    web_sys::window()
        .and_then(|window| window.document())
        .is_some_and(|document| document.visibility_state() == VisibilityState::Hidden)
}

/// Shows "New chat" with the visitor and their first words.
pub fn new_chat(visitor: &str, text: &str) {
    if !hidden() || !permitted() {
        return;
    }
    let options = NotificationOptions::new();
    let body = if text.is_empty() {
        visitor.to_owned()
    } else {
        format!("{visitor}: {text}")
    };
    options.set_body(&body);
    options.set_tag("beseda-new-chat");
    if let Ok(notification) =
        Notification::new_with_options(crate::i18n::t(crate::i18n::Text::NewChat), &options)
    {
        let focus = Closure::<dyn FnMut()>::new(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
        });
        notification.set_onclick(Some(focus.as_ref().unchecked_ref()));
        // The notification may be clicked at any later time.
        focus.forget();
    }
}
