//! The open conversation's privacy actions: admins export what is held about its visitor, erase
//! it for good and unblock; every operator can block the visitor (and their address for some
//! days). Each act that cannot be taken back asks first, in a dialog.

use crate::api::{self, ApiError};
use crate::app::{self, Console};
use crate::i18n::{Text, t, tx};
use crate::modal::Modal;
use crate::outcome::{Outcome, OutcomeLine};
use beseda_protocol::ConversationId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The most days an address can be blocked for.
pub const MAX_BLOCK_DAYS: u32 = 365;

/// The most days a site may keep resolved conversations.
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// The days to block the visitor's address for, as the block dialog's fields give them: none
/// when the address is not to be blocked.
pub fn block_days(by_address: bool, days: &str) -> Result<Option<u32>, Text> {
    if !by_address {
        return Ok(None);
    }
    match days.trim().parse::<u32>() {
        Ok(days) if (1..=MAX_BLOCK_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(Text::BlockDaysRange),
    }
}

/// A site's retention as its field gives it: empty keeps conversations until erased by hand.
pub fn retention_days(days: &str) -> Result<Option<u32>, Text> {
    let days = days.trim();
    if days.is_empty() {
        return Ok(None);
    }
    match days.parse::<u32>() {
        Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(Text::RetentionRange),
    }
}

/// An outcome that is a refusal.
pub fn failed(message: String) -> Outcome {
    Outcome {
        error: Some(message),
        done: None,
    }
}

fn blocked_now(console: Console, id: ConversationId, blocked: bool) {
    console.state.update(|state| state.blocked(id, blocked));
}

/// "Blocked", beside the conversation's status while its visitor is blocked.
#[component]
pub fn BlockedMark() -> impl IntoView {
    let console = app::console();
    let blocked = move || {
        console
            .state
            .with(|state| state.open.as_ref().is_some_and(|open| open.detail.blocked))
    };
    view! {
        <Show when=blocked>
            <span class="blocked-mark">{tx(Text::BlockedMark)}</span>
        </Show>
    }
}

/// The header's privacy buttons and their dialogs.
#[component]
pub fn PrivacyActions(id: ConversationId) -> impl IntoView {
    let console = app::console();
    let admin = move || console.me.with(|me| me.admin);
    let blocked = Memo::new(move |_| {
        console
            .state
            .with(|state| state.open.as_ref().is_some_and(|open| open.detail.blocked))
    });
    let blocking = RwSignal::new(false);
    let erasing = RwSignal::new(false);
    let export = move |_| {
        spawn_local(async move {
            if let Err(error) = api::privacy::export_conversation(id).await {
                console.report(error);
            }
        });
    };
    let unblock = move |_| {
        spawn_local(async move {
            match api::privacy::unblock(id).await {
                Ok(()) => blocked_now(console, id, false),
                Err(error) => console.report(error),
            }
        });
    };
    view! {
        <Show when=admin>
            <button type="button" on:click=export>{tx(Text::ExportData)}</button>
        </Show>
        {move || match (blocked.get(), admin()) {
            (false, _) => Some(view! {
                <button type="button" aria-haspopup="dialog" on:click=move |_| blocking.set(true)>
                    {tx(Text::BlockVisitor)}
                </button>
            }.into_any()),
            (true, true) => Some(view! {
                <button type="button" on:click=unblock>{tx(Text::Unblock)}</button>
            }.into_any()),
            (true, false) => None,
        }}
        <Show when=admin>
            <button type="button" aria-haspopup="dialog" on:click=move |_| erasing.set(true)>
                {tx(Text::EraseForGood)}
            </button>
        </Show>
        <BlockDialog id=id open=blocking/>
        <Show when=admin>
            <EraseDialog id=id open=erasing/>
        </Show>
    }
}

/// Blocks the visitor, and with the box checked their address for some days.
#[component]
fn BlockDialog(id: ConversationId, open: RwSignal<bool>) -> impl IntoView {
    let console = app::console();
    let by_address = RwSignal::new(false);
    let days = RwSignal::new("30".to_owned());
    let outcome = RwSignal::new(Outcome::default());
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let days = match block_days(by_address.get_untracked(), &days.get_untracked()) {
            Ok(days) => days,
            Err(text) => return outcome.set(failed(t(text).to_owned())),
        };
        spawn_local(async move {
            match api::privacy::block(id, days).await {
                Ok(_) => {
                    blocked_now(console, id, true);
                    outcome.set(Outcome::default());
                    open.set(false);
                }
                Err(error) => outcome.set(failed(error.message)),
            }
        });
    };
    view! {
        <Modal open=open labelled_by="block-title" described_by="block-explained">
            <form class="fields" on:submit=submit>
                <h2 id="block-title">{tx(Text::BlockVisitorTitle)}</h2>
                <p id="block-explained" class="explained">{tx(Text::BlockExplained)}</p>
                <span class="check">
                    <input id="block-address" type="checkbox" bind:checked=by_address/>
                    <label for="block-address">{tx(Text::BlockAddressToo)}</label>
                </span>
                <label for="block-days">{tx(Text::BlockDays)}</label>
                <input
                    id="block-days"
                    type="number"
                    min="1"
                    max=MAX_BLOCK_DAYS.to_string()
                    disabled=move || !by_address.get()
                    bind:value=days
                />
                <OutcomeLine outcome=outcome/>
                <div class="buttons">
                    <button type="button" on:click=move |_| open.set(false)>{tx(Text::Cancel)}</button>
                    <button type="submit">{tx(Text::Block)}</button>
                </div>
            </form>
        </Modal>
    }
}

