//! Files in the chat over HTTP: an upload (`multipart/form-data`, read as a stream: each file
//! counted while it arrives and spooled to a temporary file) posted as a message through the
//! chat's front door, and a stored file served to the conversation's visitor or an operator.

use crate::App;
use crate::chat::files::{
    MAX_FILES_PER_MESSAGE, Received, Uploader, count_file, drop_files, store_files, too_large,
};
use crate::chat::validation::{check_client_id, check_text};
use crate::chat::{self, Post, Sender};
use crate::error::ApiError;
use crate::store::{FilePart, StoredFile, VisitorDetails};
use beseda_protocol::{ClientMessageId, ConversationId, ErrorCode, Message, OperatorProfile};
use bytes::Bytes;
use futures_util::Stream;
use std::net::IpAddr;
use tokio::io::AsyncWriteExt;

/// The largest text field of an upload (the message's text, its client id, the site).
const MAX_TEXT_FIELD_BYTES: u64 = 64 * 1024;

/// The most of an upload held in memory on its way to its temporary file.
const SPOOL_BUFFER_BYTES: usize = 64 * 1024;

/// An upload's body as it arrives.
pub struct Body<S> {
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    pub stream: S,
}

/// Hands a body on one chunk per poll. The multipart reader takes everything a stream has
/// ready into its own buffer, so behind a fast client it would hold a whole upload in memory
/// before a byte of it is spooled; one chunk at a time, it holds about one chunk.
struct OneChunkAtATime<S> {
    inner: std::pin::Pin<Box<S>>,
    yielded: bool,
}

impl<S: Stream> Stream for OneChunkAtATime<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        if self.yielded {
            // Let the reader use this chunk first; it polls again at once.
            self.yielded = false;
            context.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let polled = self.inner.as_mut().poll_next(context);
        self.yielded = matches!(polled, std::task::Poll::Ready(Some(_)));
        polled
    }
}

/// An upload's fields, its files spooled.
struct Form {
    files: Vec<Received>,
    client_id: Option<String>,
    text: String,
    site: Option<String>,
}

/// The largest body an upload may have: every file at its largest, and the text fields.
fn body_limit(app: &App) -> u64 {
    app.config
        .file_max_bytes
        .saturating_mul(MAX_FILES_PER_MESSAGE as u64)
        .saturating_add(MAX_TEXT_FIELD_BYTES * 4)
}

fn malformed() -> ApiError {
    ApiError::Invalid(
        ErrorCode::BadRequest,
        "send multipart/form-data with one or more `file` fields, `clientId` and an optional `text`"
            .into(),
    )
}

/// Reads an upload's fields. A body announced larger than any upload may be is refused before
/// a byte of it is read; each file is counted as it arrives (a visitor's against their files an
/// hour, before its bytes) and refused at the size limit, and nothing is stored while reading.
async fn read_form<S, E>(app: &App, uploader: &Uploader, body: Body<S>) -> Result<Form, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let limit = body_limit(app);
    if body.content_length.is_some_and(|length| length > limit) {
        return Err(too_large(app));
    }
    let boundary = body
        .content_type
        .as_deref()
        .and_then(|content_type| multer::parse_boundary(content_type).ok())
        .ok_or_else(malformed)?;
    let max_file = app.config.file_max_bytes;
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["file", "clientId", "text", "site"])
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(limit)
                // One byte more than a file may have, so that the count below refuses it.
                .for_field("file", max_file.saturating_add(1))
                .for_field("clientId", MAX_TEXT_FIELD_BYTES)
                .for_field("text", MAX_TEXT_FIELD_BYTES)
                .for_field("site", MAX_TEXT_FIELD_BYTES),
        );
    let stream = OneChunkAtATime {
        inner: Box::pin(body.stream),
        yielded: false,
    };
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut form = Form {
        files: Vec::new(),
        client_id: None,
        text: String::new(),
        site: None,
    };
    let read_error = |app: &App, error: multer::Error| match error {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            too_large(app)
        }
        _ => malformed(),
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| read_error(app, error))?
    {
        match field.name() {
            Some("file") => {
                if form.files.len() >= MAX_FILES_PER_MESSAGE {
                    return Err(ApiError::Invalid(
                        ErrorCode::BadRequest,
                        format!("a message may carry at most {MAX_FILES_PER_MESSAGE} files"),
                    ));
                }
                count_file(app, uploader).await?;
                let name = field.file_name().unwrap_or("file").to_owned();
                let spool = tempfile::tempfile().map_err(|error| {
                    ApiError::Internal(format!("cannot make a temporary file: {error}"))
                })?;
                let mut writer = tokio::fs::File::from_std(spool);
                // Its buffer is what each upload holds in memory while it is spooled.
                writer.set_max_buf_size(SPOOL_BUFFER_BYTES);
                let mut size: u64 = 0;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|error| read_error(app, error))?
                {
                    size += chunk.len() as u64;
                    if size > max_file {
                        return Err(too_large(app));
                    }
                    writer.write_all(&chunk).await.map_err(|error| {
                        ApiError::Internal(format!("spooling an upload failed: {error}"))
                    })?;
                }
                writer.flush().await.map_err(|error| {
                    ApiError::Internal(format!("spooling an upload failed: {error}"))
                })?;
                form.files.push(Received {
                    name,
                    spool: writer.into_std().await,
                });
            }
            Some(name) => {
                let name = name.to_owned();
                let value = field.text().await.map_err(|error| read_error(app, error))?;
                match name.as_str() {
                    "clientId" => form.client_id = Some(value),
                    "text" => form.text = value,
                    _ => form.site = Some(value),
                }
            }
            None => return Err(malformed()),
        }
    }
    if form.files.is_empty() {
        return Err(ApiError::Invalid(
            ErrorCode::BadRequest,
            "send at least one file in the field `file`".into(),
        ));
    }
    Ok(form)
}

