//! Shortcut templates: the variables an operator may write into a shortcut's text.
//!
//! `{visitor.name}`, `{visitor.name|vocative}`, `{operator.name}` and `{shop.name}` are replaced
//! by their values; `{{` and `}}` stand for literal braces. A variable with no value is dropped
//! together with the spaces and commas before it, so that "Dobrý den, {visitor.name|vocative}!"
//! reads "Dobrý den!" for an anonymous visitor. [`validate`] refuses a template that names
//! anything else; [`render`] never fails and leaves whatever it does not know as it was written.

use crate::vocative::vocative;
use std::fmt;

/// The values a template is rendered with. `None` and blank values count as missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Values<'a> {
    /// The visitor's name, as they gave it.
    pub visitor_name: Option<&'a str>,
    /// The display name of the operator sending the shortcut.
    pub operator_name: Option<&'a str>,
    /// The name of the shop the conversation belongs to.
    pub shop_name: Option<&'a str>,
}

/// Why a template cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    /// `{name}` where `name` is not one of the variables.
    UnknownVariable(String),
    /// `{variable|filter}` where `filter` is not `vocative`.
    UnknownFilter(String),
    /// A `{` with no `}` after it.
    Unclosed,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::UnknownVariable(name) => write!(
                formatter,
                "unknown variable {{{name}}}; the variables are {{visitor.name}}, \
                 {{operator.name}} and {{shop.name}}; write {{{{ for a literal brace"
            ),
            TemplateError::UnknownFilter(filter) => write!(
                formatter,
                "unknown filter |{filter}; the only filter is |vocative"
            ),
            TemplateError::Unclosed => formatter.write_str(
                "a { is never closed; close the variable with } or write {{ for a literal brace",
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Checks that every variable and filter in `template` is known and every `{` is closed.
pub fn validate(template: &str) -> Result<(), TemplateError> {
    for piece in pieces(template) {
        match piece {
            Piece::Text(_) => {}
            Piece::Unclosed => return Err(TemplateError::Unclosed),
            Piece::Placeholder { inner, .. } => {
                Placeholder::parse(inner)?;
            }
        }
    }
    Ok(())
}

/// Renders `template` with `values`. Values are inserted as they are (braces in them are not
/// expanded) with surrounding whitespace trimmed. Unknown variables and filters and unclosed
/// braces are kept literally.
///
/// A missing value takes the spaces and commas before it along ("Hi {visitor.name}, welcome" →
/// "Hi, welcome"). At the start of the text it takes those after it instead, and the text that
/// follows gets a capital letter ("{visitor.name}, dobrý den" → "Dobrý den").
pub fn render(template: &str, values: &Values<'_>) -> String {
    let mut rendered = String::with_capacity(template.len());
    // Set when a missing value at the very start was dropped: the separators that follow go
    // too, and the first literal letter after them is capitalised.
    let mut dropped_at_start = false;
    for piece in pieces(template) {
        let literal = match piece {
            Piece::Text(text) => text,
            Piece::Unclosed => "{",
            Piece::Placeholder { raw, inner } => match Placeholder::parse(inner) {
                Err(_) => raw,
                Ok(placeholder) => {
                    match placeholder.value(values) {
                        Some(value) => {
                            rendered.push_str(&value);
                            dropped_at_start = false;
                        }
                        None => {
                            let kept = rendered.trim_end_matches(is_separator).len();
                            rendered.truncate(kept);
                            dropped_at_start |= rendered.is_empty();
                        }
                    }
                    continue;
                }
            },
        };
        if dropped_at_start {
            let mut letters = literal.trim_start_matches(is_separator).chars();
            if let Some(first) = letters.next() {
                rendered.extend(first.to_uppercase());
                rendered.push_str(letters.as_str());
                dropped_at_start = false;
            }
        } else {
            rendered.push_str(literal);
        }
    }
    rendered
}

fn is_separator(character: char) -> bool {
    character == ',' || character.is_whitespace()
}

/// A variable with its filters, as written between braces.
struct Placeholder {
    name_of: NameOf,
    vocative: bool,
}

/// Whose name a variable stands for; every variable is one.
enum NameOf {
    Visitor,
    Operator,
    Shop,
}

impl Placeholder {
    /// Parses the text between the braces, e.g. `visitor.name|vocative`.
    fn parse(inner: &str) -> Result<Placeholder, TemplateError> {
        let mut parts = inner.split('|').map(str::trim);
        let name_of = match parts.next().unwrap_or_default() {
            "visitor.name" => NameOf::Visitor,
            "operator.name" => NameOf::Operator,
            "shop.name" => NameOf::Shop,
            unknown => return Err(TemplateError::UnknownVariable(unknown.to_owned())),
        };
        let mut vocative = false;
        for filter in parts {
            match filter {
                "vocative" => vocative = true,
                unknown => return Err(TemplateError::UnknownFilter(unknown.to_owned())),
            }
        }
        Ok(Placeholder { name_of, vocative })
    }

    /// The value to insert, or `None` when it is missing or blank.
    fn value(&self, values: &Values<'_>) -> Option<String> {
        let value = match self.name_of {
            NameOf::Visitor => values.visitor_name,
            NameOf::Operator => values.operator_name,
            NameOf::Shop => values.shop_name,
        }?
        .trim();
        match (value.is_empty(), self.vocative) {
            (true, _) => None,
            (false, true) => Some(vocative(value)),
            (false, false) => Some(value.to_owned()),
        }
    }
}

/// One lexical piece of a template.
enum Piece<'a> {
    /// Literal text; an escaped brace is the single brace.
    Text(&'a str),
    /// `{inner}`, with `raw` the whole of it, braces included.
    Placeholder { raw: &'a str, inner: &'a str },
    /// A `{` with no `}` before the next `{` or the end.
    Unclosed,
}

fn pieces(template: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = template;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let brace = rest.find(['{', '}']).unwrap_or(rest.len());
        let (piece, length) = if brace > 0 {
            (Piece::Text(&rest[..brace]), brace)
        } else if rest.starts_with('}') || rest.starts_with("{{") {
            // A doubled brace is an escaped one; a lone `}` closes nothing and is literal.
            let doubled = rest[1..].starts_with(&rest[..1]);
            (Piece::Text(&rest[..1]), if doubled { 2 } else { 1 })
        } else {
            match rest[1..].find(['{', '}']) {
                Some(end) if rest[1 + end..].starts_with('}') => {
                    let placeholder = Piece::Placeholder {
                        raw: &rest[..end + 2],
                        inner: &rest[1..end + 1],
                    };
                    (placeholder, end + 2)
                }
                _ => (Piece::Unclosed, 1),
            }
        };
        rest = &rest[length..];
        Some(piece)
    })
}

#[cfg(test)]
mod tests;
