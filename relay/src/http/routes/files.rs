//! Routes of files in the chat: uploads by visitors (`/visitor/files`, from the shop origins
//! allowed to embed the widget) and by operators (`/api/conversations/{id}/files`), and the
//! stored files themselves (`/files/{id}`), served only to their conversation's visitor and to
//! operators, in a way no browser runs as a page.

use super::prompts::{for_origin, shop_origin};
use crate::App;
use crate::http::filters::{Route, client_addr, one_of, operator, with_app};
use crate::http::handlers::files::{self, Body};
#[allow(unused_imports)]
use crate::http::openapi::schemas::*;
use crate::net::ClientAddr;
use crate::store::{FilePart, StoredFile};
use beseda_protocol::{ConversationId, Message, OperatorProfile};
use bytes::Buf;
use futures_util::TryStreamExt;
use serde::Deserialize;
use std::sync::Arc;
use warp::{Filter, Reply};

/// Every route of this area.
pub fn routes(app: Arc<App>) -> Route {
    one_of![
        visitor_upload(app.clone()),
        visitor_upload_preflight(app.clone()),
        operator_upload(app.clone()),
        file(app.clone()),
        thumbnail(app.clone()),
        file_preflight(app.clone()),
        thumbnail_preflight(app),
    ]
}

/// The upload's body as a stream of bytes, with its announced type and length.
fn upload_body() -> impl Filter<
    Extract = (
        Body<impl futures_util::Stream<Item = Result<bytes::Bytes, warp::Error>> + Send + 'static>,
    ),
    Error = warp::Rejection,
> + Clone {
    warp::header::optional::<String>("content-type")
        .and(warp::header::optional::<u64>("content-length"))
        .and(warp::body::stream())
        .map(
            |content_type: Option<String>, content_length: Option<u64>, stream| Body {
                content_type,
                content_length,
                stream: TryStreamExt::map_ok(stream, |mut buffer: _| {
                    let length = Buf::remaining(&buffer);
                    Buf::copy_to_bytes(&mut buffer, length)
                }),
            },
        )
}

/// The stored message as 201 (200 for a resend of a stored client id).
fn message_reply((message, created): (Message, bool)) -> warp::reply::Response {
    let status = if created {
        http::StatusCode::CREATED
    } else {
        http::StatusCode::OK
    };
    warp::reply::with_status(warp::reply::json(&message), status).into_response()
}

/// `POST /visitor/files` (`Authorization: Bearer VISITOR_TOKEN`; multipart/form-data: `file`
/// one or more, `clientId`, `text`?, `site`?) → 201 the stored message, also sent to the
/// sockets like any message (200 for a resend of a stored `clientId`); 413 `file_too_large`,
/// 415 `unsupported_type`, 400 `damaged_file`, 429 `too_many_files`, nothing stored
#[utoipa::path(
    post,
    path = "/visitor/files",
    tag = "files",
    security(("visitor" = [])),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored message with its files", body = Message),
        (status = 200, description = "The message stored before with the same `clientId`", body = Message),
        Errors,
    ),
)]
fn visitor_upload(app: Arc<App>) -> Route {
    warp::path!("visitor" / "files")
        .and(warp::post())
        .and(shop_origin(app.clone()))
        .and(client_addr())
        .and(warp::header::optional::<String>("authorization"))
        .and(upload_body())
        .and(with_app(app))
        .and_then(
            |origin: Option<String>,
             client: Option<ClientAddr>,
             authorization: Option<String>,
             body,
             app: Arc<App>| async move {
                let address =
                    client.map_or(std::net::Ipv4Addr::LOCALHOST.into(), |client| client.0);
                let token = crate::http::filters::bearer_token(authorization.as_deref());
                let reply = files::visitor_upload(&app, token, address, body)
                    .await
                    .map(message_reply);
                // The widget reads refusals too, so they carry the origin's permission as well.
                let reply = reply.unwrap_or_else(Reply::into_response);
                Ok::<_, warp::Rejection>(for_origin(reply, origin))
            },
        )
        .boxed()
}

/// The answer to a browser's preflight for a cross-origin request with a token.
fn preflight(origin: Option<String>, methods: &'static str) -> warp::reply::Response {
    let reply = warp::reply::with_header(
        http::StatusCode::NO_CONTENT,
        "access-control-allow-methods",
        methods,
    );
    let reply = warp::reply::with_header(
        reply,
        "access-control-allow-headers",
        "authorization, content-type",
    );
    let reply = warp::reply::with_header(reply, "access-control-max-age", "600");
    for_origin(reply.into_response(), origin)
}

/// `OPTIONS /visitor/files` → 204, the preflight of a widget's upload from an allowed origin
#[utoipa::path(
    options,
    path = "/visitor/files",
    tag = "files",
    security(()),
    responses(
        (status = 204, description = "The preflight of a widget's upload from an allowed shop origin"),
        Errors,
    ),
)]
fn visitor_upload_preflight(app: Arc<App>) -> Route {
    warp::path!("visitor" / "files")
        .and(warp::options())
        .and(shop_origin(app))
        .map(|origin: Option<String>| preflight(origin, "POST"))
        .boxed()
}

