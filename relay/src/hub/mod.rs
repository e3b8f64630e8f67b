//! The hub: every connected widget and console, and the fan-out of what happens to them.
//!
//! Each socket task owns the receiving end of a bounded outbox; the hub keeps the sending ends.
//! Committed store events arrive here on the store's writer thread, in commit order, and are
//! turned into frames once and handed to each interested peer with `try_send`. The hub never
//! waits: a peer whose outbox is full is dropped (its socket closes and the client resumes from
//! its last sequence number on reconnect, so nothing is lost). The peer maps sit behind one
//! `std::sync::Mutex` that is never held across an `.await`.

use crate::store::{Event, PeerTag};
use beseda_protocol::{ConversationId, MessageId, OperatorId, Seq, VisitorId, operator, visitor};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::metrics::Metrics;

/// How many frames may wait for one visitor socket before it is dropped. A visitor hears only
/// their own conversation, so this is generous.
pub const VISITOR_OUTBOX: usize = 256;
/// How many frames may wait for one console before it is dropped. Consoles hear every message of
/// every conversation (up to two frames per message), so the outbox must hold several whole
/// commits (see `MAX_BATCH` in the store): about half a second of traffic at 7,500 messages/s.
pub const OPERATOR_OUTBOX: usize = 4096;

/// A frame on its way to one socket.
#[derive(Clone, Debug)]
pub enum Outbound {
    /// A stored message (or its acknowledgement): carries its place so that a session can skip
    /// what its welcome already contained.
    Message {
        id: MessageId,
        seq: Seq,
        frame: Utf8Bytes,
        ack: bool,
    },
    /// Any other frame.
    Frame(Utf8Bytes),
    /// The last frame: the socket closes after it (an erased conversation's visitor, whose
    /// widget then connects again as a new visitor).
    End(Utf8Bytes),
}

pub type Outbox = mpsc::Sender<Outbound>;

/// A visitor's peers are found by site and visitor id: their conversation follows from those.
type VisitorKey = (String, VisitorId);

#[derive(Default)]
struct Peers {
    visitors: HashMap<VisitorKey, Vec<(PeerTag, Outbox)>>,
    operators: HashMap<PeerTag, (OperatorId, Outbox)>,
    online: HashSet<OperatorId>,
    /// The queue places last told to visitors, so that only changes are sent.
    queue: HashMap<VisitorKey, u32>,
    /// Sites outside their opening hours, with when they open again (RFC 3339), if known.
    closed: HashMap<String, Option<String>>,
    /// The address each connected visitor last wrote from, in memory only: what an operator's
    /// block with days blocks (`http/handlers/privacy.rs`).
    addresses: HashMap<VisitorKey, std::net::IpAddr>,
}

impl Peers {
    /// What a site's visitors are told: available, or not (and when the shop is back).
    fn availability(&self, site: &str) -> visitor::FromRelay {
        let back_at = self.closed.get(site);
        visitor::FromRelay::Availability {
            online: !self.online.is_empty() && back_at.is_none(),
            back_at: back_at.cloned().flatten(),
        }
    }

    /// Sends each connected visitor of the sites `concerned` accepts their availability.
    fn tell_visitors(&mut self, concerned: impl Fn(&str) -> bool) -> usize {
        let frames: HashMap<String, Utf8Bytes> = self
            .visitors
            .keys()
            .map(|(site, _)| site)
            .filter(|site| concerned(site))
            .map(|site| (site.clone(), to_frame(&self.availability(site))))
            .collect();
        let dropped = self
            .visitors
            .iter_mut()
            .filter_map(|((site, _), list)| Some((frames.get(site)?, list)))
            .map(|(frame, list)| offer(list, |_| Some(Outbound::Frame(frame.clone()))))
            .sum();
        self.visitors.retain(|_, list| !list.is_empty());
        dropped
    }
}

/// The connected peers and their fan-out.
pub struct Hub {
    peers: Mutex<Peers>,
    next_tag: AtomicU64,
    metrics: Arc<Metrics>,
}

fn to_frame<T: serde::Serialize>(value: &T) -> Utf8Bytes {
    Utf8Bytes::from(crate::frames::to_json(value))
}

impl Hub {
    pub fn new(metrics: Arc<Metrics>) -> Hub {
        Hub {
            peers: Mutex::new(Peers::default()),
            next_tag: AtomicU64::new(1),
            metrics,
        }
    }

    fn peers(&self) -> std::sync::MutexGuard<'_, Peers> {
        self.peers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh tag for a new socket.
    pub fn next_tag(&self) -> PeerTag {
        self.next_tag.fetch_add(1, Ordering::Relaxed)
    }

