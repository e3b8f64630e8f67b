//! The settings screen. Every operator edits their profile and personal shortcuts and sees the
//! team's; admins also manage team shortcuts, operators, team and site settings and priority
//! rules (the relay answers 403 to anyone else). Everyone sees the proactive prompts and their
//! results; admins edit them.

mod hours;
mod operators;
mod profile;
mod prompt_fields;
mod prompt_results;
mod prompts;
mod rules;
mod shortcuts;
mod sites;

use crate::api::ApiError;
use crate::app;
use leptos::prelude::*;

/// A form's outcome: the relay's refusal, or a short confirmation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub error: Option<String>,
    pub done: Option<&'static str>,
}

impl Outcome {
    pub fn of<T>(result: &Result<T, ApiError>, done: &'static str) -> Outcome {
        match result {
            Ok(_) => Outcome {
                error: None,
                done: Some(done),
            },
            Err(error) => Outcome {
                error: Some(error.message.clone()),
                done: None,
            },
        }
    }
}

/// Shows a form's outcome: errors as an alert, confirmations as a status.
#[component]
pub fn OutcomeLine(outcome: RwSignal<Outcome>) -> impl IntoView {
    view! {
        <p class="error" role="alert">{move || outcome.with(|outcome| outcome.error.clone())}</p>
        <p class="done" role="status">{move || outcome.with(|outcome| outcome.done)}</p>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let console = app::console();
    let admin = move || console.me.with(|me| me.admin);
    view! {
        <main class="settings">
            <h1>"Settings"</h1>
            <profile::Profile/>
            <profile::ChangePassword/>
            <shortcuts::Shortcuts/>
            <operators::Operators/>
            <Show when=admin>
                <sites::TeamSettingsForm/>
                <sites::Sites/>
                <rules::Rules/>
            </Show>
            <prompts::Prompts/>
        </main>
    }
}
