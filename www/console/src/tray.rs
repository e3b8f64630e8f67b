//! The composer's tray of files to send: attached by the button, dropped onto the conversation
//! or pasted, shown before they go (an image previewed, any file with its name and size), then
//! uploaded with the message's text, the upload's progress shown and cancellable, a refusal
//! named with the relay's reason.

use crate::api::{self, Upload};
use crate::app::{self, Console};
use crate::i18n::{self, Text, tf, tx};
use crate::{socket, time};
use beseda_protocol::ConversationId;
use beseda_protocol::operator::FromRelay;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A file waiting in the tray, as shown (the file itself stays out of the signals, being a
/// browser object of the page's one thread).
#[derive(Clone, Debug, PartialEq)]
struct Attached {
    /// Tells files of the same name apart.
    key: u32,
    name: String,
    size: u64,
    /// An object URL of the file itself, for an image's preview.
    preview: Option<String>,
}

/// How far an upload has come, in bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Progress {
    sent: f64,
    total: f64,
}

/// The files the composer will send with its next message, and their upload once it started.
/// One per conversation on screen, so that nothing attached in one goes to another.
#[derive(Clone, Copy)]
pub struct Tray {
    files: RwSignal<Vec<Attached>>,
    /// The files themselves, by their key.
    blobs: StoredValue<Vec<(u32, web_sys::File)>, LocalStorage>,
    next_key: StoredValue<u32>,
    /// Present while an upload runs.
    progress: RwSignal<Option<Progress>>,
    upload: StoredValue<Option<Upload>, LocalStorage>,
    /// Whether the operator stopped the running upload (which is no refusal to show).
    cancelled: StoredValue<bool>,
    /// Why the relay refused the last upload (nothing of it was stored).
    refusal: RwSignal<Option<String>>,
    /// The client id of these files' message, kept until it is stored, so that a resend after
    /// a lost answer stores it once.
    client_id: StoredValue<Option<String>>,
}

impl Tray {
    pub fn new() -> Tray {
        let tray = Tray {
            files: RwSignal::new(Vec::new()),
            blobs: StoredValue::new_local(Vec::new()),
            next_key: StoredValue::new(0),
            progress: RwSignal::new(None),
            upload: StoredValue::new_local(None),
            cancelled: StoredValue::new(false),
            refusal: RwSignal::new(None),
            client_id: StoredValue::new(None),
        };
        on_cleanup(move || {
            if let Some(upload) = tray.upload.try_get_value().flatten() {
                upload.cancel();
            }
            if let Some(files) = tray.files.try_get_untracked() {
                files.iter().for_each(revoke);
            }
        });
        tray
    }

    /// Whether files wait to be sent.
    pub fn has_files(self) -> bool {
        !self.files.with_untracked(Vec::is_empty)
    }

    /// Whether an upload runs.
    pub fn uploading(self) -> bool {
        self.progress.with_untracked(Option::is_some)
    }

    /// Adds files to the tray (not while an upload runs: they would not go with it).
    pub fn add(self, list: Option<web_sys::FileList>) {
        let Some(list) = list else {
            return;
        };
        if self.uploading() || list.length() == 0 {
            return;
        }
        let added: Vec<Attached> = (0..list.length())
            .filter_map(|index| list.get(index))
            .map(|file| {
                let key = self.next_key.get_value();
                self.next_key.set_value(key + 1);
                let preview = file
                    .type_()
                    .starts_with("image/")
                    .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
                    .flatten();
                let attached = Attached {
                    key,
                    name: file.name(),
                    size: file.size() as u64,
                    preview,
                };
                self.blobs.update_value(|blobs| blobs.push((key, file)));
                attached
            })
            .collect();
        self.files.update(|files| files.extend(added));
        self.changed();
    }

    fn remove(self, key: u32) {
        self.blobs
            .update_value(|blobs| blobs.retain(|(kept, _)| *kept != key));
        self.files.update(|files| {
            files.retain(|attached| {
                let kept = attached.key != key;
                if !kept {
                    revoke(attached);
                }
                kept
            })
        });
        self.changed();
    }

    /// Another set of files is another message.
    fn changed(self) {
        self.refusal.set(None);
        self.client_id.set_value(None);
    }

    fn clear(self) {
        self.blobs.update_value(Vec::clear);
        self.files.update(|files| {
            files.iter().for_each(revoke);
            files.clear();
        });
        self.client_id.set_value(None);
    }

    fn cancel(self) {
        if let Some(upload) = self.upload.get_value() {
            self.cancelled.set_value(true);
            upload.cancel();
        }
    }

