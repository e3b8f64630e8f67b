//! The page's events: what the shop hears through `Beseda.on(name, handler)` (`ready` is the
//! loader's own; `message`, `open`, `close`, `availability`, `prompt:shown`,
//! `prompt:dismissed` and `error` come from here).
//!
//! A leaf every other module may call: it knows nothing of the socket or of the elements. The
//! loader's dispatcher is kept in a thread-local, since everything runs on the page's one thread
//! and every part of the widget announces something.

use std::cell::OnceCell;
use wasm_bindgen::JsValue;

thread_local! {
    /// Set once, at the start: no borrow is ever held, so a handler may call the widget, which
    /// may announce something in turn.
    static EMIT: OnceCell<js_sys::Function> = const { OnceCell::new() };
}

/// Keeps the loader's `emit(name, payload)`, which calls the page's handlers.
pub fn listen(emit: js_sys::Function) {
    EMIT.with(|cell| {
        let _ = cell.set(emit);
    });
}

/// Announces an event to the page's `Beseda.on` handlers.
pub fn emit(name: &str, payload: &JsValue) {
    EMIT.with(|cell| {
        if let Some(emit) = cell.get() {
            let _ = emit.call2(&JsValue::NULL, &JsValue::from_str(name), payload);
        }
    });
}
