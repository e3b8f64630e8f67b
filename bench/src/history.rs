//! A generated history of conversations in a SQLite database, written through the relay's own
//! store API (so that every table a feature keeps up to date in the message's transaction, the
//! reports' among them, is filled as in production), for timing what reads a large history:
//! the reports, and full-text search.
//!
//! The shape: four shops (one the default site), eight operators who come online in the
//! morning and leave in the evening, `conversations` conversations over `days` days, busiest at
//! 8–10 and 16–20, with `messages` messages in all (visitor and operator taking turns, Czech
//! texts with diacritics), most resolved, some rated with a comment, some reopened, some left
//! through the contact form, and self-service answers opened before some of them.
//!
//! The store takes its time from the relay's clock, which the generator sets to each
//! message's moment ([`beseda_relay::clock::set_fixed_now`]). Conversations are written in
//! groups of [`GROUP`] that start at one moment and take their turns together (each turn one
//! moment for the group), so that each turn's writes are committed together, as under load;
//! the gaps between turns differ from group to group.

use anyhow::Context;
use beseda_protocol::answers::AnswerInput;
use beseda_protocol::api::{BusinessHours, HoursException, OpeningSpan};
use beseda_protocol::{Author, ConversationStatus, OperatorId, Rating, VisitorId};
use beseda_relay::clock::set_fixed_now;
use beseda_relay::store::prelude::*;
use beseda_relay::store::{
    Location, MessageTarget, NewMessage, Notices, SqliteStore, VisitorDetails,
};
use futures_util::future::join_all;
use std::path::Path;
use std::time::Instant;

/// Conversations that start together and take their turns together.
pub const GROUP: usize = 100;

/// The shops of the history: (name, title).
const SITES: [(&str, &str); 4] = [
    ("default", "Obchod"),
    ("obuv", "Obuv Brno"),
    ("elektro", "Elektro Ostrava"),
    ("zahrada", "Zahrada a dům"),
];

const OPERATORS: [&str; 8] = [
    "Jana Nováková",
    "Petr Dvořák",
    "Lucie Černá",
    "Tomáš Procházka",
    "Eva Kučerová",
    "Martin Veselý",
    "Kateřina Horáková",
    "Jiří Němec",
];

const VISITOR_TEXTS: [&str; 12] = [
    "Dobrý den, kdy mi dorazí objednávka číslo {n}?",
    "Chtěla bych vrátit zboží, jak mám postupovat při vrácení?",
    "Máte tuto bundu i ve velikosti XL? Děkuji.",
    "Reklamace: podrážka se odlepila po dvou týdnech nošení.",
    "Je možné platit kartou při převzetí na pobočce?",
    "Kolik stojí doprava na Slovensko a jak dlouho trvá?",
    "Přišel mi poškozený balík, krabice byla promáčknutá.",
    "Můžu si objednávku {n} vyzvednout osobně v Ostravě?",
    "Potřebuji změnit doručovací adresu, přestěhovali jsme se.",
    "Funguje ta sekačka i na svahu? Zahrada je dost členitá.",
    "Děkuji za rychlou odpověď, ještě jedna otázka k záruce.",
    "Nešlo mi dokončit objednávku, platební brána hlásí chybu.",
];

const OPERATOR_TEXTS: [&str; 10] = [
    "Dobrý den, hned se na to podívám.",
    "Objednávka {n} je na cestě, dorazí zítra dopoledne.",
    "Vrácení zboží je možné do 14 dnů bez udání důvodu.",
    "Ano, velikost XL máme skladem, mohu ji rovnou rezervovat.",
    "Reklamaci vyřídíme do 30 dnů, pošlete prosím fotografii.",
    "Doprava na Slovensko stojí 149 Kč a trvá dva až tři dny.",
    "Omlouváme se za poškození, pošleme vám nový kus zdarma.",
    "Adresu jsem změnila, potvrzení vám přijde e-mailem.",
    "Sekačka zvládne svah do 20 stupňů, je to ten pravý typ.",
    "Rádo se stalo, přeji hezký den!",
];

const COMMENTS: [&str; 5] = [
    "Rychlé a ochotné jednání, děkuji.",
    "Odpověď přišla až za dlouho.",
    "Paní byla moc milá, vše vyřešeno.",
    "Nic mi nevysvětlili, jsem zklamaný.",
    "Super, příště zase nakoupím.",
];

/// A small, fast and repeatable random number generator (xorshift64*).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

/// What a generation wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub conversations: usize,
    pub messages: usize,
    pub seconds: f64,
}

fn shop_hours() -> BusinessHours {
    BusinessHours {
        time_zone: "Europe/Prague".into(),
        weekly: ["mon", "tue", "wed", "thu", "fri", "sat"]
            .into_iter()
            .map(|day| OpeningSpan {
                day: day.into(),
                open: if day == "sat" { "09:00" } else { "08:00" }.into(),
                close: if day == "sat" { "12:00" } else { "20:00" }.into(),
            })
            .collect(),
        exceptions: vec![
            HoursException {
                date: "2026-12-24".into(),
                open: None,
                close: None,
            },
            HoursException {
                date: "2026-12-31".into(),
                open: Some("08:00".into()),
                close: Some("12:00".into()),
            },
        ],
    }
}

