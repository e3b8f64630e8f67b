//! The one place where what the socket brought reaches the rest of the widget.
//!
//! The transport owns the socket and names nothing above itself; the features (prompts,
//! answers, the elements) call down into it. What a frame means for them comes back up as an
//! [`Effect`] to [`route`], which the transport is started with. So the modules form layers,
//! without a circle: `state`, `wire`, `storage`, `events`, `dom` below; the transport; the
//! prompts and the answers; the elements (`ui`); and this, with `lib.rs`, on top.

use crate::state::Effect;
use crate::{answers, events, prompts, wire};

/// Routes an effect the transport did not finish itself.
pub fn route(effect: Effect) {
    match effect {
        Effect::Shown(message) => events::emit("message", &wire::public_message(&message)),
        Effect::Availability(online) => {
            // Nobody to answer: a prompt offering help goes away.
            if !online {
                prompts::hide();
            }
            let payload = js_sys::Object::new();
            wire::set(&payload, "online", wasm_bindgen::JsValue::from_bool(online));
            events::emit("availability", &payload);
        }
        Effect::Answers(query, hits) => answers::receive(query, hits),
        // A conversation counts for the prompt the visitor saw last.
        Effect::Wrote => prompts::talked(),
        // The chat cannot work on this page (an unknown site, say): the shop hears why. The
        // window shows it from the state (`Link::Refused`).
        Effect::Fatal(code, text) => {
            let payload = js_sys::Object::new();
            wire::set(&payload, "code", code.as_str());
            wire::set(&payload, "message", text.as_str());
            events::emit("error", &payload);
        }
        // The transport's own: the sends' promises, the token, forgetting an erased visitor.
        Effect::Stored(..) | Effect::Refused(..) | Effect::Token(_) | Effect::Erased => {}
    }
}