/// `POST /api/conversations/{id}/files` (multipart/form-data: `file` one or more, `clientId`?,
/// `text`?) → 201 the stored message (200 for a resend of a stored `clientId`); the refusals
/// of `/visitor/files` but `too_many_files`
#[utoipa::path(
    post,
    path = "/api/conversations/{id}/files",
    tag = "files",
    params(
        ("id" = i64, Path, description = "The conversation's id"),
    ),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored message with its files", body = Message),
        (status = 200, description = "The message stored before with the same `clientId`", body = Message),
        Errors,
    ),
)]
fn operator_upload(app: Arc<App>) -> Route {
    warp::path!("api" / "conversations" / i64 / "files")
        .and(warp::post())
        .and(operator(app.clone()))
        .and(upload_body())
        .and(with_app(app))
        .and_then(
            |id: i64, operator: OperatorProfile, body, app: Arc<App>| async move {
                files::operator_upload(&app, &operator, ConversationId(id), body)
                    .await
                    .map(message_reply)
                    .map_err(warp::reject::custom)
            },
        )
        .boxed()
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The token a file is asked for with: `Authorization: Bearer TOKEN`, or `?token=` (for an
/// `<img>` or a download link, which cannot send a header).
fn file_token() -> impl Filter<Extract = (Option<String>,), Error = warp::Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(warp::query::<TokenQuery>())
        .map(|authorization: Option<String>, query: TokenQuery| {
            crate::http::filters::bearer_token(authorization.as_deref())
                .map(str::to_owned)
                .or(query.token)
        })
}

/// A stored file as a download no browser runs: its own type, `nosniff`, a sandbox, inline only
/// for images, the sanitised name, and private caching.
fn file_reply(file: StoredFile, part: FilePart) -> warp::reply::Response {
    let inline = part == FilePart::Thumbnail || file.content_type.starts_with("image/");
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encode_filename(&file.name)
    );
    let mut response = warp::reply::Response::new(file.bytes.into());
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("content-type", &file.content_type);
    set("x-content-type-options", "nosniff");
    set("content-security-policy", "sandbox");
    set("content-disposition", &disposition);
    set("cache-control", "private, max-age=86400");
    response
}

/// A file name as RFC 5987 wants it in `filename*`: UTF-8, every byte but the few plain ones
/// percent-encoded.
fn encode_filename(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A stored file for whoever may read it, or the refusal, with the origin's permission.
async fn serve(
    id: String,
    origin: Option<String>,
    token: Option<String>,
    app: Arc<App>,
    part: FilePart,
) -> Result<warp::reply::Response, warp::Rejection> {
    let reply = files::fetch(&app, &id, part, token.as_deref())
        .await
        .map(|file| file_reply(file, part))
        .unwrap_or_else(Reply::into_response);
    Ok(for_origin(reply, origin))
}

/// `GET /files/{id}` (`Authorization: Bearer TOKEN` or `?token=TOKEN`: the conversation's
/// visitor token or an operator's session token) → the file's bytes; 404 for anyone else
#[utoipa::path(
    get,
    path = "/files/{id}",
    tag = "files",
    security(("session" = []), ("visitor" = []), ()),
    params(
        ("id" = String, Path, description = "The file's id"),
        ("token" = Option<String>, Query, description = "The token, for links that cannot send a header"),
    ),
    responses(
        (status = 200, description = "The file's bytes, as its own type", content_type = "*/*", body = Vec<u8>),
        Errors,
    ),
)]
fn file(app: Arc<App>) -> Route {
    warp::path!("files" / String)
        .and(warp::get())
        .and(shop_origin(app.clone()))
        .and(file_token())
        .and(with_app(app))
        .and_then(
            |id: String, origin: Option<String>, token: Option<String>, app: Arc<App>| {
                serve(id, origin, token, app, FilePart::Original)
            },
        )
        .boxed()
}

/// `GET /files/{id}/thumbnail` (the same tokens) → an image's thumbnail; 404 when it has none
#[utoipa::path(
    get,
    path = "/files/{id}/thumbnail",
    tag = "files",
    security(("session" = []), ("visitor" = []), ()),
    params(
        ("id" = String, Path, description = "The file's id"),
        ("token" = Option<String>, Query, description = "The token, for links that cannot send a header"),
    ),
    responses(
        (status = 200, description = "The image's thumbnail", content_type = "image/*", body = Vec<u8>),
        Errors,
    ),
)]
fn thumbnail(app: Arc<App>) -> Route {
    warp::path!("files" / String / "thumbnail")
        .and(warp::get())
        .and(shop_origin(app.clone()))
        .and(file_token())
        .and(with_app(app))
        .and_then(
            |id: String, origin: Option<String>, token: Option<String>, app: Arc<App>| {
                serve(id, origin, token, app, FilePart::Thumbnail)
            },
        )
        .boxed()
}

/// `OPTIONS /files/{id}` → 204, the preflight of a widget's request with its token
#[utoipa::path(
    options,
    path = "/files/{id}",
    tag = "files",
    security(()),
    params(
        ("id" = String, Path, description = "The file's id"),
    ),
    responses(
        (status = 204, description = "The preflight of a widget's request from an allowed shop origin"),
        Errors,
    ),
)]
fn file_preflight(app: Arc<App>) -> Route {
    warp::path!("files" / String)
        .and(warp::options())
        .and(shop_origin(app))
        .map(|_: String, origin: Option<String>| preflight(origin, "GET"))
        .boxed()
}

/// `OPTIONS /files/{id}/thumbnail` → 204, the same for a thumbnail
#[utoipa::path(
    options,
    path = "/files/{id}/thumbnail",
    tag = "files",
    security(()),
    params(
        ("id" = String, Path, description = "The file's id"),
    ),
    responses(
        (status = 204, description = "The preflight of a widget's request from an allowed shop origin"),
        Errors,
    ),
)]
fn thumbnail_preflight(app: Arc<App>) -> Route {
    warp::path!("files" / String / "thumbnail")
        .and(warp::options())
        .and(shop_origin(app))
        .map(|_: String, origin: Option<String>| preflight(origin, "GET"))
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::encode_filename;

    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(encode_filename("faktura.pdf"), "faktura.pdf");
        assert_eq!(
            encode_filename("účet 1\";.pdf"),
            "%C3%BA%C4%8Det%201%22%3B.pdf"
        );
    }
}
