//! The settings screen. Every operator edits their profile and personal shortcuts and sees the
//! team's; admins also manage team shortcuts, operators, team and site settings and priority
//! rules, API keys, webhooks and visitors' privacy (export, erase, blocks, the audit log; the
//! relay answers 403 to anyone else). Everyone sees the proactive prompts and their results;
//! admins edit them.

mod audit;
mod hours;
mod keys;
mod operators;
mod privacy;
mod profile;
mod prompt_fields;
mod prompt_results;
mod prompts;
mod rules;
mod shortcuts;
mod sites;
mod webhooks;

use crate::app;
use leptos::prelude::*;

#[component]
pub fn Settings() -> impl IntoView {
    let console = app::console();
    let admin = move || console.me.with(|me| me.admin);
    view! {
        <main class="settings">
            <h1>{crate::i18n::tx(crate::i18n::Text::Settings)}</h1>
            <profile::Profile/>
            <profile::ChangePassword/>
            <shortcuts::Shortcuts/>
            <operators::Operators/>
            <Show when=admin>
                <sites::TeamSettingsForm/>
                <sites::Sites/>
                <rules::Rules/>
                <keys::ApiKeys/>
                <webhooks::Webhooks/>
                <privacy::Privacy/>
            </Show>
            <prompts::Prompts/>
        </main>
    }
}
