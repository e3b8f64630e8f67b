//! What the manager's reports read: facts kept up to date in the same transaction as their
//! cause (a message, a resolve or reopen, a rating, an availability switch, a contact form), so
//! that no report scans the messages; [`ReportStore`], the persistence of these facts.
//!
//! A conversation's life is cut into episodes: it starts with its first message, and each reopen
//! (by the visitor writing again, or by an operator) starts a new one. An episode holds when its
//! visitor first wrote, when an operator first answered (automatic and system messages do not
//! count), when it was resolved, by whom it was handled, and its rating. Messages are counted per
//! site, hour and author (visitors together, each operator apart), and every change of an
//! operator's availability is kept with its time. The figures are computed from these in
//! `crate::reports`, the same way for both stores.
//!
//! So that a long range does not read every episode, each store also keeps the episodes'
//! [`Tally`] and [`Wait`] rows per site, UTC hour and operator, changed by a trigger on the
//! episodes in the same transaction as the episode (see the stores' `tallies.rs`); the hours,
//! volume, satisfaction and operators reports read those. The response report reads each
//! episode's waits ([`TimedWait`]: a few numbers from an index that holds them, not the
//! episode's row), since its business time depends on the opening hours as they are now.

use super::StoreFuture;
use beseda_protocol::OperatorId;

/// When a visitor counts as missed while the site's automatic message is off (seconds).
pub const DEFAULT_MISSED_AFTER_SECONDS: i64 = 45;

/// One episode of a conversation, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub conversation_id: i64,
    pub site: String,
    /// A reopened conversation's episode (false: the conversation's first).
    pub reopened: bool,
    pub started_at: i64,
    pub first_visitor_at: Option<i64>,
    /// When an answer stops counting as in time: the first visitor message plus the site's
    /// automatic-message delay at that moment.
    pub response_due_at: Option<i64>,
    pub first_response_at: Option<i64>,
    /// Who answered first, or else who had it when it was resolved.
    pub operator_id: Option<i64>,
    pub resolved_at: Option<i64>,
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    /// A message of this episode came through the contact form.
    pub contact: bool,
}

/// An operator's availability switch changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityChange {
    pub operator_id: i64,
    pub online: bool,
    pub at: i64,
}

/// Messages of one site in one hour (hours since the epoch, UTC) by one author: the visitors
/// (`operator_id` 0) or one operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HourCount {
    pub site: String,
    pub hour: i64,
    pub operator_id: i64,
    pub messages: i64,
}

/// One day's counter of a prompt's variant (days since the epoch, UTC, as prompts count them).
#[derive(Clone, Debug, PartialEq)]
pub struct PromptDayCount {
    pub prompt_id: i64,
    pub variant: i64,
    pub event: String,
    pub day: i64,
    pub count: i64,
    pub total: f64,
}

/// An answer opened by a visitor, or a search that found nothing (`answer_id` None).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerEvent {
    pub site: String,
    pub answer_id: Option<i64>,
    pub at: i64,
    /// For an opening: the visitor wrote a message within ten minutes after it.
    pub followed_by_message: bool,
}

/// What the episodes of one site, hour (since the epoch, UTC) and handling operator (0: none)
/// add up to: the counters of episodes that started in that hour (new, reopened, through the
/// contact form, missed for good) and of those resolved in it (with their ratings). Kept by the
/// stores in the transaction that changes an episode, so that a long range reads these instead
/// of every episode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub site: String,
    pub hour: i64,
    pub operator_id: i64,
    pub started_new: i64,
    pub started_reopened: i64,
    pub contacts: i64,
    /// Missed whatever happens next: answered late, or resolved without an answer. An episode
    /// still waiting for its first answer is missed only once its delay has passed, so those
    /// are read apart ([`Tallies::waiting`]).
    pub missed: i64,
    pub resolved: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub dissatisfied: i64,
}

/// What a wait measures.
pub const WAIT_FIRST_RESPONSE: i64 = 0;
/// See [`WAIT_FIRST_RESPONSE`].
pub const WAIT_RESOLUTION: i64 = 1;

/// How many episodes of one site, hour and operator waited `seconds` (whole, cut toward zero)
/// for their first answer (in their start's hour) or for their resolve (in the resolve's hour):
/// exact seconds, so that the median and the 90th percentile come out as from the episodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    pub site: String,
    pub hour: i64,
    pub operator_id: i64,
    pub measure: i64,
    pub seconds: i64,
    pub count: i64,
}

/// One wait the response report measures, read without the rest of its episode: a first
/// response (from the visitor's first message to the first answer; placed in a period by the
/// episode's start) or a resolution (from the visitor's first message, or the episode's start
/// without one, to the resolve; placed by the resolve).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedWait {
    pub site: String,
    pub operator_id: Option<i64>,
    /// [`WAIT_FIRST_RESPONSE`] or [`WAIT_RESOLUTION`].
    pub measure: i64,
    /// The moment whose day places the wait in a period.
    pub at: i64,
    pub from: i64,
    pub to: i64,
}

