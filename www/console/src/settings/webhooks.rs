//! Webhooks (admins): endpoints of other systems told of what happens in the chat. An admin adds
//! one (its address, the events it wants, enabled or not), sees its signing secret once (again
//! after asking for a new one; the old one keeps working for a day), sends it a test event, and
//! reads its recent deliveries — status, answer, time taken, the start of the response — with a
//! way to deliver one again.

use crate::api;
use crate::i18n::{self, Text, t, tf, tx};
use crate::outcome::{Outcome, OutcomeLine};
use crate::time;
use beseda_protocol::webhooks::{
    DeliveryStatus, EVENT_TYPES, NewWebhook, Webhook, WebhookDelivery,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

fn status_text(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => t(Text::DeliveryPending),
        DeliveryStatus::Delivered => t(Text::DeliveryDelivered),
        DeliveryStatus::Failed => t(Text::DeliveryFailed),
    }
}

/// The endpoint's state in words: enabled, disabled, or disabled by the relay and why.
fn state_text(webhook: &Webhook) -> String {
    match (&webhook.disabled_reason, webhook.enabled) {
        (Some(reason), _) => tf(Text::WebhookDisabledByRelay, &[("reason", reason)]),
        (None, true) => t(Text::Enabled).to_owned(),
        (None, false) => t(Text::Disabled).to_owned(),
    }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let webhooks = RwSignal::new(Vec::<Webhook>::new());
    let outcome = RwSignal::new(Outcome::default());
    let editing = RwSignal::new(None::<i64>);
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let enabled = RwSignal::new(true);
    let secret = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move {
            match api::webhooks().await {
                Ok(list) => webhooks.set(list),
                Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    };
    reload();
    let clear = move || {
        editing.set(None);
        url.set(String::new());
        chosen.set(Vec::new());
        enabled.set(true);
    };
    let edit = move |webhook: &Webhook| {
        editing.set(Some(webhook.id));
        url.set(webhook.url.clone());
        chosen.set(webhook.events.clone());
        enabled.set(webhook.enabled);
    };
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let request = NewWebhook {
            url: url.get_untracked().trim().to_owned(),
            events: EVENT_TYPES
                .iter()
                .filter(|kind| chosen.with_untracked(|chosen| chosen.iter().any(|c| c == *kind)))
                .map(|kind| (*kind).to_owned())
                .collect(),
            enabled: enabled.get_untracked(),
        };
        let id = editing.get_untracked();
        spawn_local(async move {
            let result = match id {
                Some(id) => api::update_webhook(id, &request).await.map(|_| None),
                None => api::add_webhook(&request)
                    .await
                    .map(|created| Some(created.secret)),
            };
            outcome.set(Outcome::of(&result, t(Text::WebhookSaved)));
            if let Ok(shown) = result {
                if shown.is_some() {
                    secret.set(shown);
                }
                clear();
                reload();
            }
        });
    };
    let delete = move |id: i64| {
        spawn_local(async move {
            let result = api::delete_webhook(id).await;
            outcome.set(Outcome::of(&result, t(Text::WebhookDeleted)));
            reload();
        });
    };
    let rotate = move |id: i64| {
        spawn_local(async move {
            let result = api::rotate_webhook_secret(id).await;
            outcome.set(Outcome::of(&result, t(Text::SecretRotated)));
            if let Ok(created) = result {
                secret.set(Some(created.secret));
            }
        });
    };
    let test = move |id: i64| {
        spawn_local(async move {
            let result = api::test_webhook(id).await;
            outcome.set(Outcome::of(&result, t(Text::TestEventSent)));
        });
    };
    let watched = RwSignal::new(None::<Webhook>);
    let rows = move || {
        webhooks
            .get()
            .into_iter()
            .map(|webhook| {
                let id = webhook.id;
                let state = state_text(&webhook);
                let events = webhook.events.join(", ");
                let [for_edit, for_delete, for_rotate, for_test, for_deliveries] =
                    std::array::from_fn(|_| webhook.url.clone());
                let edited = webhook.clone();
                let shown = webhook.clone();
                view! {
                    <tr>
                        <td class="url">{webhook.url}</td>
                        <td>{events}</td>
                        <td>{state}</td>
                        <td class="actions">
                            <button type="button"
                                aria-label=move || tf(Text::EditWebhookNamed, &[("url", &for_edit)])
                                on:click=move |_| edit(&edited)>{tx(Text::Edit)}</button>
                            <button type="button"
                                aria-label=move || tf(Text::DeliveriesNamed, &[("url", &for_deliveries)])
                                on:click=move |_| watched.set(Some(shown.clone()))>{tx(Text::Deliveries)}</button>
                            <button type="button"
                                aria-label=move || tf(Text::SendTestEventNamed, &[("url", &for_test)])
                                on:click=move |_| test(id)>{tx(Text::SendTestEvent)}</button>
                            <button type="button"
                                aria-label=move || tf(Text::RotateSecretNamed, &[("url", &for_rotate)])
                                on:click=move |_| rotate(id)>{tx(Text::RotateSecret)}</button>
                            <button type="button"
                                aria-label=move || tf(Text::DeleteWebhookNamed, &[("url", &for_delete)])
                                on:click=move |_| delete(id)>{tx(Text::Delete)}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let checkboxes = EVENT_TYPES
        .iter()
        .map(|kind| {
            let kind = (*kind).to_owned();
            let id = format!("webhook-event-{}", kind.replace('.', "-"));
            let checked = kind.clone();
            let toggled = kind.clone();
            view! {
                <span class="check">
                    <input
                        id=id.clone()
                        type="checkbox"
                        prop:checked=move || chosen.with(|chosen| chosen.contains(&checked))
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            chosen.update(|chosen| {
                                chosen.retain(|c| c != &toggled);
                                if on {
                                    chosen.push(toggled.clone());
                                }
                            });
                        }
                    />
                    <label for=id><code>{kind}</code></label>
                </span>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">{tx(Text::Webhooks)}</h2>
            <p class="hint">{tx(Text::WebhooksHint)}</p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::WebhookUrl)}</th>
                        <th scope="col">{tx(Text::WebhookEvents)}</th>
                        <th scope="col">{tx(Text::WebhookState)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form class="fields" on:submit=save aria-label=tx(Text::WebhookForm)>
                <label for="webhook-url">{tx(Text::WebhookUrl)}</label>
                <input id="webhook-url" type="url" required maxlength="2000" bind:value=url/>
                <fieldset class="events">
                    <legend>{tx(Text::WebhookEvents)}</legend>
                    {checkboxes}
                </fieldset>
                <span class="check">
                    <input id="webhook-enabled" type="checkbox" bind:checked=enabled/>
                    <label for="webhook-enabled">{tx(Text::Enabled)}</label>
                </span>
                <button type="submit">{move || t(if editing.get().is_some() { Text::SaveWebhook } else { Text::AddWebhook })}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>{tx(Text::Cancel)}</button>
                </Show>
                <OutcomeLine outcome=outcome/>
            </form>
            <Show when=move || secret.get().is_some()>
                <div class="secret">
                    <label id="webhook-secret-label" for="webhook-secret">{tx(Text::SecretShownOnce)}</label>
                    <input id="webhook-secret" type="text" readonly prop:value=move || secret.get().unwrap_or_default()/>
                    <button type="button" on:click=move |_| secret.set(None)>{tx(Text::Dismiss)}</button>
                </div>
            </Show>
            {move || watched.get().map(|webhook| view! { <DeliveryLog webhook=webhook/> })}
        </section>
    }
}

/// An endpoint's recent deliveries, newest first, each one deliverable again.
#[component]
fn DeliveryLog(webhook: Webhook) -> impl IntoView {
    let deliveries = RwSignal::new(Vec::<WebhookDelivery>::new());
    let outcome = RwSignal::new(Outcome::default());
    let id = webhook.id;
    let reload = move || {
        spawn_local(async move {
            match api::webhook_deliveries(id).await {
                Ok(list) => deliveries.set(list),
                Err(error) => outcome.set(Outcome::of::<()>(&Err(error), "")),
            }
        });
    };
    reload();
    let redeliver = move |delivery: i64| {
        spawn_local(async move {
            let result = api::redeliver(id, delivery).await;
            outcome.set(Outcome::of(&result, t(Text::Redelivered)));
            reload();
        });
    };
    let rows = move || {
        let language = i18n::current().get();
        deliveries
            .get()
            .into_iter()
            .map(|delivery| {
                let delivery_id = delivery.id;
                let kind = delivery.kind.clone();
                let at = delivery
                    .last_attempt_at
                    .as_deref()
                    .unwrap_or(&delivery.created_at)
                    .to_owned();
                view! {
                    <tr>
                        <td><code>{delivery.kind}</code></td>
                        <td>{status_text(delivery.status)}</td>
                        <td>{delivery.attempts}</td>
                        <td>{delivery.response_status.map(|status| status.to_string())}</td>
                        <td>{delivery.response_ms.map(|ms| format!("{ms} ms"))}</td>
                        <td class="snippet">{delivery.response_snippet}</td>
                        <td>{time::date_time(language, &at)}</td>
                        <td>
                            <button type="button"
                                aria-label=move || tf(Text::RedeliverNamed, &[("event", &kind)])
                                on:click=move |_| redeliver(delivery_id)>{tx(Text::Redeliver)}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let url = webhook.url.clone();
    view! {
        <div class="deliveries">
            <h3>{move || tf(Text::DeliveriesNamed, &[("url", &url)])}</h3>
            <button type="button" on:click=move |_| reload()>{tx(Text::Refresh)}</button>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tx(Text::EventType)}</th>
                        <th scope="col">{tx(Text::DeliveryStatusLabel)}</th>
                        <th scope="col">{tx(Text::Attempts)}</th>
                        <th scope="col">{tx(Text::ResponseStatus)}</th>
                        <th scope="col">{tx(Text::ResponseTime)}</th>
                        <th scope="col">{tx(Text::ResponseSnippet)}</th>
                        <th scope="col">{tx(Text::DeliveredAt)}</th>
                        <th scope="col">{tx(Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <Show when=move || deliveries.with(Vec::is_empty)>
                <p>{tx(Text::NoDeliveries)}</p>
            </Show>
            <OutcomeLine outcome=outcome/>
        </div>
    }
}
