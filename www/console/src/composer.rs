//! The composer: Enter sends (over the socket, idempotent by client id), Shift+Enter starts a
//! new line, typing is announced to the visitor (throttled, stopped when idle or sent), and "/"
//! opens the shortcut picker whose choice is rendered with the conversation's values. Files
//! attached, dropped or pasted go with the text as one message, uploaded over HTTP.

use crate::app::{self, Console};
use crate::i18n::{Text, tx};
use crate::picker::{self, SlashQuery};
use crate::socket;
use crate::tray::{self, Tray};
use beseda_protocol::ConversationId;
use beseda_protocol::api::Shortcut;
use beseda_protocol::template::{Values, render};
use leptos::html;
use leptos::prelude::*;
use std::time::Duration;

/// How often "typing" is repeated while the operator keeps typing, in milliseconds.
const TYPING_REPEAT_MS: f64 = 3_000.0;
/// How long after the last keystroke the operator counts as no longer typing.
const TYPING_IDLE: Duration = Duration::from_secs(4);

/// The typing announcement of one composer.
#[derive(Clone, Copy)]
struct Typing {
    conversation_id: ConversationId,
    /// When "typing" was last sent, or 0 when the visitor was last told "stopped".
    sent_at: StoredValue<f64>,
    idle: StoredValue<Option<TimeoutHandle>>,
}

impl Typing {
    fn keystroke(self) {
        let now = js_sys::Date::now();
        if now - self.sent_at.get_value() > TYPING_REPEAT_MS {
            socket::send_typing(self.conversation_id, true);
            self.sent_at.set_value(now);
        }
        if let Some(idle) = self.idle.get_value() {
            idle.clear();
        }
        let handle = set_timeout_with_handle(move || self.stop(), TYPING_IDLE).ok();
        self.idle.set_value(handle);
    }

    fn stop(self) {
        if let Some(idle) = self.idle.try_get_value().flatten() {
            idle.clear();
        }
        self.idle.try_set_value(None);
        if self.sent_at.try_get_value().unwrap_or(0.0) > 0.0 {
            socket::send_typing(self.conversation_id, false);
            self.sent_at.try_set_value(0.0);
        }
    }
}

/// The values a shortcut's variables take in this conversation.
fn render_shortcut(console: Console, shortcut: &Shortcut) -> String {
    let operator_name = console.me.with_untracked(|me| me.name.clone());
    console.state.with_untracked(|state| {
        let detail = state.open.as_ref().map(|open| &open.detail);
        let visitor_name = detail.and_then(|detail| detail.visitor.name.as_deref());
        let shop_name = detail
            .map(|detail| detail.site_title.as_str())
            .filter(|title| !title.is_empty());
        let values = Values {
            visitor_name,
            operator_name: Some(operator_name.as_str()),
            shop_name,
        };
        render(&shortcut.text, &values)
    })
}

