//! Rendering and validating shortcut templates.

use super::{TemplateError, Values, render, validate};

const ALL: Values<'static> = Values {
    visitor_name: Some("Petr Novák"),
    operator_name: Some("Jana"),
    shop_name: Some("Kávovar.cz"),
};

const NONE: Values<'static> = Values {
    visitor_name: None,
    operator_name: None,
    shop_name: None,
};

fn anonymous() -> Values<'static> {
    Values {
        visitor_name: None,
        ..ALL
    }
}

#[test]
fn every_variable_is_replaced() {
    let template = "{visitor.name} | {visitor.name|vocative} | {operator.name} | {shop.name}";
    assert_eq!(
        render(template, &ALL),
        "Petr Novák | Petře | Jana | Kávovar.cz"
    );
    assert_eq!(validate(template), Ok(()));
}

#[test]
fn the_vocative_filter_declines_the_first_word() {
    let values = Values {
        visitor_name: Some("Tomáš Marný"),
        ..ALL
    };
    assert_eq!(
        render("Dobrý den, {visitor.name|vocative}!", &values),
        "Dobrý den, Tomáši!"
    );
}

#[test]
fn spaces_inside_the_braces_are_allowed() {
    assert_eq!(render("{ visitor.name | vocative }", &ALL), "Petře");
    assert_eq!(validate("{ visitor.name | vocative }"), Ok(()));
}

#[test]
fn values_are_trimmed() {
    let values = Values {
        operator_name: Some("  Jana \n"),
        ..ALL
    };
    assert_eq!(render("Píše {operator.name}.", &values), "Píše Jana.");
}

#[test]
fn a_missing_value_at_the_end_takes_the_comma_and_space_before_it() {
    let template = "Dobrý den, {visitor.name|vocative}!";
    assert_eq!(render(template, &anonymous()), "Dobrý den!");
    assert_eq!(render("Díky, {visitor.name}", &anonymous()), "Díky");
}

#[test]
fn a_blank_value_counts_as_missing() {
    let values = Values {
        visitor_name: Some(" \t"),
        ..ALL
    };
    assert_eq!(
        render("Dobrý den, {visitor.name|vocative}!", &values),
        "Dobrý den!"
    );
}

#[test]
fn a_missing_value_in_the_middle_takes_the_separators_before_it() {
    assert_eq!(
        render("Hi {visitor.name}, how can I help?", &anonymous()),
        "Hi, how can I help?"
    );
    assert_eq!(
        render("Ahoj {visitor.name} a vítejte", &anonymous()),
        "Ahoj a vítejte"
    );
    assert_eq!(
        render(
            "Dobrý den, {visitor.name|vocative}, jak se máte?",
            &anonymous()
        ),
        "Dobrý den, jak se máte?"
    );
}

#[test]
fn a_missing_value_at_the_start_takes_the_separators_after_it() {
    assert_eq!(
        render("{visitor.name}, dobrý den", &anonymous()),
        "Dobrý den"
    );
    assert_eq!(
        render(
            "  {visitor.name|vocative},\nvítejte v {shop.name}",
            &anonymous()
        ),
        "Vítejte v Kávovar.cz"
    );
}

#[test]
fn missing_values_one_after_another_at_the_start() {
    assert_eq!(
        render("{visitor.name}, {operator.name} zdraví", &NONE),
        "Zdraví"
    );
}

#[test]
fn a_value_after_a_missing_one_at_the_start_is_not_capitalised() {
    let values = Values {
        visitor_name: None,
        shop_name: Some("eshop.cz"),
        ..ALL
    };
    assert_eq!(
        render("{visitor.name}, {shop.name} vás zdraví", &values),
        "eshop.cz vás zdraví"
    );
}

#[test]
fn nothing_but_a_missing_value_renders_empty() {
    assert_eq!(render("{visitor.name}", &NONE), "");
    assert_eq!(render(" {visitor.name}, ", &NONE), "");
}

#[test]
fn missing_operator_and_shop_names() {
    assert_eq!(
        render("Jsem {operator.name} z {shop.name}.", &NONE),
        "Jsem z."
    );
    assert_eq!(render("S pozdravem, {operator.name}", &NONE), "S pozdravem");
}

