//! The history: listing and searching every conversation (as JSON or CSV), internal notes,
//! reviews and their weekly sample, and a conversation's transcript (text or printable HTML).
//!
//! Every signed-in operator may read every conversation (the list's rule today), so the filters
//! narrow and never widen what an operator sees. A review is written by admins only and shown
//! to admins and to the operator the conversation is assigned to. Dates (`from`, `to`, the
//! sample's `week`) are whole days in UTC: `from=2026-12-01&to=2026-12-07` lists the
//! conversations started from 1 December 00:00 UTC to 7 December 24:00 UTC.

use crate::App;
use crate::chat::validation::{check_comment, check_label, check_text};
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::store::history::{query_words, sample_order};
use crate::store::{HistoryFilter, HistoryHit};
use beseda_protocol::api::ConversationSummary;
use beseda_protocol::history::{
    ConversationWithNotes, HistoryItem, NewNote, Note, Review, ReviewInput, ReviewSample, Snippet,
    SnippetPart,
};
use beseda_protocol::{
    Author, ConversationId, ConversationStatus, ErrorCode, Message, OperatorId, OperatorProfile,
    Rating,
};
use std::collections::HashMap;

/// The query parameters that make `GET /api/conversations` a history listing; without any of
/// them it answers today's list (the most urgent first).
const HISTORY_PARAMETERS: &[&str] = &[
    "q", "site", "operator", "tag", "rating", "reviewed", "from", "to", "limit", "cursor", "format",
];
/// Items per page unless `limit` says otherwise, and the most `limit` may ask for.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;
/// The most rows one CSV export holds (`limit` may ask for fewer).
const MAX_CSV_ROWS: u32 = 10_000;
/// The longest search query.
const MAX_QUERY_CHARS: usize = 200;
/// Characters of a message kept on each side of the first matched word in a snippet.
const SNIPPET_CONTEXT_CHARS: usize = 60;
/// The most conversations a review sample may hold.
const MAX_SAMPLE: u32 = 50;
const DAY_MILLIS: i64 = 86_400_000;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::Invalid(ErrorCode::BadRequest, message.into())
}

/// A file to download: its content type and body.
pub struct Download {
    pub content_type: &'static str,
    pub body: String,
}

/// What a history listing answers: items as JSON, or the CSV export.
pub enum Listing {
    Items(Vec<HistoryItem>),
    Csv(Download),
}

/// Whether a query asks for the history rather than today's list.
pub fn is_history_query(query: &HashMap<String, String>) -> bool {
    HISTORY_PARAMETERS
        .iter()
        .any(|parameter| query.contains_key(*parameter))
}

/// The cursor that continues a listing after a conversation: opaque to clients.
fn cursor_of(conversation_id: ConversationId) -> String {
    format!("h1.{:x}", conversation_id.0)
}

fn parse_cursor(cursor: &str) -> Result<ConversationId, ApiError> {
    cursor
        .strip_prefix("h1.")
        .filter(|hex| !hex.is_empty() && hex.len() <= 16)
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .filter(|id| *id > 0)
        .map(ConversationId)
        .ok_or_else(|| bad("cursor is not one this relay gave"))
}

/// A day `YYYY-MM-DD` as the millisecond its UTC midnight is.
fn day_start(name: &str, text: &str) -> Result<i64, ApiError> {
    let date: jiff::civil::Date = text
        .parse()
        .map_err(|_| bad(format!("{name} is not a date like 2026-12-06")))?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|zoned| zoned.timestamp().as_millisecond())
        .map_err(|_| bad(format!("{name} is out of range")))
}

/// A status as a query names it.
pub fn parse_status(text: &str) -> Result<ConversationStatus, ApiError> {
    match text {
        "open" => Ok(ConversationStatus::Open),
        "resolved" => Ok(ConversationStatus::Resolved),
        _ => Err(bad("status is open or resolved")),
    }
}

