//! The page's events: what the shop hears through `Beseda.on(name, handler)` (`ready` is the
//! loader's own; `message`, `open`, `close`, `availability`, `prompt:shown`,
//! `prompt:dismissed` and `error` come from here).
//!
//! A leaf every other module may call: it knows nothing of the socket or of the elements. The
//! loader's dispatcher is kept in a thread-local, since everything runs on the page's one thread
//! and every part of the widget announces something.

use std::cell::RefCell;
use wasm_bindgen::JsValue;

thread_local! {
    static EMIT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Keeps the loader's `emit(name, payload)`, which calls the page's handlers.
pub fn listen(emit: js_sys::Function) {
    EMIT.with(|cell| *cell.borrow_mut() = Some(emit));
}

/// Announces an event to the page's `Beseda.on` handlers.
pub fn emit(name: &str, payload: &JsValue) {
    // Cloned out first: a handler may call the widget, which may announce something in turn.
    let emit = EMIT.with(|cell| cell.borrow().clone());
    if let Some(emit) = emit {
        let _ = emit.call2(&JsValue::NULL, &JsValue::from_str(name), payload);
    }
}
