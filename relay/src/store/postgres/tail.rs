//! The event log: what every relay's batches append, and the tail each relay reads it by.
//!
//! A batch appends its events under consecutive positions taken from `event_stream` while it
//! holds the cluster's write lock, so positions follow commit order and a reader never sees a
//! position while an earlier one is still invisible: whatever the log shows past a position is
//! a gap-free run. Each relay publishes the log in position order, once per position.

use super::CommitListener;
use super::sql::Sql;
use crate::store::{Event, StoreError};
use beseda_protocol::Message;
use deadpool_postgres::Pool;
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;
use tokio_postgres::AsyncMessage;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The channel relays ring each other on; the payload is the batch's last position.
pub const CHANNEL: &str = "beseda";
/// How often a relay reads the log even when nobody rang (a lost ring costs at most this).
const POLL_EVERY: Duration = Duration::from_secs(1);
/// The most log entries read at once.
const PAGE: i64 = 1000;

/// A place in the cluster's event log: every event up to it has been committed.
pub type Position = i64;

/// Where a committed batch's events went in the log: `None` when none was logged.
#[derive(Clone, Copy, Debug)]
pub struct Logged {
    range: Option<(Position, Position)>,
}

/// Whether every other relay must hear of this event. A resend's acknowledgement goes to its
/// own sender only.
fn shared(event: &Event) -> bool {
    !matches!(
        event,
        Event::MessageStored {
            duplicate: true,
            ..
        }
    )
}

/// One relay's reading of the log.
pub struct Tail {
    relay: String,
    /// The last position published, for readers; the mutex below is what orders publishing.
    published: AtomicI64,
    publishing: tokio::sync::Mutex<Position>,
    on_commit: CommitListener,
    stopped: AtomicBool,
    wake: tokio::sync::Notify,
}

impl Tail {
    pub fn new(relay: String, start: Position, on_commit: CommitListener) -> Tail {
        Tail {
            relay,
            published: AtomicI64::new(start),
            publishing: tokio::sync::Mutex::new(start),
            on_commit,
            stopped: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        }
    }

    pub fn published(&self) -> Position {
        self.published.load(Ordering::Acquire)
    }

    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    /// Appends the shared events of a batch to the log inside its transaction and rings the
    /// other relays (the ring is delivered only if the transaction commits).
    pub async fn append(&self, client: &impl Sql, events: &[Event]) -> Result<Logged, StoreError> {
        let payloads = events
            .iter()
            .filter(|event| shared(event))
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| StoreError::Database(format!("cannot encode an event: {error}")))?;
        if payloads.is_empty() {
            return Ok(Logged { range: None });
        }
        let count = i64::try_from(payloads.len()).unwrap_or(i64::MAX);
        // One statement: the positions, the rows and the ring.
        let last: i64 = client
            .query_one(
                "WITH moved AS (
                     UPDATE event_stream SET position = position + $1 RETURNING position
                 ), logged AS (
                     INSERT INTO event_log (position, relay, payload, created_at)
                     SELECT moved.position - $1 + batch.number, $2, batch.payload, $3
                     FROM moved, UNNEST($4::text[]) WITH ORDINALITY AS batch(payload, number)
                 )
                 SELECT position, pg_notify($5, position::text) FROM moved",
                &[
                    &count,
                    &self.relay,
                    &crate::clock::now_millis(),
                    &payloads,
                    &CHANNEL,
                ],
            )
            .await?
            .try_get(0)?;
        let first = last - count + 1;
        Ok(Logged {
            range: Some((first, last)),
        })
    }

    /// Publishes this relay's own committed batch: first whatever other relays committed before
    /// it, then its events. If the log cannot be read now, the batch is left for the next
    /// reading of the log (which finds it there), so that nothing is published out of order.
    ///
    /// A reading of the log (rung by this very commit, or on its timer) may have published the
    /// batch already, between the commit and this call. Its shared events came from the log
    /// then; the events the log does not hold (a resend's acknowledgement, for its sender only)
    /// are published here, or that sender would wait for its acknowledgement forever.
    pub async fn publish_own(&self, client: &impl Sql, logged: Logged, mut events: Vec<Event>) {
        let mut last = self.publishing.lock().await;
        let Some((first, end)) = logged.range else {
            drop(last);
            if !events.is_empty() {
                (self.on_commit)(events);
            }
            return;
        };
        if *last >= end {
            drop(last);
            events.retain(|event| !shared(event));
            if !events.is_empty() {
                (self.on_commit)(events);
            }
            return;
        }
        if *last < first - 1
            && let Err(error) = self.read_into(client, &mut last, Some(first - 1)).await
        {
            tracing::warn!(%error, "cannot read the event log; the batch waits for the next reading");
            return;
        }
        if *last == first - 1 {
            for (position, event) in (first..).zip(events.iter_mut().filter(|event| shared(event)))
            {
                set_position(event, position);
            }
            (self.on_commit)(events);
            *last = end;
            self.published.store(end, Ordering::Release);
        }
    }

    /// Publishes everything the log holds past the last published position.
    pub async fn catch_up(&self, client: &impl Sql) -> Result<(), StoreError> {
        let mut last = self.publishing.lock().await;
        self.read_into(client, &mut last, None).await
    }

    /// Reads the log after `*last` (up to `until`, if given), publishes it and moves `*last`.
    async fn read_into(
        &self,
        client: &impl Sql,
        last: &mut Position,
        until: Option<Position>,
    ) -> Result<(), StoreError> {
        loop {
            let until_position = until.unwrap_or(i64::MAX);
            if *last >= until_position {
                return Ok(());
            }
            let rows = client
                .query(
                    "SELECT position, relay, payload FROM event_log \
                     WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3",
                    &[&*last, &until_position, &PAGE],
                )
                .await?;
            let Some(first_row) = rows.first() else {
                return Ok(());
            };
            let first: i64 = first_row.get(0);
            if first != *last + 1 {
                // The log was pruned past this relay: what it missed is gone from the log (not
                // from the database). Its clients resume from the database.
                tracing::error!(
                    missed_from = *last + 1,
                    missed_to = first - 1,
                    "the event log was pruned past this relay; its sockets are closed"
                );
                (self.on_commit)(vec![Event::Missed]);
            }
            let count = rows.len();
            let mut events = Vec::with_capacity(count);
            let mut end = *last;
            for row in &rows {
                end = row.get(0);
                let relay: &str = row.get(1);
                let payload: &str = row.get(2);
                match serde_json::from_str::<Event>(payload) {
                    Ok(mut event) => {
                        if relay != self.relay {
                            strip_origin(&mut event);
                        }
                        set_position(&mut event, end);
                        events.push(event);
                    }
                    Err(error) => {
                        tracing::error!(%error, position = end, "an event in the log cannot be read")
                    }
                }
            }
            if !events.is_empty() {
                (self.on_commit)(events);
            }
            *last = end;
            self.published.store(end, Ordering::Release);
            if i64::try_from(count).unwrap_or(0) < PAGE {
                return Ok(());
            }
        }
    }
}

