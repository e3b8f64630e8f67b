//! A message's files: images as thumbnails that open larger in a dialog, other files as
//! downloads with their name and size. Every file the relay serves needs the operator's token:
//! images carry it in their address (an `<img>` sends no header), downloads are fetched with it.

use crate::app;
use crate::i18n::{self, Text, tf, tx};
use crate::{api, time};
use beseda_protocol::{FileRef, Message};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// A message on one line, as the list and notifications show it: its text, then its files by
/// name (a message may be files alone).
pub fn one_line(message: &Message) -> String {
    let mut line = message.text.clone();
    for file in &message.files {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str("📎 ");
        line.push_str(&file.name);
    }
    line
}

/// A file's address with the operator's token in its query, for an `<img>`.
fn with_token(path: &str) -> String {
    let token = api::token().unwrap_or_default();
    let separator = if path.contains('?') { '&' } else { '?' };
    format!(
        "{path}{separator}token={}",
        String::from(js_sys::encode_uri_component(&token))
    )
}

/// A message's files: images as thumbnails that open larger, the others as downloads.
#[component]
pub fn MessageFiles(files: Vec<FileRef>) -> impl IntoView {
    let console = app::console();
    // The image open in the dialog, and the thumbnail that opened it (the focus goes back there).
    let viewing = RwSignal::new(None::<FileRef>);
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let dialog: NodeRef<html::Dialog> = NodeRef::new();
    Effect::new(move |_| {
        if viewing.with(Option::is_some)
            && let Some(dialog) = dialog.get()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
        }
    });
    let closed = move |_| {
        viewing.set(None);
        if let Some(opener) = opener.get_value() {
            let _ = opener.focus();
        }
    };
    let items = files
        .into_iter()
        .map(|file| {
            let image = file.content_type.starts_with("image/");
            let size = file.size;
            let name = file.name.clone();
            if image {
                let thumbnail = with_token(file.thumbnail_url.as_deref().unwrap_or(&file.url));
                let opened = file.clone();
                view! {
                    <li class="file image">
                        <button
                            type="button"
                            class="thumbnail"
                            aria-label=move || tf(Text::OpenImage, &[("name", &name)])
                            on:click=move |event: web_sys::MouseEvent| {
                                let target = event
                                    .current_target()
                                    .and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok());
                                opener.set_value(target);
                                viewing.set(Some(opened.clone()));
                            }
                        >
                            <img src=thumbnail alt=file.name.clone()/>
                        </button>
                    </li>
                }
                .into_any()
            } else {
                let path = file.url.clone();
                let shown = name.clone();
                // A link (to copy, to recognise), but followed with the operator's token: its
                // own address alone is refused, so a copied link gives nobody the file.
                view! {
                    <li class="file">
                        <a
                            class="download"
                            href=file.url.clone()
                            download=file.name.clone()
                            aria-label=move || {
                                let size = time::file_size(i18n::language(), size);
                                tf(Text::DownloadFile, &[("name", &name), ("size", &size)])
                            }
                            on:click=move |event: web_sys::MouseEvent| {
                                event.prevent_default();
                                let path = path.clone();
                                let name = file.name.clone();
                                spawn_local(async move {
                                    if let Err(error) = api::download(&path, &name).await {
                                        console.report(error);
                                    }
                                });
                            }
                        >
                            <span dir="auto">{shown}</span>
                            " "
                            <span class="size">{move || format!("({})", time::file_size(i18n::language(), size))}</span>
                        </a>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <ul class="files">{items}</ul>
        <dialog
            class="viewer"
            node_ref=dialog
            aria-label=move || viewing.with(|file| file.as_ref().map(|file| file.name.clone()).unwrap_or_default())
            on:close=closed
        >
            {move || viewing.get().map(|file| view! {
                <img src=with_token(&file.url) alt=file.name.clone()/>
                <form method="dialog">
                    <button type="submit" autofocus>{tx(Text::CloseImage)}</button>
                </form>
            })}
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;
    use beseda_protocol::{Author, ConversationId, FileRef, Message, MessageId, Seq};

    fn message(text: &str, names: &[&str]) -> Message {
        Message {
            id: MessageId(1),
            conversation_id: ConversationId(1),
            seq: Seq(1),
            client_id: None,
            author: Author::Visitor,
            operator_id: None,
            author_name: None,
            text: text.into(),
            sent_at: "2026-01-31T10:00:00.000Z".into(),
            files: names
                .iter()
                .map(|name| FileRef {
                    id: format!("id-{name}"),
                    name: (*name).into(),
                    content_type: "image/png".into(),
                    size: 1200,
                    url: format!("/files/id-{name}"),
                    thumbnail_url: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_message_on_one_line_names_its_files() {
        assert_eq!(one_line(&message("Dobrý den", &[])), "Dobrý den");
        assert_eq!(one_line(&message("", &["balik.png"])), "📎 balik.png");
        assert_eq!(
            one_line(&message("Tady je", &["a.png", "b.pdf"])),
            "Tady je 📎 a.png 📎 b.pdf"
        );
    }
}
