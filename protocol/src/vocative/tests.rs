//! The vocative of the most common Czech first names, and of names it must leave alone.

use super::vocative;

/// Common Czech masculine names, each as "nominative vocative", pairs separated by commas.
const MASCULINE: &str = "
    Jiří Jiří, Jan Jane, Petr Petře, Josef Josefe, Pavel Pavle, Martin Martine, Tomáš Tomáši,
    Jaroslav Jaroslave, Miroslav Miroslave, Zdeněk Zdeňku, Václav Václave, Michal Michale,
    František Františku, Jakub Jakube, Milan Milane, Karel Karle, Lukáš Lukáši, David Davide,
    Ondřej Ondřeji, Vladimír Vladimíre, Ladislav Ladislave, Stanislav Stanislave, Roman Romane,
    Marek Marku, Daniel Danieli, Radek Radku, Antonín Antoníne, Vojtěch Vojtěchu, Filip Filipe,
    Adam Adame, Matěj Matěji, Jaromír Jaromíre, Dominik Dominiku, Libor Libore, Patrik Patriku,
    Vít Víte, Aleš Aleši, Oldřich Oldřichu, Vlastimil Vlastimile, Miloš Miloši, Štěpán Štěpáne,
    Rudolf Rudolfe, Ivan Ivane, Luboš Luboši, Robert Roberte, Radim Radime, Richard Richarde,
    Bohumil Bohumile, Ivo Ivo, Šimon Šimone, Kamil Kamile, Vladislav Vladislave,
    Lubomír Lubomíre, Matyáš Matyáši, Marcel Marceli, Viktor Viktore, Igor Igore, Hynek Hynku,
    Denis Denisi, Zbyněk Zbyňku, Alois Aloisi, Dušan Dušane, Přemysl Přemysle,
    Alexandr Alexandře, Oliver Olivere, Felix Felixi, Jindřich Jindřichu, Oleg Olegu,
    Vašek Vašku, Havel Havle, Vavřinec Vavřinče, Emil Emile, Erik Eriku, Kryštof Kryštofe,
    Mikuláš Mikuláši, Matouš Matouši, Tobiáš Tobiáši, Tadeáš Tadeáši, Bedřich Bedřichu,
    Ludvík Ludvíku, Otakar Otakare, Samuel Samueli, Gabriel Gabrieli, Sebastián Sebastiáne,
    Leoš Leoši, René René, Hugo Hugo, Honza Honzo, Jirka Jirko, Kuba Kubo, Bořek Bořku,
    Čeněk Čeňku, Eduard Eduarde, Arnošt Arnošte, Bohuslav Bohuslave, Svatopluk Svatopluku,
    Teodor Teodore, Max Maxi, Vítězslav Vítězslave, Zdenek Zdenku, Mirek Mirku
";

/// Common Czech feminine names, in the same form.
const FEMININE: &str = "
    Marie Marie, Jana Jano, Eva Evo, Hana Hano, Anna Anno, Lenka Lenko, Kateřina Kateřino,
    Věra Věro, Lucie Lucie, Alena Aleno, Petra Petro, Jaroslava Jaroslavo, Veronika Veroniko,
    Martina Martino, Tereza Terezo, Jitka Jitko, Michaela Michaelo, Ludmila Ludmilo,
    Helena Heleno, Zdeňka Zdeňko, Ivana Ivano, Monika Moniko, Eliška Eliško, Zuzana Zuzano,
    Markéta Markéto, Jarmila Jarmilo, Barbora Barboro, Kristýna Kristýno, Marcela Marcelo,
    Dagmar Dagmar, Dana Dano, Andrea Andreo, Vlasta Vlasto, Irena Ireno, Pavla Pavlo,
    Miroslava Miroslavo, Božena Boženo, Libuše Libuše, Klára Kláro, Nikola Nikolo,
    Natálie Natálie, Adéla Adélo, Simona Simono, Iveta Iveto, Blanka Blanko, Gabriela Gabrielo,
    Renata Renato, Olga Olgo, Šárka Šárko, Denisa Deniso, Karolína Karolíno, Kamila Kamilo,
    Romana Romano, Ilona Ilono, Milada Milado, Daniela Danielo, Sabina Sabino, Ema Emo,
    Žaneta Žaneto, Radka Radko, Magdaléna Magdaléno, Nela Nelo, Viktorie Viktorie, Sofie Sofie,
    Ester Ester, Nikol Nikol, Lea Leo, Aneta Aneto, Alžběta Alžběto, Anežka Anežko, Julie Julie,
    Agáta Agáto, Beáta Beáto, Stanislava Stanislavo, Noemi Noemi, Rút Rút, Miriam Miriam
