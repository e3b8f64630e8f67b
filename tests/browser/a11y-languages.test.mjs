// Every language keeps the same names and announcements. In Czech, Slovak, Polish, Russian,
// English and German: the widget's launcher, window, message box and Send button are named in
// the visitor's language, the window passes axe, and the operator's answer arrives in the log;
// the console's sign-in form and Available switch are named in the operator's language, a new
// conversation is announced once in it, the keyboard shortcuts' list opens by "?" under its
// name, and each screen passes axe. The widget and the console name the message box and the
// Send button alike in each language, and English keeps the contract's names.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { expectNoViolations } from "./axe.mjs";
import { OPERATOR, eventually, launch, openShop, operatorApi, startRelay, startShop, widget } from "./support.mjs";

/** Each language's names, as the widget's and the console's texts give them. */
const LANGUAGES = {
  cs: { conversations: "Konverzace", locale: "cs-CZ", open: "Otevřít chat", message: "Zpráva", send: "Odeslat", email: "E-mail", password: "Heslo", signIn: "Přihlásit se", available: "K dispozici", shortcuts: "Klávesové zkratky", newFrom: "Nová konverzace od " },
  sk: { conversations: "Konverzácie", locale: "sk-SK", open: "Otvoriť chat", message: "Správa", send: "Odoslať", email: "E-mail", password: "Heslo", signIn: "Prihlásiť sa", available: "K dispozícii", shortcuts: "Klávesové skratky", newFrom: "Nová konverzácia od " },
  pl: { conversations: "Rozmowy", locale: "pl-PL", open: "Otwórz czat", message: "Wiadomość", send: "Wyślij", email: "E-mail", password: "Hasło", signIn: "Zaloguj się", available: "Dostępność", shortcuts: "Skróty klawiszowe", newFrom: "Nowa rozmowa od " },
  ru: { conversations: "Диалоги", locale: "ru-RU", open: "Открыть чат", message: "Сообщение", send: "Отправить", email: "Эл. почта", password: "Пароль", signIn: "Войти", available: "На связи", shortcuts: "Сочетания клавиш", newFrom: "Новый диалог от " },
  en: { conversations: "Conversations", locale: "en-GB", open: "Open chat", message: "Message", send: "Send", email: "Email", password: "Password", signIn: "Sign in", available: "Available", shortcuts: "Keyboard shortcuts", newFrom: "New conversation from " },
  de: { conversations: "Unterhaltungen", locale: "de-DE", open: "Chat öffnen", message: "Nachricht", send: "Senden", email: "E-Mail", password: "Passwort", signIn: "Anmelden", available: "Verfügbar", shortcuts: "Tastenkürzel", newFrom: "Neue Unterhaltung von " },
};

let browser, relay, api, shop;
before(async () => {
  browser = await launch();
  relay = await startRelay();
  api = await operatorApi(relay);
  const pages = {};
  for (const language of Object.keys(LANGUAGES)) {
    pages[`/${language}`] = `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>Shop</title>
      <script async src="${relay.url}/widget.js" data-site="demo" data-locale="${language}"></script></head>
      <body><main><h1>Shop</h1></main></body></html>`;
  }
  shop = await startShop(pages);
});
after(async () => {
  await shop.close();
  await browser.close();
  await relay.stop();
  relay.cleanup();
});

/** Signs the operator in through the form named in `names`' language; the console then
 * follows the browser's language, since the operator has not picked one. */
async function signIn(page, names) {
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel(names.email, { exact: true }).fill(OPERATOR.email);
  await page.getByLabel(names.password, { exact: true }).fill(OPERATOR.password);
  await expectNoViolations(page, { context: `the console's sign-in (${names.locale})` });
  await page.getByRole("button", { name: names.signIn, exact: true }).click();
  await page.getByRole("switch", { name: names.available, exact: true }).waitFor();
}

for (const [language, names] of Object.entries(LANGUAGES)) {
  test(`in ${language} the widget and the console keep their names and announcements`, async (t) => {
    // The operator's console, in the browser's language, online for the visitor.
    const consoleContext = await browser.newContext({ locale: names.locale });
    t.after(() => consoleContext.close());
    const desk = await consoleContext.newPage();
    await signIn(desk, names);
    await desk.getByRole("switch", { name: names.available, exact: true }).check();
    await eventually(async () => (await api.call("GET", "/api/operators")).body.some((o) => o.email === OPERATOR.email && o.online), "the operator online");
    await expectNoViolations(desk, { context: `the console's conversations (${language})` });

    // The visitor, on a shop page in that language.
    const visitorContext = await browser.newContext({ locale: names.locale });
    t.after(() => visitorContext.close());
    const page = await openShop(visitorContext, `${shop.url}/${language}`);
    const chat = widget(page);
    await chat.getByRole("button", { name: names.open, exact: true }).click();
    const box = chat.getByRole("textbox", { name: names.message, exact: true });
    await box.waitFor();
    await chat.getByRole("button", { name: names.send, exact: true }).waitFor();
    // Checked once the window has risen: mid-animation its texts are still fading in.
    await page.evaluate(() => Promise.allSettled(document.querySelector("beseda-chat").shadowRoot.getAnimations().map((animation) => animation.finished)));
    await expectNoViolations(page, { include: "beseda-chat", context: `the widget's window (${language})` });
    const text = `Dotaz ${language}: máte to skladem?`;
    await box.fill(text);
    await box.press("Enter");

    // Announced once, in the operator's language.
    const announced = desk.getByRole("status").filter({ hasText: new RegExp(`^${names.newFrom}`) });
    await announced.waitFor();
    assert.equal(await announced.count(), 1);

    // The operator answers; the answer reaches the visitor's log.
    const listed = await eventually(async () => (await api.conversations()).find((row) => row.lastMessage?.text === text), "the conversation listed");
    const answer = `Odpověď ${language}`;
    assert.equal((await api.reply(listed.id, answer)).status, 201);
    await chat.getByRole("log").getByText(answer).waitFor();

    // The console (its row now shows the answer, the last message) names its message box and
    // Send button as the widget does, and lists its shortcuts under the language's name.
    await desk.getByRole("list", { name: names.conversations, exact: true }).getByRole("listitem").filter({ hasText: answer }).getByRole("button").first().click();
    await desk.getByRole("textbox", { name: names.message, exact: true }).waitFor();
    await desk.getByRole("button", { name: names.send, exact: true }).waitFor();
    // "?" lists the shortcuts outside a text field: from the page, not the message box.
    await desk.evaluate(() => document.activeElement?.blur());
    await desk.keyboard.press("?");
    const help = desk.getByRole("dialog", { name: names.shortcuts, exact: true });
    await help.waitFor();
    await expectNoViolations(desk, { context: `the console's shortcuts (${language})` });
    await desk.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
  });
}