    pub fn add_visitor(
        &self,
        tag: PeerTag,
        site: &str,
        visitor_id: &VisitorId,
        address: std::net::IpAddr,
        outbox: Outbox,
    ) {
        let key = (site.to_owned(), visitor_id.clone());
        let mut peers = self.peers();
        peers.addresses.insert(key.clone(), address);
        peers.visitors.entry(key).or_default().push((tag, outbox));
    }

    /// The address a connected visitor writes from, if they are connected to this relay.
    pub fn visitor_address(&self, site: &str, visitor_id: &VisitorId) -> Option<std::net::IpAddr> {
        let key = (site.to_owned(), visitor_id.clone());
        self.peers().addresses.get(&key).copied()
    }

    pub fn remove_visitor(&self, tag: PeerTag, site: &str, visitor_id: &VisitorId) {
        let key = (site.to_owned(), visitor_id.clone());
        let mut peers = self.peers();
        if let Some(list) = peers.visitors.get_mut(&key) {
            list.retain(|(peer, _)| *peer != tag);
            if list.is_empty() {
                peers.visitors.remove(&key);
                peers.addresses.remove(&key);
            }
        }
    }

    pub fn add_operator(&self, tag: PeerTag, operator_id: OperatorId, outbox: Outbox) {
        self.peers().operators.insert(tag, (operator_id, outbox));
    }

    /// Forgets a console; answers how many consoles its operator still has open.
    pub fn remove_operator(&self, tag: PeerTag) -> usize {
        let mut peers = self.peers();
        let Some((operator_id, _)) = peers.operators.remove(&tag) else {
            return 0;
        };
        peers
            .operators
            .values()
            .filter(|(other, _)| *other == operator_id)
            .count()
    }

    /// How many consoles an operator has open.
    pub fn consoles(&self, operator_id: OperatorId) -> usize {
        self.peers()
            .operators
            .values()
            .filter(|(other, _)| *other == operator_id)
            .count()
    }

    /// Whether this operator's availability switch is on.
    pub fn is_online(&self, operator_id: OperatorId) -> bool {
        self.peers().online.contains(&operator_id)
    }

    /// Whether any operator's availability switch is on.
    pub fn anyone_online(&self) -> bool {
        !self.peers().online.is_empty()
    }

    /// Whether a site's visitors may chat now (someone online, within its hours), and when a
    /// closed shop is back.
    pub fn site_availability(&self, site: &str) -> (bool, Option<String>) {
        match self.peers().availability(site) {
            visitor::FromRelay::Availability { online, back_at } => (online, back_at),
            _ => (false, None),
        }
    }

    /// A site opened (`None`) or closed (`Some(back_at)`); its visitors hear of a change.
    pub fn set_closed(&self, site: &str, closed: Option<Option<String>>) {
        let mut peers = self.peers();
        let changed = match &closed {
            Some(back_at) => peers.closed.insert(site.to_owned(), back_at.clone()) != closed,
            None => peers.closed.remove(site).is_some(),
        };
        if changed {
            let dropped = peers.tell_visitors(|other| other == site);
            self.count_dropped(dropped);
        }
    }

    /// Sets one operator's availability; visitors hear of it when "anyone online" changes.
    pub fn set_online(&self, operator_id: OperatorId, online: bool) {
        let mut peers = self.peers();
        self.availability_changed(&mut peers, operator_id, online);
    }

    fn availability_changed(&self, peers: &mut Peers, operator_id: OperatorId, online: bool) {
        let before = !peers.online.is_empty();
        if online {
            peers.online.insert(operator_id);
        } else {
            peers.online.remove(&operator_id);
        }
        let anyone_online = !peers.online.is_empty();
        let operator_frame = to_frame(&operator::FromRelay::Availability {
            operator_id,
            online,
            anyone_online,
        });
        self.send_to_operators(peers, |_| Some(Outbound::Frame(operator_frame.clone())));
        if before != anyone_online {
            // Visitors of a closed shop stay offline whoever comes online.
            let closed = peers.closed.clone();
            let dropped = peers.tell_visitors(|site| !closed.contains_key(site));
            self.count_dropped(dropped);
        }
    }

    /// A visitor started or stopped typing: every console hears it.
    pub fn visitor_typing(&self, conversation_id: ConversationId, typing: bool) {
        let frame = to_frame(&operator::FromRelay::Typing {
            conversation_id,
            typing,
        });
        let mut peers = self.peers();
        self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
    }

    /// An operator started or stopped typing: the visitor's tabs hear it.
    pub fn operator_typing(&self, site: &str, visitor_id: &VisitorId, typing: bool, name: &str) {
        let frame = to_frame(&visitor::FromRelay::Typing {
            typing,
            name: Some(name.to_owned()),
        });
        let mut peers = self.peers();
        let key = (site.to_owned(), visitor_id.clone());
        if let Some(list) = peers.visitors.get_mut(&key) {
            let dropped = offer(list, |_| Some(Outbound::Frame(frame.clone())));
            self.count_dropped(dropped);
        }
    }

