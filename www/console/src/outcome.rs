//! A form's outcome, shown under the form: the relay's refusal or a short confirmation. Every
//! form has one (the settings screen's and the answers'), so it belongs to none of them.

use crate::api::ApiError;
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