#[test]
fn an_unknown_variable_is_kept_and_refused() {
    assert_eq!(render("Hi {visitor.email}!", &ALL), "Hi {visitor.email}!");
    assert_eq!(
        validate("Hi {visitor.email}!"),
        Err(TemplateError::UnknownVariable("visitor.email".into()))
    );
    assert_eq!(
        validate("{}"),
        Err(TemplateError::UnknownVariable(String::new()))
    );
    assert_eq!(
        validate("{Visitor.Name}"),
        Err(TemplateError::UnknownVariable("Visitor.Name".into()))
    );
}

#[test]
fn an_unknown_filter_is_kept_and_refused() {
    let template = "Dobrý den, {visitor.name|genitive}";
    assert_eq!(render(template, &ALL), template);
    assert_eq!(render(template, &anonymous()), template);
    assert_eq!(
        validate(template),
        Err(TemplateError::UnknownFilter("genitive".into()))
    );
    assert_eq!(
        validate("{shop.name|}"),
        Err(TemplateError::UnknownFilter(String::new()))
    );
}

#[test]
fn an_unclosed_brace_is_kept_and_refused() {
    assert_eq!(render("Hi {visitor.name", &ALL), "Hi {visitor.name");
    assert_eq!(validate("Hi {visitor.name"), Err(TemplateError::Unclosed));
    // A brace opened again before it is closed: the first one is the unclosed one.
    assert_eq!(render("{ {visitor.name}", &ALL), "{ Petr Novák");
    assert_eq!(validate("{ {visitor.name}"), Err(TemplateError::Unclosed));
}

#[test]
fn doubled_braces_are_literal_braces() {
    assert_eq!(render("{{visitor.name}}", &ALL), "{visitor.name}");
    assert_eq!(render("{{{visitor.name}}}", &ALL), "{Petr Novák}");
    assert_eq!(render("a {{ b }} c", &ALL), "a { b } c");
    assert_eq!(validate("{{visitor.name}} {{"), Ok(()));
}

#[test]
fn a_lone_closing_brace_is_literal() {
    assert_eq!(render("smajlík :}", &ALL), "smajlík :}");
    assert_eq!(render("{shop.name}}", &ALL), "Kávovar.cz}");
    assert_eq!(validate("smajlík :}"), Ok(()));
}

#[test]
fn unicode_around_and_in_values() {
    let values = Values {
        visitor_name: Some("Zdeněk"),
        shop_name: Some("Čaj & Káva 🍵"),
        ..ALL
    };
    assert_eq!(
        render(
            "Ahoj {visitor.name|vocative} 👋, vítá vás {shop.name}…",
            &values
        ),
        "Ahoj Zdeňku 👋, vítá vás Čaj & Káva 🍵…"
    );
    assert_eq!(
        render("Žluťoučký {visitor.name}, kůň", &anonymous()),
        "Žluťoučký, kůň"
    );
}

#[test]
fn braces_in_values_are_not_expanded() {
    let values = Values {
        visitor_name: Some("{shop.name}"),
        operator_name: Some("{{"),
        shop_name: Some("}{"),
    };
    assert_eq!(
        render("{visitor.name} {operator.name} {shop.name}", &values),
        "{shop.name} {{ }{"
    );
}

#[test]
fn text_without_variables_is_unchanged() {
    for text in ["", "Dobrý den", "  mezery  ", "řádek\nřádek"] {
        assert_eq!(render(text, &NONE), text);
        assert_eq!(validate(text), Ok(()));
    }
}

#[test]
fn errors_explain_themselves() {
    assert_eq!(
        TemplateError::UnknownVariable("visitor.email".into()).to_string(),
        "unknown variable {visitor.email}; the variables are {visitor.name}, {operator.name} \
         and {shop.name}; write {{ for a literal brace"
    );
    assert_eq!(
        TemplateError::UnknownFilter("genitive".into()).to_string(),
        "unknown filter |genitive; the only filter is |vocative"
    );
    assert!(TemplateError::Unclosed.to_string().contains("never closed"));
}
