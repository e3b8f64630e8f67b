//! The Beseda chat widget: Rust and Leptos' reactive graph compiled to WebAssembly, mounted in
//! an open shadow root on one element at the end of `<body>`, so the shop's CSS never reaches in
//! and the widget's never leaks out.
//!
//! `widget.js` (the loader in `widget/loader/`) defines `window.Beseda`, fetches this module
//! after the page has loaded, and calls [`start`]; the returned [`Widget`] backs the API.
//! `state` and `i18n` are plain Rust and are tested natively; `transport`, `storage` and `ui`
//! need a browser.
//!
//! The modules are layers, each calling only those below it: `digits`, `state`, `i18n`,
//! `wire`, `storage`, `events` (the page's `Beseda.on` events) and `dom` at the bottom;
//! `transport`, the one owner of the socket; the features, `prompts` and `answers`; the
//! elements, `ui`; and on top `dispatch`, which routes what the transport hands up, and this
//! file.

pub mod answers;
mod digits;
mod dispatch;
mod dom;
mod events;
pub mod i18n;
pub mod prompts;
pub mod state;
mod storage;
mod transport;
mod ui;
mod wire;

use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use state::ChatState;
use wasm_bindgen::prelude::*;
use web_sys::{ShadowRootInit, ShadowRootMode};

/// Talc in place of Rust's default allocator for wasm32: smaller and faster.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// What the loader passes to [`start`]: `{ relay, site, locales, position, color, consent }`.
struct Options {
    /// The relay's origin, e.g. `https://chat.shop.example`.
    relay: String,
    site: String,
    /// Language preferences, most preferred first (`data-locale`, `<html lang>`, the browser's).
    locales: Vec<String>,
    /// `right` (default) or `left`.
    position: String,
    /// The accent colour, e.g. `#2563eb`.
    color: String,
    /// The visitor consented to being remembered across pages (`data-consent="granted"`, or
    /// `Beseda.consent(true)` before the widget started).
    consent: bool,
}

impl Options {
    fn read(value: &JsValue) -> Result<Options, JsValue> {
        let locales = wire::items(value, "locales")
            .iter()
            .filter_map(JsValue::as_string)
            .collect();
        Ok(Options {
            relay: wire::text(value, "relay").ok_or("Beseda: the relay address is missing")?,
            site: wire::text(value, "site")
                .filter(|site| !site.is_empty())
                .unwrap_or_else(|| "default".to_owned()),
            locales,
            position: wire::text(value, "position").unwrap_or_default(),
            color: wire::text(value, "color").unwrap_or_default(),
            consent: wire::field(value, "consent").as_bool() == Some(true),
        })
    }
}

/// A colour is put into a style attribute, so only plain colour syntax is accepted.
fn safe_color(color: &str) -> String {
    let plain = !color.is_empty()
        && color.len() <= 40
        && color.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '#' | '(' | ')' | ',' | '.' | '%' | ' ')
        });
    if plain {
        color.to_owned()
    } else {
        "#2563eb".to_owned()
    }
}

/// The WebSocket address for a relay origin.
fn socket_url(relay: &str) -> String {
    let relay = relay.trim_end_matches('/');
    let relay = relay
        .strip_prefix("https://")
        .map(|rest| ["wss://", rest].concat())
        .unwrap_or_else(|| {
            relay
                .strip_prefix("http://")
                .map(|rest| ["ws://", rest].concat())
                .unwrap_or_else(|| relay.to_owned())
        });
    [relay.as_str(), "/ws/visitor"].concat()
}

/// The running widget, as the loader sees it.
#[wasm_bindgen]
pub struct Widget {
    state: RwSignal<ChatState>,
    open: RwSignal<bool>,
    /// What [`Widget::step`] sets up, piece by piece.
    setup: Setup,
    /// How many pieces are set up.
    done: u8,
}