/// The filter a query asks for; 400 for a parameter that is not understood.
fn filter_of(query: &HashMap<String, String>, csv: bool) -> Result<HistoryFilter, ApiError> {
    let get = |name: &str| query.get(name).map(String::as_str);
    let mut filter = HistoryFilter {
        limit: if csv { MAX_CSV_ROWS } else { DEFAULT_LIMIT },
        ..HistoryFilter::default()
    };
    if let Some(q) = get("q") {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(bad(format!("q has at most {MAX_QUERY_CHARS} characters")));
        }
        filter.words = Some(query_words(q));
    }
    if let Some(status) = get("status") {
        filter.status = Some(parse_status(status)?);
    }
    if let Some(site) = get("site") {
        check_label("a site", site).map_err(ApiError::invalid)?;
        filter.site = Some(site.to_owned());
    }
    if let Some(operator) = get("operator") {
        let id: i64 = operator
            .parse()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| bad("operator is an operator's id"))?;
        filter.operator = Some(OperatorId(id));
    }
    if let Some(tag) = get("tag") {
        check_label("a tag", tag).map_err(ApiError::invalid)?;
        filter.tag = Some(tag.to_owned());
    }
    if let Some(rating) = get("rating") {
        filter.rating = Some(
            Rating::from_name(rating)
                .ok_or_else(|| bad("rating is satisfied, neutral or dissatisfied"))?,
        );
    }
    if let Some(reviewed) = get("reviewed") {
        filter.reviewed = Some(match reviewed {
            "true" => true,
            "false" => false,
            _ => return Err(bad("reviewed is true or false")),
        });
    }
    if let Some(from) = get("from") {
        filter.from = Some(day_start("from", from)?);
    }
    if let Some(to) = get("to") {
        // `to` names the last day listed, whole.
        filter.to = Some(day_start("to", to)? + DAY_MILLIS);
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from >= to
    {
        return Err(bad("from is after to"));
    }
    if let Some(limit) = get("limit") {
        let most = if csv { MAX_CSV_ROWS } else { MAX_LIMIT };
        filter.limit = limit
            .parse()
            .ok()
            .filter(|limit| (1..=most).contains(limit))
            .ok_or_else(|| bad(format!("limit is a number from 1 to {most}")))?;
    }
    if let Some(cursor) = get("cursor") {
        filter.before = Some(parse_cursor(cursor)?);
    }
    Ok(filter)
}

/// Whether this operator may read a conversation's review: admins, and the operator it is
/// assigned to.
fn may_see_review(operator: &OperatorProfile, summary: &ConversationSummary) -> bool {
    operator.admin || summary.assigned_to == Some(operator.id)
}

/// A history listing: `GET /api/conversations` with history parameters.
pub async fn list(
    app: &App,
    operator: &OperatorProfile,
    query: &HashMap<String, String>,
) -> Result<Listing, ApiError> {
    let csv = match query.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(bad("format is json or csv")),
    };
    let filter = filter_of(query, csv)?;
    let words = filter.words.clone().unwrap_or_default();
    let hits = app.store.history(filter).await?;
    let items: Vec<HistoryItem> = hits
        .into_iter()
        .map(|hit| item(operator, hit, &words))
        .collect();
    if csv {
        return Ok(Listing::Csv(Download {
            content_type: "text/csv; charset=utf-8",
            body: csv_of(&items),
        }));
    }
    Ok(Listing::Items(items))
}

fn item(operator: &OperatorProfile, hit: HistoryHit, words: &[String]) -> HistoryItem {
    let HistoryHit {
        summary,
        matched,
        review,
    } = hit;
    let reviewed = review.is_some();
    let review = review.filter(|_| may_see_review(operator, &summary));
    HistoryItem {
        cursor: cursor_of(summary.id),
        snippet: matched.map(|message| snippet(&message, words)),
        reviewed,
        review,
        summary,
    }
}

/// What a snippet is cut from: the message's text, then its files by name (the search finds a
/// message by them too, and a message may be files alone), each after a paperclip, which reads
/// the same in every language.
fn snippet_text(message: &Message) -> std::borrow::Cow<'_, str> {
    if message.files.is_empty() {
        return std::borrow::Cow::Borrowed(&message.text);
    }
    let mut text = message.text.clone();
    for file in &message.files {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str("📎 ");
        text.push_str(&file.name);
    }
    std::borrow::Cow::Owned(text)
}

