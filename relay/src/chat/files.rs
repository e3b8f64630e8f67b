//! Files in the chat: the checks of an upload's files (the kind decided from the bytes, the
//! size, a visitor's files an hour), storing them before the message that carries them, and the
//! sweep of files no message came for.
//!
//! A file is stored durably, unattached, before its message is posted through [`super::post`];
//! the message's transaction attaches it. So a message never points at missing bytes, and a
//! crash between the two leaves only unattached bytes, which [`sweep`] deletes after an hour.

use crate::App;
use crate::error::ApiError;
use crate::media::{self, Kind, Refusal};
use crate::store::NewFile;
use crate::store::files::{UNATTACHED_LIFETIME_MILLIS, file_url, new_file_id, thumbnail_url};
use beseda_protocol::{ErrorCode, FileRef, OperatorId, VisitorId};
use http::StatusCode;
use std::io::{Read, Seek};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How often unattached files are looked for.
const SWEEP_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// The most files one message may carry.
pub const MAX_FILES_PER_MESSAGE: usize = 10;

/// What bounds the relay's work on files: the visitors' files an hour, and how many files are
/// processed at once (one per core), so that many simultaneous uploads never hold more than
/// that many files (and decoded images) in memory.
pub struct FileLimits {
    per_visitor: crate::limits::WindowCounter<VisitorId>,
    processing: Semaphore,
    workers: Workers,
    accepted: Vec<Kind>,
}

/// A job for the [`Workers`].
type Job = Box<dyn FnOnce() + Send>;

/// The threads files are read and processed on: one per core, always the same ones. An image's
/// decoded pixels take tens of megabytes, and the C allocator keeps memory a thread freed for
/// that thread's next use; on the runtime's blocking pool (dozens of threads while uploads are
/// spooled) the work would land on a different thread each time and every one of them would
/// keep its own tens of megabytes, so that the relay's memory grew with the uploads at once.
struct Workers {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
    started: usize,
}

impl Workers {
    fn start(count: usize) -> Workers {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = Arc::new(std::sync::Mutex::new(receiver));
        let mut started = 0;
        for index in 0..count {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("beseda-files-{index}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting: one worker takes the next job.
                        let job = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        // The relay's senders are gone: it is shutting down.
                        let Ok(job) = job else { return };
                        job();
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(error) => tracing::warn!(%error, "cannot start a file processing thread"),
            }
        }
        Workers {
            jobs: std::sync::Mutex::new(sender),
            started,
        }
    }

    /// Runs `work` on one of the threads (on the runtime's blocking pool if none started).
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let failed = || ApiError::Internal("processing a file failed".into());
        if self.started == 0 {
            return tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| failed());
        }
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            if let Ok(outcome) = outcome {
                let _ = answer.send(outcome);
            }
        });
        self.jobs
            .lock()
            .map_err(|_| failed())?
            .send(job)
            .map_err(|_| failed())?;
        answered.await.map_err(|_| failed())
    }
}

impl FileLimits {
    pub fn new(config: &crate::config::Config) -> FileLimits {
        let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
        FileLimits {
            per_visitor: crate::limits::WindowCounter::new(
                config.files_per_visitor_hour,
                Duration::from_secs(60 * 60),
            ),
            processing: Semaphore::new(cores),
            workers: Workers::start(cores),
            accepted: config
                .file_types
                .iter()
                .filter_map(|name| Kind::from_name(name))
                .collect(),
        }
    }
}

/// Who uploads.
#[derive(Clone, Debug)]
pub enum Uploader {
    Visitor(VisitorId),
    Operator(OperatorId),
}

impl Uploader {
    fn describe(&self) -> String {
        match self {
            Uploader::Visitor(visitor_id) => format!("visitor:{}", visitor_id.0),
            Uploader::Operator(operator_id) => format!("operator:{}", operator_id.0),
        }
    }
}

/// A file as received, spooled to a temporary file (deleted when dropped).
#[derive(Debug)]
pub struct Received {
    /// The name the client gave, not yet sanitised.
    pub name: String,
    pub spool: std::fs::File,
}

/// The refusal of a file that is too large.
pub fn too_large(app: &App) -> ApiError {
    app.metrics
        .files_refused
        .too_large
        .fetch_add(1, Ordering::Relaxed);
    ApiError::Refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::FileTooLarge,
        format!(
            "a file may have at most {} bytes",
            app.config.file_max_bytes
        ),
    )
}

/// Counts one more file of a visitor against their files an hour, before its bytes are read;
/// operators are not limited.
pub async fn count_file(app: &App, uploader: &Uploader) -> Result<(), ApiError> {
    let Uploader::Visitor(visitor_id) = uploader else {
        return Ok(());
    };
    let limit = app.config.files_per_visitor_hour;
    if limit == 0 {
        return Ok(());
    }
    if app.file_limits.per_visitor.try_acquire(visitor_id)
        && app
            .cluster
            .allow(
                format!("files {}", visitor_id.0),
                limit,
                Duration::from_secs(60 * 60),
            )
            .await
    {
        return Ok(());
    }
    app.metrics
        .files_refused
        .too_many
        .fetch_add(1, Ordering::Relaxed);
    Err(ApiError::Refused(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyFiles,
        format!("at most {limit} files an hour; try again later"),
    ))
}

