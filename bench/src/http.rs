//! A minimal HTTP/1.1 client over a plain `TcpStream`: one request per connection
//! (`Connection: close`), enough for `POST /api/login` and `GET /metrics`.

use anyhow::{Context, bail};
use beseda_protocol::api::{LoginRequest, LoginResponse};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long one request may take, from connecting to the last byte of the answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The token the benchmark's relay serves `/metrics` with (`--metrics-token`).
pub const METRICS_TOKEN: &str = "benchmark-metrics-token";

/// A response's status code and body.
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Sends one request and reads the whole response.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json_body: Option<&str>,
) -> anyhow::Result<Response> {
    request_as(addr, method, path, json_body, None).await
}

/// Sends one request, with an operator's session token when given, and reads the response.
pub async fn request_as(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json_body: Option<&str>,
    token: Option<&str>,
) -> anyhow::Result<Response> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: */*\r\n"
        );
        if path == "/metrics" {
            head.push_str(&format!("Authorization: Bearer {METRICS_TOKEN}\r\n"));
        } else if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        let body = json_body.unwrap_or_default();
        if json_body.is_some() {
            head.push_str("Content-Type: application/json\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.flush().await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        anyhow::Ok(raw)
    };
    let raw = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .with_context(|| format!("{method} {path} timed out"))?
        .with_context(|| format!("{method} {path} failed"))?;
    parse_response(&raw).with_context(|| format!("bad response to {method} {path}"))
}

fn parse_response(raw: &[u8]) -> anyhow::Result<Response> {
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .context("the response has no end of headers")?;
    let head = std::str::from_utf8(&raw[..split]).context("the headers are not UTF-8")?;
    let content = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("bad status line {status_line:?}"))?;
    let mut chunked = false;
    let mut length: Option<usize> = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse().context("bad Content-Length")?);
        }
    }
    let body = if chunked {
        dechunk(content)?
    } else if let Some(length) = length {
        if content.len() < length {
            bail!(
                "the body has {} bytes, Content-Length says {length}",
                content.len()
            );
        }
        content[..length].to_vec()
    } else {
        content.to_vec()
    };
    let body = String::from_utf8(body).context("the body is not UTF-8")?;
    Ok(Response { status, body })
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut content: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = content
            .windows(2)
            .position(|window| window == b"\r\n")
            .context("a chunk size line has no end")?;
        let size_line = std::str::from_utf8(&content[..end])?;
        let size_hex = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16)
            .with_context(|| format!("bad chunk size {size_line:?}"))?;
        content = &content[end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if content.len() < size + 2 {
            bail!("a chunk is cut short");
        }
        body.extend_from_slice(&content[..size]);
        content = &content[size + 2..];
    }
}

/// Signs in and returns the bearer token.
pub async fn login(addr: SocketAddr, email: &str, password: &str) -> anyhow::Result<String> {
    let request_body = serde_json::to_string(&LoginRequest {
        email: email.to_owned(),
        password: password.to_owned(),
    })?;
    let response = request(addr, "POST", "/api/login", Some(&request_body)).await?;
    if response.status != 200 {
        bail!(
            "POST /api/login answered {}: {}",
            response.status,
            response.body
        );
    }
    let login: LoginResponse =
        serde_json::from_str(&response.body).context("cannot parse the login response")?;
    Ok(login.token)
}

/// The relay's counters, gauges and histogram buckets from `GET /metrics`, by name with labels
/// (e.g. `beseda_store_write_seconds_bucket{le="0.05"}`).
pub async fn metrics(addr: SocketAddr) -> anyhow::Result<BTreeMap<String, f64>> {
    let response = request(addr, "GET", "/metrics", None).await?;
    if response.status != 200 {
        bail!("GET /metrics answered {}", response.status);
    }
    let mut values = BTreeMap::new();
    for line in response.body.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((name, value)) = line.rsplit_once(' ')
            && let Ok(value) = value.trim().parse::<f64>()
        {
            values.insert(name.to_owned(), value);
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_content_length_response() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        let response = parse_response(raw).expect("a valid response");
        assert_eq!(response.status, 200);
        assert_eq!(response.body, "ok");
    }

    #[test]
    fn parses_a_chunked_response() {
        let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let response = parse_response(raw).expect("a valid response");
        assert_eq!(response.body, "abcde");
    }
}