/// The part of a message around its first matched word, the matched words marked. Words are
/// compared as the search compares them (folded, as prefixes), so a console needs no rules of
/// its own.
pub fn snippet(message: &Message, words: &[String]) -> Snippet {
    let text: &str = &snippet_text(message);
    // The message's words with their places: runs of letters and digits.
    let mut spans: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = None;
    for (index, character) in text.char_indices().chain([(text.len(), ' ')]) {
        match (character.is_alphanumeric() && index < text.len(), start) {
            (true, None) => start = Some(index),
            (false, Some(begin)) => {
                let folded: String =
                    crate::store::history::search_words(&text[begin..index]).concat();
                let matched = words.iter().any(|word| folded.starts_with(word.as_str()));
                spans.push((begin, index, matched));
                start = None;
            }
            _ => {}
        }
    }
    let first = spans
        .iter()
        .find(|(_, _, matched)| *matched)
        .map(|span| span.0);
    let (cut_start, cut_end) = match first {
        Some(first) => {
            let before = text[..first]
                .char_indices()
                .rev()
                .nth(SNIPPET_CONTEXT_CHARS - 1)
                .map_or(0, |(index, _)| index);
            let after = text[first..]
                .char_indices()
                .nth(SNIPPET_CONTEXT_CHARS * 2)
                .map_or(text.len(), |(index, _)| first + index);
            (before, after)
        }
        None => (
            0,
            text.char_indices()
                .nth(SNIPPET_CONTEXT_CHARS * 2)
                .map_or(text.len(), |(index, _)| index),
        ),
    };
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |piece: &str, matched: bool| {
        if piece.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.matched == matched => last.text.push_str(piece),
            _ => parts.push(SnippetPart {
                text: piece.to_owned(),
                matched,
            }),
        }
    };
    if cut_start > 0 {
        push("…", false);
    }
    let mut at = cut_start;
    for (begin, end, matched) in spans {
        if end <= cut_start || begin >= cut_end {
            continue;
        }
        let (begin, end) = (begin.max(cut_start), end.min(cut_end));
        push(&text[at..begin], false);
        push(&text[begin..end], matched);
        at = end;
    }
    push(&text[at..cut_end], false);
    if cut_end < text.len() {
        push("…", false);
    }
    Snippet {
        message_id: message.id,
        author: message.author,
        text: parts.iter().map(|part| part.text.as_str()).collect(),
        parts,
    }
}

