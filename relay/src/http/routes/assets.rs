//! The files built into the relay: the widget, the demo shop and the operator console.
//!
//! The route names its path first, like every other: only a path that names a file is answered
//! 405 for a method other than GET and HEAD; any other path stays 404 for every method.

use crate::assets::Asset;
use crate::error::ApiError;
use crate::http::filters::Route;
use warp::filters::path::FullPath;
use warp::{Filter, Rejection};

/// What a request's path names among the built-in files.
enum Page {
    /// `/` goes to the demo shop.
    Redirect(&'static str),
    /// A file, with its path inside the built-in files.
    File(String, &'static Asset),
}

/// `GET /widget.js`, `GET /widget/{file}`, `GET /demo/{file}`, `GET /console/{file}` → files
/// built into the relay; `GET /console` and `GET /console/` → the operator console;
/// `GET /` → the demo shop (also with `HEAD`)
pub fn assets() -> Route {
    warp::path::full()
        .and_then(|path: FullPath| async move { page(path.as_str()) })
        .and(warp::get().or(warp::head()).unify())
        .and(warp::header::optional::<String>("accept-encoding"))
        .map(|page: Page, accept_encoding: Option<String>| match page {
            Page::Redirect(location) => crate::assets::redirect(location),
            Page::File(path, asset) => {
                let mut response = crate::assets::respond(asset, accept_encoding.as_deref());
                if path.starts_with("console/") {
                    console_headers(&path, response.headers_mut());
                }
                response
            }
        })
        .boxed()
}

/// The built-in page a path names; 404 for any other path.
fn page(path: &str) -> Result<Page, Rejection> {
    let path = path.trim_start_matches('/');
    if path.is_empty() && crate::assets::find("demo/index.html").is_some() {
        return Ok(Page::Redirect("/demo/"));
    }
    let path = match path {
        "demo" | "demo/" => "demo/index.html",
        "console" | "console/" => "console/index.html",
        path => path,
    };
    let servable = path == "widget.js"
        || path.starts_with("widget/")
        || path.starts_with("demo/")
        || path.starts_with("console/");
    match crate::assets::find(path).filter(|_| servable) {
        Some(asset) => Ok(Page::File(path.to_owned(), asset)),
        None if path == "widget.js" => Err(warp::reject::custom(ApiError::NotFound(
            "the widget (this relay was built without it: build with `make build`)",
        ))),
        None if path == "console/index.html" => Err(warp::reject::custom(ApiError::NotFound(
            "the console (this relay was built without it: build with `make build`)",
        ))),
        None => Err(warp::reject::not_found()),
    }
}

/// The console's page may run only its own code and talk only to this relay; its other
/// files are named by content hash and never change.
fn console_headers(path: &str, headers: &mut http::HeaderMap) {
    use http::{HeaderValue, header};
    if path == "console/index.html" {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                 img-src 'self' https: data:; connect-src 'self'; base-uri 'none'; \
                 form-action 'self'; frame-ancestors 'none'",
            ),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    } else {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}
