//! The files built into the relay (the widget and the demo shop) and how they are served:
//! precompressed (brotli, else gzip), with long-lived caching for content-hashed names and
//! CORS so that shops on other origins may load them.

use http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

/// One embedded file and its precompressed copies.
pub struct Asset {
    pub path: &'static str,
    pub body: &'static [u8],
    pub brotli: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Whether an `Accept-Encoding` header lists `coding` (and does not refuse it with `q=0`).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|entry| {
        let mut parts = entry.split(';').map(str::trim);
        parts.next() == Some(coding) && !parts.any(|parameter| parameter.replace(' ', "") == "q=0")
    })
}

/// The response for an asset, in the best encoding the client accepts.
pub fn respond(asset: &Asset, accept_encoding: Option<&str>) -> Response {
    let accept_encoding = accept_encoding.unwrap_or_default();
    let (body, encoding) = match (asset.brotli, asset.gzip) {
        (Some(brotli), _) if accepts(accept_encoding, "br") => (brotli, Some("br")),
        (_, Some(gzip)) if accepts(accept_encoding, "gzip") => (gzip, Some("gzip")),
        _ => (asset.body, None),
    };
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(asset.path)),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    // Hashed names never change content; the loader's name is fixed, so it is cached briefly.
    let cache = if asset.path.starts_with("widget/") {
        "public, max-age=31536000, immutable"
    } else if asset.path == "widget.js" {
        "public, max-age=300"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if asset.path.starts_with("widget") {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("cross-origin"),
        );
    }
    response
}

/// A redirect, e.g. from `/` to the demo shop.
pub fn redirect(location: &'static str) -> Response {
    let mut response = Response::new("".into());
    *response.status_mut() = StatusCode::FOUND;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(location));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_token_by_token() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=1.0", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("brotli", "br"));
        assert!(!accepts("", "gzip"));
    }
}