/// A CSV cell: quoted, quotes doubled, and a leading `=`, `+`, `-`, `@` (or tab, carriage
/// return) defused with an apostrophe so that a spreadsheet never reads it as a formula.
fn cell(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// The CSV export: UTF-8 with a byte order mark (so that spreadsheets in Czech read it as
/// UTF-8), a header row, CRLF line ends.
fn csv_of(items: &[HistoryItem]) -> String {
    let mut csv = String::from("\u{FEFF}");
    let header = [
        "id",
        "site",
        "status",
        "createdAt",
        "updatedAt",
        "visitorName",
        "visitorEmail",
        "assignedTo",
        "tags",
        "rating",
        "reviewed",
        "verdict",
        "messages",
        "lastMessage",
        "snippet",
    ];
    csv.push_str(&header.join(","));
    csv.push_str("\r\n");
    for item in items {
        let summary = &item.summary;
        let row = [
            summary.id.0.to_string(),
            summary.site.clone(),
            summary.status.as_str().to_owned(),
            summary.created_at.clone(),
            summary.updated_at.clone(),
            summary.visitor.name.clone().unwrap_or_default(),
            summary.visitor.email.clone().unwrap_or_default(),
            summary
                .assigned_to
                .map(|id| id.0.to_string())
                .unwrap_or_default(),
            summary.tags.join(", "),
            summary
                .rating
                .map(|rating| rating.as_str().to_owned())
                .unwrap_or_default(),
            item.reviewed.to_string(),
            item.review
                .as_ref()
                .map(|review| review.verdict.as_str().to_owned())
                .unwrap_or_default(),
            summary.message_count.to_string(),
            summary
                .last_message
                .as_ref()
                .map(|message| message.text_with_files())
                .unwrap_or_default(),
            item.snippet
                .as_ref()
                .map(|snippet| snippet.text.clone())
                .unwrap_or_default(),
        ];
        csv.push_str(
            &row.iter()
                .map(|value| cell(value))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    csv
}

/// A conversation with its notes and (for admins and its operator) its review.
pub async fn conversation(
    app: &App,
    operator: &OperatorProfile,
    conversation_id: ConversationId,
) -> Result<ConversationWithNotes, ApiError> {
    let detail = super::conversations::conversation(app, conversation_id).await?;
    let notes = app.store.notes(conversation_id).await?;
    let visible = operator.admin || detail.assigned_to == Some(operator.id);
    let review = if visible {
        app.store.review(conversation_id).await?
    } else {
        None
    };
    Ok(ConversationWithNotes {
        detail,
        notes,
        review,
    })
}

/// Adds an internal note: checked like a message (not blank, at most `--max-text-chars`),
/// stored trimmed.
pub async fn add_note(
    app: &App,
    operator: &OperatorProfile,
    conversation_id: ConversationId,
    body: NewNote,
) -> Result<Note, ApiError> {
    check_text(&body.text, app.config.max_text_chars).map_err(ApiError::invalid)?;
    app.store
        .add_note(conversation_id, operator.id, body.text.trim().to_owned())
        .await
        .map_err(ApiError::store("conversation"))
}

/// Records an admin's review of a conversation.
pub async fn set_review(
    app: &App,
    admin: &OperatorProfile,
    conversation_id: ConversationId,
    body: ReviewInput,
) -> Result<Review, ApiError> {
    let comment = body.comment.trim();
    check_comment(Some(comment)).map_err(ApiError::invalid)?;
    app.store
        .set_review(conversation_id, admin.id, body.verdict, comment.to_owned())
        .await
        .map_err(ApiError::store("conversation"))
}

/// Removes a conversation's review (404 when it had none).
pub async fn clear_review(app: &App, conversation_id: ConversationId) -> Result<(), ApiError> {
    if app.store.clear_review(conversation_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound("review"))
    }
}

/// An ISO week `2026-W49` as its Monday's UTC midnight.
fn week_start(text: &str) -> Result<i64, ApiError> {
    let invalid = || bad("week is an ISO week like 2026-W49");
    let (year, week) = text.split_once("-W").ok_or_else(invalid)?;
    let year: i16 = year.parse().map_err(|_| invalid())?;
    let week: i8 = week.parse().map_err(|_| invalid())?;
    let date = jiff::civil::ISOWeekDate::new(year, week, jiff::civil::Weekday::Monday)
        .map_err(|_| invalid())?
        .date();
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|zoned| zoned.timestamp().as_millisecond())
        .map_err(|_| invalid())
}

/// The ISO week a moment falls in, e.g. `2026-W49`.
fn week_of(millis: i64) -> String {
    let moment = jiff::Timestamp::from_millisecond(millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let week = moment
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .iso_week_date();
    format!("{}-W{:02}", week.year(), week.week())
}

/// `n` conversations of an operator's week not reviewed yet, the same ones on every call (until
/// some are reviewed): ordered by a hash of the conversation, the operator and the week.
pub async fn sample(app: &App, query: &HashMap<String, String>) -> Result<ReviewSample, ApiError> {
    let operator = query
        .get("operator")
        .and_then(|operator| operator.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(OperatorId)
        .ok_or_else(|| bad("operator is an operator's id"))?;
    let week = match query.get("week") {
        Some(week) => week.clone(),
        None => week_of(now_millis()),
    };
    let from = week_start(&week)?;
    let n = match query.get("n") {
        Some(n) => n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SAMPLE).contains(n))
            .ok_or_else(|| bad(format!("n is a number from 1 to {MAX_SAMPLE}")))?,
        None => 5,
    };
    let mut ids = app
        .store
        .unreviewed(operator, from, from + 7 * DAY_MILLIS)
        .await?;
    sample_order(&mut ids, operator, &week);
    let mut conversations = Vec::new();
    for id in ids.into_iter().take(usize::try_from(n).unwrap_or(0)) {
        conversations.push(app.store.conversation_summary(id).await?);
    }
    Ok(ReviewSample {
        week,
        operator_id: operator,
        conversations,
    })
}

/// Escapes text for HTML content and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// `2026-12-06 10:15 UTC` from an ISO 8601 time as the API gives it.
fn readable_time(iso: &str) -> String {
    match iso.get(..16) {
        Some(minutes) => format!("{} UTC", minutes.replacen('T', " ", 1)),
        None => iso.to_owned(),
    }
}

fn who(message: &Message) -> String {
    match message.author {
        Author::Visitor => "Visitor".to_owned(),
        Author::Operator => message
            .author_name
            .clone()
            .unwrap_or_else(|| "Operator".to_owned()),
        Author::System => "System".to_owned(),
    }
}

/// A conversation as a transcript: `text` for pasting, `html` for printing. Internal notes only
/// with `notes=true`.
pub async fn transcript(
    app: &App,
    operator: &OperatorProfile,
    conversation_id: ConversationId,
    query: &HashMap<String, String>,
) -> Result<Download, ApiError> {
    let html = match query.get("format").map(String::as_str) {
        None | Some("text") => false,
        Some("html") => true,
        Some(_) => return Err(bad("format is text or html")),
    };
    let with_notes = match query.get("notes").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("notes is true or false")),
    };
    let conversation = conversation(app, operator, conversation_id).await?;
    let notes = if with_notes {
        conversation.notes.as_slice()
    } else {
        &[]
    };
    let detail = &conversation.detail;
    let visitor = match (&detail.visitor.name, &detail.visitor.email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (Some(name), None) => name.clone(),
        (None, Some(email)) => email.clone(),
        (None, None) => "anonymous visitor".to_owned(),
    };
    let title = format!("Conversation {} — {}", detail.id.0, detail.site_title);
    let facts = format!(
        "Visitor: {visitor}. Started {}, status {}.",
        readable_time(&detail.created_at),
        detail.status.as_str()
    );
    if !html {
        let mut text = format!("{title}\n{facts}\n\n");
        for message in &detail.messages {
            let body = message.text_with_files().replace('\n', "\n    ");
            text.push_str(&format!(
                "[{}] {}: {body}\n",
                readable_time(&message.sent_at),
                who(message)
            ));
        }
        if !notes.is_empty() {
            text.push_str("\nInternal notes\n");
            for note in notes {
                let body = note.text.replace('\n', "\n    ");
                text.push_str(&format!(
                    "[{}] {}: {body}\n",
                    readable_time(&note.created_at),
                    note.author
                ));
            }
        }
        return Ok(Download {
            content_type: "text/plain; charset=utf-8",
            body: text,
        });
    }
    let mut page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{TRANSCRIPT_STYLE}</style></head>\n<body><h1>{}</h1>\n<p class=\"facts\">{}</p>\n<ol class=\"messages\">\n",
        escape_html(&title),
        escape_html(&title),
        escape_html(&facts)
    );
    for message in &detail.messages {
        page.push_str(&format!(
            "<li class=\"{}\"><span class=\"who\">{}</span> <time datetime=\"{}\">{}</time><p dir=\"auto\">{}</p></li>\n",
            message.author.as_str(),
            escape_html(&who(message)),
            escape_html(&message.sent_at),
            escape_html(&readable_time(&message.sent_at)),
            escape_html(&message.text_with_files())
        ));
    }
    page.push_str("</ol>\n");
    if !notes.is_empty() {
        page.push_str("<h2>Internal notes</h2>\n<ol class=\"notes\">\n");
        for note in notes {
            page.push_str(&format!(
                "<li><span class=\"who\">{}</span> <time datetime=\"{}\">{}</time><p dir=\"auto\">{}</p></li>\n",
                escape_html(&note.author),
                escape_html(&note.created_at),
                escape_html(&readable_time(&note.created_at)),
                escape_html(&note.text)
            ));
        }
        page.push_str("</ol>\n");
    }
    page.push_str("</body></html>\n");
    Ok(Download {
        content_type: "text/html; charset=utf-8",
        body: page,
    })
}

