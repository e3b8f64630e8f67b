//! The visitor socket's hello: which site, which visitor (a new identity, if the client's address
//! has not had too many this hour), and the context the page told.

use super::super::first_text;
use crate::App;
use crate::chat::validation::{check_locale, check_page};
use crate::error::socket_error;
use crate::net::Socket;
use beseda_protocol::api::PageView;
use beseda_protocol::visitor::ToRelay;
use beseda_protocol::{ErrorCode, PROTOCOL_VERSION, Seq, VisitorId};
use std::net::IpAddr;

/// A visitor who passed the hello.
pub(super) struct Greeted {
    pub site: String,
    pub visitor_id: VisitorId,
    pub token: String,
    pub last_seq: Seq,
    /// The token was issued just now: this visitor has no conversation yet.
    pub new_visitor: bool,
    pub site_title: String,
    pub page: Option<PageView>,
    pub locale: Option<String>,
}

/// The title of a site, if it exists; cached, since sites are never deleted.
async fn site_title(app: &App, site: &str) -> Result<Option<String>, (ErrorCode, String)> {
    let cached = app
        .known_sites
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(site)
        .cloned();
    if cached.is_some() {
        return Ok(cached);
    }
    let title = app
        .store
        .site_title(site)
        .await
        .map_err(|error| socket_error(&error, "there is no site", "a site lookup failed"))?;
    if let Some(title) = &title {
        app.known_sites
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(site.to_owned(), title.clone());
    }
    Ok(title)
}

/// Reads and checks the hello; a hello without a token gets a new identity, if the client's
/// address has not had too many this hour.
pub(super) async fn greet(
    socket: &mut Socket,
    app: &App,
    client: IpAddr,
) -> Result<Greeted, (ErrorCode, String)> {
    let text = first_text(socket, app).await?;
    let frame: ToRelay = serde_json::from_str(&text)
        .map_err(|error| (ErrorCode::BadFrame, format!("not a valid frame: {error}")))?;
    let ToRelay::Hello {
        version,
        site,
        token,
        last_seq,
        page,
        locale,
    } = frame
    else {
        return Err((
            ErrorCode::HelloRequired,
            "the first frame must be a hello".to_owned(),
        ));
    };
    if version != PROTOCOL_VERSION {
        return Err((
            ErrorCode::UnsupportedVersion,
            format!("this relay speaks protocol version {PROTOCOL_VERSION}"),
        ));
    }
    let Some(site_title) = site_title(app, &site).await? else {
        // One line per refused hello, so that a shop page whose `data-site` is wrong shows in
        // the log; the name comes from the visitor, hence quoted (`?`) and cut short.
        let named: String = site.chars().take(100).collect();
        tracing::warn!(site = ?named, "a widget asked for a site this relay does not serve");
        return Err((
            ErrorCode::UnknownSite,
            format!("this relay serves no site named {site:?}"),
        ));
    };
    // The context is a nicety: a page or language that fails the rules is left out, not refused.
    let page = page.filter(|page| check_page(page).is_ok());
    let locale = locale.filter(|locale| check_locale(locale).is_ok());
    let new_visitor = token.is_none();
    let (visitor_id, token) = match token {
        Some(token) => {
            let visitor_id = app.visitor_tokens.verify(&token).ok_or((
                ErrorCode::InvalidToken,
                "this visitor token was not issued by this relay".to_owned(),
            ))?;
            (visitor_id, token)
        }
        None => {
            let limit = app.config.visitor_identities_per_hour;
            if limit != 0
                && !app
                    .visitor_identities
                    .try_acquire(&crate::limits::address_bucket(client))
            {
                return Err((
                    ErrorCode::RateLimited,
                    format!(
                        "at most {limit} new visitors an hour from one address; try again later"
                    ),
                ));
            }
            app.visitor_tokens.issue()
        }
    };
    Ok(Greeted {
        site,
        visitor_id,
        token,
        last_seq: last_seq.unwrap_or_default(),
        new_visitor,
        site_title,
        page,
        locale,
    })
}
