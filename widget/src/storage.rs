//! What the widget keeps in the visitor's browser: the visitor token (only after they wrote) and
//! the outbox of messages not yet acknowledged. A browser that refuses storage (private modes,
//! blocked cookies) simply gets a chat that forgets on reload.

use crate::state::Pending;
use beseda_protocol::ClientMessageId;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Storage, StorageEvent};

#[derive(Serialize, Deserialize)]
struct StoredMessage {
    #[serde(rename = "clientId")]
    client_id: ClientMessageId,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

fn local_storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn token_key(site: &str) -> String {
    format!("beseda:{site}:token")
}

fn outbox_key(site: &str) -> String {
    format!("beseda:{site}:outbox")
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

pub fn load_outbox(site: &str) -> Vec<Pending> {
    let Some(text) =
        local_storage().and_then(|storage| storage.get_item(&outbox_key(site)).ok().flatten())
    else {
        return Vec::new();
    };
    let stored: Vec<StoredMessage> = js_sys::JSON::parse(&text)
        .ok()
        .and_then(|value| serde_wasm_bindgen::from_value(value).ok())
        .unwrap_or_default();
    stored
        .into_iter()
        .map(|message| Pending {
            client_id: message.client_id,
            text: message.text,
            email: message.email,
            refused: None,
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
    let stored: Vec<StoredMessage> = pending
        .iter()
        .map(|message| StoredMessage {
            client_id: message.client_id.clone(),
            text: message.text.clone(),
            email: message.email.clone(),
        })
        .collect();
    let text = serde_wasm_bindgen::to_value(&stored)
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok());
    if let Some(text) = text.and_then(|text| text.as_string()) {
        let _ = storage.set_item(&outbox_key(site), &text);
    }
}

/// Calls `changed` with the new token whenever another tab keeps one for this site.
pub fn on_token_change(site: &str, changed: fn(String)) {
    let key = token_key(site);
    let listener = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
        if event.key().as_deref() == Some(key.as_str())
            && let Some(token) = event.new_value()
        {
            changed(token);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    listener.forget();
}