/// The transcript's stylesheet: readable on screen, plain black on white when printed, no
/// message split across pages.
const TRANSCRIPT_STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#1d1d1f}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:2em}.facts{color:#555}
ol{list-style:none;padding:0}li{margin:0 0 .9em;padding:.4em .6em;border-left:3px solid #bbb}
li.operator{border-color:#2b6cb0}li.system{border-color:#999;color:#555}.notes li{border-color:#b7791f;background:#fffbeb}
.who{font-weight:600}time{color:#666;font-size:.9em}p{margin:.2em 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
@media print{body{margin:0;max-width:none;color:#000}li{break-inside:avoid;page-break-inside:avoid}.notes li{background:none}time,.facts{color:#000}}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::iso8601;
    use beseda_protocol::{MessageId, Seq};

    fn message(text: &str) -> Message {
        Message {
            id: MessageId(1),
            conversation_id: ConversationId(1),
            seq: Seq(1),
            client_id: None,
            author: Author::Visitor,
            operator_id: None,
            author_name: None,
            text: text.to_owned(),
            sent_at: iso8601(0),
            files: Vec::new(),
        }
    }

    #[test]
    fn snippets_mark_the_matched_words_as_typed() {
        let words = query_words("vrac");
        let found = snippet(&message("Chci VRÁCENÍ peněz <b>hned</b>"), &words);
        assert_eq!(found.text, "Chci VRÁCENÍ peněz <b>hned</b>");
        let marked: Vec<&str> = found
            .parts
            .iter()
            .filter(|part| part.matched)
            .map(|part| part.text.as_str())
            .collect();
        assert_eq!(marked, ["VRÁCENÍ"]);
        let long = format!("{} vrácení {}", "slovo ".repeat(40), "konec ".repeat(40));
        let cut = snippet(&message(&long), &words);
        assert!(
            cut.text.starts_with('…') && cut.text.ends_with('…'),
            "{}",
            cut.text
        );
        assert!(cut.text.chars().count() < long.chars().count());
    }

    #[test]
    fn snippets_show_and_mark_the_files_names() {
        let mut with_file = message("Tady je");
        with_file.files.push(beseda_protocol::FileRef {
            id: "f".repeat(22),
            name: "reklamace-bunda.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1200,
            url: "/files/f".into(),
            thumbnail_url: None,
        });
        let found = snippet(&with_file, &query_words("reklamace"));
        assert_eq!(found.text, "Tady je 📎 reklamace-bunda.pdf");
        let marked: Vec<&str> = found
            .parts
            .iter()
            .filter(|part| part.matched)
            .map(|part| part.text.as_str())
            .collect();
        assert_eq!(marked, ["reklamace"]);
        with_file.text.clear();
        assert_eq!(
            snippet(&with_file, &query_words("bunda")).text,
            "📎 reklamace-bunda.pdf"
        );
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("+420"), "\"'+420\"");
        assert_eq!(cell("@sum"), "\"'@sum\"");
        assert_eq!(cell("plain"), "\"plain\"");
    }

    #[test]
    fn cursors_round_trip_and_refuse_forgeries() {
        let cursor = cursor_of(ConversationId(1234));
        assert_eq!(parse_cursor(&cursor).unwrap(), ConversationId(1234));
        for forged in ["", "h1.", "h1.zz", "1234", "h1.-5", "h1.0"] {
            assert!(parse_cursor(forged).is_err(), "{forged}");
        }
    }

    #[test]
    fn weeks_are_iso_weeks_in_utc() {
        let monday = week_start("2026-W49").unwrap();
        assert_eq!(iso8601(monday), "2026-11-30T00:00:00.000Z");
        assert_eq!(week_of(monday + 6 * DAY_MILLIS), "2026-W49");
        assert!(week_start("2026-49").is_err());
        assert!(week_start("2026-W60").is_err());
    }

    #[test]
    fn transcripts_escape_markup() {
        assert_eq!(
            escape_html("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
