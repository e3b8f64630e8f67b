//! The queue as a pure plan: who takes which waiting conversation, and the places of those who
//! still wait. A store reads the state, asks [`plan`], and writes the plan in the same
//! transaction; no database is needed to decide, or to test the decision.

use beseda_protocol::{ConversationId, OperatorId};
use std::cmp::Reverse;
use std::collections::HashMap;

/// An operator as the queue sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorLoad {
    pub id: OperatorId,
    /// Whether the operator is available for new conversations.
    pub online: bool,
    /// How many open conversations the operator has now.
    pub open: u32,
}

/// An open conversation that nobody has, as the queue sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitingConversation {
    pub id: ConversationId,
    /// Higher goes first (raised by keyword rules).
    pub priority: i32,
    /// When it began to wait (milliseconds since the epoch): earlier goes first.
    pub queued_at: i64,
}

/// What the queue decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueuePlan {
    /// Conversations to give, in queue order, each to its operator.
    pub assignments: Vec<(ConversationId, OperatorId)>,
    /// Conversations that still wait, first in line first (position 1 is the first).
    pub waiting: Vec<ConversationId>,
}

/// Puts waiting conversations in queue order: the most urgent first, then the longest waiting,
/// then the oldest id (so that two conversations queued in the same millisecond keep an order).
pub fn order(waiting: &mut [WaitingConversation]) {
    waiting.sort_by_key(|conversation| {
        (
            Reverse(conversation.priority),
            conversation.queued_at,
            conversation.id.0,
        )
    });
}

/// Gives waiting conversations (in queue order) to the online operators with the fewest open
/// conversations, up to `max_chats` each; ties go to the lowest operator id, so that the same
/// state always gives the same plan. `None` when nobody is online: then there is no queue at
/// all, and the widget offers the contact form instead of a place in line.
pub fn plan(
    operators: &[OperatorLoad],
    max_chats: u32,
    mut waiting: Vec<WaitingConversation>,
) -> Option<QueuePlan> {
    let mut loads: HashMap<OperatorId, u32> = operators
        .iter()
        .filter(|operator| operator.online)
        .map(|operator| (operator.id, operator.open))
        .collect();
    if loads.is_empty() {
        return None;
    }
    order(&mut waiting);
    let mut plan = QueuePlan::default();
    for conversation in waiting {
        let free = loads
            .iter()
            .filter(|(_, load)| **load < max_chats)
            .min_by_key(|(operator, load)| (**load, operator.0))
            .map(|(operator, _)| *operator);
        match free {
            Some(operator) => {
                if let Some(load) = loads.get_mut(&operator) {
                    *load += 1;
                }
                plan.assignments.push((conversation.id, operator));
            }
            None => plan.waiting.push(conversation.id),
        }
    }
    Some(plan)
}

/// The conversation's place in the queue (1 = next), if it waits; `waiting` in any order.
pub fn position(
    mut waiting: Vec<WaitingConversation>,
    conversation_id: ConversationId,
) -> Option<u32> {
    order(&mut waiting);
    let index = waiting
        .iter()
        .position(|conversation| conversation.id == conversation_id)?;
    u32::try_from(index + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operator(id: i64, online: bool, open: u32) -> OperatorLoad {
        OperatorLoad {
            id: OperatorId(id),
            online,
            open,
        }
    }

    fn waiting(id: i64, priority: i32, queued_at: i64) -> WaitingConversation {
        WaitingConversation {
            id: ConversationId(id),
            priority,
            queued_at,
        }
    }

    fn given(plan: &QueuePlan) -> Vec<(i64, i64)> {
        plan.assignments
            .iter()
            .map(|(conversation, operator)| (conversation.0, operator.0))
            .collect()
    }

    #[test]
    fn nobody_online_means_no_queue() {
        let operators = [operator(1, false, 0), operator(2, false, 0)];
        assert_eq!(plan(&operators, 3, vec![waiting(10, 0, 1)]), None);
        assert_eq!(plan(&[], 3, vec![waiting(10, 0, 1)]), None);
    }

    #[test]
    fn shares_fairly_by_giving_each_to_the_least_loaded() {
        let operators = [
            operator(1, true, 2),
            operator(2, true, 0),
            operator(3, true, 1),
        ];
        let queue = (10..15).map(|id| waiting(id, 0, id)).collect();
        let plan = plan(&operators, 3, queue).expect("operators are online");
        // Loads 2,0,1 → 2,1,1 → 2,2,1 → 2,2,2 → 3,2,2 → 3,3,2: each to the least loaded, ties to
        // the lowest id, and nobody past three.
        assert_eq!(given(&plan), [(10, 2), (11, 2), (12, 3), (13, 1), (14, 2)]);
        assert!(plan.waiting.is_empty());
    }

    #[test]
    fn ties_go_to_the_lowest_operator_id() {
        let operators = [
            operator(7, true, 1),
            operator(3, true, 1),
            operator(5, true, 1),
        ];
        let plan = plan(&operators, 3, vec![waiting(10, 0, 1)]).expect("online");
        assert_eq!(given(&plan), [(10, 3)]);
    }

    #[test]
    fn nobody_gets_more_than_the_maximum_and_the_rest_wait_in_order() {
        let operators = [operator(1, true, 1), operator(2, true, 2)];
        let queue = vec![waiting(10, 0, 5), waiting(11, 0, 6), waiting(12, 0, 7)];
        let plan = plan(&operators, 2, queue).expect("online");
        assert_eq!(given(&plan), [(10, 1)]);
        assert_eq!(plan.waiting, [ConversationId(11), ConversationId(12)]);
    }

    #[test]
    fn offline_operators_get_nothing_and_their_load_does_not_matter() {
        let operators = [operator(1, false, 0), operator(2, true, 2)];
        let plan = plan(&operators, 3, vec![waiting(10, 0, 1), waiting(11, 0, 2)]).expect("online");
        assert_eq!(given(&plan), [(10, 2)]);
        assert_eq!(plan.waiting, [ConversationId(11)]);
    }

    #[test]
    fn urgent_first_then_longest_waiting_then_lowest_id() {
        let operators = [operator(1, true, 0)];
        let queue = vec![
            waiting(13, 0, 100),
            waiting(12, 0, 50),
            waiting(11, 5, 200),
            waiting(10, 0, 50),
        ];
        let plan = plan(&operators, 1, queue.clone()).expect("online");
        assert_eq!(given(&plan), [(11, 1)]);
        assert_eq!(
            plan.waiting,
            [ConversationId(10), ConversationId(12), ConversationId(13)]
        );
        assert_eq!(position(queue.clone(), ConversationId(11)), Some(1));
        assert_eq!(position(queue.clone(), ConversationId(13)), Some(4));
        assert_eq!(position(queue, ConversationId(99)), None);
    }

    #[test]
    fn a_full_team_leaves_everybody_waiting() {
        let operators = [operator(1, true, 3)];
        let plan = plan(&operators, 3, vec![waiting(10, 0, 1)]).expect("online");
        assert!(plan.assignments.is_empty());
        assert_eq!(plan.waiting, [ConversationId(10)]);
    }
}
