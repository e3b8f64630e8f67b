//! The REST client: `fetch` with the operator's bearer token, protocol types as JSON in and out,
//! and every refusal as an [`ApiError`] carrying the relay's own message.

use crate::i18n::{self, Text, t, tf};
use beseda_protocol::api::{
    Assign, Availability, ConversationDetail, ConversationSummary, ErrorBody, LoginRequest,
    LoginResponse, NewOperator, OperatorInfo, OperatorUpdate, PasswordChange, PriorityRule,
    ReadMark, RuleInput, Shortcut, ShortcutInput, SiteSettings, Tags, TeamSettings,
};
use beseda_protocol::keys::{ApiKeyInfo, CreatedApiKey, NewApiKey};
use beseda_protocol::prompts::{Prompt, PromptInput, PromptStats};
use beseda_protocol::webhooks::{CreatedWebhook, NewWebhook, Webhook, WebhookDelivery};
use beseda_protocol::{
    ConversationId, ConversationStatus, Message, OperatorId, OperatorProfile, RuleId, ShortcutId,
};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

pub mod privacy;

/// A call that did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status; 0 when the relay could not be reached.
    pub status: u16,
    /// What to show the operator, in the language on screen when it happened.
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

thread_local! {
    /// The session token; the page has one thread, so a thread-local is the page's global.
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Called when the relay no longer accepts the token.
    static ON_UNAUTHORIZED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn set_token(token: Option<String>) {
    TOKEN.with(|cell| *cell.borrow_mut() = token);
}

pub fn token() -> Option<String> {
    TOKEN.with(|cell| cell.borrow().clone())
}

/// What to do when a call answers 401 (sign the operator out).
pub fn on_unauthorized(handler: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|cell| *cell.borrow_mut() = Some(Rc::new(handler)));
}

fn unreachable() -> ApiError {
    ApiError {
        status: 0,
        message: t(Text::Unreachable).into(),
    }
}

/// How many times a write the relay could not store for a moment (503 with `Retry-After`) is
/// sent again before the operator is told to try again in a moment.
const WRITE_RETRIES: u32 = 4;

/// The longest wait before a write goes again, whatever the relay suggests, in seconds.
const MAX_RETRY_AFTER_S: u32 = 10;

/// Sends a request with the session's token; a successful response as it came, any other as
/// an [`ApiError`] with the relay's message (a 401 also signs the operator out). A write the
/// relay could not store for a moment (its storage failing: 503 with `Retry-After`) goes again
/// after the suggested delay, so that a note or a review the operator wrote is not lost to it;
/// it was not stored, so sending it again cannot store it twice.
async fn send(method: &str, path: &str, body: Option<String>) -> Result<Response, ApiError> {
    let mut retries = if method == "GET" { 0 } else { WRITE_RETRIES };
    loop {
        let response = fetch(method, path, body.clone()).await?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|seconds| seconds.trim().parse::<u32>().ok());
        match retry_after {
            Some(seconds) if response.status() == 503 && retries > 0 => {
                retries -= 1;
                pause(seconds.clamp(1, MAX_RETRY_AFTER_S) * 1000).await;
            }
            _ => return answered(response, path).await,
        }
    }
}

/// Waits `milliseconds` without blocking the page.
async fn pause(milliseconds: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(milliseconds).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// One request with the session's token, as the relay answered it.
async fn fetch(method: &str, path: &str, body: Option<String>) -> Result<Response, ApiError> {
    let window = web_sys::window().ok_or_else(unreachable)?;
    let headers = Headers::new().map_err(|_| unreachable())?;
    let token = token();
    if let Some(token) = &token {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| unreachable())?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .ok()
        .and_then(|response| response.dyn_into().ok())
        .ok_or_else(unreachable)?;
    Ok(response)
}

/// A successful response as it came; any other as an [`ApiError`].
async fn answered(response: Response, path: &str) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let token = token();
    let status = response.status();
    let text = text_of(&response).await;
    Err(refused(
        status,
        &text,
        token.is_some() && path != "/api/login",
    ))
}

/// A refusal with the relay's message from its body; a 401 to a call made with the session's
/// token also signs the operator out.
fn refused(status: u16, body: &str, with_token: bool) -> ApiError {
    if status == 401 && with_token {
        let handler = ON_UNAUTHORIZED.with(|cell| cell.borrow().clone());
        if let Some(handler) = handler {
            handler();
        }
    }
    let message = serde_json::from_str::<ErrorBody>(body)
        .map(|body| i18n::refusal(i18n::language(), Some(body.error.code), &body.error.message))
        .unwrap_or_else(|_| tf(Text::RelayAnswered, &[("status", &status.to_string())]));
    ApiError { status, message }
}