impl TimedWait {
    /// The waits of a set of episodes, as the stores read them.
    pub fn of_episodes(episodes: &[Episode]) -> Vec<TimedWait> {
        let mut waits = Vec::new();
        for episode in episodes {
            if let (Some(asked), Some(answered)) =
                (episode.first_visitor_at, episode.first_response_at)
            {
                waits.push(TimedWait {
                    site: episode.site.clone(),
                    operator_id: episode.operator_id,
                    measure: WAIT_FIRST_RESPONSE,
                    at: episode.started_at,
                    from: asked,
                    to: answered,
                });
            }
            if let Some(resolved) = episode.resolved_at {
                waits.push(TimedWait {
                    site: episode.site.clone(),
                    operator_id: episode.operator_id,
                    measure: WAIT_RESOLUTION,
                    at: resolved,
                    from: episode.first_visitor_at.unwrap_or(episode.started_at),
                    to: resolved,
                });
            }
        }
        waits
    }
}

/// The tallies of a span, and the few episodes they cannot stand for: those still waiting for
/// their first answer, and the resolved ones with a rating comment (the satisfaction report
/// lists them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tallies {
    pub counts: Vec<Tally>,
    pub waits: Vec<Wait>,
    pub waiting: Vec<Episode>,
    pub commented: Vec<Episode>,
}

/// Everything the reports need of a span of time `[from, to)` (Unix milliseconds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportFacts {
    /// Episodes that started, or were resolved or answered, within the span.
    pub episodes: Vec<Episode>,
    /// Availability changes within the span, after each operator's last change before it.
    pub availability: Vec<AvailabilityChange>,
    pub hours: Vec<HourCount>,
    pub prompt_days: Vec<PromptDayCount>,
    pub answer_events: Vec<AnswerEvent>,
    /// The tallies, when asked for (`FactKinds::tallies`); without them, the reports work them
    /// out from the episodes.
    pub tallies: Option<Tallies>,
    /// The waits of the episodes started or resolved within the span, when asked for
    /// (`FactKinds::waits`); without them, the reports work them out from the episodes.
    pub waits: Option<Vec<TimedWait>>,
}

/// Which kinds of facts to read; the others are left empty. A report reads only the ones it
/// needs: the episodes are most of what a long range costs, and the prompts' and answers'
/// reports never look at them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactKinds {
    pub episodes: bool,
    pub availability: bool,
    pub hours: bool,
    pub prompt_days: bool,
    pub answer_events: bool,
    pub tallies: bool,
    pub waits: bool,
}

impl FactKinds {
    /// Every kind.
    pub const ALL: FactKinds = FactKinds {
        episodes: true,
        availability: true,
        hours: true,
        prompt_days: true,
        answer_events: true,
        tallies: true,
        waits: true,
    };

    /// The same kinds with the episodes in place of the tallies: for zones whose hours do not
    /// begin on the hours of UTC, where hourly tallies cannot be cut into their days.
    pub fn without_tallies(self) -> FactKinds {
        FactKinds {
            episodes: self.episodes || self.tallies,
            tallies: false,
            ..self
        }
    }

    /// The kinds the report `name` reads (see `crate::reports`); all for an unknown name.
    pub fn of_report(name: &str) -> FactKinds {
        let none = FactKinds {
            episodes: false,
            availability: false,
            hours: false,
            prompt_days: false,
            answer_events: false,
            tallies: false,
            waits: false,
        };
        match name {
            "hours" | "operators" => FactKinds {
                tallies: true,
                availability: true,
                hours: true,
                ..none
            },
            "volume" | "satisfaction" => FactKinds {
                tallies: true,
                ..none
            },
            "response" => FactKinds {
                waits: true,
                ..none
            },
            "prompts" => FactKinds {
                prompt_days: true,
                ..none
            },
            "answers" => FactKinds {
                answer_events: true,
                ..none
            },
            _ => FactKinds::ALL,
        }
    }
}

/// Persistence of what the reports read.
pub trait ReportStore: Send + Sync {
    /// The facts of `[from, to)` (Unix milliseconds), of one site or of all, of the kinds asked
    /// for.
    fn report_facts(
        &self,
        from: i64,
        to: i64,
        site: Option<String>,
        kinds: FactKinds,
    ) -> StoreFuture<'_, ReportFacts>;
}

/// Whether messages are recorded for the reports: always, unless the environment variable
/// `BESEDA_BENCH_WITHOUT_REPORTS` is `1`, which the benchmark sets to measure what recording
/// costs the write path (read once). Resolves, ratings and availability are recorded anyway.
pub(crate) fn recording_messages() -> bool {
    static RECORDING: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *RECORDING.get_or_init(|| {
        std::env::var("BESEDA_BENCH_WITHOUT_REPORTS").map_or(true, |value| value != "1")
    })
}

/// The operator id of a message's author in the hourly counts: 0 for visitors.
pub(crate) fn hour_author(operator_id: Option<OperatorId>) -> i64 {
    operator_id.map_or(0, |id| id.0)
}

/// The hour (since the epoch, UTC) a moment falls in.
pub(crate) fn hour_of(at: i64) -> i64 {
    at.div_euclid(3_600_000)
}