/// Asks before the conversation is erased for good, saying what goes.
#[component]
fn EraseDialog(id: ConversationId, open: RwSignal<bool>) -> impl IntoView {
    let console = app::console();
    let outcome = RwSignal::new(Outcome::default());
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        spawn_local(async move {
            match api::privacy::erase_conversation(id).await {
                Ok(()) => erased(console, id),
                Err(ApiError { status: 404, .. }) => erased(console, id),
                Err(error) => outcome.set(failed(error.message)),
            }
        });
    };
    view! {
        <Modal open=open labelled_by="erase-title" described_by="erase-explained">
            <form on:submit=submit>
                <h2 id="erase-title">{tx(Text::EraseTitle)}</h2>
                <p id="erase-explained" class="explained">{tx(Text::EraseExplained)}</p>
                <OutcomeLine outcome=outcome/>
                <div class="buttons">
                    <button type="button" autofocus on:click=move |_| open.set(false)>{tx(Text::Cancel)}</button>
                    <button type="submit" class="danger">{tx(Text::EraseConfirm)}</button>
                </div>
            </form>
        </Modal>
    }
}

/// The conversation is gone: it leaves the list and the screen, and screen readers hear it. The
/// focus, which was in the dialog that went with it, goes to the list's tab on screen.
fn erased(console: Console, id: ConversationId) {
    console.state.update(|state| state.forget(id));
    console.announce(t(Text::ConversationErased).to_owned());
    let tab = format!("tab-{}", console.tab.get_untracked().as_str());
    request_animation_frame(move || {
        let element = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id(&tab))
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_blocked_only_when_asked_and_for_1_to_365_days() {
        assert_eq!(block_days(false, "nonsense"), Ok(None));
        assert_eq!(block_days(true, " 30 "), Ok(Some(30)));
        assert_eq!(block_days(true, "1"), Ok(Some(1)));
        assert_eq!(block_days(true, "365"), Ok(Some(365)));
        for wrong in ["", "0", "366", "-1", "2.5", "a week"] {
            assert_eq!(
                block_days(true, wrong),
                Err(Text::BlockDaysRange),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn an_empty_retention_keeps_and_a_number_is_1_to_3650_days() {
        assert_eq!(retention_days(""), Ok(None));
        assert_eq!(retention_days("  "), Ok(None));
        assert_eq!(retention_days("90"), Ok(Some(90)));
        assert_eq!(retention_days("3650"), Ok(Some(3650)));
        for wrong in ["0", "3651", "-5", "1.5", "forever"] {
            assert_eq!(
                retention_days(wrong),
                Err(Text::RetentionRange),
                "{wrong:?}"
            );
        }
    }
}
