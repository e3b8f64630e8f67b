//! One delivery over HTTP(S): the destination's addresses resolved and checked, the connection
//! made to the checked address (so that DNS cannot answer differently in between), rustls with
//! the web's roots for `https://`, no redirects followed, at most 4 KB of the answer read, all
//! within 10 seconds.

use super::policy::{Attempt, is_public, snip};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// The whole attempt's deadline.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer's body read.
const MOST_READ: usize = 4 * 1024;

/// What a delivery sends.
pub struct Request<'a> {
    pub url: &'a str,
    pub body: &'a str,
    pub signature: &'a str,
    pub event_id: &'a str,
}

/// A URL's parts: whether it is `https`, its host and port, its path and query.
#[derive(Debug)]
struct Target {
    https: bool,
    host: String,
    port: u16,
    path: String,
}

fn target(url: &str) -> Result<Target, String> {
    let uri: http::Uri = url.parse().map_err(|_| "not a valid URL".to_owned())?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("the URL is neither http:// nor https://".into()),
    };
    let host = uri
        .host()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| "the URL has no host".to_owned())?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |path| path.as_str().to_owned());
    Ok(Target {
        https,
        host,
        port,
        path,
    })
}

/// Whether `url` can be an endpoint: http(s), at most 2,000 characters, with a host.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.chars().count() > beseda_protocol::webhooks::MAX_URL_LEN {
        return Err(format!(
            "the URL is longer than {} characters",
            beseda_protocol::webhooks::MAX_URL_LEN
        ));
    }
    target(url).map(|_| ())
}

/// The destination's addresses, refused when any is not public (unless `allow_private`).
/// A name that does not resolve is an error too.
pub async fn addresses(url: &str, allow_private: bool) -> Result<Vec<SocketAddr>, Refusal> {
    let target = target(url).map_err(Refusal::ForGood)?;
    let found: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|error| Refusal::Unresolved(error.to_string()))?
        .collect();
    if found.is_empty() {
        return Err(Refusal::Unresolved("the host has no address".into()));
    }
    if !allow_private && found.iter().any(|address| !is_public(address.ip())) {
        return Err(Refusal::ForGood(
            "the destination is a loopback, private or link-local address".into(),
        ));
    }
    Ok(found)
}

/// Why a destination was not tried.
#[derive(Debug)]
pub enum Refusal {
    /// Never: not a URL, or not a public address.
    ForGood(String),
    /// Not now: the name does not resolve.
    Unresolved(String),
}

fn tls_connector() -> tokio_rustls::TlsConnector {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        Arc::new(config)
    });
    tokio_rustls::TlsConnector::from(config.clone())
}

/// Sends one delivery; never longer than [`TIMEOUT`].
pub async fn send(request: Request<'_>, allow_private: bool) -> Attempt {
    let started = Instant::now();
    let elapsed = || u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    match tokio::time::timeout(TIMEOUT, attempt(&request, allow_private)).await {
        Ok(Ok((status, snippet, retry_after))) => Attempt::Answered {
            status,
            millis: elapsed(),
            snippet,
            retry_after,
        },
        Ok(Err(Failure::Refused(reason))) => Attempt::Refused(reason),
        Ok(Err(Failure::Transport(error))) => Attempt::NoAnswer {
            millis: elapsed(),
            error,
        },
        Err(_) => Attempt::NoAnswer {
            millis: elapsed(),
            error: "no answer within 10 seconds".into(),
        },
    }
}

enum Failure {
    Refused(String),
    Transport(String),
}

fn transport(error: impl std::fmt::Display) -> Failure {
    Failure::Transport(snip(&error.to_string()))
}

async fn attempt(
    request: &Request<'_>,
    allow_private: bool,
) -> Result<(u16, String, Option<u64>), Failure> {
    let target = target(request.url).map_err(Failure::Refused)?;
    let addresses =
        addresses(request.url, allow_private)
            .await
            .map_err(|refusal| match refusal {
                Refusal::ForGood(reason) => Failure::Refused(reason),
                Refusal::Unresolved(reason) => Failure::Transport(reason),
            })?;
    let mut last_error = None;
    let mut stream = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(connected) => {
                stream = Some(connected);
                break;
            }
            Err(error) => last_error = Some(error),
        }
    }
    let Some(stream) = stream else {
        return Err(transport(last_error.map_or_else(
            || "cannot connect".to_owned(),
            |error| error.to_string(),
        )));
    };
    // An IPv6 literal is written in brackets, and a port that is not the scheme's is named.
    let host = if target.host.contains(':') {
        format!("[{}]", target.host)
    } else {
        target.host.clone()
    };
    let default_port = if target.https { 443 } else { 80 };
    let host_header = if target.port == default_port {
        host
    } else {
        format!("{host}:{}", target.port)
    };
    let http_request = http::Request::post(target.path.as_str())
        .header(http::header::HOST, host_header)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, "Beseda-Webhooks")
        .header(
            beseda_protocol::webhooks::SIGNATURE_HEADER,
            request.signature,
        )
        .header(beseda_protocol::webhooks::EVENT_ID_HEADER, request.event_id)
        .body(request.body.to_owned())
        .map_err(transport)?;
    if target.https {
        let name = rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|_| Failure::Refused("the URL's host is not a valid name".into()))?;
        let tls = tls_connector()
            .connect(name, stream)
            .await
            .map_err(transport)?;
        exchange(TokioIo::new(tls), http_request).await
    } else {
        exchange(TokioIo::new(stream), http_request).await
    }
}

async fn exchange<I>(
    io: I,
    request: http::Request<String>,
) -> Result<(u16, String, Option<u64>), Failure>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(transport)?;
    let driver = tokio::spawn(connection);
    let result = async {
        let response = sender.send_request(request).await.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        let mut body = response.into_body();
        let mut read = Vec::new();
        while read.len() < MOST_READ {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        read.extend_from_slice(&data);
                    }
                }
                // A body cut short still leaves the status: the answer counts.
                Some(Err(_)) | None => break,
            }
        }
        read.truncate(MOST_READ);
        Ok((status, snip(&String::from_utf8_lossy(&read)), retry_after))
    }
    .await;
    driver.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://crm.example/hooks?x=1").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        assert!(check_url("ftp://crm.example/").is_err());
        assert!(check_url("crm.example/hook").is_err());
        assert!(check_url(&format!("https://crm.example/{}", "a".repeat(2_000))).is_err());
        let parsed = target("https://[::1]:8443/a?b").unwrap();
        assert_eq!(parsed.host, "::1");
        assert_eq!(parsed.port, 8443);
        assert_eq!(parsed.path, "/a?b");
    }

    #[tokio::test]
    async fn private_destinations_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:1/",
            "http://10.0.0.1/",
            "http://[::1]/",
            "http://localhost/",
        ] {
            assert!(
                matches!(addresses(url, false).await, Err(Refusal::ForGood(_))),
                "{url}"
            );
        }
        assert!(addresses("http://127.0.0.1:1/", true).await.is_ok());
    }
}
