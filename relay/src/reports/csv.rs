//! A report's table as CSV (`?format=csv`): the table a screen reader is given beside the
//! report's chart, for the period asked for. UTF-8 with a byte order mark, so that a
//! spreadsheet in Czech opens the diacritics right; comma-separated, CRLF line ends (RFC 4180).
//!
//! Cells are text a visitor may have typed (a rating's comment, an answer's question): one
//! that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) is prefixed with an apostrophe, and cells with a comma, a quote or a line
//! break are quoted.

use serde_json::Value;

/// The byte order mark that starts every CSV answer.
pub const BOM: &str = "\u{feff}";

/// One cell, guarded and quoted as needed.
pub fn cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => other.to_string(),
    }
}

/// A table of `columns` (header, JSON field path) over `rows`.
fn table(columns: &[(&str, &str)], rows: &[Value]) -> String {
    let mut out = String::from(BOM);
    let header: Vec<String> = columns.iter().map(|(name, _)| cell(name)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, path)| {
                let value = path
                    .split('.')
                    .try_fold(row, |value, key| value.get(key))
                    .unwrap_or(&Value::Null);
                cell(&value_text(value))
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn rows<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The report's table as CSV, from the report as `reports::report` answers it.
pub fn report_csv(name: &str, report: &Value) -> String {
    let current = &report["current"];
    match name {
        "hours" => table(
            &[
                ("Weekday", "weekday"),
                ("Hour", "hour"),
                ("Conversations", "conversations"),
                ("Visitor messages", "visitorMessages"),
                ("Hours with an operator available", "hoursAvailable"),
                ("Hours in range", "hoursInRange"),
            ],
            rows(current, "cells"),
        ),
        "volume" => table(
            &[
                ("Date", "date"),
                ("New", "new"),
                ("Reopened", "reopened"),
                ("Resolved", "resolved"),
                ("Missed", "missed"),
                ("Contact forms", "contactForms"),
            ],
            rows(current, "days"),
        ),
        "response" => {
            // One row per bucket: first response and resolution, wall clock and business time.
            let bucket_rows = |path: [&str; 2]| rows(&current[path[0]][path[1]], "buckets");
            let first_wall = bucket_rows(["firstResponse", "wallClock"]);
            let first_business = bucket_rows(["firstResponse", "businessTime"]);
            let resolution_wall = bucket_rows(["resolution", "wallClock"]);
            let resolution_business = bucket_rows(["resolution", "businessTime"]);
            let combined: Vec<Value> = first_wall
                .iter()
                .enumerate()
                .map(|(index, row)| {
                    let count = |list: &[Value]| {
                        list.get(index)
                            .map_or(Value::Null, |row| row["count"].clone())
                    };
                    serde_json::json!({
                        "bucket": row["bucket"],
                        "firstWall": row["count"],
                        "firstBusiness": count(first_business),
                        "resolutionWall": count(resolution_wall),
                        "resolutionBusiness": count(resolution_business),
                    })
                })
                .collect();
            table(
                &[
                    ("Time", "bucket"),
                    ("First responses", "firstWall"),
                    ("First responses in business time", "firstBusiness"),
                    ("Resolutions", "resolutionWall"),
                    ("Resolutions in business time", "resolutionBusiness"),
                ],
                &combined,
            )
        }
        "satisfaction" => table(
            &[
                ("Conversation", "conversationId"),
                ("Rating", "rating"),
                ("Comment", "comment"),
                ("Operator", "operatorId"),
            ],
            rows(current, "comments"),
        ),
        "operators" => table(
            &[
                ("Operator", "name"),
                ("Conversations", "conversations"),
                ("Messages", "messages"),
                ("Median first response (s)", "medianFirstResponseSeconds"),
                ("Rated", "ratings.rated"),
                ("Satisfied", "ratings.satisfied"),
                ("Neutral", "ratings.neutral"),
                ("Dissatisfied", "ratings.dissatisfied"),
                ("Available (s)", "availableSeconds"),
            ],
            rows(current, "operators"),
        ),
        "prompts" => {
            let variant_rows: Vec<Value> = rows(current, "prompts")
                .iter()
                .flat_map(|prompt| {
                    rows(prompt, "variants").iter().map(move |variant| {
                        let mut row = variant.clone();
                        row["prompt"] = prompt["name"].clone();
                        row
                    })
                })
                .collect();
            table(
                &[
                    ("Prompt", "prompt"),
                    ("Variant", "text"),
                    ("Shown", "shown"),
                    ("Opened", "opened"),
                    ("Conversations", "conversations"),
                    ("Orders", "orders"),
                    ("Order total", "orderTotal"),
                    ("p-value", "pValue"),
                ],
                &variant_rows,
            )
        }
        "answers" => table(
            &[
                ("Answer", "question"),
                ("Opened", "opened"),
                ("Conversations avoided", "conversationsAvoided"),
            ],
            rows(current, "answers"),
        ),
        _ => String::from(BOM),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_guarded_against_formulas_and_quoted() {
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("+420"), "'+420");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@cmd"), "'@cmd");
        assert_eq!(cell("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(cell("vrácení"), "vrácení");
        assert_eq!(cell("=1,2"), "\"'=1,2\"");
    }
}
