//! What the relay knows of a client's connection, below both the HTTP routes and the socket
//! sessions: the client's address, which socket endpoint it asked for, whether its origin may
//! use it, and the stream an upgraded socket runs on. Nothing here imports the layers above it.

mod stream;

use std::net::IpAddr;
pub use stream::{PrefixedStream, Socket};

/// The client's address, put into each HTTP request's extensions for the handlers.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

/// The address limits are counted by: the TCP peer, or, when the peer is a trusted reverse proxy,
/// the last address its `X-Forwarded-For` names (the one the proxy itself saw).
pub fn client_ip(peer: IpAddr, headers: &http::HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    // Only the entry the proxy appended can be trusted; anything before it came from the client.
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|entry| entry.trim().parse::<IpAddr>().ok())
        .unwrap_or(peer)
}

/// Which socket endpoint an upgrade asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Visitor,
    Operator,
}

/// The widget may connect from the listed shop origins (any, when none are listed); the console
/// only from the relay's own origin, where it is served. Clients that send no `Origin` (not browsers)
/// are not subject to this check: it exists to stop other web pages from using a visitor's browser.
pub fn origin_allowed(allowed: &[String], endpoint: Endpoint, origin: &str, host: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    let listed = allowed
        .iter()
        .any(|entry| entry.trim_end_matches('/').eq_ignore_ascii_case(origin));
    let own = origin
        .split_once("://")
        .is_some_and(|(_, authority)| !host.is_empty() && authority.eq_ignore_ascii_case(host));
    match endpoint {
        Endpoint::Visitor => allowed.is_empty() || listed || own,
        Endpoint::Operator => own,
    }
}

/// An address as the relay may log it: an IPv4 address without its last byte (`203.0.113.0/24`),
/// an IPv6 address without its last 80 bits (`2001:db8:1::/48`). Addresses are used in full
/// for the limits, in memory only; logs and the database never hold them whole.
pub fn truncated(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let network =
                std::net::Ipv6Addr::new(segments[0], segments[1], segments[2], 0, 0, 0, 0, 0);
            format!("{network}/48")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_may_come_from_any_origin_when_none_are_listed() {
        assert!(origin_allowed(
            &[],
            Endpoint::Visitor,
            "https://evil.example",
            "relay.example"
        ));
    }

    #[test]
    fn visitors_must_come_from_a_listed_origin_when_some_are() {
        let allowed = vec!["https://shop.example".to_owned()];
        assert!(origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "https://shop.example",
            "relay.example"
        ));
        assert!(origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "https://SHOP.example/",
            "relay.example"
        ));
        assert!(!origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "https://evil.example",
            "relay.example"
        ));
        assert!(!origin_allowed(
            &allowed,
            Endpoint::Visitor,
            "http://shop.example",
            "relay.example"
        ));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = [127, 0, 0, 1].into();
        let mut headers = http::HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        assert_eq!(
            client_ip(proxy, &headers, &[proxy]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &headers, &[]),
            proxy,
            "an untrusted peer cannot choose its address"
        );
        assert_eq!(client_ip(proxy, &http::HeaderMap::new(), &[proxy]), proxy);
        let mut garbled = http::HeaderMap::new();
        garbled.append(
            "x-forwarded-for",
            "203.0.113.9, not-an-address".parse().unwrap(),
        );
        assert_eq!(
            client_ip(proxy, &garbled, &[proxy]),
            proxy,
            "a client-written entry is never used"
        );
    }

    #[test]
    fn the_console_socket_takes_only_the_relays_own_origin() {
        assert!(origin_allowed(
            &[],
            Endpoint::Operator,
            "https://relay.example",
            "relay.example"
        ));
        assert!(!origin_allowed(
            &[],
            Endpoint::Operator,
            "https://evil.example",
            "relay.example"
        ));
    }

    #[test]
    fn a_logged_address_is_truncated() {
        assert_eq!(truncated("203.0.113.77".parse().unwrap()), "203.0.113.0/24");
        assert_eq!(
            truncated("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1::/48"
        );
    }
}
