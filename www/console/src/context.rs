//! The visitor's context beside the conversation: who they are, where they are and have been
//! this session, their cart, language and when they were first seen.

use crate::app;
use crate::i18n::{self, Text, tx};
use crate::time::{self, money};
use beseda_protocol::api::{ConversationDetail, PageView};
use leptos::prelude::*;

/// A link to a page the visitor viewed, only for web addresses (never `javascript:` and the like).
fn page_link(page: &PageView) -> AnyView {
    let label = if page.title.trim().is_empty() {
        page.url.clone()
    } else {
        page.title.clone()
    };
    let web = page.url.starts_with("https://") || page.url.starts_with("http://");
    if web {
        view! {
            <a href=page.url.clone() target="_blank" rel="noopener noreferrer" title=page.url.clone()>
                {label}
            </a>
        }
        .into_any()
    } else {
        view! { <span title=page.url.clone()>{label}</span> }.into_any()
    }
}

fn details(detail: &ConversationDetail) -> impl IntoView + use<> {
    let visitor = &detail.visitor;
    let context = &detail.context;
    let row = |term: Text, value: Option<String>| {
        value.map(|value| view! { <dt>{tx(term)}</dt> <dd dir="auto">{value}</dd> })
    };
    let first_seen = context.first_seen.clone().map(|first_seen| {
        view! {
            <dt>{tx(Text::FirstSeen)}</dt>
            <dd>{move || time::date_time(i18n::language(), &first_seen)}</dd>
        }
    });
    view! {
        <dl>
            {row(Text::Name, visitor.name.clone())}
            {row(Text::Email, visitor.email.clone())}
            {row(Text::VisitorLanguage, context.locale.clone())}
            {first_seen}
            {row(Text::Shop, Some(detail.site_title.clone()).filter(|title| !title.is_empty()))}
            {context.current_page.as_ref().map(|page| view! { <dt>{tx(Text::CurrentPage)}</dt> <dd>{page_link(page)}</dd> })}
        </dl>
    }
}

fn pages(detail: &ConversationDetail) -> impl IntoView + use<> {
    let pages = detail.context.pages.clone();
    (!pages.is_empty()).then(|| {
        view! {
            <h3>{tx(Text::PagesThisSession)}</h3>
            <ol class="pages">
                {pages
                    .iter()
                    .map(|page| {
                        let at = page.at.clone();
                        view! {
                            <li>
                                <time datetime=page.at.clone()>{move || time::clock(i18n::language(), &at)}</time>
                                " "
                                {page_link(page)}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
    })
}

fn cart(detail: &ConversationDetail) -> impl IntoView + use<> {
    let cart = detail.cart.clone();
    view! {
        <h3>{tx(Text::Cart)}</h3>
        {match cart {
            Some(cart) if !cart.items.is_empty() => {
                let currency = cart.currency.clone();
                view! {
                    <table class="cart">
                        <thead>
                            <tr>
                                <th scope="col">{tx(Text::Item)}</th>
                                <th scope="col">{tx(Text::Quantity)}</th>
                                <th scope="col">{tx(Text::Price)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {cart
                                .items
                                .iter()
                                .map(|item| {
                                    let (quantity, price, currency) = (item.qty, item.price, currency.clone());
                                    view! {
                                        <tr>
                                            <td dir="auto">{item.name.clone()}</td>
                                            <td>{move || time::number(i18n::language(), quantity)}</td>
                                            <td>{move || money(i18n::language(), price, &currency)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                        <tfoot>
                            <tr>
                                <th scope="row" colspan="2">{tx(Text::Total)}</th>
                                <td>{move || money(i18n::language(), cart.total, &cart.currency)}</td>
                            </tr>
                        </tfoot>
                    </table>
                }
                .into_any()
            }
            _ => view! { <p class="empty">{tx(Text::Empty)}</p> }.into_any(),
        }}
    }
}

#[component]
pub fn VisitorContext() -> impl IntoView {
    let console = app::console();
    let detail = Memo::new(move |_| {
        console
            .state
            .with(|state| state.open.as_ref().map(|open| open.detail.clone()))
    });
    view! {
        <aside class="context" aria-labelledby="context-title">
            <h2 id="context-title">{tx(Text::Visitor)}</h2>
            {move || {
                detail.with(|detail| {
                    detail.as_ref().map(|detail| view! { {details(detail)} {pages(detail)} {cart(detail)} })
                })
            }}
        </aside>
    }
}