/// What the pieces need, prepared by [`start`] and used by [`Widget::step`].
struct Setup {
    point: web_sys::HtmlElement,
    texts: &'static i18n::Texts,
    left: bool,
    accent: String,
    /// The relay's origin and the site, for the transport and the prompts.
    relay: String,
    site: String,
    /// What this browser kept, read in the first step for the transport.
    saved: Option<transport::Saved>,
    /// The visitor consented before the widget started, for the prompts.
    consent: bool,
}

#[wasm_bindgen]
impl Widget {
    /// Does the next piece of setting up: what the browser kept, the transport, the styles, the
    /// window's frame and its bindings, the prompt's bubble, the launcher, the prompts, then the
    /// window's parts, built ahead and hidden. Returns whether pieces remain.
    /// The loader calls it in idle moments, each time in a task of its own: most of a piece's
    /// time is the browser compiling the WebAssembly it runs for the first time, so the pieces
    /// are kept small enough that none of them is a long task on a slow phone.
    pub fn step(&mut self) -> bool {
        self.done += 1;
        let setup = &mut self.setup;
        match self.done {
            // What this browser kept (token, outbox): the first read of `localStorage` waits for
            // the browser, so it has a step of its own.
            1 => setup.saved = Some(transport::Saved::load(&setup.site)),
            2 => transport::start(
                socket_url(&setup.relay),
                setup.relay.clone(),
                setup.site.clone(),
                setup.saved.take().unwrap_or_default(),
                setup.texts.lang,
                dispatch::route,
                self.state,
                self.open,
            ),
            3 => ui::mount_styles(&setup.point),
            4 => ui::mount(
                &setup.point,
                setup.texts,
                setup.left,
                &setup.accent,
                self.state,
                self.open,
            ),
            // The frame's bindings, the prompt's bubble, then the launcher.
            5..=7 => {
                ui::build_step();
            }
            // The prompts, once the launcher is there: a prompt's bubble never shows without the
            // launcher it points at.
            8 => {
                if let Some(bubble) = setup.point.query_selector(".prompt").ok().flatten() {
                    let (relay, site) = (setup.relay.clone(), setup.site.clone());
                    let consent = setup.consent;
                    prompts::start(
                        relay,
                        site,
                        consent,
                        self.state,
                        self.open,
                        bubble.unchecked_into(),
                    );
                }
            }
            _ => return ui::build_step(),
        }
        true
    }

    pub fn open(&self) {
        ui::set_open(self.open, self.state, true);
    }

    pub fn close(&self) {
        ui::set_open(self.open, self.state, false);
    }

    pub fn toggle(&self) {
        ui::set_open(self.open, self.state, !self.open.get_untracked());
    }

    /// Sends a message; resolves with `{ id, author, text, sentAt }` once stored.
    pub fn send(&self, text: String) -> js_sys::Promise {
        transport::send(text, None)
    }

    /// The visitor's token, for the files module's uploads (not part of the page's API).
    pub fn token(&self) -> JsValue {
        transport::upload_token()
    }

    /// `Beseda.setVisitor({ name, email })`
    #[wasm_bindgen(js_name = setVisitor)]
    pub fn set_visitor(&self, visitor: JsValue) {
        transport::set_visitor(wire::text(&visitor, "name"), wire::text(&visitor, "email"));
    }

    /// `Beseda.setCart({ items: [{ name, qty, price }], total, currency })`
    #[wasm_bindgen(js_name = setCart)]
    pub fn set_cart(&self, cart: JsValue) {
        let cart = wire::cart(&cart);
        prompts::set_cart_total(cart.total);
        transport::set_cart(cart);
    }

    /// `Beseda.consent(true | false)`: the shop's consent banner gives or withdraws the
    /// visitor's consent to being remembered across pages and visits, for this page view.
    pub fn consent(&self, granted: JsValue) {
        prompts::consent(granted.as_bool() == Some(true));
    }

    /// `Beseda.track("order", { total })`: an order, counted for the prompt the visitor saw last.
    pub fn track(&self, name: String, data: JsValue) {
        if name == "order" {
            prompts::ordered(wire::number(&data, "total").unwrap_or(0.0));
        }
    }
}