/// The answer to a file the media module refused, counted by reason.
fn refused(app: &App, refusal: Refusal) -> ApiError {
    let refused = &app.metrics.files_refused;
    match refusal {
        Refusal::TooLarge => too_large(app),
        Refusal::UnsupportedType => {
            refused.unsupported_type.fetch_add(1, Ordering::Relaxed);
            let accepted: Vec<&str> = app.config.file_types.iter().map(String::as_str).collect();
            ApiError::Refused(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedType,
                format!(
                    "this kind of file is not accepted (judged by its content, not its name); accepted: {}",
                    accepted.join(", ")
                ),
            )
        }
        Refusal::Damaged => {
            refused.damaged.fetch_add(1, Ordering::Relaxed);
            ApiError::Refused(
                StatusCode::BAD_REQUEST,
                ErrorCode::DamagedFile,
                "the file is damaged: it does not read as the kind its content claims".into(),
            )
        }
    }
}

/// Checks and stores the received files, each durably and unattached, and answers their
/// descriptions for the message that will carry them. Each file is processed while holding one
/// of the places [`FileLimits`] allows at once. When one is refused, those stored before it are
/// deleted again and nothing is left.
pub async fn store_files(
    app: &App,
    uploader: &Uploader,
    received: Vec<Received>,
) -> Result<Vec<FileRef>, ApiError> {
    let mut stored: Vec<FileRef> = Vec::with_capacity(received.len());
    for file in received {
        match store_file(app, uploader, file).await {
            Ok(file) => stored.push(file),
            Err(error) => {
                drop_files(app, &stored).await;
                return Err(error);
            }
        }
    }
    Ok(stored)
}

async fn store_file(app: &App, uploader: &Uploader, file: Received) -> Result<FileRef, ApiError> {
    let _place = app
        .file_limits
        .processing
        .acquire()
        .await
        .map_err(|_| ApiError::Internal("the file processing places are closed".into()))?;
    let accepted = app.file_limits.accepted.clone();
    let Received { name, mut spool } = file;
    let claimed_name = name.clone();
    let prepared = app
        .file_limits
        .workers
        .run(move || {
            // Exactly the file's size, so that reading it never holds a larger copy.
            let size = spool.metadata().map_or(0, |metadata| metadata.len());
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            spool
                .rewind()
                .and_then(|()| spool.read_to_end(&mut bytes))
                .map_err(|error| format!("reading a spooled upload failed: {error}"))?;
            // With the name, so that a page named `.jpg` is refused rather than kept as text.
            Ok::<_, String>(media::prepare_named(
                &claimed_name,
                bytes,
                &accepted,
                &media::Limits::default(),
            ))
        })
        .await?
        .map_err(ApiError::Internal)?
        .map_err(|refusal| refused(app, refusal))?;
    let id = new_file_id();
    let name = media::safe_name(&name, prepared.kind);
    let size = prepared.bytes.len() as u64;
    let has_thumbnail = prepared.thumbnail.is_some() && prepared.thumbnail_type.is_some();
    let content_type = prepared.kind.content_type().to_owned();
    app.store
        .store_file(NewFile {
            id: id.clone(),
            name: name.clone(),
            content_type: content_type.clone(),
            bytes: prepared.bytes,
            thumbnail: prepared.thumbnail.filter(|_| has_thumbnail),
            thumbnail_type: prepared
                .thumbnail_type
                .filter(|_| has_thumbnail)
                .map(str::to_owned),
            uploader: uploader.describe(),
        })
        .await?;
    Ok(FileRef {
        url: file_url(&id),
        thumbnail_url: has_thumbnail.then(|| thumbnail_url(&id)),
        id,
        name,
        content_type,
        size,
    })
}

/// Deletes stored files no message will carry (a refused message, a refused later file); what
/// fails here is left to the sweep.
pub async fn drop_files(app: &App, files: &[FileRef]) {
    if files.is_empty() {
        return;
    }
    let ids = crate::store::files::file_ids(files);
    if let Err(error) = app.store.drop_files(ids).await {
        tracing::warn!(%error, "dropping unattached files failed; the sweep takes them");
    }
}

/// Deletes files stored more than an hour ago that no message carries (their upload was cut
/// short by a crash, or their message never came): at start, then every ten minutes.
pub async fn sweep(app: Arc<App>) {
    let mut shutdown = app.shutdown.clone();
    loop {
        let before = crate::clock::now_millis() - UNATTACHED_LIFETIME_MILLIS;
        match app.store.sweep_files(before).await {
            Ok(0) => {}
            Ok(swept) => tracing::info!(swept, "deleted files no message carried"),
            Err(error) => tracing::warn!(%error, "sweeping unattached files failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(SWEEP_INTERVAL) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
    }
}
