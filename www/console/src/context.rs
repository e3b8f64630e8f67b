//! The visitor's context beside the conversation: who they are, where they are and have been
//! this session, their cart, language and when they were first seen.

use crate::app;
use crate::time;
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

/// A price with its currency, two decimals unless whole.
fn money(amount: f64, currency: &str) -> String {
    let amount = if amount.fract() == 0.0 {
        format!("{amount:.0}")
    } else {
        format!("{amount:.2}")
    };
    format!("{amount} {currency}").trim().to_owned()
}

fn details(detail: &ConversationDetail) -> impl IntoView + use<> {
    let visitor = &detail.visitor;
    let context = &detail.context;
    let row = |term: &'static str, value: Option<String>| {
        value.map(|value| view! { <dt>{term}</dt> <dd dir="auto">{value}</dd> })
    };
    view! {
        <dl>
            {row("Name", visitor.name.clone())}
            {row("Email", visitor.email.clone())}
            {row("Language", context.locale.clone())}
            {row("First seen", context.first_seen.as_deref().map(time::date_time))}
            {row("Shop", Some(detail.site_title.clone()).filter(|title| !title.is_empty()))}
            {context.current_page.as_ref().map(|page| view! { <dt>"Current page"</dt> <dd>{page_link(page)}</dd> })}
        </dl>
    }
}

fn pages(detail: &ConversationDetail) -> impl IntoView + use<> {
    let pages = detail.context.pages.clone();
    (!pages.is_empty()).then(|| {
        view! {
            <h3>"Pages this session"</h3>
            <ol class="pages">
                {pages
                    .iter()
                    .map(|page| {
                        view! {
                            <li>
                                <time datetime=page.at.clone()>{time::clock(&page.at)}</time>
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
        <h3>"Cart"</h3>
        {match cart {
            Some(cart) if !cart.items.is_empty() => {
                let currency = cart.currency.clone();
                view! {
                    <table class="cart">
                        <thead>
                            <tr><th scope="col">"Item"</th><th scope="col">"Qty"</th><th scope="col">"Price"</th></tr>
                        </thead>
                        <tbody>
                            {cart
                                .items
                                .iter()
                                .map(|item| {
                                    view! {
                                        <tr>
                                            <td dir="auto">{item.name.clone()}</td>
                                            <td>{item.qty.to_string()}</td>
                                            <td>{money(item.price, &currency)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                        <tfoot>
                            <tr><th scope="row" colspan="2">"Total"</th><td>{money(cart.total, &cart.currency)}</td></tr>
                        </tfoot>
                    </table>
                }
                .into_any()
            }
            _ => view! { <p class="empty">"Empty"</p> }.into_any(),
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
            <h2 id="context-title">"Visitor"</h2>
            {move || {
                detail.with(|detail| {
                    detail.as_ref().map(|detail| view! { {details(detail)} {pages(detail)} {cart(detail)} })
                })
            }}
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_drops_decimals_only_when_whole() {
        assert_eq!(money(2490.0, "CZK"), "2490 CZK");
        assert_eq!(money(19.9, "EUR"), "19.90 EUR");
        assert_eq!(money(5.0, ""), "5");
    }
}
