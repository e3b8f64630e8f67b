//! The prompts' memory, where it lives: this page view's, held in the page, until the visitor
//! consents; then the browser's, kept in `localStorage` across pages and visits. A dismissal is
//! stored either way: the visitor asked for it.

use super::{Runtime, rules::Memory, with};
use crate::storage;
use js_sys::Array;
use wasm_bindgen::JsValue;

pub(super) fn storage_key(site: &str) -> String {
    ["beseda:", site, ":prompts"].concat()
}

pub(super) fn load(site: &str) -> Memory {
    let stored = crate::wire::list(&storage::read_json(&storage_key(site)));
    let numbers: Vec<f64> = stored
        .iter()
        .map(|number| number.as_f64().unwrap_or(0.0))
        .collect();
    let mut memory = Memory::from_numbers(&numbers);
    // The last prompt's view id follows the numbers, as text.
    memory.view = stored
        .last()
        .and_then(JsValue::as_string)
        .unwrap_or_default();
    memory
}

fn save(site: &str, memory: &Memory) {
    let list = Array::new();
    for number in memory.to_numbers() {
        list.push(&JsValue::from_f64(number));
    }
    if !memory.view.is_empty() {
        list.push(&JsValue::from_str(&memory.view));
    }
    storage::write_json(&storage_key(site), &list);
}

/// Reads, changes and writes the memory at once, so that tabs do not undo each other's changes;
/// without consent, changes this page view's memory only.
pub(super) fn remember<R>(runtime: &Runtime, change: impl FnOnce(&mut Memory) -> R) -> R {
    let mut memory = take(runtime);
    let result = change(&mut memory);
    give_back(runtime, memory, true);
    result
}

/// Reads what the prompts remember now: the kept memory, or this page view's.
pub(super) fn recall<R>(runtime: &Runtime, read: impl FnOnce(&Memory) -> R) -> R {
    let memory = take(runtime);
    let result = read(&memory);
    give_back(runtime, memory, false);
    result
}

/// The kept memory as stored, or this page view's, taken out of the page until [`give_back`].
fn take(runtime: &Runtime) -> Memory {
    if runtime.kept.get() {
        load(&runtime.site)
    } else {
        runtime.memory.take()
    }
}

/// Puts this page view's memory back, or writes the kept one if it `changed`.
fn give_back(runtime: &Runtime, memory: Memory, changed: bool) {
    if !runtime.kept.get() {
        runtime.memory.replace(memory);
    } else if changed {
        save(&runtime.site, &memory);
    }
}

/// `Beseda.consent(granted)`: with consent the memory is kept across pages and visits from now
/// on (this page view included); without it, what was kept is cleared but for the prompts the
/// visitor closed. Only for this page view: the shop's consent banner says it on every page.
pub fn consent(granted: bool) {
    with(|runtime| {
        runtime.consent.set(granted);
        if granted {
            if !runtime.rules.borrow().is_empty() {
                runtime.keep();
            }
            return;
        }
        let site = &runtime.site;
        if runtime.kept.replace(false) {
            // The page view goes on with what it knew, in the page.
            *runtime.memory.borrow_mut() = load(site);
        }
        let closed = load(site).dismissals_only();
        if !closed.dismissed.is_empty() {
            save(site, &closed);
        } else {
            // Removing what is not there writes nothing.
            storage::write(&storage_key(site), None);
        }
    });
}

/// The visitor closed prompt `id`: it stays away for `days`, stored even without consent.
pub(super) fn dismiss(runtime: &Runtime, id: i64, days: f64) {
    let at = js_sys::Date::now();
    remember(runtime, |memory| memory.dismiss(id, days, at));
    if !runtime.kept.get() {
        let mut stored = load(&runtime.site);
        stored.dismiss(id, days, at);
        save(&runtime.site, &stored);
    }
}

impl Runtime {
    /// Consent given: this page view's memory joins what the browser kept, which is used from
    /// now on.
    pub(super) fn keep(&self) {
        if self.kept.replace(true) {
            return;
        }
        let mut memory = load(&self.site);
        memory.keep(&self.memory.borrow());
        save(&self.site, &memory);
    }
}
