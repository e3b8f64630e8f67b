//! What the widget keeps in the visitor's browser: the visitor token (only after they wrote) and
//! the outbox of messages not yet acknowledged. A browser that refuses storage (private modes,
//! blocked cookies) simply gets a chat that forgets on reload.

use crate::state::Pending;
use crate::wire;
use beseda_protocol::ClientMessageId;
use js_sys::{Array, JSON, Object};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Storage, StorageEvent};

pub(crate) fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn token_key(site: &str) -> String {
    ["beseda:", site, ":token"].concat()
}

fn outbox_key(site: &str) -> String {
    ["beseda:", site, ":outbox"].concat()
}

pub fn load_token(site: &str) -> Option<String> {
    local_storage()?.get_item(&token_key(site)).ok()?
}

pub fn save_token(site: &str, token: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(&token_key(site), token);
    }
}

pub fn forget_token(site: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&token_key(site));
    }
}

/// The outbox is a JSON array of `{ clientId, text, email? }`.
pub fn load_outbox(site: &str) -> Vec<Pending> {
    let Some(json) =
        local_storage().and_then(|storage| storage.get_item(&outbox_key(site)).ok().flatten())
    else {
        return Vec::new();
    };
    let Ok(list) = JSON::parse(&json) else {
        return Vec::new();
    };
    wire::list(&list)
        .iter()
        .filter_map(|stored| {
            Some(Pending {
                client_id: ClientMessageId(wire::text(stored, "clientId")?),
                text: wire::text(stored, "text")?,
                email: wire::text(stored, "email"),
                refused: None,
            })
        })
        .collect()
}

pub fn save_outbox(site: &str, pending: &[Pending]) {
    let Some(storage) = local_storage() else {
        return;
    };
    if pending.is_empty() {
        let _ = storage.remove_item(&outbox_key(site));
        return;
    }
    let list = Array::new();
    for message in pending {
        let stored = Object::new();
        wire::set(&stored, "clientId", message.client_id.0.as_str());
        wire::set(&stored, "text", message.text.as_str());
        if let Some(email) = &message.email {
            wire::set(&stored, "email", email.as_str());
        }
        list.push(&stored);
    }
    if let Some(json) = JSON::stringify(&list)
        .ok()
        .and_then(|json| json.as_string())
    {
        let _ = storage.set_item(&outbox_key(site), &json);
    }
}

/// Calls `changed` with the new token whenever another tab keeps one for this site.
pub fn on_token_change(site: &str, changed: fn(String)) {
    on_change(token_key(site), changed);
}

/// Calls `changed` with the new value whenever another tab sets `key`.
pub fn on_change(key: String, changed: fn(String)) {
    let listener = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
        if event.key().as_deref() == Some(key.as_str())
            && let Some(value) = event.new_value()
        {
            changed(value);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    listener.forget();
}