/// The messages the log holds after `after`, in position order; `None` when the log no longer
/// holds `after + 1`, or holds more than `limit` messages after it.
pub async fn messages_after(
    client: &impl Sql,
    after: u64,
    limit: u32,
) -> Result<Option<Vec<Message>>, StoreError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    // Events other than messages are read too: a few per message at most.
    let cap = i64::from(limit) * 4;
    let rows = client
        .query(
            "SELECT position, payload FROM event_log WHERE position > $1 ORDER BY position LIMIT $2",
            &[&after, &cap],
        )
        .await?;
    let Some(first) = rows.first() else {
        return Ok((after >= current(client).await?).then(Vec::new));
    };
    if first.get::<_, i64>(0) != after + 1 || i64::try_from(rows.len()).unwrap_or(0) >= cap {
        return Ok(None);
    }
    let mut messages = Vec::new();
    for row in &rows {
        if let Ok(Event::MessageStored { message, .. }) = serde_json::from_str(row.get(1)) {
            messages.push(message);
        }
    }
    Ok((messages.len() <= usize::try_from(limit).unwrap_or(usize::MAX)).then_some(messages))
}

/// Marks a message's event with its place in the log.
fn set_position(event: &mut Event, at: Position) {
    if let Event::MessageStored { position, .. } = event {
        *position = u64::try_from(at).ok();
    }
}

/// Another relay's peer tags mean nothing here.
fn strip_origin(event: &mut Event) {
    if let Event::MessageStored { origin, .. } = event {
        *origin = None;
    }
}

/// The log's current end, where a relay that just started begins to publish.
pub async fn current(client: &impl Sql) -> Result<Position, StoreError> {
    Ok(client
        .query_one("SELECT position FROM event_stream", &[])
        .await?
        .get(0))
}