#[component]
pub fn Composer(id: ConversationId, tray: Tray) -> impl IntoView {
    let console = app::console();
    let textarea: NodeRef<html::Textarea> = NodeRef::new();
    let draft = RwSignal::new(String::new());
    let query = RwSignal::new(None::<SlashQuery>);
    let active = RwSignal::new(0usize);
    // Escape closes the picker for the "/" at this position until another one is typed.
    let dismissed = RwSignal::new(None::<usize>);
    let typing = Typing {
        conversation_id: id,
        sent_at: StoredValue::new(0.0),
        idle: StoredValue::new(None),
    };
    on_cleanup(move || typing.stop());
    // A keyboard shortcut opened this conversation: the operator answers at once.
    Effect::new(move |_| {
        if let Some(element) = textarea.get()
            && console.focus_composer.get_untracked()
        {
            let _ = element.focus();
            console.focus_composer.set(false);
        }
    });

    let matches = Memo::new(move |_| {
        query.with(|query| {
            query.as_ref().map_or_else(Vec::new, |query| {
                console.shortcuts.with(|shortcuts| {
                    picker::matching(shortcuts, &query.query)
                        .into_iter()
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    let open = move || !matches.with(Vec::is_empty);

    let refresh_query = move || {
        let Some(element) = textarea.get_untracked() else {
            return;
        };
        let caret = element.selection_start().ok().flatten().unwrap_or(0) as usize;
        let found = picker::slash_query(&element.value(), caret)
            .filter(|found| dismissed.get_untracked() != Some(found.start));
        if found.is_none() {
            dismissed.set(None);
        }
        if found.as_ref().map(|found| &found.query)
            != query.get_untracked().as_ref().map(|q| &q.query)
        {
            active.set(0);
        }
        query.set(found);
    };

    let insert = move |shortcut: &Shortcut| {
        let Some(found) = query.get_untracked() else {
            return;
        };
        let Some(element) = textarea.get_untracked() else {
            return;
        };
        let (text, caret) = picker::replace(
            &element.value(),
            &found,
            &render_shortcut(console, shortcut),
        );
        element.set_value(&text);
        draft.set(text);
        let _ = element.set_selection_range(caret as u32, caret as u32);
        let _ = element.focus();
        query.set(None);
    };

    let send = move || {
        let text = draft.get_untracked();
        if tray.has_files() {
            if tray.uploading() {
                return;
            }
            typing.stop();
            let text = text.trim_end().to_owned();
            let sent = text.clone();
            tray.send(console, id, text, move || {
                // What the operator wrote while the files went up stays.
                if draft
                    .try_get_untracked()
                    .is_some_and(|draft| draft.trim_end() == sent)
                {
                    draft.set(String::new());
                    if let Some(element) = textarea.get_untracked() {
                        element.set_value("");
                    }
                }
            });
            return;
        }
        if text.trim().is_empty() {
            return;
        }
        typing.stop();
        app::send_reply(console, id, text.trim_end().to_owned());
        draft.set(String::new());
        if let Some(element) = textarea.get_untracked() {
            element.set_value("");
            let _ = element.focus();
        }
        query.set(None);
    };

    let keydown = move |event: web_sys::KeyboardEvent| {
        let key = event.key();
        if open() {
            let count = matches.with_untracked(Vec::len);
            match key.as_str() {
                "ArrowDown" | "ArrowUp" => {
                    event.prevent_default();
                    active.update(|active| {
                        *active = picker::step(*active, count, key == "ArrowDown")
                    });
                    return;
                }
                "Enter" | "Tab" if !event.shift_key() => {
                    event.prevent_default();
                    let chosen = matches
                        .with_untracked(|matches| matches.get(active.get_untracked()).cloned());
                    if let Some(shortcut) = chosen {
                        insert(&shortcut);
                    }
                    return;
                }
                "Escape" => {
                    event.prevent_default();
                    dismissed.set(query.get_untracked().map(|found| found.start));
                    query.set(None);
                    return;
                }
                _ => {}
            }
        }
        if key == "Enter" && !event.shift_key() && !event.is_composing() {
            event.prevent_default();
            send();
        }
    };

    let option_id = |index: usize| format!("shortcut-{index}");
    view! {
        <div class="composer">
            <Show when=open>
                <ul class="picker" id="shortcut-picker" role="listbox" aria-label=tx(Text::Shortcuts)>
                    {move || {
                        matches
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(index, shortcut)| {
                                let chosen = shortcut.clone();
                                view! {
                                    <li
                                        role="option"
                                        id=option_id(index)
                                        aria-selected=move || (active.get() == index).to_string()
                                        on:mousedown=move |event| {
                                            // Keep the focus (and the caret) in the composer.
                                            event.prevent_default();
                                            insert(&chosen);
                                        }
                                    >
                                        <strong>{format!("/{}", shortcut.name)}</strong>
                                        " "
                                        <span class="preview">{shortcut.text.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            <label for="composer-text" class="visually-hidden">{tx(Text::Message)}</label>
            <textarea
                id="composer-text"
                node_ref=textarea
                rows="3"
                placeholder=tx(Text::ComposerPlaceholder)
                aria-autocomplete="list"
                // Only while the picker is there: a reference to an element that is not is an error.
                aria-controls=move || open().then_some("shortcut-picker")
                aria-activedescendant=move || open().then(|| option_id(active.get()))
                on:input=move |event| {
                    draft.set(event_target_value(&event));
                    refresh_query();
                    if !draft.with_untracked(String::is_empty) {
                        typing.keystroke();
                    }
                }
                on:click=move |_| refresh_query()
                on:keydown=keydown
                on:blur=move |_| query.set(None)
                on:paste=move |event| tray::paste_files(tray, &event)
            ></textarea>
            <tray::AttachButton tray=tray/>
            <button type="button" class="send" on:click=move |_| send()>{tx(Text::Send)}</button>
            <tray::TrayView tray=tray textarea=textarea/>
        </div>
    }
}
