//! Frames to and from the relay, read and written by hand over `JSON.parse`/`JSON.stringify`.
//!
//! serde's derived code (internally tagged enums above all) would triple the widget's size, so
//! the widget does not use it: this module maps the protocol's types to plain JavaScript objects.
//! The names come from `beseda-protocol` (`as_str`, `from_name`), which tests them against serde.

use beseda_protocol::answers::AnswerHit;
use beseda_protocol::visitor::{Agent, Cart, CartItem, FromRelay, ToRelay, VisitorConversation};
use beseda_protocol::{
    AnswerId, Author, ClientMessageId, ConversationId, ConversationStatus, ErrorCode, FileRef,
    Message, MessageId, OperatorId, Rating, Seq,
};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::JsValue;

pub fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn text(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).as_string()
}

pub fn number(value: &JsValue, key: &str) -> Option<f64> {
    field(value, key).as_f64()
}

/// The items of `list` if it is an array; none if it is anything else.
pub fn list(list: &JsValue) -> Vec<JsValue> {
    if Array::is_array(list) {
        Array::from(list).iter().collect()
    } else {
        Vec::new()
    }
}

/// The items of the array `key` of `value`.
pub fn items(value: &JsValue, key: &str) -> Vec<JsValue> {
    list(&field(value, key))
}

/// Numbers go in as `f64` and anything but text and numbers as a `JsValue`: each other kind
/// would cost a copy of this function.
pub fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

fn message(value: &JsValue) -> Option<Message> {
    Some(Message {
        id: MessageId(number(value, "id")? as i64),
        conversation_id: ConversationId(number(value, "conversationId")? as i64),
        seq: Seq(number(value, "seq")? as u64),
        client_id: text(value, "clientId").map(ClientMessageId),
        author: Author::from_name(&text(value, "author")?)?,
        operator_id: number(value, "operatorId").map(|id| OperatorId(id as i64)),
        author_name: text(value, "authorName"),
        text: text(value, "text")?,
        sent_at: text(value, "sentAt").unwrap_or_default(),
        files: items(value, "files").iter().filter_map(file).collect(),
    })
}

/// A message's file. Only what the log shows is read: the name, the size and the addresses.
fn file(value: &JsValue) -> Option<FileRef> {
    Some(FileRef {
        id: String::new(),
        name: text(value, "name")?,
        content_type: String::new(),
        size: number(value, "size")? as u64,
        url: text(value, "url")?,
        thumbnail_url: text(value, "thumbnailUrl"),
    })
}

fn agent(value: &JsValue) -> Option<Agent> {
    Some(Agent {
        name: text(value, "name")?,
        photo_url: text(value, "photoUrl"),
    })
}

fn conversation(value: &JsValue) -> Option<VisitorConversation> {
    Some(VisitorConversation {
        id: ConversationId(number(value, "id")? as i64),
        status: ConversationStatus::from_name(&text(value, "status")?)?,
        last_seq: Seq(number(value, "lastSeq").unwrap_or(0.0) as u64),
    })
}

fn hit(value: &JsValue) -> Option<AnswerHit> {
    Some(AnswerHit {
        id: AnswerId(number(value, "id")? as i64),
        question: text(value, "question")?,
        answer: text(value, "answer")?,
    })
}

/// The code with this wire name, `internal` for one this widget does not know. Looked up by
/// [`ErrorCode::as_str`], which the widget has anyway, rather than by a second table of the names.
fn error_code(name: &str) -> ErrorCode {
    ErrorCode::ALL
        .into_iter()
        .find(|code| code.as_str() == name)
        .unwrap_or(ErrorCode::Internal)
}

/// Reads one frame from the relay; `None` for anything this widget does not understand.
pub fn decode(json: &str) -> Option<FromRelay> {
    let value = JSON::parse(json).ok()?;
    let flag = |key| field(&value, key).as_bool();
    Some(match text(&value, "type")?.as_str() {
        "welcome" => FromRelay::Welcome {
            version: number(&value, "version")? as u32,
            token: text(&value, "token")?,
            conversation: conversation(&field(&value, "conversation")),
            missed: items(&value, "missed").iter().filter_map(message).collect(),
            online: flag("online").unwrap_or(false),
            max_text_chars: number(&value, "maxTextChars").unwrap_or(4000.0) as usize,
            site_title: text(&value, "siteTitle").unwrap_or_default(),
            agent: agent(&field(&value, "agent")),
            queue_position: number(&value, "queuePosition").map(|place| place as u32),
            rating_enabled: flag("ratingEnabled").unwrap_or(false),
            rating: text(&value, "rating").and_then(|name| Rating::from_name(&name)),
            suggested_questions: items(&value, "suggestedQuestions")
                .iter()
                .filter_map(JsValue::as_string)
                .collect(),
            back_at: text(&value, "backAt"),
            blocked: flag("blocked").unwrap_or(false),
            can_erase: flag("canErase").unwrap_or(false),
        },
        "blocked" => FromRelay::Blocked {
            blocked: flag("blocked")?,
        },
        "erased" => FromRelay::Erased,
        "agent" => FromRelay::Agent {
            agent: agent(&field(&value, "agent"))?,
        },
        "queue" => FromRelay::Queue {
            position: number(&value, "position").map(|place| place as u32),
        },
        "rated" => FromRelay::Rated {
            rating: Rating::from_name(&text(&value, "rating")?)?,
            comment: text(&value, "comment"),
        },
        "ack" => FromRelay::Ack {
            client_id: ClientMessageId(text(&value, "clientId")?),
            message: message(&field(&value, "message"))?,
        },
        "message" => FromRelay::Message {
            message: message(&field(&value, "message"))?,
        },
        "typing" => FromRelay::Typing {
            typing: flag("typing")?,
            name: text(&value, "name"),
        },
        "status" => FromRelay::Status {
            conversation_id: ConversationId(number(&value, "conversationId")? as i64),
            status: ConversationStatus::from_name(&text(&value, "status")?)?,
        },
        "availability" => FromRelay::Availability {
            online: flag("online")?,
            back_at: text(&value, "backAt"),
        },
        "answers" => FromRelay::Answers {
            query: text(&value, "query")?,
            answers: items(&value, "answers").iter().filter_map(hit).collect(),
        },
        "error" => FromRelay::Error {
            code: error_code(&text(&value, "code")?),
            message: text(&value, "message").unwrap_or_default(),
            client_id: text(&value, "clientId").map(ClientMessageId),
            retry_after_ms: number(&value, "retryAfterMs").map(|delay| delay as u64),
        },
        _ => return None,
    })
}

