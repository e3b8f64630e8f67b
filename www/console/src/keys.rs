//! The console's keyboard shortcuts, so that an operator works without a mouse: Alt+N opens the
//! next conversation waiting for an answer, Alt+↓ and Alt+↑ move through the list, Alt+M goes
//! to the message box, Alt+R resolves, and "?" (outside a text field) lists them all. Alt with
//! a letter is what browsers leave to pages; the physical key is read, so that the shortcuts
//! sit in the same place on every keyboard layout.

use crate::app::{self, Console, View};
use crate::i18n::{Text, t, tx};
use crate::{api, conversation, navigation};
use beseda_protocol::ConversationStatus;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The shortcuts as the help lists them: the keys shown, and what they do.
const SHORTCUTS: [(&str, Text); 7] = [
    ("Alt+N", Text::ShortcutNextWaiting),
    ("Alt+↓", Text::ShortcutNextConversation),
    ("Alt+↑", Text::ShortcutPreviousConversation),
    ("Alt+M", Text::ShortcutComposer),
    ("Alt+R", Text::ShortcutResolve),
    ("/", Text::ShortcutSavedAnswer),
    ("?", Text::ShortcutHelp),
];

/// Listens for the shortcuts on the whole page while the console is signed in.
pub fn listen(console: Console) {
    let handle = window_event_listener(ev::keydown, move |event| on_key(console, &event));
    on_cleanup(move || handle.remove());
}

fn on_key(console: Console, event: &web_sys::KeyboardEvent) {
    if event.default_prevented() || event.is_composing() {
        return;
    }
    let only_alt = event.alt_key() && !event.ctrl_key() && !event.meta_key() && !event.shift_key();
    let done = if only_alt {
        match event.code().as_str() {
            "KeyN" => {
                open_next_waiting(console);
                true
            }
            // Alt+↓ opens a drop-down list: there the keys stay the browser's.
            "ArrowDown" | "ArrowUp" if on_select(event) => false,
            "ArrowDown" => step(console, 1),
            "ArrowUp" => step(console, -1),
            "KeyM" => focus_composer(),
            "KeyR" => resolve(console),
            _ => false,
        }
    } else if event.key() == "?" && !event.ctrl_key() && !event.meta_key() && !in_text_field(event)
    {
        console.shortcuts_help.set(true);
        true
    } else {
        false
    };
    if done {
        event.prevent_default();
    }
}

/// Whether the key goes to a drop-down list.
fn on_select(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| element.tag_name() == "SELECT")
}

/// Whether the key goes into something the operator types in, where "?" is a character.
fn in_text_field(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match element.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => {
            let kind = element.get_attribute("type").unwrap_or_default();
            !matches!(
                kind.as_str(),
                "checkbox" | "radio" | "button" | "submit" | "reset" | "file"
            )
        }
        _ => element
            .get_attribute("contenteditable")
            .is_some_and(|value| value != "false"),
    }
}

/// Opens `id` on the Conversations screen, its composer then taking the focus.
fn open(console: Console, id: beseda_protocol::ConversationId) {
    console.view.set(View::Conversations);
    console.focus_composer.set(true);
    if console.state.with_untracked(|state| state.selected) == Some(id) {
        // Already on screen: the composer is there to take the focus now.
        focus_composer();
        console.focus_composer.set(false);
    } else {
        app::open_conversation(console, id);
    }
}

fn open_next_waiting(console: Console) {
    let me = console.me.with_untracked(|me| me.id);
    match console
        .state
        .with_untracked(|state| navigation::next_waiting(state, me))
    {
        Some(id) => {
            if console.tab.get_untracked() != ConversationStatus::Open {
                console.tab.set(ConversationStatus::Open);
            }
            open(console, id);
        }
        None => console.announce(t(Text::NothingWaiting).to_owned()),
    }
}

/// Alt+↓ / Alt+↑: the neighbour in the list on screen. Only on the Conversations screen, where
/// the list is; elsewhere the keys are left alone.
fn step(console: Console, step: isize) -> bool {
    if console.view.get_untracked() != View::Conversations {
        return false;
    }
    let tab = console.tab.get_untracked();
    if let Some(id) = console
        .state
        .with_untracked(|state| navigation::neighbour(state, tab, step))
    {
        open(console, id);
    }
    true
}

/// Puts the focus in the message box, when a conversation is on screen.
fn focus_composer() -> bool {
    let composer = document()
        .get_element_by_id("composer-text")
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    match composer {
        Some(composer) => composer.focus().is_ok(),
        None => false,
    }
}

/// Alt+R: resolves the open conversation, and says so (the button that did it is not where the
/// operator is).
fn resolve(console: Console) -> bool {
    let open = console.state.with_untracked(|state| {
        state
            .open
            .as_ref()
            .filter(|open| open.detail.status == ConversationStatus::Open)
            .map(|open| open.detail.id)
    });
    let Some(id) = open.filter(|_| console.view.get_untracked() == View::Conversations) else {
        return false;
    };
    spawn_local(async move {
        let answer = api::resolve(id).await;
        if answer.is_ok() {
            console.announce(t(Text::ConversationResolvedNow).to_owned());
        }
        conversation::changed(console, answer);
    });
    true
}

/// The list of shortcuts: a button in the header opens it, and so does "?"; Escape or its
/// button closes it, and the focus goes back where it was.
#[component]
pub fn ShortcutsHelp() -> impl IntoView {
    let console = app::console();
    let dialog: NodeRef<html::Dialog> = NodeRef::new();
    Effect::new(move |_| {
        let wanted = console.shortcuts_help.get();
        if let Some(dialog) = dialog.get() {
            if wanted && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !wanted && dialog.open() {
                dialog.close();
            }
        }
    });
    view! {
        <button type="button" aria-haspopup="dialog" on:click=move |_| console.shortcuts_help.set(true)>
            {tx(Text::KeyboardShortcuts)}
        </button>
        <dialog
            class="shortcuts"
            node_ref=dialog
            aria-labelledby="shortcuts-title"
            on:close=move |_| console.shortcuts_help.set(false)
        >
            <h2 id="shortcuts-title">{tx(Text::KeyboardShortcuts)}</h2>
            <dl>
                {SHORTCUTS
                    .into_iter()
                    .map(|(keys, what)| view! { <dt><kbd>{keys}</kbd></dt><dd>{tx(what)}</dd> })
                    .collect_view()}
            </dl>
            <form method="dialog">
                <button type="submit">{tx(Text::CloseShortcuts)}</button>
            </form>
        </dialog>
    }
}