/// Prepares the widget (options, shadow root, state) and returns its handle, to be
/// [set up](Widget::step) next. `emit(name, payload)` receives every event.
#[wasm_bindgen]
pub fn start(options: JsValue, emit: js_sys::Function) -> Result<Widget, JsValue> {
    let options = Options::read(&options)?;
    // Leptos' effects run their updates as tasks on the page's microtask queue.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let host = document.create_element("beseda-chat")?;
    body.append_child(&host)?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let mount_point: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    // The mount point must have no box of its own, or the shop's layout would move it. (Set
    // through the CSSOM: a strict Content Security Policy refuses `style` attributes.)
    mount_point.style().set_property("display", "contents")?;
    shadow.append_child(&mount_point)?;

    events::listen(emit);

    let texts = i18n::texts_for(options.locales.iter().map(String::as_str));
    // The signals live as long as the page, outside any reactive owner.
    Ok(Widget {
        state: RwSignal::new(ChatState::default()),
        open: RwSignal::new(false),
        setup: Setup {
            point: mount_point,
            texts,
            left: options.position == "left",
            accent: safe_color(&options.color),
            relay: options.relay.trim_end_matches('/').to_owned(),
            site: options.site,
            saved: None,
            consent: options.consent,
        },
        done: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_urls_follow_the_relays_scheme() {
        assert_eq!(
            socket_url("https://chat.shop.example"),
            "wss://chat.shop.example/ws/visitor"
        );
        assert_eq!(
            socket_url("http://127.0.0.1:8080/"),
            "ws://127.0.0.1:8080/ws/visitor"
        );
    }

    /// The modules named after `crate::` in a source: `crate::a::b` and `crate::{a, b::c}` name
    /// `a` (and `b`).
    fn named_modules(source: &str) -> Vec<&str> {
        let mut names = Vec::new();
        for (index, _) in source.match_indices("crate::") {
            let rest = &source[index + "crate::".len()..];
            // A group names each of its items; a path names its first segment.
            let items: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .collect(),
                None => vec![rest],
            };
            for item in items {
                let name = item
                    .trim_start()
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default();
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The modules in layers, lowest first: each may name only those before it, so that none
    /// calls up into another and no circle forms. Above all the transport, the socket's owner,
    /// names no feature: what it brings goes up through `dispatch`.
    #[test]
    fn the_modules_call_only_downwards() {
        let layers: [(&str, &[&str]); 12] = [
            ("digits", &[include_str!("digits.rs")]),
            ("i18n", &[include_str!("i18n.rs")]),
            ("wire", &[include_str!("wire.rs")]),
            ("dom", &[include_str!("dom.rs")]),
            ("events", &[include_str!("events.rs")]),
            ("state", &[include_str!("state.rs")]),
            ("storage", &[include_str!("storage.rs")]),
            ("transport", &[include_str!("transport.rs")]),
            ("answers", &[include_str!("answers.rs")]),
            (
                "prompts",
                &[
                    include_str!("prompts/mod.rs"),
                    include_str!("prompts/memory.rs"),
                    include_str!("prompts/rules.rs"),
                ],
            ),
            (
                "ui",
                &[
                    include_str!("ui/mod.rs"),
                    include_str!("ui/footer.rs"),
                    include_str!("ui/log.rs"),
                ],
            ),
            ("dispatch", &[include_str!("dispatch.rs")]),
        ];
        for (place, (module, sources)) in layers.iter().enumerate() {
            let below: Vec<&str> = layers[..place].iter().map(|(name, _)| *name).collect();
            for source in *sources {
                for named in named_modules(source) {
                    assert!(
                        below.contains(&named),
                        "`{module}` names `crate::{named}`, which is not below it"
                    );
                }
            }
        }
    }

    #[test]
    fn only_plain_colours_reach_the_style_attribute() {
        assert_eq!(safe_color("#ff0000"), "#ff0000");
        assert_eq!(safe_color("rgb(1, 2, 3)"), "rgb(1, 2, 3)");
        assert_eq!(safe_color("red;background:url(x)"), "#2563eb");
        assert_eq!(safe_color(""), "#2563eb");
    }
}