/// Listens for rings on a connection of its own, and reads the log on every ring, after every
/// reconnection (rings sent while it was away are lost) and on a timer.
pub fn spawn_listener(
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    pool: Pool,
    tail: Arc<Tail>,
) {
    tokio::spawn(async move {
        // While the database is away every attempt fails; the log says so once, and once
        // again when listening works again.
        let mut failing = false;
        while !tail.stopped.load(Ordering::Acquire) {
            let mut listening = false;
            let outcome = listen(&config, &tls, &pool, &tail, &mut listening).await;
            if listening && failing {
                tracing::info!("listening for other relays again");
                failing = false;
            }
            if let Err(error) = outcome
                && !failing
            {
                tracing::warn!(%error, "listening for other relays failed; trying again");
                failing = true;
            }
            tokio::select! {
                () = tokio::time::sleep(super::RECONNECT_DELAY) => {}
                () = tail.wake.notified() => {}
            }
        }
    });
}

async fn listen(
    config: &tokio_postgres::Config,
    tls: &MakeRustlsConnect,
    pool: &Pool,
    tail: &Tail,
    listening: &mut bool,
) -> Result<(), StoreError> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let (rings, mut rung) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages =
            futures_util::stream::poll_fn(move |context| connection.poll_message(context));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if rings.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::debug!(%error, "the listening connection failed");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    *listening = true;
    let mut timer = tokio::time::interval(POLL_EVERY);
    let result = loop {
        if tail.stopped.load(Ordering::Acquire) {
            break Ok(());
        }
        let reader = match pool.get().await {
            Ok(reader) => reader,
            Err(error) => break Err(super::sql::pool_error(error)),
        };
        if let Err(error) = tail.catch_up(&reader).await {
            break Err(error);
        }
        drop(reader);
        tokio::select! {
            ring = rung.recv() => {
                if ring.is_none() {
                    break Err(StoreError::Database("the listening connection closed".into()));
                }
                // Several rings at once need one reading.
                while rung.try_recv().is_ok() {}
            }
            _ = timer.tick() => {}
            () = tail.wake.notified() => {}
        }
    };
    driver.abort();
    drop(client);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A visitor's message as the log holds it; `duplicate` for a resend's acknowledgement.
    fn message_stored(id: i64, client_id: &str, duplicate: bool) -> Event {
        serde_json::from_value(serde_json::json!({ "MessageStored": {
            "message": {
                "id": id, "conversationId": 1, "seq": id, "clientId": client_id,
                "author": "visitor", "text": "Dobrý den", "sentAt": "2026-01-01T00:00:00.000Z"
            },
            "site": "demo", "visitor_id": "0123456789abcdef0123456789abcdef",
            "origin": 1, "duplicate": duplicate
        }}))
        .expect("a stored message's event")
    }

    /// A tail that has published up to `start`, and what its listener hears.
    fn tail_from(start: Position) -> (Tail, Arc<Mutex<Vec<Event>>>) {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = heard.clone();
        let listener: CommitListener = Box::new(move |events| {
            sink.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend(events)
        });
        (Tail::new("relay".to_owned(), start, listener), heard)
    }

    /// (message id, duplicate) of each stored message heard.
    fn messages(heard: &Mutex<Vec<Event>>) -> Vec<(i64, bool)> {
        heard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .filter_map(|event| match event {
                Event::MessageStored {
                    message, duplicate, ..
                } => Some((message.id.0, *duplicate)),
                _ => None,
            })
            .collect()
    }

    /// The reading of the log that this very commit rang (or the timer's) may publish a batch
    /// before its writer gets to: the log's events are then published once, by the reading, and
    /// the resend's acknowledgement, which the log does not hold, by the writer. Without it the
    /// resending client waits for an acknowledgement forever.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_resends_acknowledgement_is_published_even_when_a_reading_of_the_log_published_its_batch_first()
     {
        let url = crate::store::test_stores::fresh_database().await;
        let config = super::super::connection_config(&url).expect("the test database's URL");
        let tls = super::super::tls(&url).expect("TLS settings");
        let client = super::super::connect(&config, &tls)
            .await
            .expect("connect to the test database");
        let batch = || {
            vec![
                message_stored(7, "new", false),
                message_stored(5, "resent", true),
            ]
        };
        let logged = Logged {
            range: Some((3, 3)),
        };

        // The writer first: both events, in the batch's order.
        let (tail, heard) = tail_from(2);
        tail.publish_own(&client, logged, batch()).await;
        assert_eq!(messages(&heard), [(7, false), (5, true)]);
        assert_eq!(tail.published(), 3);

        // A reading of the log first (it published position 3): only the acknowledgement is
        // left to publish, and the new message is not heard twice.
        let (tail, heard) = tail_from(3);
        tail.publish_own(&client, logged, batch()).await;
        assert_eq!(messages(&heard), [(5, true)]);
        assert_eq!(tail.published(), 3);
    }
}
