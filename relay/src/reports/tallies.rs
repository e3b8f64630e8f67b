//! The tallies worked out from episodes: what the stores keep up to date for every change of an
//! episode (see `store/reports.rs` and the stores' `tallies.rs`), computed the same way here for
//! facts read without them (zones whose days do not begin on a UTC hour) and for the tests, so
//! that both ways give the same figures. The SQL of the stores' trigger and this function must
//! agree: a change to one is a change to the other.

use crate::store::reports::{
    Episode, Tallies, Tally, WAIT_FIRST_RESPONSE, WAIT_RESOLUTION, Wait, hour_of,
};
use std::collections::BTreeMap;

/// Whether an episode is missed whatever happens next (see `missed`): answered after its
/// delay, or resolved without an answer.
fn missed_for_good(episode: &Episode) -> bool {
    match (
        episode.first_visitor_at,
        episode.response_due_at,
        episode.first_response_at,
    ) {
        (Some(_), Some(due), Some(answered)) => answered > due,
        (Some(_), Some(_), None) => episode.resolved_at.is_some(),
        _ => false,
    }
}

/// The tallies of a set of episodes.
pub fn from_episodes(episodes: &[Episode]) -> Tallies {
    let mut counts: BTreeMap<(String, i64, i64), Tally> = BTreeMap::new();
    let mut waits: BTreeMap<(String, i64, i64, i64, i64), i64> = BTreeMap::new();
    fn tally<'a>(
        counts: &'a mut BTreeMap<(String, i64, i64), Tally>,
        site: &str,
        hour: i64,
        operator: i64,
    ) -> &'a mut Tally {
        counts
            .entry((site.to_owned(), hour, operator))
            .or_insert_with(|| Tally {
                site: site.to_owned(),
                hour,
                operator_id: operator,
                ..Tally::default()
            })
    }
    for episode in episodes {
        let operator = episode.operator_id.unwrap_or(0);
        let start = hour_of(episode.started_at);
        let row = tally(&mut counts, &episode.site, start, operator);
        if episode.reopened {
            row.started_reopened += 1;
        } else {
            row.started_new += 1;
        }
        row.contacts += i64::from(episode.contact);
        row.missed += i64::from(missed_for_good(episode));
        if let (Some(asked), Some(answered)) = (episode.first_visitor_at, episode.first_response_at)
        {
            let key = (
                episode.site.clone(),
                start,
                operator,
                WAIT_FIRST_RESPONSE,
                (answered - asked) / 1000,
            );
            *waits.entry(key).or_default() += 1;
        }
        if let Some(resolved) = episode.resolved_at {
            let row = tally(&mut counts, &episode.site, hour_of(resolved), operator);
            row.resolved += 1;
            match episode.rating.as_deref() {
                Some("satisfied") => row.satisfied += 1,
                Some("neutral") => row.neutral += 1,
                Some("dissatisfied") => row.dissatisfied += 1,
                _ => {}
            }
            let asked = episode.first_visitor_at.unwrap_or(episode.started_at);
            let key = (
                episode.site.clone(),
                hour_of(resolved),
                operator,
                WAIT_RESOLUTION,
                (resolved - asked) / 1000,
            );
            *waits.entry(key).or_default() += 1;
        }
    }
    Tallies {
        counts: counts.into_values().collect(),
        waits: waits
            .into_iter()
            .map(
                |((site, hour, operator_id, measure, seconds), count)| Wait {
                    site,
                    hour,
                    operator_id,
                    measure,
                    seconds,
                    count,
                },
            )
            .collect(),
        waiting: episodes
            .iter()
            .filter(|episode| {
                episode.first_visitor_at.is_some()
                    && episode.first_response_at.is_none()
                    && episode.resolved_at.is_none()
            })
            .cloned()
            .collect(),
        commented: episodes
            .iter()
            .filter(|episode| episode.resolved_at.is_some() && episode.rating_comment.is_some())
            .cloned()
            .collect(),
    }
}

/// The nearest-rank percentile `p` (0 to 100) of values given as value → how many.
pub fn percentile_of_counts(counts: &BTreeMap<i64, u64>, p: u32) -> Option<i64> {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return None;
    }
    let rank = (u64::from(p) * total).div_ceil(100).max(1);
    let mut seen = 0;
    for (value, count) in counts {
        seen += count;
        if seen >= rank {
            return Some(*value);
        }
    }
    None
}