/// An hour of the day, busiest at 8–10 and 16–20.
fn hour_of_day(random: &mut Random) -> i64 {
    const WEIGHTS: [u64; 24] = [
        1, 1, 1, 1, 1, 2, 3, 6, 12, 12, 9, 7, 6, 6, 7, 8, 11, 12, 11, 10, 7, 5, 3, 2,
    ];
    let total: u64 = WEIGHTS.iter().sum();
    let mut pick = random.below(total);
    for (hour, weight) in WEIGHTS.iter().enumerate() {
        if pick < *weight {
            return hour as i64;
        }
        pick -= weight;
    }
    23
}

fn text(template: &str, number: usize) -> String {
    template.replace("{n}", &format!("{}", 20_250_000 + number))
}

/// Writes a history of about `conversations` conversations and `messages` messages into a new
/// SQLite database at `path`, ending now and reaching `days` days back.
pub async fn generate(
    path: &Path,
    conversations: usize,
    messages: usize,
    days: i64,
) -> anyhow::Result<Written> {
    let started = Instant::now();
    let store = SqliteStore::open(Location::of(path), Box::new(|_| {}))
        .map_err(|error| anyhow::anyhow!("cannot open {}: {error}", path.display()))?;
    let fail = |error: beseda_relay::store::StoreError| anyhow::anyhow!("{error}");
    let day = 86_400_000_i64;
    let end = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_millis() as i64)
        .div_euclid(day)
        * day;
    let start = end - days * day;
    set_fixed_now(Some(start - day));
    let mut answers = Vec::new();
    for (name, title) in SITES {
        store.ensure_site(name, title).await.map_err(fail)?;
        let mut settings = store
            .sites()
            .await
            .map_err(fail)?
            .into_iter()
            .find(|site| site.name == name)
            .context("a site just made")?;
        settings.title = title.into();
        settings.hours = Some(shop_hours());
        store.update_site(name, settings).await.map_err(fail)?;
        for (index, question) in [
            "Jak vrátit zboží?",
            "Kolik stojí doprava?",
            "Jak reklamovat?",
            "Kdy dorazí objednávka?",
        ]
        .into_iter()
        .enumerate()
        {
            let answer = store
                .create_answer(AnswerInput {
                    site: name.into(),
                    language: "cs".into(),
                    question: question.into(),
                    keywords: Vec::new(),
                    answer: OPERATOR_TEXTS[index + 2].into(),
                })
                .await
                .map_err(fail)?;
            answers.push((name, answer.id));
        }
    }
    let mut operators: Vec<OperatorId> = Vec::new();
    for (index, name) in OPERATORS.into_iter().enumerate() {
        let email = format!("operator{index}@history.example");
        let profile = store
            .add_operator(&email, name, "not a password hash", index == 0)
            .await
            .map_err(fail)?;
        operators.push(profile.id);
    }
    // Each operator's working days: online from about 8:00 to about 18:00 UTC, six days a week.
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for offset in 0..days {
        for (index, operator) in operators.iter().enumerate() {
            if (offset + index as i64) % 7 == 6 {
                continue;
            }
            let on = start + offset * day + (7 * 60 + random.below(120) as i64) * 60_000;
            let off = start + offset * day + (16 * 60 + random.below(180) as i64) * 60_000;
            set_fixed_now(Some(on));
            store
                .set_operator_online(*operator, true)
                .await
                .map_err(fail)?;
            set_fixed_now(Some(off));
            store
                .set_operator_online(*operator, false)
                .await
                .map_err(fail)?;
        }
    }

    let per_conversation = (messages / conversations.max(1)).max(2);
    let groups = conversations.div_ceil(GROUP);
    let mut written = Written::default();
    for group in 0..groups {
        let size = GROUP.min(conversations - group * GROUP);
        let moment = start
            + (group as i64 * days / groups as i64) * day
            + hour_of_day(&mut random) * 3_600_000
            + random.below(3_600_000) as i64;
        // Turns: visitor, operator, visitor, …; the first answer comes 5 s to 20 min late.
        let first_answer = 5_000 + random.below(20 * 60_000) as i64;
        let turn_gap = 20_000 + random.below(100_000) as i64;
        let operator = operators[random.below(operators.len() as u64) as usize];
        let visitors: Vec<(usize, &str, VisitorId)> = (0..size)
            .map(|index| {
                let number = group * GROUP + index;
                let site = SITES[number % SITES.len()].0;
                (number, site, VisitorId(format!("h{number:07}")))
            })
            .collect();
        // Some visitors open an answer first.
        let mut at = moment - 60_000;
        set_fixed_now(Some(at));
        let openings = visitors
            .iter()
            .filter(|(number, ..)| number % 20 == 0)
            .filter_map(|(number, site, visitor)| {
                // Each site's answers, in turn.
                let own: Vec<_> = answers.iter().filter(|(of, _)| of == site).collect();
                let (_, answer) = own.get((number / 20) % own.len().max(1))?;
                Some(store.answer_opened_by(site, Some(visitor), *answer))
            });
        for opened in join_all(openings).await {
            opened.map_err(fail)?;
        }
        at = moment;
        let mut conversation_ids = vec![None; size];
        // Each conversation's length varies around the average: 2 fewer to 2 more turns.
        let turns: Vec<usize> = (0..size)
            .map(|index| (per_conversation + index % 5).saturating_sub(2).max(2))
            .collect();
        let longest = turns.iter().copied().max().unwrap_or(2);
        for turn in 0..longest {
            set_fixed_now(Some(at));
            let writes = visitors
                .iter()
                .enumerate()
                .filter(|(index, _)| turn < turns[*index])
                .map(|(index, (number, site, visitor))| {
                    let visitor_turn = turn % 2 == 0;
                    let target = match conversation_ids[index] {
                        Some(id) if !visitor_turn => MessageTarget::Conversation(id),
                        _ => MessageTarget::Visitor {
                            site: (*site).to_owned(),
                            visitor_id: visitor.clone(),
                        },
                    };
                    let contact = turn == 0 && number % 33 == 0;
                    let message = NewMessage {
                        files: Vec::new(),
                        target,
                        author: if visitor_turn {
                            Author::Visitor
                        } else {
                            Author::Operator
                        },
                        operator_id: (!visitor_turn).then_some(operator),
                        client_id: None,
                        text: if visitor_turn {
                            text(
                                VISITOR_TEXTS[(number + turn) % VISITOR_TEXTS.len()],
                                *number,
                            )
                        } else {
                            text(
                                OPERATOR_TEXTS[(number + turn) % OPERATOR_TEXTS.len()],
                                *number,
                            )
                        },
                        origin: None,
                    };
                    let notices = Notices {
                        email: None,
                        contact,
                    };
                    let store = &store;
                    async move {
                        (
                            index,
                            store
                                .append_message(message, VisitorDetails::default(), notices)
                                .await,
                        )
                    }
                });
            for (index, appended) in join_all(writes).await {
                let appended = appended.map_err(fail)?;
                conversation_ids[index] = Some(appended.message.conversation_id);
                written.messages += 1;
            }
            at += if turn == 0 { first_answer } else { turn_gap };
        }
        written.conversations += size;
        // Most are resolved a minute after the last message; a third of those are rated.
        at += 60_000;
        set_fixed_now(Some(at));
        let resolves = conversation_ids
            .iter()
            .enumerate()
            .filter(|(index, _)| index % 10 != 9)
            .filter_map(|(_, id)| *id)
            .map(|id| store.set_status(id, ConversationStatus::Resolved));
        for resolved in join_all(resolves).await {
            resolved.map_err(fail)?;
        }
        at += 30_000;
        set_fixed_now(Some(at));
        let mut ratings = Vec::new();
        for (index, (number, site, visitor)) in visitors.iter().enumerate() {
            if index % 10 == 9 || index % 3 != 0 {
                continue;
            }
            let rating = match random.below(10) {
                0 => Rating::Dissatisfied,
                1 | 2 => Rating::Neutral,
                _ => Rating::Satisfied,
            };
            let comment = (number % 2 == 0).then(|| COMMENTS[number % COMMENTS.len()].to_owned());
            ratings.push(store.rate(site, visitor, rating, comment));
        }
        for rated in join_all(ratings).await {
            rated.map_err(fail)?;
        }
        // One in twenty-five writes again ten minutes later: the conversation is reopened.
        at += 10 * 60_000;
        set_fixed_now(Some(at));
        let reopenings = visitors.iter().filter(|(number, ..)| number % 25 == 0).map(
            |(number, site, visitor)| {
                store.append_message(
                    NewMessage {
                        files: Vec::new(),
                        target: MessageTarget::Visitor {
                            site: (*site).to_owned(),
                            visitor_id: visitor.clone(),
                        },
                        author: Author::Visitor,
                        operator_id: None,
                        client_id: None,
                        text: text(VISITOR_TEXTS[10], *number),
                        origin: None,
                    },
                    VisitorDetails::default(),
                    Notices::default(),
                )
            },
        );
        for reopened in join_all(reopenings).await {
            reopened.map_err(fail)?;
            written.messages += 1;
        }
        if group % 100 == 99 {
            eprintln!(
                "history: {} conversations, {} messages written ({:.0} s)",
                written.conversations,
                written.messages,
                started.elapsed().as_secs_f64()
            );
        }
    }
    set_fixed_now(None);
    tokio::task::spawn_blocking(move || store.close())
        .await
        .context("closing the store")?;
    written.seconds = started.elapsed().as_secs_f64();
    Ok(written)
}