";

fn pairs(table: &str) -> Vec<(&str, &str)> {
    table
        .split(',')
        .map(|pair| {
            let mut words = pair.split_whitespace();
            let pair = (words.next().unwrap(), words.next().unwrap());
            assert_eq!(words.next(), None, "a pair of two words: {pair:?}");
            pair
        })
        .collect()
}

fn assert_all(table: &str) {
    let wrong: Vec<String> = pairs(table)
        .into_iter()
        .filter(|(name, expected)| vocative(name) != *expected)
        .map(|(name, expected)| format!("{name} → {} (not {expected})", vocative(name)))
        .collect();
    assert!(wrong.is_empty(), "wrong vocatives: {wrong:#?}");
}

#[test]
fn the_tables_hold_over_a_hundred_names() {
    assert!(pairs(MASCULINE).len() + pairs(FEMININE).len() >= 100);
}

#[test]
fn masculine_names() {
    assert_all(MASCULINE);
}

#[test]
fn feminine_names() {
    assert_all(FEMININE);
}

#[test]
fn foreign_spellings_are_left_alone() {
    for name in [
        "Wolfgang",
        "Jürgen",
        "Олег",
        "李",
        "Ewa",
        "Quentin",
        "Björn",
        "Sarah",
        "Judith",
        "Joseph",
        "Julius",
        "Klaus",
        "Olivia",
        "Ľubomír",
        "Anna-Marie",
        "R2D2",
    ] {
        assert_eq!(vocative(name), name);
    }
}

#[test]
fn foreign_names_in_czech_letters_are_declined() {
    assert_eq!(vocative("John"), "Johne");
    assert_eq!(vocative("Jack"), "Jacku");
    assert_eq!(vocative("Mike"), "Mike");
}

#[test]
fn capitalisation_is_kept() {
    assert_eq!(vocative("PETR"), "PETŘE");
    assert_eq!(vocative("petr"), "petře");
    assert_eq!(vocative("ZDENĚK"), "ZDEŇKU");
    assert_eq!(vocative("jana"), "jano");
    assert_eq!(vocative("JANA"), "JANO");
    assert_eq!(vocative("ŠTĚPÁN"), "ŠTĚPÁNE");
    assert_eq!(vocative("McDonald"), "McDonalde");
}

#[test]
fn only_the_first_word_is_declined_and_returned() {
    assert_eq!(vocative("Petr Novák"), "Petře");
    assert_eq!(vocative("  Jana   Nováková "), "Jano");
    assert_eq!(vocative("Wolfgang Amadeus"), "Wolfgang");
}

#[test]
fn empty_and_blank_names_give_an_empty_string() {
    assert_eq!(vocative(""), "");
    assert_eq!(vocative(" \t\n"), "");
}

#[test]
fn names_no_rule_is_sure_of_are_left_alone() {
    // One letter, no vowel, -ec with nothing before it, a mobile-looking e in one syllable.
    for name in ["P", "Ng", "Švec", "Ec"] {
        assert_eq!(vocative(name), name);
    }
    assert_eq!(vocative("Šek"), "Šeku");
}