    /// Whether the visitor has a widget connected now (in any tab).
    pub fn visitor_connected(&self, site: &str, visitor_id: &VisitorId) -> bool {
        let key = (site.to_owned(), visitor_id.clone());
        self.peers().visitors.contains_key(&key)
    }

    /// Hands committed events to the peers they concern, in the order they were committed.
    pub fn publish(&self, events: Vec<Event>) {
        let mut peers = self.peers();
        for event in events {
            match event {
                Event::MessageStored {
                    message,
                    site,
                    visitor_id,
                    origin,
                    duplicate,
                    position,
                } => {
                    let (id, seq) = (message.id, message.seq);
                    // Each endpoint gets its own protocol's frames: the sender an acknowledgement,
                    // everybody else a copy.
                    let visitor_ack = message.client_id.clone().map(|client_id| {
                        to_frame(&visitor::FromRelay::Ack {
                            client_id,
                            message: message.clone(),
                        })
                    });
                    let operator_ack = message.client_id.clone().map(|client_id| {
                        to_frame(&operator::FromRelay::Ack {
                            client_id,
                            message: message.clone(),
                            position,
                        })
                    });
                    let visitor_frame = to_frame(&visitor::FromRelay::Message {
                        message: message.clone(),
                    });
                    let operator_frame =
                        to_frame(&operator::FromRelay::Message { message, position });
                    let route = |tag: PeerTag,
                                 ack: &Option<Utf8Bytes>,
                                 copy: &Utf8Bytes|
                     -> Option<Outbound> {
                        let is_origin = Some(tag) == origin;
                        let frame = if is_origin {
                            ack.clone()?
                        } else if duplicate {
                            return None;
                        } else {
                            copy.clone()
                        };
                        Some(Outbound::Message {
                            id,
                            seq,
                            frame,
                            ack: is_origin,
                        })
                    };
                    if let Some(list) = peers.visitors.get_mut(&(site, visitor_id)) {
                        let dropped = offer(list, |tag| route(tag, &visitor_ack, &visitor_frame));
                        self.count_dropped(dropped);
                    }
                    self.send_to_operators(&mut peers, |tag| {
                        route(tag, &operator_ack, &operator_frame)
                    });
                }
                Event::ConversationChanged {
                    conversation,
                    visitor_id,
                    status_changed,
                    ..
                } => {
                    let status_frame = to_frame(&visitor::FromRelay::Status {
                        conversation_id: conversation.id,
                        status: conversation.status,
                    });
                    // Only a new status is news to the visitor: a new conversation is told by the
                    // acknowledgement, an assignment by `queue`, tags and ratings not at all.
                    let key = (conversation.site.clone(), visitor_id);
                    let visitor_peers = if status_changed {
                        peers.visitors.get_mut(&key)
                    } else {
                        None
                    };
                    if let Some(list) = visitor_peers {
                        let dropped = offer(list, |_| Some(Outbound::Frame(status_frame.clone())));
                        self.count_dropped(dropped);
                    }
                    let frame = to_frame(&operator::FromRelay::Conversation { conversation });
                    self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
                }
                Event::QueueChanged { waiting } => self.queue_changed(&mut peers, waiting),
                Event::Missed => {
                    // Dropping the outboxes closes the sockets; their clients resume by seq,
                    // position or message id from what the database holds.
                    peers.visitors.clear();
                    peers.operators.clear();
                    peers.queue.clear();
                }
                Event::OperatorAvailability {
                    operator_id,
                    online,
                } => self.availability_changed(&mut peers, operator_id, online),
                Event::QueuePosition {
                    site,
                    visitor_id,
                    position,
                } => {
                    let key = (site, visitor_id);
                    match position {
                        Some(position) => peers.queue.insert(key.clone(), position),
                        None => peers.queue.remove(&key),
                    };
                    let frame = to_frame(&visitor::FromRelay::Queue { position });
                    self.to_visitor(&mut peers, &key, &frame);
                }
                Event::AgentJoined {
                    site,
                    visitor_id,
                    agent,
                } => {
                    let frame = to_frame(&visitor::FromRelay::Agent { agent });
                    self.to_visitor(&mut peers, &(site, visitor_id), &frame);
                }
                Event::Rated {
                    site,
                    visitor_id,
                    rating,
                    comment,
                } => {
                    let frame = to_frame(&visitor::FromRelay::Rated { rating, comment });
                    self.to_visitor(&mut peers, &(site, visitor_id), &frame);
                }
                Event::PageViewed {
                    conversation_id,
                    page,
                } => {
                    // Only the new page: the whole list (up to fifty pages) for every page view
                    // would multiply what one visitor sends by the size of the list, per console.
                    let frame = to_frame(&operator::FromRelay::Page {
                        conversation_id,
                        page,
                    });
                    self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
                }
                Event::NoteAdded { note } => {
                    // Consoles only: no visitor's outbox is ever offered a note.
                    let frame = to_frame(&operator::FromRelay::Note { note });
                    self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
                }
                // For webhooks only, recorded by the store.
                Event::ContactSubmitted { .. } | Event::OrderTracked { .. } => {}
                Event::VisitorChanged {
                    conversation_id,
                    visitor,
                    cart,
                    context,
                } => {
                    let frame = to_frame(&operator::FromRelay::Visitor {
                        conversation_id,
                        visitor,
                        cart,
                        context,
                    });
                    self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
                }
                Event::ConversationErased {
                    conversation_id,
                    site,
                    visitor_hash,
                } => {
                    let frame = to_frame(&operator::FromRelay::Erased { conversation_id });
                    self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
                    // Rare enough to look at every connected visitor of the site.
                    let keys: Vec<VisitorKey> = peers
                        .visitors
                        .keys()
                        .filter(|(other, visitor_id)| {
                            *other == site
                                && crate::store::privacy::visitor_hash(visitor_id) == visitor_hash
                        })
                        .cloned()
                        .collect();
                    let frame = to_frame(&visitor::FromRelay::Erased);
                    for key in keys {
                        peers.queue.remove(&key);
                        peers.addresses.remove(&key);
                        if let Some(mut list) = peers.visitors.remove(&key) {
                            let dropped = offer(&mut list, |_| Some(Outbound::End(frame.clone())));
                            self.count_dropped(dropped);
                        }
                    }
                }
                Event::Blocked {
                    conversation_id,
                    site,
                    visitor_id,
                    blocked,
                } => {
                    let frame = to_frame(&operator::FromRelay::Blocked {
                        conversation_id,
                        blocked,
                    });
                    self.send_to_operators(&mut peers, |_| Some(Outbound::Frame(frame.clone())));
                    let frame = to_frame(&visitor::FromRelay::Blocked { blocked });
                    self.to_visitor(&mut peers, &(site, visitor_id), &frame);
                }
            }
        }
        peers.visitors.retain(|_, list| !list.is_empty());
    }