/// A response's body as text; empty when it cannot be read.
async fn text_of(response: &Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub(crate) async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiError> {
    let response = send(method, path, body).await?;
    let status = response.status();
    let text = text_of(&response).await;
    let text = if text.trim().is_empty() {
        "null"
    } else {
        &text
    };
    serde_json::from_str(text).map_err(|_| ApiError {
        status,
        message: t(Text::NotUnderstood).into(),
    })
}

/// A file the relay serves to signed-in operators only (a CSV export, a transcript), as the
/// bytes it sent: read as a blob, so that nothing is decoded on the way (a CSV's byte order
/// mark stays for the spreadsheet that opens it).
pub(crate) async fn blob(path: &str) -> Result<web_sys::Blob, ApiError> {
    let response = send("GET", path, None).await?;
    let status = response.status();
    let not_understood = || ApiError {
        status,
        message: t(Text::NotUnderstood).into(),
    };
    let promise = response.blob().map_err(|_| not_understood())?;
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|blob| blob.dyn_into().ok())
        .ok_or_else(not_understood)
}

/// Downloads what `path` answers as a file named `file_name`: fetched with the operator's
/// token (a plain link would carry none), kept byte for byte and handed to the browser
/// through a temporary object URL.
pub(crate) async fn download(path: &str, file_name: &str) -> Result<(), ApiError> {
    let blob = blob(path).await?;
    let failed = || ApiError {
        status: 0,
        message: t(Text::DownloadFailed).into(),
    };
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed())?;
    let link = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.create_element("a").ok())
        .and_then(|element| element.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or_else(failed)?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The browser reads the blob after the click returns: let it go only a while later.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// A file upload under way. It goes by `XMLHttpRequest`, whose upload reports its progress
/// (a `fetch` reports none).
#[derive(Clone)]
pub(crate) struct Upload {
    request: web_sys::XmlHttpRequest,
}

impl Upload {
    /// Stops the upload. The relay stores a message only once its whole body has arrived, so
    /// a stopped upload stores nothing; its answer is then a failure with status 0.
    pub fn cancel(&self) {
        let _ = self.request.abort();
    }
}

/// Starts posting `files`, with the composer's `text`, as one message of conversation `id`
/// (`POST /api/conversations/{id}/files`, multipart with a `file` field each). `client_id`
/// makes a resend after a lost answer harmless. `progress` hears the bytes sent so far and
/// their total. Answers the upload, to cancel it, and its answer: the stored message.
pub(crate) fn upload_files(
    id: ConversationId,
    files: Vec<web_sys::File>,
    client_id: String,
    text: String,
    progress: impl Fn(f64, f64) + 'static,
) -> Result<(Upload, impl Future<Output = Result<Message, ApiError>>), ApiError> {
    let form = web_sys::FormData::new().map_err(|_| unreachable())?;
    form.append_with_str("clientId", &client_id)
        .map_err(|_| unreachable())?;
    if !text.trim().is_empty() {
        form.append_with_str("text", &text)
            .map_err(|_| unreachable())?;
    }
    for file in &files {
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(|_| unreachable())?;
    }
    let request = web_sys::XmlHttpRequest::new().map_err(|_| unreachable())?;
    request
        .open("POST", &conversation_path(id, "files"))
        .map_err(|_| unreachable())?;
    let token = token();
    if let Some(token) = &token {
        let _ = request.set_request_header("authorization", &format!("Bearer {token}"));
    }
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() {
                progress(event.loaded(), event.total());
            }
        });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    // `loadend` comes once, however the request ended: answered, failed or cancelled.
    let finished =
        js_sys::Promise::new(&mut |resolve, _reject| request.set_onloadend(Some(&resolve)));
    request
        .send_with_opt_form_data(Some(&form))
        .map_err(|_| unreachable())?;
    let upload = Upload {
        request: request.clone(),
    };
    let answer = async move {
        let _ = JsFuture::from(finished).await;
        drop(on_progress);
        let status = request.status().unwrap_or(0);
        if status == 0 {
            return Err(unreachable());
        }
        let body = request.response_text().ok().flatten().unwrap_or_default();
        if (200..300).contains(&status) {
            return serde_json::from_str(&body).map_err(|_| ApiError {
                status,
                message: t(Text::NotUnderstood).into(),
            });
        }
        Err(refused(status, &body, token.is_some()))
    };
    Ok((upload, answer))
}