    /// Sends the tray's files with `text` as one message of conversation `id`; `sent` runs once
    /// the relay has stored it. A refusal keeps the files and the text, and says why.
    pub fn send(
        self,
        console: Console,
        id: ConversationId,
        text: String,
        sent: impl Fn() + 'static,
    ) {
        if self.uploading() || !self.has_files() {
            return;
        }
        let files: Vec<web_sys::File> = self
            .blobs
            .with_value(|blobs| blobs.iter().map(|(_, file)| file.clone()).collect());
        let client_id = self
            .client_id
            .get_value()
            .unwrap_or_else(|| socket::new_client_id().0);
        self.client_id.set_value(Some(client_id.clone()));
        self.refusal.set(None);
        let progress = self.progress;
        let total = files.iter().map(|file| file.size()).sum();
        let started = api::upload_files(id, files, client_id, text, move |sent, total| {
            let _ = progress.try_set(Some(Progress { sent, total }));
        });
        let (upload, answer) = match started {
            Ok(started) => started,
            Err(error) => {
                self.refusal.set(Some(error.message));
                return;
            }
        };
        self.upload.set_value(Some(upload));
        self.cancelled.set_value(false);
        self.progress.set(Some(Progress { sent: 0.0, total }));
        spawn_local(async move {
            let answer = answer.await;
            // The conversation may have been left meanwhile; its tray is gone then.
            if self.upload.try_set_value(None).is_some() {
                return;
            }
            self.progress.set(None);
            match answer {
                Ok(message) => {
                    self.clear();
                    // The socket brings the message too; whichever comes first shows it, once.
                    let effects = console
                        .state
                        .try_update(|state| {
                            crate::state::apply(
                                state,
                                FromRelay::Message {
                                    message,
                                    position: None,
                                },
                            )
                        })
                        .unwrap_or_default();
                    app::carry_out(console, effects);
                    sent();
                }
                // Cancelled by the operator, or the relay was not reached: the files stay, to
                // send again under the same client id (the whole body may have arrived before
                // the end, and the relay then stores it once).
                Err(error) if error.status == 0 && self.cancelled.get_value() => {}
                Err(error) if error.status == 0 => self.refusal.set(Some(error.message)),
                Err(error) => {
                    // Refused: nothing was stored, so the same files are a new attempt.
                    self.client_id.set_value(None);
                    self.refusal.set(Some(error.message));
                }
            }
        });
    }
}

fn revoke(attached: &Attached) {
    if let Some(url) = &attached.preview {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

/// The files a drag brings, when it brings files (not text or a link from the page).
pub fn dragged_files(event: &web_sys::DragEvent) -> bool {
    event
        .data_transfer()
        .is_some_and(|transfer| transfer.types().includes(&"Files".into(), 0))
}

/// Puts the files dropped onto the conversation into its tray.
pub fn drop_files(tray: Tray, event: &web_sys::DragEvent) {
    if let Some(transfer) = event.data_transfer() {
        event.prevent_default();
        tray.add(transfer.files());
    }
}

/// Puts the files of a paste (a screenshot, say) into the tray; a paste of text stays text.
pub fn paste_files(tray: Tray, event: &web_sys::ClipboardEvent) {
    let files = event
        .clipboard_data()
        .and_then(|clipboard| clipboard.files())
        .filter(|files| files.length() > 0);
    if files.is_some() {
        event.prevent_default();
        tray.add(files);
    }
}

/// The "Attach file" button over its file input.
#[component]
pub fn AttachButton(tray: Tray) -> impl IntoView {
    let input: NodeRef<html::Input> = NodeRef::new();
    view! {
        <input
            type="file"
            multiple
            class="visually-hidden"
            tabindex="-1"
            aria-hidden="true"
            node_ref=input
            on:change=move |_| {
                if let Some(input) = input.get_untracked() {
                    tray.add(input.files());
                    // The same file chosen again is a change again.
                    input.set_value("");
                }
            }
        />
        <button
            type="button"
            class="attach"
            disabled=move || tray.progress.get().is_some()
            on:click=move |_| {
                if let Some(input) = input.get_untracked() {
                    input.click();
                }
            }
        >
            {tx(Text::AttachFile)}
        </button>
    }
}

/// The files waiting to be sent, each with a preview (an image) or its name and size, and a
/// button that removes it; the upload's progress and its refusal. Cancelling puts the focus
/// back on the composer's `textarea` (the button it was on goes away).
#[component]
pub fn TrayView(tray: Tray, textarea: NodeRef<html::Textarea>) -> impl IntoView {
    let files = move || tray.files.get();
    let percent = move || {
        tray.progress.get().map(|progress| {
            if progress.total > 0.0 {
                (progress.sent / progress.total * 100.0).round().min(100.0)
            } else {
                0.0
            }
        })
    };
    view! {
        <Show when=move || !tray.files.with(Vec::is_empty)>
            <ul class="tray" aria-label=tx(Text::FilesToSend)>
                <For
                    each=files
                    key=|attached| attached.key
                    children=move |attached| {
                        let name = attached.name.clone();
                        let size = attached.size;
                        let key = attached.key;
                        let named = name.clone();
                        view! {
                            <li class="attached">
                                {attached.preview.clone().map(|url| view! { <img src=url alt=""/> })}
                                <span class="name" dir="auto">{name.clone()}</span>
                                " "
                                <span class="size">{move || time::file_size(i18n::language(), size)}</span>
                                <button
                                    type="button"
                                    disabled=move || tray.progress.get().is_some()
                                    aria-label=move || tf(Text::RemoveFile, &[("name", &named)])
                                    on:click=move |_| tray.remove(key)
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </Show>
        {move || percent().map(|percent| view! {
            <div class="upload" role="status">
                <progress max="100" value=percent aria-label=tx(Text::UploadingFiles)></progress>
                " "
                <span>{tx(Text::UploadingFiles)}</span>
                " "
                <button
                    type="button"
                    on:click=move |_| {
                        tray.cancel();
                        if let Some(textarea) = textarea.get_untracked() {
                            let _ = textarea.focus();
                        }
                    }
                >
                    {tx(Text::CancelUpload)}
                </button>
            </div>
        })}
        {move || tray.refusal.get().map(|reason| view! {
            <p class="refused" role="alert">{move || tf(Text::NotSent, &[("reason", &reason)])}</p>
        })}
    }
}
