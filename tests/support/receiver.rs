//! A webhook receiver on 127.0.0.1: records every delivery it gets (headers and body) on a
//! channel, and answers as told — 200, a dropped connection, or 503.

use crate::http::{Response, post_json, request_with};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashMap;
use std::net::SocketAddr;

/// The shop's origin the prompts' reports come from.
const SHOP: &str = "https://shop.example";
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// How the receiver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Ok = 0,
    /// Closes the connection without an answer (as if it were down).
    Drop = 1,
    Unavailable = 2,
}

/// One delivery as it arrived.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub headers: HashMap<String, String>,
    pub body: String,
    /// Whether the receiver accepted it (answered 200).
    pub accepted: bool,
}

impl Delivery {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map_or("", String::as_str)
    }

    /// The signature's `t` and its `v1` values.
    pub fn signature(&self) -> (i64, Vec<String>) {
        let mut t = 0;
        let mut v1 = Vec::new();
        for part in self.header("beseda-signature").split(',') {
            match part.split_once('=') {
                Some(("t", value)) => t = value.parse().expect("a numeric t"),
                Some(("v1", value)) => v1.push(value.to_owned()),
                _ => panic!("unexpected signature part {part:?}"),
            }
        }
        (t, v1)
    }

    /// Whether one of the `v1` values is HMAC-SHA256(secret, "t.body").
    pub fn signed_by(&self, secret: &str) -> bool {
        let (t, v1) = self.signature();
        v1.contains(&expected_signature(secret, t, &self.body))
    }
}

/// HMAC-SHA256(secret, "t.body") in hex, as a receiver computes it.
pub fn expected_signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{t}.{body}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

pub struct Receiver {
    pub addr: SocketAddr,
    mode: Arc<AtomicU8>,
    pub deliveries: mpsc::UnboundedReceiver<Delivery>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("an address");
        let mode = Arc::new(AtomicU8::new(Mode::Ok as u8));
        let (sender, deliveries) = mpsc::unbounded_channel();
        let answering = mode.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let sender = sender.clone();
                let mode = answering.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let Some((headers, body)) = read_request(&mut stream).await else {
                        return;
                    };
                    let accepted = mode == Mode::Ok as u8;
                    let _ = sender.send(Delivery {
                        headers,
                        body,
                        accepted,
                    });
                    let answer: &[u8] = match mode {
                        0 => b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nreceived",
                        2 => b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy",
                        _ => return,
                    };
                    let _ = stream.write_all(answer).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Receiver {
            addr,
            mode,
            deliveries,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    /// The next delivery, within [`crate::PATIENCE`].
    pub async fn next(&mut self) -> Delivery {
        tokio::time::timeout(crate::PATIENCE, self.deliveries.recv())
            .await
            .expect("a delivery within the patience")
            .expect("the receiver runs")
    }

    /// The next delivery the receiver accepted.
    pub async fn next_accepted(&mut self) -> Delivery {
        loop {
            let delivery = self.next().await;
            if delivery.accepted {
                return delivery;
            }
        }
    }
}

async fn read_request(
    stream: &mut tokio::net::TcpStream,
) -> Option<(HashMap<String, String>, String)> {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 4096];
    let header_end = loop {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        raw.extend_from_slice(&buffer[..read]);
        if let Some(end) = raw.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..header_end]).to_string();
    let mut headers = HashMap::new();
    for line in head.lines().skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    headers.insert("request-line".into(), head.lines().next()?.to_owned());
    let length: usize = headers.get("content-length")?.parse().ok()?;
    while raw.len() < header_end + length {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        raw.extend_from_slice(&buffer[..read]);
    }
    let body = String::from_utf8(raw[header_end..header_end + length].to_vec()).ok()?;
    Some((headers, body))
}

/// Registers an endpoint; answers its id and secret.
pub async fn register(addr: SocketAddr, token: &str, url: &str, events: &[&str]) -> (i64, String) {
    let response = post_json(
        addr,
        "/api/webhooks",
        Some(token),
        &json!({ "url": url, "events": events, "enabled": true }),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.body);
    let created = response.json();
    assert_eq!(created["url"], url);
    assert_eq!(created["enabled"], true);
    assert!(created["disabledReason"].is_null());
    let secret = created["secret"].as_str().expect("a secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (created["id"].as_i64().expect("an id"), secret)
}

/// A POST of a JSON body with a token.
pub async fn post(addr: SocketAddr, path: &str, token: &str, body: Value) -> Response {
    post_json(addr, path, Some(token), &body).await
}

/// Checks what every delivery carries: the method and path, the headers, a valid signature.
pub fn check_delivery(delivery: &Delivery, secret: &str) -> Value {
    assert_eq!(delivery.header("request-line"), "POST /hooks HTTP/1.1");
    assert_eq!(delivery.header("content-type"), "application/json");
    assert_eq!(delivery.header("user-agent"), "Beseda-Webhooks");
    let body = delivery.json();
    assert_eq!(
        delivery.header("beseda-event-id"),
        body["id"].as_str().unwrap()
    );
    assert!(
        delivery.signed_by(secret),
        "not signed by the secret: {delivery:?}"
    );
    let (t, _) = delivery.signature();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - t).abs() < 60, "a fresh timestamp");
    assert!(body["createdAt"].as_str().unwrap().ends_with('Z'));
    body
}

/// A prompt of the default site, shown, and an order reported after it (as the widget does).
pub async fn track_order(addr: SocketAddr, token: &str, total: f64) {
    let prompt = json!({
        "name": "Jackets",
        "variants": [{ "text": "Can I help you choose a jacket?", "weight": 1 }],
        "trigger": { "urlPattern": "/products/*", "secondsOnPage": 20 },
        "enabled": true
    });
    let created = post(addr, "/api/prompts", token, prompt).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let view = request_with(
        addr,
        "GET",
        "/visitor/prompts?site=default",
        None,
        &[("Origin", SHOP)],
        None,
    )
    .await;
    assert_eq!(view.status, 200, "{}", view.body);
    let view = view.json()["prompts"][0]["views"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let body =
        json!({ "site": "default", "variant": 0, "event": "order", "total": total, "view": view });
    let reported = request_with(
        addr,
        "POST",
        &format!("/visitor/prompts/{id}/events"),
        None,
        &[("Origin", SHOP)],
        Some(body.to_string().as_bytes()),
    )
    .await;
    assert!(reported.status < 300, "{}", reported.body);
}