fn cart_object(cart: &Cart) -> Object {
    let object = Object::new();
    let items = Array::new();
    for item in &cart.items {
        let line = Object::new();
        set(&line, "name", item.name.as_str());
        set(&line, "qty", item.qty);
        set(&line, "price", item.price);
        items.push(&line);
    }
    set(&object, "items", JsValue::from(items));
    set(&object, "total", cart.total);
    set(&object, "currency", cart.currency.as_str());
    object
}

/// Reads a cart as a shop passes it to `Beseda.setCart`.
pub fn cart(value: &JsValue) -> Cart {
    Cart {
        items: items(value, "items")
            .iter()
            .map(|item| CartItem {
                name: text(item, "name").unwrap_or_default(),
                qty: number(item, "qty").unwrap_or(1.0),
                price: number(item, "price").unwrap_or(0.0),
            })
            .collect(),
        total: number(value, "total").unwrap_or(0.0),
        currency: text(value, "currency").unwrap_or_default(),
    }
}

fn page_object(page: &beseda_protocol::api::PageView) -> Object {
    let object = Object::new();
    set(&object, "url", page.url.as_str());
    set(&object, "title", page.title.as_str());
    object
}

/// Writes one frame for the relay.
pub fn encode(frame: &ToRelay) -> Option<String> {
    let object = Object::new();
    let kind = match frame {
        ToRelay::Hello {
            version,
            site,
            token,
            last_seq,
            page,
            locale,
        } => {
            set(&object, "version", f64::from(*version));
            if let Some(page) = page {
                set(&object, "page", JsValue::from(page_object(page)));
            }
            if let Some(locale) = locale {
                set(&object, "locale", locale.as_str());
            }
            set(&object, "site", site.as_str());
            if let Some(token) = token {
                set(&object, "token", token.as_str());
            }
            if let Some(last_seq) = last_seq {
                set(&object, "lastSeq", last_seq.0 as f64);
            }
            "hello"
        }
        ToRelay::Send { client_id, text } => {
            set(&object, "clientId", client_id.0.as_str());
            set(&object, "text", text.as_str());
            "send"
        }
        ToRelay::Contact {
            client_id,
            email,
            text,
        } => {
            set(&object, "clientId", client_id.0.as_str());
            set(&object, "email", email.as_str());
            set(&object, "text", text.as_str());
            "contact"
        }
        ToRelay::Typing { typing } => {
            set(&object, "typing", JsValue::from_bool(*typing));
            "typing"
        }
        ToRelay::Profile { name, email } => {
            if let Some(name) = name {
                set(&object, "name", name.as_str());
            }
            if let Some(email) = email {
                set(&object, "email", email.as_str());
            }
            "profile"
        }
        ToRelay::Cart { cart } => {
            set(&object, "cart", JsValue::from(cart_object(cart)));
            "cart"
        }
        ToRelay::Page { page } => {
            set(&object, "page", JsValue::from(page_object(page)));
            "page"
        }
        ToRelay::Rate { rating, comment } => {
            set(&object, "rating", rating.as_str());
            if let Some(comment) = comment {
                set(&object, "comment", comment.as_str());
            }
            "rate"
        }
        ToRelay::Search { query } => {
            set(&object, "query", query.as_str());
            "search"
        }
        ToRelay::Erase => "erase",
        ToRelay::AnswerOpened { id } => {
            set(&object, "id", id.0 as f64);
            "answerOpened"
        }
    };
    set(&object, "type", kind);
    JSON::stringify(&object).ok()?.as_string()
}

/// A message as the page's API gives it: `{ id, author, text, sentAt }` (and `seq`, `authorName`).
pub fn public_message(message: &Message) -> JsValue {
    let object = Object::new();
    set(&object, "id", message.id.0 as f64);
    set(&object, "author", message.author.as_str());
    set(&object, "text", message.text.as_str());
    set(&object, "sentAt", message.sent_at.as_str());
    set(&object, "seq", message.seq.0 as f64);
    if let Some(name) = &message.author_name {
        set(&object, "authorName", name.as_str());
    }
    object.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_read_by_its_wire_name() {
        for code in ErrorCode::ALL {
            assert_eq!(error_code(code.as_str()), code);
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        assert_eq!(error_code("no_such_code"), ErrorCode::Internal);
        assert_eq!(error_code(""), ErrorCode::Internal);
    }
}
