//! Visitors who keep writing while a relay is killed, and what each sent and had acknowledged:
//! the ledger the SIGKILL tests check the stored conversations against.

use crate::Client;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// What one visitor sent and which of those the relay acknowledged, with their sequence numbers.
#[derive(Default)]
pub struct Ledger {
    pub sent: Vec<String>,
    pub acked: HashMap<String, u64>,
}

/// Sends messages in bursts of ten (so that some are always in flight) until the socket dies.
pub async fn keep_sending(
    mut client: Client,
    ledger: Arc<Mutex<Ledger>>,
    prefix: String,
    acked_total: watch::Sender<usize>,
) {
    let mut next = 0;
    loop {
        for _ in 0..10 {
            let client_id = format!("{prefix}-m{next}");
            next += 1;
            ledger.lock().unwrap().sent.push(client_id.clone());
            if !client
                .try_say(&client_id, &format!("message {client_id}"))
                .await
            {
                return;
            }
        }
        let mut outstanding = 10;
        while outstanding > 0 {
            let Some(frame) = client.try_recv().await else {
                return;
            };
            if frame["type"] == "ack" {
                let client_id = frame["clientId"].as_str().unwrap().to_owned();
                let seq = frame["message"]["seq"].as_u64().unwrap();
                ledger.lock().unwrap().acked.insert(client_id, seq);
                acked_total.send_modify(|total| *total += 1);
                outstanding -= 1;
            }
        }
    }
}
