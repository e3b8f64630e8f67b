//! Files in the chat over HTTP: a visitor's upload reaches the operator as a message with its
//! files, which only the conversation's visitor and operators can fetch; refusals (too large,
//! a type judged by the bytes, too many an hour) store nothing; a resend stores one copy; a
//! relay killed during an upload leaves no message pointing at missing bytes.

use beseda_relay::media::fixtures;
use beseda_tests::database::number;
use beseda_tests::{Client, JANA, METRICS_TOKEN, PATIENCE, RelayProcess, TestRelay, http};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const RELAY: &str = env!("CARGO_BIN_EXE_relay-process");
const BOUNDARY: &str = "beseda-test-boundary-7d1c";
/// A small PDF (the relay judges the kind by the first bytes).
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A multipart/form-data body: text fields, then files (`file` fields with their names).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A response with its body as bytes.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// Sends one request and reads its response while the body is still being written (a relay
/// that refuses a large body early answers before it has read it all).
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Raw {
    let stream = TcpStream::connect(addr)
        .await
        .expect("connect to the relay");
    let (mut reader, mut writer) = stream.into_split();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    if method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let writing = tokio::spawn(async move {
        // A refusal may close the connection before the body is all sent.
        if writer.write_all(head.as_bytes()).await.is_ok() {
            let _ = writer.write_all(&body).await;
        }
        writer
    });
    let mut raw = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => raw.extend_from_slice(&buffer[..read]),
        }
    }
    drop(writing.await);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Raw {
    let end = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Raw {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = body.windows(2).position(|window| window == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&body[..line_end])
                .split(';')
                .next()
                .unwrap_or("")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
}

/// A visitor's upload.
async fn visitor_upload(
    addr: SocketAddr,
    token: Option<&str>,
    client_id: &str,
    text: &str,
    files: &[(&str, &[u8])],
) -> Raw {
    let body = multipart(&[("clientId", client_id), ("text", text)], files);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    send(
        addr,
        "POST",
        "/visitor/files",
        token,
        Some(&content_type),
        body,
    )
    .await
}

/// A new visitor's socket and token.
async fn new_visitor(addr: SocketAddr) -> (Client, String) {
    let (client, welcome) = Client::visitor(addr, None, None).await;
    let token = welcome["token"]
        .as_str()
        .expect("a visitor token")
        .to_owned();
    (client, token)
}

fn rows(db: &Path, table: &str) -> i64 {
    number(db, &format!("SELECT count(*) FROM {table}"))
}

#[tokio::test]
async fn a_visitors_file_reaches_the_operator_and_only_they_and_the_visitor_can_fetch_it() {
    let relay = TestRelay::start().await;
    let operator_token = relay.login(JANA).await;
    let (mut console, _) = relay.operator(&operator_token).await;
    let (mut visitor, token) = new_visitor(relay.addr).await;

    let response = visitor_upload(
        relay.addr,
        Some(&token),
        "f-1",
        "The parcel came broken",
        &[("../../reklamace.pdf", PDF)],
    )
    .await;
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let message = response.json();
    assert_eq!(message["text"], "The parcel came broken");
    let file = &message["files"][0];
    assert_eq!(file["name"], "reklamace.pdf");
    assert_eq!(file["contentType"], "application/pdf");
    assert_eq!(file["size"], PDF.len());
    let id = file["id"].as_str().unwrap();
    assert_eq!(id.len(), 22);
    let url = file["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/files/{id}"));

    // The operator hears of it like of any message, with its files.
    let (_, forwarded) = console
        .recv_until(|frame| frame["type"] == "message" && frame["message"]["clientId"] == "f-1")
        .await;
    assert_eq!(forwarded["message"]["files"][0]["id"], id);
    // The visitor's own socket gets it too (it came over HTTP, not this socket).
    let (_, echoed) = visitor
        .recv_until(|frame| frame["type"] == "message" && frame["message"]["clientId"] == "f-1")
        .await;
    assert_eq!(echoed["message"]["files"][0]["url"], url.as_str());

    // The operator fetches the bytes, served as a download no browser runs.
    let fetched = send(relay.addr, "GET", &url, Some(&operator_token), None, vec![]).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, PDF);
    assert_eq!(fetched.header("content-type"), Some("application/pdf"));
    assert_eq!(fetched.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(fetched.header("content-security-policy"), Some("sandbox"));
    assert_eq!(
        fetched.header("content-disposition"),
        Some("attachment; filename*=UTF-8''reklamace.pdf")
    );
    assert!(
        fetched
            .header("cache-control")
            .unwrap()
            .starts_with("private")
    );
    // The visitor too, with their token in the address (as an <img> or a link would).
    let own = send(
        relay.addr,
        "GET",
        &format!("{url}?token={token}"),
        None,
        None,
        vec![],
    )
    .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body, PDF);

    // Another visitor, no token, a wrong token, a made-up id: 404 alike.
    let (_, other_token) = new_visitor(relay.addr).await;
    for (path, token) in [
        (url.clone(), Some(other_token.as_str())),
        (url.clone(), None),
        (url.clone(), Some("not-a-token")),
        (format!("{url}?token={other_token}"), None),
        (
            "/files/AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            Some(operator_token.as_str()),
        ),
    ] {
        let refused = send(relay.addr, "GET", &path, token, None, vec![]).await;
        assert_eq!(refused.status, 404, "{path} with {token:?}");
        assert_eq!(refused.error_code(), "not_found");
    }
    // Without a thumbnail, asking for one is 404 as well.
    let thumbnail = send(
        relay.addr,
        "GET",
        &format!("{url}/thumbnail"),
        Some(&operator_token),
        None,
        vec![],
    )
    .await;
    assert_eq!(thumbnail.status, 404);

    // The operator sends a file back, with no text; the visitor gets it and can fetch it.
    let conversation_id = message["conversationId"].as_i64().unwrap();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let reply = send(
        relay.addr,
        "POST",
        &format!("/api/conversations/{conversation_id}/files"),
        Some(&operator_token),
        Some(&content_type),
        multipart(
            &[("clientId", "op-1")],
            &[("returns form.txt", b"Fill in and send back.\n")],
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let reply = reply.json();
    assert_eq!(reply["text"], "");
    assert_eq!(reply["author"], "operator");
    assert_eq!(reply["files"][0]["name"], "returns form.txt");
    let (_, received) = visitor
        .recv_until(|frame| frame["type"] == "message" && frame["message"]["author"] == "operator")
        .await;
    let reply_url = received["message"]["files"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let download = send(relay.addr, "GET", &reply_url, Some(&token), None, vec![]).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, b"Fill in and send back.\n");
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename*=UTF-8''returns%20form.txt")
    );
    // Without a sign-in, an operator's upload is refused.
    let anonymous = send(
        relay.addr,
        "POST",
        &format!("/api/conversations/{conversation_id}/files"),
        None,
        Some(&content_type),
        multipart(&[], &[("x.txt", b"x")]),
    )
    .await;
    assert_eq!(anonymous.status, 401);

    // The history finds the conversation by the file's name, and the transcript lists it.
    let found = http::get(
        relay.addr,
        "/api/conversations?q=reklamace",
        Some(&operator_token),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()[0]["id"], conversation_id);
    // Its snippet shows the file by name, the searched word marked.
    let snippet = &found.json()[0]["snippet"];
    assert_eq!(snippet["text"], "The parcel came broken 📎 reklamace.pdf");
    let marked: Vec<&str> = snippet["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|part| part["match"] == true)
        .filter_map(|part| part["text"].as_str())
        .collect();
    assert_eq!(marked, ["reklamace"]);
    let transcript = http::get(
        relay.addr,
        &format!("/api/conversations/{conversation_id}/transcript?format=text"),
        Some(&operator_token),
    )
    .await;
    assert_eq!(transcript.status, 200);
    assert!(
        transcript
            .body
            .contains(&format!("[file] reklamace.pdf ({} B)", PDF.len())),
        "{}",
        transcript.body
    );
    assert!(transcript.body.contains("[file] returns form.txt (23 B)"));
    let csv = http::get(
        relay.addr,
        "/api/conversations?q=reklamace&format=csv",
        Some(&operator_token),
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("[file] returns form.txt"), "{}", csv.body);
    assert!(csv.body.contains("📎 reklamace.pdf"), "{}", csv.body);
    let metrics = http::get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await;
    assert!(
        metrics.body.contains("beseda_files_stored_total 2"),
        "{}",
        metrics.body
    );

    // A widget on the shop's page asks before it sends its token across origins.
    let preflight = http::request_with(
        relay.addr,
        "OPTIONS",
        "/visitor/files",
        None,
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
        None,
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
}

#[tokio::test]
async fn refused_files_store_nothing() {
    let relay = TestRelay::start().await;
    let (_visitor, token) = new_visitor(relay.addr).await;

    // 11 MB, over the 10 MB default: refused while it arrives.
    let big = vec![b'a'; 11 * 1024 * 1024];
    let response = visitor_upload(relay.addr, Some(&token), "big", "", &[("big.txt", &big)]).await;
    assert_eq!(response.status, 413);
    assert_eq!(response.error_code(), "file_too_large");
    // A body announced larger than any upload may be is refused before it is read.
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let stream = TcpStream::connect(relay.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(
            format!(
                "POST /visitor/files HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: 10000000000\r\n\r\n",
                relay.addr
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(PATIENCE, reader.read_to_end(&mut raw))
        .await
        .expect("answered without the body")
        .unwrap();
    let early = parse(&raw);
    assert_eq!(early.status, 413);
    assert_eq!(early.error_code(), "file_too_large");

    // HTML named .jpg: the bytes decide, and they are not a JPEG.
    let html = b"<!doctype html><script>alert(1)</script>";
    let response =
        visitor_upload(relay.addr, Some(&token), "html", "", &[("photo.jpg", html)]).await;
    assert_eq!(response.status, 415);
    assert_eq!(response.error_code(), "unsupported_type");
    // A good file beside a refused one: the whole upload is refused, the good one not kept.
    let response = visitor_upload(
        relay.addr,
        Some(&token),
        "mixed",
        "",
        &[("ok.pdf", PDF), ("photo.jpg", html)],
    )
    .await;
    assert_eq!(response.status, 415);
    // No token, a bad token: 401.
    let response = visitor_upload(relay.addr, None, "anon", "", &[("ok.pdf", PDF)]).await;
    assert_eq!(response.status, 401);
    let response = visitor_upload(relay.addr, Some("v1.x.y"), "bad", "", &[("ok.pdf", PDF)]).await;
    assert_eq!(response.status, 401);
    // No file at all.
    let response = visitor_upload(relay.addr, Some(&token), "none", "hello", &[]).await;
    assert_eq!(response.status, 400);

    let db = relay.db.clone();
    assert_eq!(rows(&db, "files"), 0);
    assert_eq!(rows(&db, "messages"), 0);
    let metrics = http::get(relay.addr, "/metrics", Some(METRICS_TOKEN)).await;
    assert!(
        metrics
            .body
            .contains("beseda_files_refused_total{reason=\"file_too_large\"} 2"),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains("beseda_files_refused_total{reason=\"unsupported_type\"} 2"),
        "{}",
        metrics.body
    );
}

#[tokio::test]
async fn a_resend_of_the_same_client_id_stores_one_message_and_one_file() {
    let relay = TestRelay::start().await;
    let (_visitor, token) = new_visitor(relay.addr).await;
    let first = visitor_upload(relay.addr, Some(&token), "same", "", &[("a.pdf", PDF)]).await;
    assert_eq!(first.status, 201);
    let second = visitor_upload(relay.addr, Some(&token), "same", "", &[("a.pdf", PDF)]).await;
    assert_eq!(
        second.status,
        200,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    assert_eq!(second.json()["id"], first.json()["id"]);
    assert_eq!(second.json()["files"], first.json()["files"]);
    assert_eq!(rows(&relay.db, "messages"), 1);
    assert_eq!(rows(&relay.db, "files"), 1);
}

#[tokio::test]
async fn a_visitor_gets_too_many_files_past_the_hourly_limit() {
    let relay = TestRelay::start_with(|config| config.files_per_visitor_hour = 3).await;
    let (_visitor, token) = new_visitor(relay.addr).await;
    let two = visitor_upload(
        relay.addr,
        Some(&token),
        "one",
        "",
        &[("a.pdf", PDF), ("b.pdf", PDF)],
    )
    .await;
    assert_eq!(two.status, 201);
    let third = visitor_upload(relay.addr, Some(&token), "two", "", &[("c.pdf", PDF)]).await;
    assert_eq!(third.status, 201);
    let fourth = visitor_upload(relay.addr, Some(&token), "three", "", &[("d.pdf", PDF)]).await;
    assert_eq!(fourth.status, 429);
    assert_eq!(fourth.error_code(), "too_many_files");
    // Another visitor has their own allowance.
    let (_other, other_token) = new_visitor(relay.addr).await;
    let other = visitor_upload(relay.addr, Some(&other_token), "one", "", &[("e.pdf", PDF)]).await;
    assert_eq!(other.status, 201);
    assert_eq!(rows(&relay.db, "files"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_during_an_upload_keeps_every_acknowledged_file_and_no_dangling_message() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    beseda_tests::prepare_database(&db).await;
    let relay = RelayProcess::start(RELAY, &db, &[]);
    let (visitor, token) = new_visitor(relay.addr).await;
    let acknowledged =
        visitor_upload(relay.addr, Some(&token), "kept", "", &[("kept.pdf", PDF)]).await;
    assert_eq!(acknowledged.status, 201);
    let kept_url = acknowledged.json()["files"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();

    // Half of a 1 MB upload, then SIGKILL.
    let body = multipart(
        &[("clientId", "cut")],
        &[(
            "cut.pdf",
            &[b"%PDF-1.4\n".as_slice(), &vec![b'x'; 1024 * 1024]].concat(),
        )],
    );
    let mut stream = TcpStream::connect(relay.addr).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /visitor/files HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
                relay.addr,
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    stream.flush().await.unwrap();
    drop(visitor);
    relay.kill();
    drop(stream);

    let relay = RelayProcess::start(RELAY, &db, &[]);
    // Every message that names files has them all stored and attached to it.
    let named = number(&db, "SELECT count(*) FROM messages WHERE files IS NOT NULL");
    assert_eq!(named, 1);
    let dangling = beseda_tests::database::query(
        &db,
        "SELECT m.id, m.files FROM messages m WHERE m.files IS NOT NULL
         AND (SELECT count(*) FROM files f WHERE f.message_id = m.id) = 0",
    );
    assert!(dangling.is_empty(), "{dangling:?}");
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM files WHERE message_id IS NOT NULL"
        ),
        1
    );
    // The acknowledged file is served after the restart.
    let fetched = send(relay.addr, "GET", &kept_url, Some(&token), None, vec![]).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, PDF);
    // The cut upload can be sent again under its client id, once.
    let again = visitor_upload(relay.addr, Some(&token), "cut", "", &[("cut.pdf", PDF)]).await;
    assert_eq!(again.status, 201);
    assert_eq!(number(&db, "SELECT count(*) FROM messages"), 2);
    relay.kill();
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A phone's photo carries its GPS position in an Exif block: what the operator (or anyone)
/// fetches has none of it, and it has a thumbnail.
#[tokio::test]
async fn a_photos_gps_position_never_reaches_the_operator() {
    let relay = TestRelay::start().await;
    let operator_token = relay.login(JANA).await;
    let (_visitor, token) = new_visitor(relay.addr).await;
    let photo = fixtures::jpeg_with_exif(6);
    assert!(contains(&photo, b"Exif\0\0") && contains(&photo, fixtures::GPS_MARKER));
    let response = visitor_upload(
        relay.addr,
        Some(&token),
        "photo-1",
        "",
        &[("IMG_2041.JPG", &photo)],
    )
    .await;
    assert_eq!(
        response.status,
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let message = response.json();
    let file = &message["files"][0];
    assert_eq!(file["contentType"], "image/jpeg");
    let url = file["url"].as_str().unwrap();
    let thumbnail_url = file["thumbnailUrl"]
        .as_str()
        .expect("an image has a thumbnail");
    for path in [url, thumbnail_url] {
        let fetched = send(relay.addr, "GET", path, Some(&operator_token), None, vec![]).await;
        assert_eq!(fetched.status, 200);
        assert!(fetched.body.starts_with(&[0xff, 0xd8]), "{path} is a JPEG");
        assert!(
            !contains(&fetched.body, b"Exif\0\0"),
            "{path} keeps an Exif block"
        );
        assert!(
            !contains(&fetched.body, fixtures::GPS_MARKER),
            "{path} keeps the GPS block"
        );
        assert!(
            !contains(&fetched.body, &fixtures::GPS_LATITUDE),
            "{path} keeps the latitude"
        );
    }
    assert_eq!(
        file["size"],
        send(relay.addr, "GET", url, Some(&operator_token), None, vec![])
            .await
            .body
            .len()
    );
}

/// A PNG of a few dozen bytes that claims 100,000 × 100,000 pixels is refused from its header,
/// before a pixel buffer exists: nothing stored, and the relay's memory does not jump.
#[tokio::test]
async fn a_png_bomb_is_refused_without_the_relays_memory_jumping() {
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    beseda_tests::prepare_database(&db).await;
    let relay = RelayProcess::start(RELAY, &db, &[]);
    let (_visitor, token) = new_visitor(relay.addr).await;
    let before = peak_memory(relay.pid());
    let bomb = fixtures::png_claiming(100_000, 100_000);
    let response =
        visitor_upload(relay.addr, Some(&token), "bomb", "", &[("bomb.png", &bomb)]).await;
    assert_eq!(
        response.status,
        413,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.json()["error"]["code"], "file_too_large");
    let grown = peak_memory(relay.pid()).saturating_sub(before);
    // Decoding it would take 30 GB; anything near that would show here.
    assert!(
        grown < 64 * 1024 * 1024,
        "the relay's peak memory grew by {grown} bytes"
    );
    if !beseda_tests::on_postgres() {
        assert_eq!(rows(&db, "files"), 0);
        assert_eq!(rows(&db, "messages"), 0);
    }
    relay.kill();
}

/// The highest resident memory a process has had, in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("a VmHWM line")
        * 1024
}

/// Uploads are spooled as they arrive and processed a few at a time, so 50 visitors uploading
/// 5 MB at once do not hold their 262 MB in the relay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_simultaneous_uploads_do_not_hold_their_bytes_in_memory() {
    const UPLOADS: usize = 50;
    const SIZE: usize = 5 * 1024 * 1024;
    let directory = tempfile::tempdir().unwrap();
    let db = beseda_tests::test_database(directory.path());
    beseda_tests::prepare_database(&db).await;
    let relay = RelayProcess::start(
        RELAY,
        &db,
        &[
            "--conversations-per-hour",
            "0",
            "--connections-per-ip",
            "200",
        ],
    );
    let mut tokens = Vec::new();
    for _ in 0..UPLOADS {
        let (client, token) = new_visitor(relay.addr).await;
        client.close().await;
        tokens.push(token);
    }
    let before = peak_memory(relay.pid());
    let content = [b"%PDF-1.4\n".as_slice(), &vec![b'x'; SIZE], b"\n%%EOF\n"].concat();
    let started = std::time::Instant::now();
    let uploads: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(index, token)| {
            let (addr, token, content) = (relay.addr, token.clone(), content.clone());
            tokio::spawn(async move {
                visitor_upload(
                    addr,
                    Some(&token),
                    &format!("bulk-{index}"),
                    "",
                    &[("scan.pdf", &content)],
                )
                .await
                .status
            })
        })
        .collect();
    for upload in uploads {
        assert_eq!(upload.await.unwrap(), 201);
    }
    let elapsed = started.elapsed();
    let after = peak_memory(relay.pid());
    let grown = after.saturating_sub(before);
    println!(
        "{UPLOADS} uploads of {} MB in {:.1} s ({:.0} MB/s); peak memory {} MB before, {} MB after",
        SIZE / 1_000_000,
        elapsed.as_secs_f64(),
        (UPLOADS * SIZE) as f64 / 1e6 / elapsed.as_secs_f64(),
        before / 1_000_000,
        after / 1_000_000
    );
    // Holding every upload whole would take all of it at once, and more (each file is copied
    // on its way into the database). Spooled, processed a core's worth at a time on the same
    // threads, with 64 KB read ahead per connection, what remains is about a fifth of it
    // (measured: 49 MB); when the processing ran on the runtime's blocking threads and hyper
    // read 400 KB ahead, the allocator kept more than half of it.
    assert!(
        grown < (UPLOADS * SIZE / 3) as u64,
        "the peak grew by {} MB for {} MB uploaded at once",
        grown / 1_000_000,
        UPLOADS * SIZE / 1_000_000
    );
    assert_eq!(number(&db, "SELECT count(*) FROM files"), UPLOADS as i64);
    relay.kill();
}
