//! The limiters' tests.
use super::signin::{FIRST_SIGNIN_DELAY, MAX_SIGNIN_DELAY};
use super::*;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[test]
fn a_window_counter_refuses_past_its_limit() {
    let counter = WindowCounter::new(2, Duration::from_secs(60));
    assert!(counter.try_acquire(&"a"));
    assert!(counter.try_acquire(&"a"));
    assert!(!counter.try_acquire(&"a"));
    assert!(counter.try_acquire(&"b"), "keys are counted apart");
}

#[test]
fn a_window_counter_starts_over_after_its_window() {
    let counter = WindowCounter::new(1, Duration::ZERO);
    assert!(counter.try_acquire(&1));
    assert!(counter.try_acquire(&1));
}

#[test]
fn connection_slots_are_freed_on_drop() {
    let cap = ConnectionCap::new(1);
    let ip: IpAddr = [127, 0, 0, 1].into();
    let slot = cap.try_admit(ip).unwrap();
    assert!(cap.try_admit(ip).is_none());
    drop(slot);
    assert!(cap.try_admit(ip).is_some());
}

#[test]
fn a_reset_forgets_and_the_keys_stay_bounded() {
    let counter = WindowCounter::new(1, Duration::from_secs(60));
    assert!(counter.try_acquire(&1));
    assert!(!counter.try_acquire(&1));
    counter.reset(&1);
    assert!(counter.try_acquire(&1));
    for key in 0..(MAX_KEYS + 10) {
        counter.try_acquire(&key);
    }
    assert!(counter.len() <= MAX_KEYS);
}

#[test]
fn signin_failures_delay_the_pair_and_not_other_addresses() {
    let limiter = SigninLimiter::new(3, 10, FIRST_SIGNIN_DELAY);
    let attacker: IpAddr = [203, 0, 113, 9].into();
    let owner: IpAddr = [198, 51, 100, 7].into();
    for _ in 0..3 {
        assert!(limiter.begin("jana@shop.example", attacker).is_ok());
    }
    let wait = limiter.begin("jana@shop.example", attacker).unwrap_err();
    assert!(wait > Duration::ZERO && wait <= FIRST_SIGNIN_DELAY);
    let attempt = limiter
        .begin("jana@shop.example", owner)
        .expect("another address is not locked out");
    limiter.succeeded(attempt);
    assert!(limiter.begin("petr@shop.example", attacker).is_ok());
}

#[test]
fn signin_delays_grow_per_address_and_memory_stays_bounded() {
    let limiter = SigninLimiter::new(3, 4, FIRST_SIGNIN_DELAY);
    let attacker: IpAddr = [203, 0, 113, 9].into();
    for index in 0..4 {
        assert!(limiter.begin(&format!("{index}@x"), attacker).is_ok());
    }
    assert!(limiter.begin("other@x", attacker).is_err());
    assert_eq!(limiter.delay(4, 4), FIRST_SIGNIN_DELAY);
    assert_eq!(limiter.delay(5, 4), FIRST_SIGNIN_DELAY * 2);
    assert_eq!(limiter.delay(400, 4), MAX_SIGNIN_DELAY);
    let limiter = SigninLimiter::new(3, 3, FIRST_SIGNIN_DELAY);
    for index in 0..(MAX_KEYS as u32) {
        let ip: IpAddr = std::net::Ipv4Addr::from(index).into();
        let _ = limiter.begin("someone@x", ip);
    }
    assert!(limiter.len() <= MAX_KEYS);
}

#[test]
fn ipv6_addresses_count_by_their_network() {
    let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
    let two: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
    let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
    assert_eq!(address_bucket(one), address_bucket(two));
    assert_eq!(
        address_bucket(mapped),
        "203.0.113.9".parse::<IpAddr>().unwrap()
    );
}

#[test]
fn the_whole_cap_refuses_past_its_limit() {
    let cap = OpenConnections::new(1);
    let first = cap.try_open().unwrap();
    assert!(cap.try_open().is_none());
    drop(first);
    assert!(cap.try_open().is_some());
}

#[tokio::test]
async fn password_checks_run_a_few_at_once_and_refuse_the_rest() {
    let checks = Arc::new(PasswordChecks::new(1));
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let hold = Arc::new(Mutex::new(hold));
    let first = tokio::spawn({
        let checks = checks.clone();
        let hold = hold.clone();
        async move {
            checks
                .run(move || hold.lock().unwrap().recv().is_ok())
                .await
        }
    });
    // Fill the waiting line (four per permit), then one more is refused at once.
    while checks.checked.load(Ordering::Relaxed) == 0 {
        tokio::task::yield_now().await;
    }
    let mut waiting = Vec::new();
    for _ in 0..4 {
        let checks = checks.clone();
        waiting.push(tokio::spawn(async move { checks.run(|| true).await }));
    }
    while checks.waiting.load(Ordering::Acquire) < 4 {
        tokio::task::yield_now().await;
    }
    assert!(
        checks.run(|| true).await.is_err(),
        "the fifth waiter is refused"
    );
    release.send(()).unwrap();
    assert!(first.await.unwrap().unwrap());
    for waiter in waiting {
        assert!(waiter.await.unwrap().unwrap());
    }
}