pub(crate) fn json(body: &impl Serialize) -> Option<String> {
    Some(serde_json::to_string(body).expect("protocol types always serialise"))
}

fn conversation_path(id: ConversationId, action: &str) -> String {
    format!("/api/conversations/{id}/{action}")
}

pub async fn login(request: &LoginRequest) -> Result<LoginResponse, ApiError> {
    call("POST", "/api/login", json(request)).await
}

/// Ends this session on the relay, so that the token opens nothing any more.
pub async fn logout() -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", "/api/logout", None)
        .await
        .map(drop)
}

/// Changes the operator's own password; the relay signs out their other sessions.
pub async fn change_password(change: &PasswordChange) -> Result<(), ApiError> {
    call::<IgnoredAny>("PUT", "/api/me/password", json(change))
        .await
        .map(drop)
}

pub async fn me() -> Result<OperatorProfile, ApiError> {
    call("GET", "/api/me", None).await
}

pub async fn update_me(update: &OperatorUpdate) -> Result<OperatorProfile, ApiError> {
    call("PUT", "/api/me", json(update)).await
}

pub async fn set_availability(online: bool) -> Result<Availability, ApiError> {
    call(
        "PUT",
        "/api/me/availability",
        json(&Availability { online }),
    )
    .await
}

pub async fn conversations(
    status: ConversationStatus,
) -> Result<Vec<ConversationSummary>, ApiError> {
    let path = format!("/api/conversations?status={}", status.as_str());
    call("GET", &path, None).await
}

pub async fn conversation(id: ConversationId) -> Result<ConversationDetail, ApiError> {
    call("GET", &format!("/api/conversations/{id}"), None).await
}

/// Calls that change a conversation answer with it; when an answer is not a summary the
/// socket's `conversation` frame brings the change anyway.
async fn change(path: &str, body: Option<String>) -> Result<Option<ConversationSummary>, ApiError> {
    let answer: serde_json::Value = call("POST", path, body).await?;
    Ok(serde_json::from_value(answer).ok())
}

pub async fn join(id: ConversationId) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", &conversation_path(id, "join"), None)
        .await
        .map(drop)
}

pub async fn mark_read(id: ConversationId, mark: ReadMark) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", &conversation_path(id, "read"), json(&mark))
        .await
        .map(drop)
}

pub async fn resolve(id: ConversationId) -> Result<Option<ConversationSummary>, ApiError> {
    change(&conversation_path(id, "resolve"), None).await
}

pub async fn reopen(id: ConversationId) -> Result<Option<ConversationSummary>, ApiError> {
    change(&conversation_path(id, "reopen"), None).await
}

pub async fn assign(
    id: ConversationId,
    operator_id: OperatorId,
) -> Result<Option<ConversationSummary>, ApiError> {
    change(
        &conversation_path(id, "assign"),
        json(&Assign { operator_id }),
    )
    .await
}

pub async fn set_tags(
    id: ConversationId,
    tags: Vec<String>,
) -> Result<Option<ConversationSummary>, ApiError> {
    let answer: serde_json::Value =
        call("PUT", &conversation_path(id, "tags"), json(&Tags { tags })).await?;
    Ok(serde_json::from_value(answer).ok())
}

pub async fn operators() -> Result<Vec<OperatorInfo>, ApiError> {
    call("GET", "/api/operators", None).await
}

pub async fn add_operator(operator: &NewOperator) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", "/api/operators", json(operator))
        .await
        .map(drop)
}

pub async fn update_operator(id: OperatorId, update: &OperatorUpdate) -> Result<(), ApiError> {
    call::<IgnoredAny>("PUT", &format!("/api/operators/{id}"), json(update))
        .await
        .map(drop)
}

/// Disables an operator (signed out everywhere, no sign-in) or enables them again (admins).
pub async fn set_operator_disabled(id: OperatorId, disabled: bool) -> Result<(), ApiError> {
    let action = if disabled { "disable" } else { "enable" };
    call::<IgnoredAny>("POST", &format!("/api/operators/{id}/{action}"), None)
        .await
        .map(drop)
}

pub async fn shortcuts() -> Result<Vec<Shortcut>, ApiError> {
    call("GET", "/api/shortcuts", None).await
}

pub async fn add_shortcut(shortcut: &ShortcutInput) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", "/api/shortcuts", json(shortcut))
        .await
        .map(drop)
}

