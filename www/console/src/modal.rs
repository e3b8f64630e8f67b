//! A modal dialog that asks before something is done: shown while its signal holds, closed by
//! Escape, by its Cancel button or by setting the signal back; the browser then gives the focus
//! back to what opened it.

use leptos::html;
use leptos::prelude::*;

#[component]
pub fn Modal(
    /// Whether the dialog is open; the dialog sets it back when it is closed.
    open: RwSignal<bool>,
    /// The id of the dialog's heading, its accessible name.
    labelled_by: &'static str,
    /// The id of the text that says what the dialog asks.
    described_by: &'static str,
    children: Children,
) -> impl IntoView {
    let dialog: NodeRef<html::Dialog> = NodeRef::new();
    Effect::new(move |_| {
        let wanted = open.get();
        if let Some(dialog) = dialog.get() {
            if wanted && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !wanted && dialog.open() {
                dialog.close();
            }
        }
    });
    view! {
        <dialog
            class="confirm"
            node_ref=dialog
            aria-labelledby=labelled_by
            aria-describedby=described_by
            on:close=move |_| open.set(false)
        >
            {children()}
        </dialog>
    }
}
