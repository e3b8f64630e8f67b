//! Privacy (admins): everything held about one visitor, found by the email they gave, exported
//! as a file or erased for good (after asking, then saying how many conversations went); the
//! blocked visitors, each with a way to unblock; and the audit log of these acts.

use super::audit::AuditLog;
use crate::api::privacy;
use crate::i18n::{self, Count, Text, t, tc, tf, tx};
use crate::modal::Modal;
use crate::outcome::{Outcome, OutcomeLine};
use crate::privacy::failed;
use crate::state::visitor_label;
use crate::time;
use beseda_protocol::privacy::Block;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Privacy() -> impl IntoView {
    // Counts the acts done here, so that the lists below read again after each.
    let acts = RwSignal::new(0_u32);
    view! {
        <section aria-labelledby="privacy-title">
            <h2 id="privacy-title">{tx(Text::Privacy)}</h2>
            <p class="hint">{tx(Text::PrivacyHint)}</p>
            <ByEmail acts=acts/>
            <Blocks acts=acts/>
            <AuditLog acts=acts/>
        </section>
    }
}

/// Export or erase by the email the visitor gave.
#[component]
fn ByEmail(acts: RwSignal<u32>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let outcome = RwSignal::new(Outcome::default());
    let erased = RwSignal::new(None::<String>);
    let asking = RwSignal::new(false);
    let given = move || {
        let email = email.get_untracked().trim().to_owned();
        if email.contains('@') {
            Some(email)
        } else {
            outcome.set(failed(t(Text::EnterVisitorEmail).to_owned()));
            None
        }
    };
    let export = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        erased.set(None);
        let Some(email) = given() else { return };
        spawn_local(async move {
            let result = privacy::export_email(&email).await;
            outcome.set(Outcome::of(&result, t(Text::ExportDownloaded)));
            acts.update(|acts| *acts += 1);
        });
    };
    let ask = move |_| {
        erased.set(None);
        if given().is_some() {
            outcome.set(Outcome::default());
            asking.set(true);
        }
    };
    let erase = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let Some(address) = given() else { return };
        spawn_local(async move {
            match privacy::erase_email(&address).await {
                Ok(done) => {
                    outcome.set(Outcome::default());
                    erased.set(Some(tc(
                        Count::ConversationsErased,
                        u64::from(done.conversations),
                    )));
                    email.set(String::new());
                }
                Err(error) => outcome.set(failed(error.message)),
            }
            asking.set(false);
            acts.update(|acts| *acts += 1);
        });
    };
    let explained = move || tf(Text::EraseEmailExplained, &[("email", &email.get())]);
    view! {
        <form class="fields" aria-labelledby="by-email-title" on:submit=export>
            <h3 id="by-email-title">{tx(Text::VisitorData)}</h3>
            <label for="privacy-email">{tx(Text::VisitorEmail)}</label>
            <input id="privacy-email" type="email" required maxlength="254" bind:value=email/>
            <div class="buttons">
                <button type="submit">{tx(Text::ExportData)}</button>
                <button type="button" aria-haspopup="dialog" on:click=ask>{tx(Text::EraseForGood)}</button>
            </div>
            <OutcomeLine outcome=outcome/>
            <p class="done" role="status">{move || erased.get()}</p>
        </form>
        <Modal open=asking labelled_by="erase-email-title" described_by="erase-email-explained">
            <form on:submit=erase>
                <h2 id="erase-email-title">{tx(Text::EraseEmailTitle)}</h2>
                <p id="erase-email-explained" class="explained">{explained}</p>
                <div class="buttons">
                    <button type="button" autofocus on:click=move |_| asking.set(false)>{tx(Text::Cancel)}</button>
                    <button type="submit" class="danger">{tx(Text::EraseConfirm)}</button>
                </div>
            </form>
        </Modal>
    }
}

/// The blocked visitors, each with a way to unblock.
#[component]
fn Blocks(acts: RwSignal<u32>) -> impl IntoView {
    let blocks = RwSignal::new(Vec::<Block>::new());
    let outcome = RwSignal::new(Outcome::default());
    Effect::new(move |_| {
        acts.track();
        spawn_local(async move {
            match privacy::blocks().await {
                Ok(list) => {
                    blocks.try_set(list);
                }
                Err(error) => {
                    outcome.try_set(failed(error.message));
                }
            }
        });
    });
    let unblock = move |block: Block| {
        spawn_local(async move {
            let result = privacy::unblock(block.conversation_id).await;
            outcome.set(Outcome::of(&result, t(Text::Unblocked)));
            acts.update(|acts| *acts += 1);
        });
    };
    let rows = move || {
        let language = i18n::current().get();
        blocks
            .get()
            .into_iter()
            .map(|block| {
                let who = visitor_label(&block.visitor, block.conversation_id);
                let named = who.clone();
                let address = block
                    .address_until
                    .as_deref()
                    .map(|until| time::date_time(language, until))
                    .unwrap_or_else(|| t(Text::AddressNotBlocked).to_owned());
                let blocked_at = time::date_time(language, &block.blocked_at);
                let (site, blocked_by) = (block.site.clone(), block.blocked_by.clone());
                view! {
                    <tr>
                        <td dir="auto">{who}</td>
                        <td>{site}</td>
                        <td dir="auto">{blocked_by}</td>
                        <td>{blocked_at}</td>
                        <td>{address}</td>
                        <td>
                            <button
                                type="button"
                                aria-label=move || tf(Text::UnblockNamed, &[("name", &named)])
                                on:click=move |_| unblock(block.clone())
                            >
                                {tx(Text::Unblock)}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <h3 id="blocks-title">{tx(Text::BlockedVisitors)}</h3>
        <OutcomeLine outcome=outcome/>
        <Show
            when=move || blocks.with(|blocks| !blocks.is_empty())
            fallback=|| view! { <p class="hint">{tx(Text::NoOneBlocked)}</p> }
        >
            <table aria-labelledby="blocks-title">
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::Visitor)}</th>
                        <th scope="col">{tx(Text::Site)}</th>
                        <th scope="col">{tx(Text::BlockedBy)}</th>
                        <th scope="col">{tx(Text::BlockedAt)}</th>
                        <th scope="col">{tx(Text::AddressBlockedUntil)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Show>
    }
}