pub async fn update_shortcut(id: ShortcutId, shortcut: &ShortcutInput) -> Result<(), ApiError> {
    call::<IgnoredAny>("PUT", &format!("/api/shortcuts/{id}"), json(shortcut))
        .await
        .map(drop)
}

pub async fn delete_shortcut(id: ShortcutId) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/shortcuts/{id}"), None)
        .await
        .map(drop)
}

pub async fn team_settings() -> Result<TeamSettings, ApiError> {
    call("GET", "/api/settings", None).await
}

pub async fn set_team_settings(settings: &TeamSettings) -> Result<(), ApiError> {
    call::<IgnoredAny>("PUT", "/api/settings", json(settings))
        .await
        .map(drop)
}

pub async fn sites() -> Result<Vec<SiteSettings>, ApiError> {
    call("GET", "/api/sites", None).await
}

pub async fn set_site(site: &SiteSettings) -> Result<(), ApiError> {
    let name = String::from(js_sys::encode_uri_component(&site.name));
    call::<IgnoredAny>("PUT", &format!("/api/sites/{name}"), json(site))
        .await
        .map(drop)
}

pub async fn rules() -> Result<Vec<PriorityRule>, ApiError> {
    call("GET", "/api/rules", None).await
}

pub async fn add_rule(rule: &RuleInput) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", "/api/rules", json(rule))
        .await
        .map(drop)
}

pub async fn update_rule(id: RuleId, rule: &RuleInput) -> Result<(), ApiError> {
    call::<IgnoredAny>("PUT", &format!("/api/rules/{id}"), json(rule))
        .await
        .map(drop)
}

pub async fn delete_rule(id: RuleId) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/rules/{id}"), None)
        .await
        .map(drop)
}

pub async fn prompts() -> Result<Vec<Prompt>, ApiError> {
    call("GET", "/api/prompts", None).await
}

pub async fn add_prompt(prompt: &PromptInput) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", "/api/prompts", json(prompt))
        .await
        .map(drop)
}

pub async fn update_prompt(id: i64, prompt: &PromptInput) -> Result<(), ApiError> {
    call::<IgnoredAny>("PUT", &format!("/api/prompts/{id}"), json(prompt))
        .await
        .map(drop)
}

pub async fn delete_prompt(id: i64) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/prompts/{id}"), None)
        .await
        .map(drop)
}

pub async fn prompt_stats(id: i64) -> Result<PromptStats, ApiError> {
    call("GET", &format!("/api/prompts/{id}/stats"), None).await
}

pub async fn keys() -> Result<Vec<ApiKeyInfo>, ApiError> {
    call("GET", "/api/keys", None).await
}

/// A new API key; the answer holds the key, shown this once.
pub async fn create_key(request: &NewApiKey) -> Result<CreatedApiKey, ApiError> {
    call("POST", "/api/keys", json(request)).await
}

pub async fn revoke_key(id: i64) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/keys/{id}"), None)
        .await
        .map(drop)
}

pub async fn webhooks() -> Result<Vec<Webhook>, ApiError> {
    call("GET", "/api/webhooks", None).await
}

/// A new endpoint; the answer holds its signing secret, shown this once.
pub async fn add_webhook(request: &NewWebhook) -> Result<CreatedWebhook, ApiError> {
    call("POST", "/api/webhooks", json(request)).await
}

pub async fn update_webhook(id: i64, request: &NewWebhook) -> Result<Webhook, ApiError> {
    call("PUT", &format!("/api/webhooks/{id}"), json(request)).await
}

pub async fn delete_webhook(id: i64) -> Result<(), ApiError> {
    call::<IgnoredAny>("DELETE", &format!("/api/webhooks/{id}"), None)
        .await
        .map(drop)
}

/// A new signing secret (the old one is good for a day more), shown this once.
pub async fn rotate_webhook_secret(id: i64) -> Result<CreatedWebhook, ApiError> {
    call("POST", &format!("/api/webhooks/{id}/rotate"), None).await
}

pub async fn test_webhook(id: i64) -> Result<(), ApiError> {
    call::<IgnoredAny>("POST", &format!("/api/webhooks/{id}/test"), None)
        .await
        .map(drop)
}

pub async fn webhook_deliveries(id: i64) -> Result<Vec<WebhookDelivery>, ApiError> {
    call("GET", &format!("/api/webhooks/{id}/deliveries"), None).await
}

pub async fn redeliver(id: i64, delivery: i64) -> Result<(), ApiError> {
    call::<IgnoredAny>(
        "POST",
        &format!("/api/webhooks/{id}/deliveries/{delivery}/redeliver"),
        None,
    )
    .await
    .map(drop)
}