/// The message's own checks, before any file is stored: its client id and its text.
fn check_message(app: &App, form: &Form, client_id_required: bool) -> Result<(), ApiError> {
    match &form.client_id {
        Some(client_id) => {
            check_client_id(&ClientMessageId(client_id.clone())).map_err(ApiError::invalid)?
        }
        None if client_id_required => {
            return Err(ApiError::Invalid(
                ErrorCode::InvalidClientId,
                "send the message's `clientId`, which makes a resend harmless".into(),
            ));
        }
        None => {}
    }
    if !form.text.trim().is_empty() {
        check_text(&form.text, app.config.max_text_chars).map_err(ApiError::invalid)?;
    }
    Ok(())
}

/// Stores the form's files and posts the message carrying them; the files go again when the
/// message is refused. Answers the message and whether it is new (false for a resend of a
/// stored client id, whose first files it carries).
async fn post_with_files(
    app: &App,
    uploader: &Uploader,
    sender: Sender,
    form: Form,
) -> Result<(Message, bool), ApiError> {
    let files = store_files(app, uploader, form.files).await?;
    let post = Post {
        sender,
        client_id: form.client_id.map(ClientMessageId),
        text: form.text,
        origin: None,
        files: files.clone(),
    };
    match chat::post(app, post).await {
        Ok(appended) => Ok((appended.message, !appended.duplicate)),
        Err(error) => {
            drop_files(app, &files).await;
            Err(error.into())
        }
    }
}

/// A visitor's upload into their conversation on the form's site (created by it, like by a
/// first message), authorised by their visitor token.
pub async fn visitor_upload<S, E>(
    app: &App,
    token: Option<&str>,
    address: IpAddr,
    body: Body<S>,
) -> Result<(Message, bool), ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let visitor_id = token
        .and_then(|token| app.visitor_tokens.verify(token))
        .ok_or(ApiError::Unauthorized)?;
    let uploader = Uploader::Visitor(visitor_id.clone());
    let form = read_form(app, &uploader, body).await?;
    check_message(app, &form, true)?;
    let site = form.site.clone().unwrap_or_else(|| "default".to_owned());
    if app.store.site_title(&site).await?.is_none() {
        return Err(ApiError::NotFound("site"));
    }
    let sender = Sender::Visitor {
        site,
        visitor_id,
        address,
        details: Box::new(VisitorDetails::default()),
        contact_email: None,
        // The conversation may not exist yet; the front door counts it only if it does not.
        first_message: true,
    };
    post_with_files(app, &uploader, sender, form).await
}

/// An operator's upload into a conversation.
pub async fn operator_upload<S, E>(
    app: &App,
    operator: &OperatorProfile,
    conversation_id: ConversationId,
    body: Body<S>,
) -> Result<(Message, bool), ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    // A conversation that does not exist is refused before the body is read.
    app.store
        .conversation_summary(conversation_id)
        .await
        .map_err(ApiError::store("conversation"))?;
    let uploader = Uploader::Operator(operator.id);
    let form = read_form(app, &uploader, body).await?;
    check_message(app, &form, false)?;
    let sender = Sender::Operator {
        operator_id: operator.id,
        conversation_id,
    };
    post_with_files(app, &uploader, sender, form).await
}

/// A stored file (or its thumbnail) for its conversation's visitor (by their visitor token), any
/// operator (by their session token) or an API key (one for a site: that site's files only).
/// Anyone else, like a file that does not exist, gets 404: nobody learns whether an id is taken.
pub async fn fetch(
    app: &App,
    id: &str,
    part: FilePart,
    token: Option<&str>,
) -> Result<StoredFile, ApiError> {
    let not_found = || ApiError::NotFound("file");
    let token = token.ok_or_else(not_found)?;
    if !crate::store::files::is_file_id(id) {
        return Err(not_found());
    }
    let visitor = app.visitor_tokens.verify(token);
    let mut key_site = None;
    if visitor.is_none() {
        let signed_in = if super::keys::is_key(token) {
            super::keys::grant(app, token)
                .await
                .map(|grant| key_site = grant.site)
        } else {
            super::account::authenticate(app, token).await.map(drop)
        };
        match signed_in {
            Ok(()) => {}
            Err(ApiError::Unauthorized) => return Err(not_found()),
            Err(error) => return Err(error),
        }
    }
    let file = app
        .store
        .file(id.to_owned(), part)
        .await?
        .ok_or_else(not_found)?;
    if let Some(site) = key_site {
        let conversation = app
            .store
            .conversation_summary(file.conversation_id)
            .await
            .map_err(ApiError::store("file"))?;
        if conversation.site != site {
            return Err(not_found());
        }
    }
    match visitor {
        Some(visitor_id) if visitor_id != file.visitor_id => Err(not_found()),
        _ => Ok(file),
    }
}
