//! Where the console's keyboard shortcuts lead: the next conversation that waits for an answer
//! and the neighbours of the open one in the list. Decided from the state alone, so that it is
//! tested natively; `keys` carries it out in the browser.

use crate::state::{ConsoleState, Row};
use beseda_protocol::{ConversationId, ConversationStatus, OperatorId};

/// Whether `row` waits for an answer that `me` may give: open, with unread messages or a
/// visitor still waiting, and nobody else's.
fn waits_for(row: &Row, me: OperatorId) -> bool {
    row.summary.status == ConversationStatus::Open
        && (row.unread > 0 || row.summary.waiting_since.is_some())
        && row
            .summary
            .assigned_to
            .is_none_or(|operator| operator == me)
}

/// The conversation Alt+N opens: the first in the open list's order (urgent first, then the
/// longest waiting) that waits for an answer, other than the one on screen.
pub fn next_waiting(state: &ConsoleState, me: OperatorId) -> Option<ConversationId> {
    state
        .list(ConversationStatus::Open)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| Some(*id) != state.selected)
        .find(|id| state.rows.get(id).is_some_and(|row| waits_for(row, me)))
}

/// The conversation `step` places after (or, negative, before) the one on screen in the list
/// with `status`; from none on screen, the first (or last). None past either end: the list
/// does not wrap, so that holding the key stops at its end.
pub fn neighbour(
    state: &ConsoleState,
    status: ConversationStatus,
    step: isize,
) -> Option<ConversationId> {
    let list: Vec<ConversationId> = state.list(status).into_iter().map(|(id, _)| id).collect();
    let position = state
        .selected
        .and_then(|selected| list.iter().position(|id| *id == selected));
    let index = match position {
        None if step > 0 => Some(0),
        None => list.len().checked_sub(1),
        Some(position) => position.checked_add_signed(step),
    }?;
    list.get(index).copied()
}

#[cfg(test)]
#[path = "navigation_tests.rs"]
mod tests;
