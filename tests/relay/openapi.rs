//! The published contract, `GET /api/openapi.json`, against what the relay really serves: every
//! route in the route modules' source is documented and every documented operation exists; a
//! path nothing serves is 404, a method a path does not take is 405 with `Allow`; a JSON body
//! that is not an object is 400 with the error shape; the last admin stays an admin (409).

use beseda_tests::http::{Response, get, put_json, request, request_with};
use beseda_tests::{JANA, PETR, TestRelay};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The methods whose absence the tests check.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `(path, method)` of every route in the route modules, read from their source: each route
/// names its path with `warp::path!(…)` and then its method with `.and(warp::METHOD())`.
/// Segments that are values (`i64`, `String`) are written `{}`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../relay/src/http/routes");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(&folder).expect("the route modules") {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        // A route built another way would escape this reading: there is none but the files'
        // fallback, which takes every path it has a built-in file for.
        let other = source.matches("warp::path(").count() + source.matches("warp::path::").count();
        let fallback = usize::from(path.ends_with("assets.rs"));
        assert_eq!(
            other,
            fallback,
            "{}: a route not built with warp::path!",
            path.display()
        );
        for (at, _) in source.match_indices("warp::path!(") {
            let rest = &source[at + "warp::path!(".len()..];
            let end = rest.find(')').unwrap();
            let template: String = rest[..end]
                .split('/')
                .map(|segment| {
                    let segment = segment.trim();
                    match segment.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                        Some(literal) => format!("/{literal}"),
                        None => "/{}".to_owned(),
                    }
                })
                .collect();
            let method = rest[end..]
                .split_once(".and(warp::")
                .and_then(|(_, after)| after.split_once("()"))
                .map(|(method, _)| method.to_uppercase())
                .expect("a method after the path");
            assert!(
                ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].contains(&method.as_str()),
                "{}: {template} names no method next",
                path.display()
            );
            routes.insert((template, method));
        }
    }
    routes
}

/// The documented operations: path template → methods (upper case).
fn documented(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .unwrap()
                .keys()
                .filter(|key| {
                    ["get", "post", "put", "patch", "delete", "options", "head"]
                        .contains(&key.as_str())
                })
                .map(|key| key.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// A path template with its `{name}` segments as `{}`.
fn shape(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A path template made a real path: numbers for ids, the demo site for names.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{name}" => "default",
            segment if segment.starts_with('{') => "1",
            segment => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn assert_error_shape(response: &Response, status: u16, code: &str, what: &str) {
    assert_eq!(response.status, status, "{what}: {}", response.body);
    let body = response.json();
    assert_eq!(body["error"]["code"], code, "{what}: {}", response.body);
    assert!(
        body["error"]["message"].is_string(),
        "{what}: {}",
        response.body
    );
}

async fn document(relay: &TestRelay) -> Value {
    let response = get(relay.addr, "/api/openapi.json", None).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        response
            .header("content-type")
            .is_some_and(|value| value.starts_with("application/json"))
    );
    response.json()
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_operation_exists() {
    let relay = TestRelay::start().await;
    let document = document(&relay).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1."));
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["scheme"], "bearer");
    assert_eq!(schemes["apiKey"]["scheme"], "bearer");
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());

    let paths = documented(&document);
    let in_document: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, methods)| methods.iter().map(|method| (shape(path), method.clone())))
        .collect();
    let in_source = routes_in_source();
    let undocumented: Vec<_> = in_source.difference(&in_document).collect();
    let unserved: Vec<_> = in_document.difference(&in_source).collect();
    assert!(
        undocumented.is_empty(),
        "routes not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not routed: {unserved:?}"
    );

    // Live: each documented operation is answered (not 404 for an unknown path, not 405), and
    // every other method on its path is 405 with `Allow` naming exactly the documented ones.
    for (template, methods) in &paths {
        let path = concrete(template);
        for method in METHODS {
            let response = request(relay.addr, method, &path, None, None).await;
            if methods.contains(method) {
                assert_ne!(response.status, 405, "{method} {path}: {}", response.body);
                let unrouted =
                    response.status == 404 && response.json()["error"]["message"] == "no such page";
                assert!(!unrouted, "{method} {path} is documented but not routed");
            } else {
                assert_error_shape(
                    &response,
                    405,
                    "method_not_allowed",
                    &format!("{method} {path}"),
                );
                let allow: BTreeSet<String> = response
                    .header("allow")
                    .unwrap_or_else(|| panic!("{method} {path}: 405 without Allow"))
                    .split(',')
                    .map(|method| method.trim().to_owned())
                    .collect();
                assert_eq!(&allow, methods, "{method} {path}: Allow");
            }
        }
    }
}

#[tokio::test]
async fn unknown_paths_are_404_with_the_error_shape() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    for path in [
        "/api/nonexistent",
        "/api/conversations/1/nonexistent",
        "/api/openapi.yaml",
        "/nope",
    ] {
        for method in METHODS {
            let response = request(relay.addr, method, path, Some(&jana), None).await;
            assert_error_shape(&response, 404, "not_found", &format!("{method} {path}"));
            assert_eq!(response.header("allow"), None, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn json_bodies_that_are_not_objects_are_400_and_change_nothing() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let document = document(&relay).await;
    let before = get(relay.addr, "/api/me", Some(&jana)).await.json();
    let mut checked = 0;
    for (template, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let takes_json = operation["requestBody"]["content"]["application/json"].is_object();
            if !takes_json {
                continue;
            }
            let path = concrete(template);
            let method = method.to_uppercase();
            for body in ["[]", "[null, null]", "\"text\"", "42", "null"] {
                // Widgets' reports need an origin; with one they get as far as reading the body.
                let origin: &[(&str, &str)] = if path.starts_with("/visitor/") {
                    &[("origin", "https://shop.example")]
                } else {
                    &[]
                };
                let response = request_with(
                    relay.addr,
                    &method,
                    &path,
                    Some(&jana),
                    origin,
                    Some(body.as_bytes()),
                )
                .await;
                assert_error_shape(
                    &response,
                    400,
                    "bad_request",
                    &format!("{method} {path} {body}"),
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} bodies checked");
    assert_eq!(get(relay.addr, "/api/me", Some(&jana)).await.json(), before);
}

#[tokio::test]
async fn the_last_admin_stays_an_admin() {
    let relay = TestRelay::start().await;
    let jana = relay.login(JANA).await;
    let me = get(relay.addr, "/api/me", Some(&jana)).await.json();
    let jana_id = me["id"].as_i64().unwrap();
    let step_down = json!({ "admin": false });

    let response = put_json(relay.addr, "/api/me", Some(&jana), &step_down).await;
    assert_error_shape(&response, 409, "conflict", "the last admin stepping down");
    let path = format!("/api/operators/{jana_id}");
    let response = put_json(relay.addr, &path, Some(&jana), &step_down).await;
    assert_error_shape(&response, 409, "conflict", "the last admin demoted");
    assert_eq!(
        get(relay.addr, "/api/me", Some(&jana)).await.json()["admin"],
        true
    );

    // With a second admin, either may step down.
    let petr = relay.login(PETR).await;
    let petr_id = get(relay.addr, "/api/me", Some(&petr)).await.json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/operators/{petr_id}");
    let response = put_json(relay.addr, &path, Some(&jana), &json!({ "admin": true })).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let response = put_json(relay.addr, "/api/me", Some(&jana), &step_down).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["admin"], false);
    let response = put_json(relay.addr, "/api/me", Some(&petr), &step_down).await;
    assert_error_shape(
        &response,
        409,
        "conflict",
        "the new last admin stepping down",
    );
}
