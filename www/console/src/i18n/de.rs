//! German (Deutsch): "Unterhaltung" throughout (never "Chat"), "Operator" for the team's people; the operator is addressed with "Sie".

use super::{Count, Forms, Text};

pub(super) fn text(key: Text) -> &'static str {
    match key {
        Text::Loading => "Wird geladen…",
        Text::ConsoleTitle => "Beseda — Operator-Konsole",
        Text::Email => "E-Mail",
        Text::Password => "Passwort",
        Text::SignIn => "Anmelden",
        Text::SignOut => "Abmelden",
        Text::ConsoleNavigation => "Konsole",
        Text::Conversations => "Unterhaltungen",
        Text::Settings => "Einstellungen",
        Text::Answers => "Antworten",
        Text::Available => "Verfügbar",
        Text::DesktopNotifications => "Desktop-Benachrichtigungen",
        Text::NoOneElseOnline => "Sonst ist niemand online",
        Text::AlsoOnline => "Ebenfalls online: {names}",
        Text::Connecting => "Verbindung wird hergestellt…",
        Text::Reconnecting => "Verbindung wird wiederhergestellt…",
        Text::Dismiss => "Schließen",
        Text::NewChat => "Neue Unterhaltung",
        Text::Inbox => "Posteingang",
        Text::ConversationStatus => "Status der Unterhaltung",
        Text::Open => "Offen",
        Text::Resolved => "Erledigt",
        Text::NoConversations => "Keine Unterhaltungen.",
        Text::Queue => "Warteschlange",
        Text::OperatorNumber => "Operator Nr. {id}",
        Text::VisitorNumber => "Besucher Nr. {id}",
        Text::System => "System",
        Text::Operator => "Operator",
        Text::You => "Sie",
        Text::AuthorSaid => "{author}: {text}",
        Text::Waiting => "Wartet seit {duration}",
        Text::TypingShort => "Schreibt…",
        Text::Priority => "Priorität {priority}",
        Text::Satisfied => "Zufrieden",
        Text::Neutral => "Neutral",
        Text::Dissatisfied => "Unzufrieden",
        Text::Conversation => "Unterhaltung",
        Text::PickConversation => "Wählen Sie eine Unterhaltung aus der Liste.",
        Text::InQueue => "In der Warteschlange",
        Text::AssignedToYou => "Ihnen zugewiesen",
        Text::AssignedTo => "Zugewiesen an {name}",
        Text::OperatorOnline => "{name} (online, {open})",
        Text::OperatorOffline => "{name} (offline)",
        Text::TakeOver => "Übernehmen",
        Text::TransferTo => "Weiterleiten an",
        Text::ChooseOperator => "Operator wählen",
        Text::Resolve => "Erledigen",
        Text::Reopen => "Wieder öffnen",
        Text::Tags => "Tags",
        Text::RemoveTag => "Tag {tag} entfernen",
        Text::AddTag => "Tag hinzufügen",
        Text::Add => "Hinzufügen",
        Text::Rating => "Bewertung:",
        Text::Messages => "Nachrichten",
        Text::Sending => "Wird gesendet…",
        Text::NotSent => "Nicht gesendet: {reason}",
        Text::Discard => "Verwerfen",
        Text::IsTyping => "{name} schreibt…",
        Text::Shortcuts => "Textbausteine",
        Text::Message => "Nachricht",
        Text::ComposerPlaceholder => {
            "Antwort schreiben — Enter sendet, Umschalt+Enter für eine neue Zeile, / für Textbausteine"
        }
        Text::Send => "Senden",
        Text::AttachFile => "Datei anhängen",
        Text::FilesToSend => "Zu sendende Dateien",
        Text::RemoveFile => "{name} entfernen",
        Text::UploadingFiles => "Wird hochgeladen…",
        Text::CancelUpload => "Hochladen abbrechen",
        Text::OpenImage => "{name} öffnen",
        Text::CloseImage => "Schließen",
        Text::DownloadFile => "{name} herunterladen ({size})",
        Text::ErrorFileTooLarge => "Die Datei ist zu groß.",
        Text::ErrorUnsupportedType => "Diese Art von Datei wird nicht angenommen.",
        Text::ErrorDamagedFile => "Die Datei ist beschädigt.",
        Text::ErrorTooManyFiles => "Zu viele Dateien; bitte später erneut versuchen.",
        Text::Visitor => "Besucher",
        Text::Name => "Name",
        Text::VisitorLanguage => "Sprache",
        Text::FirstSeen => "Zuerst gesehen",
        Text::Shop => "Shop",
        Text::CurrentPage => "Aktuelle Seite",
        Text::PagesThisSession => "Seiten in diesem Besuch",
        Text::Cart => "Warenkorb",
        Text::Item => "Artikel",
        Text::Quantity => "Menge",
        Text::Price => "Preis",
        Text::Total => "Summe",
        Text::Empty => "Leer",
        Text::MyProfile => "Mein Profil",
        Text::DisplayName => "Anzeigename",
        Text::PhotoUrl => "Foto-URL",
        Text::SaveProfile => "Profil speichern",
        Text::ProfileSaved => "Profil gespeichert.",
        Text::ConsoleLanguage => "Sprache der Konsole",
        Text::LanguageSaved => "Sprache gespeichert.",
        Text::CurrentPassword => "Aktuelles Passwort",
        Text::NewPassword => "Neues Passwort",
        Text::ChangePassword => "Passwort ändern",
        Text::PasswordChanged => "Passwort geändert. Ihre anderen Sitzungen wurden abgemeldet.",
        Text::Unreachable => {
            "Der Server ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut."
        }
        Text::NotUnderstood => "Die Antwort des Servers war unverständlich.",
        Text::RelayAnswered => "Der Server antwortete mit {status}.",
        Text::ErrorBadRequest => "So kann das nicht gespeichert werden.",
        Text::ErrorRateLimited => "Zu viele Versuche. Warten Sie kurz und versuchen Sie es erneut.",
        Text::ErrorUnauthorized => "E-Mail oder Passwort ist falsch.",
        Text::ErrorForbidden => "Das darf nur ein Administrator.",
        Text::ErrorNotFound => "Das gibt es nicht mehr.",
        Text::ErrorTooLong => "Der Text ist zu lang.",
        Text::ErrorTextEmpty => "Schreiben Sie zuerst etwas.",
        Text::ErrorInvalidEmail => "Das ist keine E-Mail-Adresse.",
        Text::ErrorUnavailable => {
            "Der Server kann das gerade nicht erledigen. Versuchen Sie es gleich noch einmal."
        }
        Text::ErrorConflict => "Das gibt es schon.",
        Text::ErrorInvalidTemplate => "Im Text des Textbausteins ist eine Variable fehlerhaft.",
        Text::ShortcutSaved => "Textbaustein gespeichert.",
        Text::ShortcutDeleted => "Textbaustein gelöscht.",
        Text::Team => "Team",
        Text::Personal => "Persönlich",
        Text::EditShortcut => "/{name} bearbeiten",
        Text::DeleteShortcut => "/{name} löschen",
        Text::Edit => "Bearbeiten",
        Text::Delete => "Löschen",
        Text::ShortcutsHint => "Tippen Sie / im Antwortfeld, um sie zu verwenden. Variablen:",
        Text::TextColumn => "Text",
        Text::Scope => "Gültig für",
        Text::Actions => "Aktionen",
        Text::Shortcut => "Textbaustein",
        Text::ShortcutName => "Name des Textbausteins",
        Text::ShortcutText => "Text des Textbausteins",
        Text::SaveShortcut => "Textbaustein speichern",
        Text::AddShortcut => "Textbaustein hinzufügen",
        Text::Cancel => "Abbrechen",
        Text::Operators => "Operatoren",
        Text::Admin => "Admin",
        Text::Online => "Online",
        Text::OpenChatsColumn => "Offene Unterhaltungen",
        Text::OperatorSaved => "Operator gespeichert.",
        Text::Disabled => "Deaktiviert",
        Text::Offline => "Offline",
        Text::Yes => "Ja",
        Text::No => "Nein",
        Text::OperatorEnabled => "Operator aktiviert.",
        Text::OperatorDisabled => "Operator deaktiviert und abgemeldet.",
        Text::Enable => "Aktivieren",
        Text::Disable => "Deaktivieren",
        Text::EnableOperator => "{email} aktivieren",
        Text::DisableOperator => "{email} deaktivieren",
        Text::NameOf => "Name von {email}",
        Text::PhotoUrlOf => "Foto-URL von {email}",
        Text::AdminOf => "Admin: {email}",
        Text::SaveOperator => "{email} speichern",
        Text::Save => "Speichern",
        Text::OperatorAdded => "Operator hinzugefügt.",
        Text::AddAnOperator => "Operator hinzufügen",
        Text::NewOperatorEmail => "E-Mail des neuen Operators",
        Text::NewOperatorName => "Name des neuen Operators",
        Text::NewOperatorPassword => "Passwort des neuen Operators",
        Text::AddOperator => "Operator hinzufügen",
        Text::PriorityWholeNumber => "Die Priorität ist eine ganze Zahl.",
        Text::RuleSaved => "Regel gespeichert.",
        Text::RuleDeleted => "Regel gelöscht.",
        Text::AllSites => "Alle Websites",
        Text::EditRule => "Regel {keyword} bearbeiten",
        Text::DeleteRule => "Regel {keyword} löschen",
        Text::PriorityRules => "Prioritätsregeln",
        Text::PriorityRulesHint => {
            "Ein Stichwort in der Nachricht eines Besuchers (ohne Rücksicht auf Groß-/Kleinschreibung und Akzente) versieht die Unterhaltung mit einem Tag und stellt sie nach vorn."
        }
        Text::Keyword => "Stichwort",
        Text::Tag => "Tag",
        Text::PriorityColumn => "Priorität",
        Text::Site => "Website",
        Text::PriorityRule => "Prioritätsregel",
        Text::RuleSite => "Website (leer = alle Websites)",
        Text::SaveRule => "Regel speichern",
        Text::AddRule => "Regel hinzufügen",
        Text::WholeNumberOfChats => "Geben Sie die Zahl der Unterhaltungen als ganze Zahl an.",
        Text::TeamSettingsSaved => "Team-Einstellungen gespeichert.",
        Text::ChatsPerOperator => "Gleichzeitige Unterhaltungen pro Operator",
        Text::SaveTeamSettings => "Team-Einstellungen speichern",
        Text::Sites => "Websites",
        Text::DelayWholeSeconds => {
            "Geben Sie die Verzögerung in ganzen Sekunden an (0 schaltet sie ab)."
        }
        Text::SiteSaved => "Website gespeichert.",
        Text::SiteNamed => "Website {name}",
        Text::ShopName => "Name des Shops",
        Text::AutomaticMessageAfter => "Automatische Nachricht nach (Sekunden, 0 = aus)",
        Text::AutomaticMessage => {
            "Automatische Nachricht (leer = eingebauter Text in der Sprache des Besuchers)"
        }
        Text::SuggestedQuestions => {
            "Vorgeschlagene Fragen (eine pro Zeile, in einer leeren Unterhaltung angeboten)"
        }
        Text::OpeningHoursZone => {
            "Öffnungszeiten: Zeitzone (leer = immer geöffnet, wenn jemand verfügbar ist)"
        }
        Text::OpeningHoursWeek => "Öffnungszeiten, eine Zeile pro Zeitraum (mon 09:00-17:00)",
        Text::OpeningHoursExceptions => {
            "Ausnahmen, eine Zeile pro Tag (2026-12-24 closed, 2026-12-31 09:00-12:00)"
        }
        Text::NotifyEmail => {
            "E-Mail für Nachrichten, auf die niemand geantwortet hat (leer = die Admins)"
        }
        Text::VisitorsMayRate => "Besucher dürfen erledigte Unterhaltungen bewerten",
        Text::SaveSite => "Website speichern",
        Text::SecondsOnPage => "Sekunden auf der Seite",
        Text::PagesViewed => "Aufgerufene Seiten in diesem Besuch",
        Text::SecondsOnMatchingPages => "Sekunden auf passenden Seiten",
        Text::CartTotalUnreadable => {
            "Warenkorb mindestens: eine Zahl wie 1500 oder 999,90, oder leer."
        }
        Text::DismissedForDays => "Nach dem Schließen ausblenden für Tage",
        Text::ShowsPerVisit => "Anzeigen pro Besuch",
        Text::WholeNumberField => "{field}: eine ganze Zahl wie 0, 1 oder 7.",
        Text::OptionalWholeNumberField => "{field}: eine ganze Zahl ab 0, oder leer für beliebig.",
        Text::VariantWeightUnreadable => {
            "Varianten, Zeile {line}: vor „|“ steht das Gewicht der Variante, eine Zahl wie 1 oder 2,5 (für ein „|“ im Text zuerst das Gewicht schreiben: 1 | {text})."
        }
        Text::VariantTextMissing => {
            "Varianten, Zeile {line}: schreiben Sie nach „|“ den Text der Variante."
        }
        Text::VariantsMissing => {
            "Varianten: schreiben Sie mindestens eine Zeile mit dem Text, den das Widget anbietet."
        }
        Text::TriggerOnPattern => "auf {pattern}",
        Text::TriggerSecondsOnPage => "nach {seconds} s auf der Seite",
        Text::TriggerFromPage => "ab Seite {pages} eines Besuchs",
        Text::TriggerSecondsOnMatching => "nach {seconds} s auf passenden Seiten",
        Text::TriggerExitIntent => "beim Verlassen (Exit-Intent)",
        Text::TriggerCartAtLeast => "Warenkorb ab {total}",
        Text::TriggerReturningOnly => "nur wiederkehrende Besucher",
        Text::TriggerNewOnly => "nur neue Besucher",
        Text::TriggerAtOnce => "Sofort, auf jeder Seite",
        Text::PromptSaved => "Einladung gespeichert.",
        Text::PromptDeleted => "Einladung gelöscht.",
        Text::VariantWithWeight => "{letter}: {text} (Gewicht {weight})",
        Text::EditPrompt => "Einladung {name} bearbeiten",
        Text::DeletePrompt => "Einladung {name} löschen",
        Text::ResultsFor => "Ergebnisse für {name}",
        Text::Results => "Ergebnisse",
        Text::Prompt => "Einladung",
        Text::EditPromptTitle => "Einladung bearbeiten",
        Text::NewPrompt => "Neue Einladung",
        Text::VariantsLabel => "Varianten (eine pro Zeile: Text, oder Gewicht | Text)",
        Text::VariantsPlaceholder => {
            "Darf ich bei der Größe helfen?
2 | Suchen Sie eine Jacke? Fragen Sie uns."
        }
        Text::UrlPattern => "URL-Muster (* für beliebige Zeichen, z. B. /products/*)",
        Text::ExitIntent => "Exit-Intent (der Mauszeiger verlässt den oberen Fensterrand)",
        Text::CartTotalAtLeast => "Warenkorb mindestens",
        Text::Visitors => "Besucher",
        Text::AllVisitors => "Alle Besucher",
        Text::ReturningOnly => "Nur wiederkehrende",
        Text::NewOnly => "Nur neue",
        Text::Enabled => "Aktiv",
        Text::SavePrompt => "Einladung speichern",
        Text::AddPrompt => "Einladung hinzufügen",
        Text::Prompts => "Einladungen",
        Text::PromptsHint => {
            "Das Widget bietet von sich aus Hilfe an, wenn alle angegebenen Bedingungen erfüllt sind, und nur solange jemand antworten kann. Jeder Besucher bekommt eine Variante, zufällig nach Gewicht; eine geschlossene Einladung bleibt die angegebenen Tage weg. Sekunden auf passenden Seiten zählt die Zeit auf den Seiten zusammen, auf die das URL-Muster passt."
        }
        Text::Variants => "Varianten",
        Text::When => "Wann",
        Text::DismissedFor => "Nach Schließen ausgeblendet",
        Text::PerVisit => "Pro Besuch",
        Text::VariantVersus => "{variant} gegen {first}",
        Text::NotEnoughData => "{label}: noch zu wenige Daten",
        Text::Points => "{points} Prozentpunkte",
        Text::VeryLikelyReal => "sehr wahrscheinlich ein echter Unterschied",
        Text::ProbablyReal => "wahrscheinlich ein echter Unterschied",
        Text::CouldBeChance => "könnte Zufall sein, weiter testen",
        Text::Significance => "{label}: {points}, {p} — {meaning}",
        Text::PointsSoFar => "{label}: bisher {points} — noch zu wenige Daten, weiter testen",
        Text::Baseline => "Basis",
        Text::Variant => "Variante",
        Text::Shown => "Angezeigt",
        Text::Dismissed => "Geschlossen",
        Text::Opened => "Geöffnet",
        Text::Conversion => "Konversion",
        Text::Orders => "Bestellungen",
        Text::OrderTotal => "Bestellsumme",
        Text::ComparedWithA => "Verglichen mit A",
        Text::ConversionHint => {
            "Konversion: begonnene Unterhaltungen pro angezeigter Einladung. Ein Unterschied lohnt Handeln, wenn er sehr wahrscheinlich echt (p unter 0,01) oder wahrscheinlich echt (p unter 0,05) ist."
        }
        Text::RefreshResults => "Ergebnisse aktualisieren",
        Text::CloseResults => "Ergebnisse schließen",
        Text::AnswersHint => {
            "Besucher sehen sie beim Schreiben im Chat, in ihrer Sprache: bis zu drei passende Fragen und, wenn sie eine öffnen, die Antwort."
        }
        Text::AnswerSaved => "Antwort gespeichert.",
        Text::AnswerDeleted => "Antwort gelöscht.",
        Text::EditAnswer => "Antwort {question} bearbeiten",
        Text::DeleteAnswer => "Antwort {question} löschen",
        Text::Entries => "Einträge",
        Text::Question => "Frage",
        Text::Keywords => "Stichwörter",
        Text::Answer => "Antwort",
        Text::KeywordsLabel => "Stichwörter (durch Komma getrennt, optional)",
        Text::AnswerText => "Text der Antwort",
        Text::SaveAnswer => "Antwort speichern",
        Text::AddAnswer => "Antwort hinzufügen",
        Text::HowVisitorsUseThem => "Wie Besucher sie nutzen",
        Text::Refresh => "Aktualisieren",
        Text::OpenedAnswers => "Geöffnete Antworten",
        Text::LastOpened => "Zuletzt geöffnet",
        Text::SearchesFoundNothing => "Suchen ohne Treffer",
        Text::SearchesHint => {
            "Die Frage jedes Besuchers zählt einmal, so wie er sie zuletzt getippt hat: eine eigene Antwort wert."
        }
        Text::Search => "Suche",
        Text::Times => "Anzahl",
        Text::LastSearched => "Zuletzt gesucht",
        Text::HoursTimes => "„{line}“: schreiben Sie die Zeiten als 09:00-17:00",
        Text::HoursZone => "Geben Sie die Zeitzone der Öffnungszeiten an, z. B. Europe/Berlin.",
        Text::HoursDay => {
            "„{line}“: schreiben Sie einen Tag und seine Zeiten, z. B. mon 09:00-17:00"
        }
        Text::NoAnswersYet => "In dieser Sprache gibt es noch keine Antworten.",
        // The History page.
        Text::History => "Verlauf",
        Text::SearchHistory => "Verlauf durchsuchen",
        Text::Find => "Suchen",
        Text::Filters => "Filter",
        Text::AnyStatus => "Jeder Status",
        Text::AnyOperator => "Jeder Operator",
        Text::AnyRating => "Jede Bewertung",
        Text::ReviewedFilter => "Prüfung",
        Text::AnyReview => "Geprüft oder nicht",
        Text::Reviewed => "Geprüft",
        Text::NotReviewedYet => "Noch nicht geprüft",
        Text::ApplyFilters => "Filter anwenden",
        Text::ClearFilters => "Filter zurücksetzen",
        Text::DownloadFailed => "Der Download konnte nicht gestartet werden.",
        Text::NothingFound => "Nichts gefunden.",
        Text::More => "Mehr",
        Text::ConversationWith => "Unterhaltung mit {visitor}",
        Text::BackToResults => "Zurück zu den Ergebnissen",
        Text::TranscriptText => "Verlauf als Text",
        Text::TranscriptHtml => "Verlauf als druckbares HTML",
        Text::InternalNotes => "Interne Notizen",
        Text::InternalNote => "Interne Notiz",
        Text::NotesHint => "Notizen sehen nur Operatoren, der Besucher nie.",
        Text::NoNotesYet => "Noch keine Notizen.",
        Text::AddNote => "Notiz hinzufügen",
        Text::NoteAdded => "Notiz hinzugefügt.",
        Text::Review => "Qualitätsprüfung",
        Text::Verdict => "Urteil",
        Text::VerdictGood => "Gut",
        Text::VerdictCoaching => "Braucht Coaching",
        Text::ReviewComment => "Kommentar für den Operator",
        Text::SaveReview => "Prüfung speichern",
        Text::ClearReview => "Prüfung entfernen",
        Text::ReviewSaved => "Prüfung gespeichert.",
        Text::ReviewCleared => "Prüfung entfernt.",
        Text::ReviewedBy => "Geprüft von {name}, {date}",
        Text::HandledBy => "Betreut von {name}",
        Text::ReviewSample => "Stichprobe zur Prüfung",
        Text::ReviewSampleHint => {
            "Einige noch nicht geprüfte Unterhaltungen eines Operators aus einer Woche, zufällig gewählt und bei jeder Anfrage dieselben."
        }
        Text::Week => "Woche",
        Text::SampleSize => "Wie viele",
        Text::DrawSample => "Stichprobe anzeigen",
        Text::SampleEmpty => "In dieser Woche gibt es nichts mehr zu prüfen.",
        Text::Reports => "Berichte",
        Text::ReportsHint => {
            "Wie viele Menschen wann schreiben, wie schnell und wie gut das Team antwortet und was Einladungen und Antworten bringen. Jede Zahl neben der des vorigen Zeitraums."
        }
        Text::ReportPeriod => "Zeitraum",
        Text::PresetToday => "Heute",
        Text::PresetSevenDays => "Letzte 7 Tage",
        Text::PresetThirtyDays => "Letzte 30 Tage",
        Text::PresetThisMonth => "Dieser Monat",
        Text::PresetCustom => "Benutzerdefiniert",
        Text::DateFrom => "Von",
        Text::DateTo => "Bis",
        Text::PeriodCompared => "{from} – {to}, verglichen mit {previousFrom} – {previousTo}",
        Text::DownloadCsv => "CSV herunterladen",
        Text::WithPrevious => "{value} (vorher: {previous})",
        Text::ThisPeriod => "Dieser Zeitraum",
        Text::PreviousPeriod => "Voriger Zeitraum",
        Text::NoReportData => "Nichts in diesem Zeitraum.",
        Text::BusiestHours => "Stoßzeiten",
        Text::BusiestHoursHint => {
            "Je dunkler ein Feld, desto mehr Unterhaltungen begannen in dieser Stunde; ein Rahmen markiert die Stunden, in denen mindestens ein Operator verfügbar war."
        }
        Text::Weekday => "Tag",
        Text::Hour => "Stunde",
        Text::ConversationsStarted => "Begonnene Unterhaltungen",
        Text::VisitorMessages => "Nachrichten der Besucher",
        Text::HoursAvailable => "Stunden mit verfügbarem Operator",
        Text::HoursInRange => "Solche Stunden im Zeitraum",
        Text::HeatCell => {
            "{day} {hour}: begonnene Unterhaltungen {conversations}; ein Operator verfügbar {available} von {total} Stunden"
        }
        Text::VolumeReport => "Unterhaltungen pro Tag",
        Text::Date => "Datum",
        Text::NewConversations => "Neu",
        Text::Reopened => "Wieder geöffnet",
        Text::Missed => "Verpasst",
        Text::ContactForms => "Kontaktformulare",
        Text::ResponseTimes => "Antwortzeiten",
        Text::FirstResponse => "Erste Antwort",
        Text::Resolution => "Erledigung",
        Text::Median => "Median",
        Text::Percentile90 => "90. Perzentil",
        Text::WallClock => "Uhrzeit-Dauer",
        Text::BusinessTime => "Nur Öffnungszeiten",
        Text::TimeTaken => "Dauer",
        Text::Satisfaction => "Zufriedenheit",
        Text::Rated => "Bewertet",
        Text::Score => "Wert",
        Text::ResponseRate => "Bewertungsquote",
        Text::RatingComments => "Kommentare",
        Text::OpenConversationNumber => "Unterhaltung Nr. {id} öffnen",
        Text::MedianFirstResponse => "Median der ersten Antwort",
        Text::TimeAvailable => "Verfügbare Zeit",
        Text::PValue => "p-Wert",
        Text::SelfService => "Selbsthilfe-Antworten",
        Text::AnswersOpened => "Geöffnete Antworten",
        Text::ConversationsAvoided => "Vermiedene Unterhaltungen",
        Text::ReportNumbers => "{report}: die Zahlen",
        Text::ReportZone => "Tage in der Zeitzone {zone}.",
        Text::ReportNumbersHint => "Die Zahlen als Tabelle",
        Text::KeyboardShortcuts => "Tastenkürzel",
        Text::ShortcutNextWaiting => "Die nächste Unterhaltung öffnen, die auf eine Antwort wartet",
        Text::ShortcutNextConversation => "Nächste Unterhaltung in der Liste",
        Text::ShortcutPreviousConversation => "Vorherige Unterhaltung in der Liste",
        Text::ShortcutComposer => "Zum Nachrichtenfeld springen",
        Text::ShortcutResolve => "Die offene Unterhaltung erledigen",
        Text::ShortcutSavedAnswer => {
            "Im Nachrichtenfeld: einen Textbaustein nach seinem Namen wählen"
        }
        Text::ShortcutHelp => "Diese Tastenkürzel zeigen (außerhalb eines Textfelds)",
        Text::CloseShortcuts => "Schließen",
        Text::NewConversationFrom => "Neue Unterhaltung von {name}",
        Text::ConversationResolvedNow => "Unterhaltung erledigt",
        Text::NothingWaiting => "Keine Unterhaltung wartet auf eine Antwort",
        Text::ApiKeys => "API-Schlüssel",
        Text::ApiKeysHint => {
            "Ein Schlüssel erlaubt einem anderen System — Ihrem CRM, Helpdesk oder Bestellsystem —, die REST-API in Ihrem Namen zu nutzen: nur lesen oder lesen und schreiben; für alle Websites oder eine. Er verwaltet nie Operatoren, Schlüssel oder Webhooks. Der Schlüssel wird nur einmal angezeigt: Kopieren Sie ihn gleich in das andere System."
        }
        Text::KeyName => "Bezeichnung",
        Text::NewApiKey => "Neuer API-Schlüssel",
        Text::KeyStart => "Schlüssel",
        Text::KeyScopeLabel => "Umfang",
        Text::ScopeRead => "Nur lesen",
        Text::ScopeReadWrite => "Lesen und schreiben",
        Text::KeySite => "Website (leer: alle Websites)",
        Text::CreatedBy => "Erstellt von",
        Text::LastUsed => "Zuletzt verwendet",
        Text::NeverUsed => "Nie",
        Text::CreateKey => "Schlüssel erstellen",
        Text::KeyCreated => "Schlüssel erstellt.",
        Text::KeyShownOnce => "Der neue Schlüssel, nur jetzt angezeigt — kopieren Sie ihn",
        Text::RevokeKey => "Widerrufen",
        Text::RevokeKeyNamed => "Schlüssel {name} widerrufen",
        Text::KeyRevoked => "Schlüssel widerrufen: Er funktioniert nicht mehr.",
        Text::Webhooks => "Webhooks",
        Text::WebhooksHint => {
            "Ein Webhook teilt einem anderen System — einem CRM, einem Helpdesk, einem Slack-Kanal — sofort mit, was im Chat geschieht: ein signierter POST jedes Ereignisses an seine Adresse, bis zu drei Tage lang wiederholt, bis es antwortet. Interne Notizen gehen nie hinaus."
        }
        Text::WebhookForm => "Webhook",
        Text::WebhookUrl => "Adresse (URL)",
        Text::WebhookEvents => "Ereignisse",
        Text::WebhookState => "Zustand",
        Text::WebhookDisabledByRelay => "Vom Relay deaktiviert: {reason}",
        Text::AddWebhook => "Webhook hinzufügen",
        Text::SaveWebhook => "Webhook speichern",
        Text::WebhookSaved => "Webhook gespeichert.",
        Text::WebhookDeleted => "Webhook gelöscht.",
        Text::EditWebhookNamed => "Webhook {url} bearbeiten",
        Text::DeleteWebhookNamed => "Webhook {url} löschen",
        Text::RotateSecret => "Neues Geheimnis",
        Text::RotateSecretNamed => "Neues Geheimnis für {url}",
        Text::SecretRotated => "Neues Geheimnis erstellt: Das vorige gilt noch 24 Stunden.",
        Text::SecretShownOnce => "Das Signaturgeheimnis, nur jetzt angezeigt — kopieren Sie es",
        Text::SendTestEvent => "Testereignis senden",
        Text::SendTestEventNamed => "Testereignis senden an {url}",
        Text::TestEventSent => "Testereignis eingereiht.",
        Text::Deliveries => "Zustellungen",
        Text::DeliveriesNamed => "Zustellungen an {url}",
        Text::NoDeliveries => "Noch keine Zustellungen.",
        Text::EventType => "Ereignis",
        Text::DeliveryStatusLabel => "Status",
        Text::DeliveryPending => "Wartet",
        Text::DeliveryDelivered => "Zugestellt",
        Text::DeliveryFailed => "Fehlgeschlagen",
        Text::Attempts => "Versuche",
        Text::ResponseStatus => "Antwort",
        Text::ResponseTime => "Dauer",
        Text::ResponseSnippet => "Antwortinhalt",
        Text::DeliveredAt => "Wann",
        Text::Redeliver => "Erneut zustellen",
        Text::RedeliverNamed => "Erneut zustellen: {event}",
        Text::Redelivered => "Zur erneuten Zustellung eingereiht.",
        Text::ExportData => "Daten exportieren",
        Text::BlockVisitor => "Besucher sperren…",
        Text::BlockVisitorTitle => "Diesen Besucher sperren?",
        Text::BlockExplained => {
            "Der Besucher kann in diesem Chat nichts mehr senden. Ein Admin kann ihn unter Einstellungen → Datenschutz entsperren."
        }
        Text::BlockAddressToo => "Auch seine Adresse sperren",
        Text::BlockDays => "Für wie viele Tage (1–365)",
        Text::Block => "Sperren",
        Text::BlockDaysRange => "Die Tage müssen eine ganze Zahl von 1 bis 365 sein.",
        Text::Unblock => "Entsperren",
        Text::UnblockNamed => "Entsperren: {name}",
        Text::BlockedMark => "Gesperrt",
        Text::EraseForGood => "Endgültig löschen…",
        Text::EraseTitle => "Dieses Gespräch endgültig löschen?",
        Text::EraseExplained => {
            "Gelöscht werden seine Nachrichten und Dateien, Name, E-Mail und Warenkorb, die der Besucher angegeben hat, die Seiten, die er angesehen hat, die Notizen des Teams und noch nicht gesendete E-Mails. Berichte behalten nur anonyme Zahlen. Das lässt sich nicht rückgängig machen."
        }
        Text::EraseConfirm => "Endgültig löschen",
        Text::ConversationErased => "Das Gespräch wurde endgültig gelöscht.",
        Text::RetentionDays => "Gelöste Gespräche löschen nach (Tagen; leer: behalten)",
        Text::RetentionRange => {
            "Gelöste Gespräche eine ganze Zahl von 1 bis 3650 Tagen behalten, oder leer lassen, um sie zu behalten."
        }
        Text::VisitorsMayErase => "Besucher dürfen ihr Gespräch löschen",
        Text::Privacy => "Datenschutz",
        Text::PrivacyHint => {
            "Was der Chat über einen Besucher speichert: exportieren oder endgültig löschen, sehen, wer gesperrt ist, und das Protokoll dieser Vorgänge lesen."
        }
        Text::VisitorData => "Daten eines Besuchers, nach E-Mail",
        Text::VisitorEmail => "Vom Besucher angegebene E-Mail",
        Text::EnterVisitorEmail => {
            "Geben Sie die E-Mail-Adresse ein, die der Besucher angegeben hat."
        }
        Text::ExportDownloaded => "Export heruntergeladen.",
        Text::EraseEmailTitle => "Die Daten dieses Besuchers endgültig löschen?",
        Text::EraseEmailExplained => {
            "Jedes Gespräch, in dem {email} angegeben wurde, wird gelöscht: Nachrichten und Dateien, Namen, E-Mails, Warenkörbe, angesehene Seiten, Notizen des Teams und noch nicht gesendete E-Mails. Berichte behalten nur anonyme Zahlen. Das lässt sich nicht rückgängig machen."
        }
        Text::Unblocked => "Entsperrt.",
        Text::BlockedVisitors => "Gesperrte Besucher",
        Text::NoOneBlocked => "Niemand ist gesperrt.",
        Text::BlockedBy => "Gesperrt von",
        Text::BlockedAt => "Gesperrt am",
        Text::AddressBlockedUntil => "Adresse gesperrt bis",
        Text::AddressNotBlocked => "Nicht gesperrt",
        Text::AuditLog => "Protokoll",
        Text::NothingAudited => "Noch nichts aufgezeichnet.",
        Text::AuditWho => "Wer",
        Text::AuditWhat => "Was",
        Text::AuditTarget => "Betrifft",
        Text::AuditDetail => "Details",
        Text::OlderEntries => "Ältere Einträge",
        Text::AuditExport => "Export",
        Text::AuditErase => "Gelöscht",
        Text::AuditVisitorErase => "Vom Besucher gelöscht",
        Text::AuditRetentionErase => "Nach Ablauf der Aufbewahrung gelöscht",
        Text::AuditRetentionChange => "Aufbewahrung geändert",
        Text::AuditBlock => "Gesperrt",
        Text::AuditUnblock => "Entsperrt",
        Text::TheVisitor => "Der Besucher",
        Text::Automatically => "Automatisch",
        Text::AuditOnConversation => "Unterhaltung {id}",
        Text::AuditOnSite => "Website {site}",
        Text::AuditByEmail => "Nach E-Mail",
        Text::AuditAddressUntil => "Adresse bis {time}",
        Text::AuditRetentionDetail => {
            "Aufbewahrung: {before} → {after}; Löschen durch Besucher: {eraseBefore} → {eraseAfter}"
        }
        Text::AuditKept => "unbegrenzt",
        Text::AuditOn => "an",
        Text::AuditOff => "aus",
    }
}

pub(super) fn count(key: Count) -> Forms {
    match key {
        Count::Unread => Forms {
            one: "{count} ungelesen",
            few: "{count} ungelesen",
            many: "{count} ungelesen",
        },
        Count::OpenChats => Forms {
            one: "{count} offen",
            few: "{count} offen",
            many: "{count} offen",
        },
        Count::UnreadConversations => Forms {
            one: "{count} Unterhaltung mit ungelesenen Nachrichten",
            few: "{count} Unterhaltungen mit ungelesenen Nachrichten",
            many: "{count} Unterhaltungen mit ungelesenen Nachrichten",
        },
        Count::Days => Forms {
            one: "{count} Tag",
            few: "{count} Tage",
            many: "{count} Tage",
        },
        Count::ConversationsErased => Forms {
            one: "{count} Gespräch gelöscht.",
            few: "{count} Gespräche gelöscht.",
            many: "{count} Gespräche gelöscht.",
        },
        Count::AuditConversations => Forms {
            one: "{count} Unterhaltung",
            few: "{count} Unterhaltungen",
            many: "{count} Unterhaltungen",
        },
    }
}