    /// Tells each waiting visitor their new place, only where it changed.
    fn queue_changed(&self, peers: &mut Peers, waiting: Vec<(String, VisitorId)>) {
        let mut places = HashMap::with_capacity(waiting.len());
        for (index, key) in waiting.into_iter().enumerate() {
            places.insert(key, u32::try_from(index + 1).unwrap_or(u32::MAX));
        }
        let left: Vec<VisitorKey> = peers
            .queue
            .keys()
            .filter(|key| !places.contains_key(*key))
            .cloned()
            .collect();
        for key in left {
            peers.queue.remove(&key);
            let frame = to_frame(&visitor::FromRelay::Queue { position: None });
            self.to_visitor(peers, &key, &frame);
        }
        for (key, place) in places {
            if peers.queue.get(&key) == Some(&place) {
                continue;
            }
            peers.queue.insert(key.clone(), place);
            let frame = to_frame(&visitor::FromRelay::Queue {
                position: Some(place),
            });
            self.to_visitor(peers, &key, &frame);
        }
    }

    fn to_visitor(&self, peers: &mut Peers, key: &VisitorKey, frame: &Utf8Bytes) {
        if let Some(list) = peers.visitors.get_mut(key) {
            let dropped = offer(list, |_| Some(Outbound::Frame(frame.clone())));
            self.count_dropped(dropped);
        }
    }

    fn send_to_operators(
        &self,
        peers: &mut Peers,
        mut frame_for: impl FnMut(PeerTag) -> Option<Outbound>,
    ) {
        let mut dropped = 0;
        peers
            .operators
            .retain(|tag, (_, outbox)| match frame_for(*tag) {
                Some(outbound) => {
                    let delivered = outbox.try_send(outbound).is_ok();
                    dropped += usize::from(!delivered);
                    delivered
                }
                None => true,
            });
        self.count_dropped(dropped);
    }

    fn count_dropped(&self, dropped: usize) {
        if dropped > 0 {
            self.metrics
                .slow_peers_dropped
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
    }
}

/// Offers a frame to each peer of a list and forgets those whose outbox is full or closed:
/// dropping the hub's sender ends the socket task's outbox, and the task closes the socket.
/// Returns how many were dropped.
fn offer(
    list: &mut Vec<(PeerTag, Outbox)>,
    mut frame_for: impl FnMut(PeerTag) -> Option<Outbound>,
) -> usize {
    let before = list.len();
    list.retain(|(tag, outbox)| match frame_for(*tag) {
        Some(outbound) => outbox.try_send(outbound).is_ok(),
        None => true,
    });
    before - list.len()
}

#[cfg(test)]
mod tests;
