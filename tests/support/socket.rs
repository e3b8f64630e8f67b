//! A WebSocket client for the tests, reading and writing protocol frames as JSON values.

use crate::PATIENCE;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// One open WebSocket to the relay.
pub struct Client {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a socket ended: the frames that came before the close, and the close frame.
#[derive(Debug)]
pub struct Ending {
    pub frames: Vec<Value>,
    pub close: Option<CloseFrame>,
}

impl Ending {
    /// The close code as a number (1000, 1008, …).
    pub fn code(&self) -> Option<u16> {
        self.close.as_ref().map(|frame| u16::from(frame.code))
    }

    /// The `code` of the last error frame before the close.
    pub fn error_code(&self) -> Option<String> {
        self.frames
            .iter()
            .rev()
            .find(|frame| frame["type"] == "error")
            .map(|frame| frame["code"].as_str().unwrap_or_default().to_owned())
    }
}

impl Client {
    /// Opens a socket, with an `Origin` header when given; the error is the relay's refusal.
    pub async fn connect(
        addr: SocketAddr,
        path: &str,
        origin: Option<&str>,
    ) -> Result<Client, WsError> {
        let origin: Vec<(&str, &str)> = origin
            .map(|origin| ("origin", origin))
            .into_iter()
            .collect();
        Client::connect_with_headers(addr, path, &origin).await
    }

    /// Opens a socket with extra request headers.
    pub async fn connect_with_headers(
        addr: SocketAddr,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Client, WsError> {
        let mut request = format!("ws://{addr}{path}").into_client_request()?;
        for (name, value) in headers {
            let name =
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .expect("a header name");
            request
                .headers_mut()
                .insert(name, value.parse().expect("a header value"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Client { socket })
    }

    /// A visitor socket after its hello; returns the welcome too.
    pub async fn visitor(
        addr: SocketAddr,
        token: Option<&str>,
        last_seq: Option<u64>,
    ) -> (Client, Value) {
        let mut client = Client::connect(addr, "/ws/visitor", None)
            .await
            .expect("open a visitor socket");
        let mut hello = json!({ "type": "hello", "version": 1, "site": "default" });
        if let Some(token) = token {
            hello["token"] = json!(token);
        }
        if let Some(last_seq) = last_seq {
            hello["lastSeq"] = json!(last_seq);
        }
        client.send(hello).await;
        let welcome = client.recv_type("welcome").await;
        (client, welcome)
    }

    /// An operator socket after its hello; returns the welcome too.
    pub async fn operator(
        addr: SocketAddr,
        token: &str,
        last_message_id: Option<i64>,
    ) -> (Client, Value) {
        let mut client = Client::connect(addr, "/ws/operator", None)
            .await
            .expect("open an operator socket");
        let mut hello = json!({ "type": "hello", "version": 1, "token": token });
        if let Some(last_message_id) = last_message_id {
            hello["lastMessageId"] = json!(last_message_id);
        }
        client.send(hello).await;
        let welcome = client.recv_type("welcome").await;
        (client, welcome)
    }

    /// A visitor socket whose hello carries `fields` too (`token`, `page`, `locale`, …).
    pub async fn visitor_with(addr: SocketAddr, fields: Value) -> (Client, Value) {
        let mut client = Client::connect(addr, "/ws/visitor", None)
            .await
            .expect("open a visitor socket");
        let mut hello = json!({ "type": "hello", "version": 1, "site": "default" });
        if let (Some(hello), Some(fields)) = (hello.as_object_mut(), fields.as_object()) {
            hello.extend(fields.clone());
        }
        client.send(hello).await;
        let welcome = client.recv_type("welcome").await;
        (client, welcome)
    }

    /// Reads until a frame matches; returns the frames read before it, and the match.
    pub async fn recv_until(&mut self, matches: impl Fn(&Value) -> bool) -> (Vec<Value>, Value) {
        let mut before = Vec::new();
        loop {
            let frame = self.recv().await;
            if matches(&frame) {
                return (before, frame);
            }
            before.push(frame);
        }
    }

    /// Reads until a frame of this type; returns the frames before it, and the frame.
    pub async fn recv_until_type(&mut self, frame_type: &str) -> (Vec<Value>, Value) {
        self.recv_until(|frame| frame["type"] == frame_type).await
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_raw(Message::text(frame.to_string())).await;
    }

    /// Sends a frame; false when the socket is gone (the relay closed it).
    pub async fn try_send(&mut self, frame: Value) -> bool {
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .is_ok()
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.socket.send(message).await.expect("send a frame");
    }

    /// A visitor's message; false when the socket is gone (the relay died).
    pub async fn try_say(&mut self, client_id: &str, text: &str) -> bool {
        let frame = json!({ "type": "send", "clientId": client_id, "text": text });
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .is_ok()
    }

    /// A visitor's message.
    pub async fn say(&mut self, client_id: &str, text: &str) {
        self.send(json!({ "type": "send", "clientId": client_id, "text": text }))
            .await;
    }

    /// An operator's reply over the socket.
    pub async fn reply(&mut self, conversation_id: i64, client_id: &str, text: &str) {
        self.send(json!({ "type": "send", "clientId": client_id, "conversationId": conversation_id, "text": text })).await;
    }

    /// The next text frame, as JSON. Panics if the socket closes or nothing comes in time.
    pub async fn recv(&mut self) -> Value {
        let next = async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        return serde_json::from_str(text.as_str()).expect("frames are JSON");
                    }
                    Some(Ok(Message::Close(close))) => panic!("the socket closed: {close:?}"),
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => panic!("the socket failed: {error}"),
                    None => panic!("the socket ended"),
                }
            }
        };
        tokio::time::timeout(PATIENCE, next)
            .await
            .expect("a frame arrived in time")
    }

    /// The next text frame, or `None` once the socket has closed or failed (e.g. the relay died).
    pub async fn try_recv(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(crate::PATIENCE, self.socket.next())
                .await
                .ok()??
            {
                Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// The next text frame, which must be of this type.
    pub async fn recv_type(&mut self, frame_type: &str) -> Value {
        let frame = self.recv().await;
        assert_eq!(
            frame["type"], frame_type,
            "expected a {frame_type} frame, got {frame}"
        );
        frame
    }

    /// Reads until the relay closes the socket.
    pub async fn ending(&mut self) -> Ending {
        let read = async {
            let mut frames = Vec::new();
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        frames.push(serde_json::from_str(text.as_str()).expect("frames are JSON"))
                    }
                    Some(Ok(Message::Close(close))) => return Ending { frames, close },
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => {
                        return Ending {
                            frames,
                            close: None,
                        };
                    }
                }
            }
        };
        tokio::time::timeout(PATIENCE, read)
            .await
            .expect("the socket closed in time")
    }

    /// Closes the socket from this side, politely.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
        while let Ok(Some(Ok(_))) = tokio::time::timeout(PATIENCE, self.socket.next()).await {}
    }
}
