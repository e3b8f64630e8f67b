//! What the widget keeps in the visitor's browser: the visitor token (only after they wrote) and
//! the outbox of messages not yet acknowledged. A browser that refuses storage (private modes,
//! blocked cookies) simply gets a chat that forgets on reload.

use crate::state::Pending;
use crate::wire;
use beseda_protocol::ClientMessageId;
use js_sys::{Array, JSON, Object};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
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

/// The text kept under `key`, if any.
fn read(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok()?
}

/// Keeps `value` under `key`; `None` forgets the key.
pub(crate) fn write(key: &str, value: Option<&str>) {
    if let Some(storage) = local_storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}

/// What is kept under `key` read as JSON; `undefined` for nothing or anything else.
pub(crate) fn read_json(key: &str) -> JsValue {
    read(key)
        .and_then(|json| JSON::parse(&json).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// Keeps `value` as JSON under `key`.
pub(crate) fn write_json(key: &str, value: &JsValue) {
    if let Some(json) = JSON::stringify(value)
        .ok()
        .and_then(|json| json.as_string())
    {
        write(key, Some(&json));
    }
}

pub fn load_token(site: &str) -> Option<String> {
    read(&token_key(site))
}

pub fn save_token(site: &str, token: &str) {
    write(&token_key(site), Some(token));
}

pub fn forget_token(site: &str) {
    write(&token_key(site), None);
}

/// The outbox is a JSON array of `{ clientId, text, email? }`.
pub fn load_outbox(site: &str) -> Vec<Pending> {
    wire::list(&read_json(&outbox_key(site)))
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
    if pending.is_empty() {
        write(&outbox_key(site), None);
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
    write_json(&outbox_key(site), &list);
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
