//! A WebSocket client written out by hand, for what a polite client never does: it does not
//! answer pings (to test the idle timeout), because it reads only the raw bytes.

use crate::PATIENCE;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One frame as seen on the wire.
#[derive(Debug)]
pub struct RawFrame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

/// Upgrades a TCP connection to a WebSocket on `path` and sends one masked text frame.
pub async fn connect_and_send(addr: SocketAddr, path: &str, text: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("send the upgrade");
    let mut response = Vec::new();
    while !response.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream
            .read_exact(&mut byte)
            .await
            .expect("read the upgrade response");
        response.push(byte[0]);
    }
    assert!(
        response.starts_with(b"HTTP/1.1 101"),
        "upgrade refused: {}",
        String::from_utf8_lossy(&response)
    );
    let payload = text.as_bytes();
    let mask = [1u8, 2, 3, 4];
    let mut frame = vec![0x81];
    match payload.len() {
        length @ 0..=125 => frame.push(0x80 | length as u8),
        length => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(length as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(
        payload
            .iter()
            .enumerate()
            .map(|(index, byte)| byte ^ mask[index % 4]),
    );
    stream.write_all(&frame).await.expect("send the frame");
    stream
}

/// Reads frames (answering nothing) until the relay closes the connection.
pub async fn read_until_closed(stream: &mut TcpStream) -> Vec<RawFrame> {
    let mut bytes = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut bytes))
        .await
        .expect("closed in time")
        .expect("read");
    let mut frames = Vec::new();
    let mut rest = bytes.as_slice();
    while rest.len() >= 2 {
        let opcode = rest[0] & 0x0f;
        let (length, header) = match rest[1] & 0x7f {
            126 => (usize::from(u16::from_be_bytes([rest[2], rest[3]])), 4),
            127 => panic!("unexpectedly large frame"),
            length => (usize::from(length), 2),
        };
        frames.push(RawFrame {
            opcode,
            payload: rest[header..header + length].to_vec(),
        });
        rest = &rest[header + length..];
    }
    frames
}
