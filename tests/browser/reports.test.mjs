// The console's Reports page in Chromium: three visitors start conversations on the demo shop,
// and the page's heat map shows them in the cell of this weekday and hour in the site's time
// zone (the busiest, and the only one), its screen readers' table says the same, and the CSV
// downloads hold the day's and the hour's counts as the relay writes them (UTF-8 with a BOM).
// The page is walked by keyboard alone (a preset, a site, a custom range, the heat map's table,
// a download), the focus always visible; and its presets count "today" in the site's time zone,
// not the browser's.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { OPERATOR, addAdmin, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

const VISITORS = 3;

let browser;
let relay;
let api;
before(async () => {
  browser = await launch();
  relay = await startRelay();
  api = await operatorApi(relay);
  await api.setOnline(true);
});
after(async () => {
  await browser.close();
  await relay.stop();
  relay.cleanup();
});

/** Where a moment falls in a time zone: the report's weekday name, hour and ISO date. */
function cellOf(moment, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone, weekday: "short", hour: "numeric", hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    })
      .formatToParts(moment)
      .map(({ type, value }) => [type, value]),
  );
  return {
    weekday: parts.weekday.toLowerCase(),
    shortName: parts.weekday,
    hour: Number(parts.hour),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

/** A new visitor on the demo shop who has written `text` (each one a new conversation). */
async function visitorWrites(text) {
  const context = await browser.newContext();
  const shop = await openShop(context, `${relay.url}/demo/`);
  await widget(shop).getByRole("button", { name: "Otevřít chat" }).click();
  const box = widget(shop).getByRole("textbox", { name: "Zpráva" });
  await box.fill(text);
  await box.press("Enter");
  await widget(shop).getByText("Doručeno").waitFor();
  await context.close();
}

/** Clicks a report's "Download CSV" and answers the file's bytes. */
async function downloadCsv(page, report) {
  const section = page.getByRole("region", { name: report, exact: true });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    section.getByRole("button", { name: "Download CSV", exact: true }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  return readFile(await download.path());
}

test("the heat map shows the conversations where they started, and the CSV downloads hold them", async () => {
  const sites = (await api.call("GET", "/api/sites")).body;
  const demo = sites.find((site) => site.name === "demo");
  assert.ok(demo, "the test relay has the demo shop");
  const timeZone = demo.hours?.timeZone ?? "UTC";

  const before = cellOf(new Date(), timeZone);
  for (let visitor = 1; visitor <= VISITORS; visitor += 1) await visitorWrites(`Dobrý den, dotaz číslo ${visitor}`);
  const after = cellOf(new Date(), timeZone);
  // The conversations started within these two moments: in one cell unless an hour turned.
  const expected = [before, after];

  const context = await browser.newContext({ locale: "en-US", timezoneId: timeZone, viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email", { exact: true }).fill(OPERATOR.email);
  await page.getByLabel("Password", { exact: true }).fill(OPERATOR.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("navigation").getByRole("button", { name: "Reports", exact: true }).click();
  await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();

  // One site, and the preset "Today": the figures are asked for again and drawn again.
  await page.getByLabel("Site", { exact: true }).selectOption("demo");
  await page.getByLabel("Period", { exact: true }).selectOption({ label: "Today" });
  const today = after.date;
  await eventually(async () => (await page.getByLabel("From", { exact: true }).inputValue()) === today, "the preset's first day");
  assert.equal(await page.getByLabel("To", { exact: true }).inputValue(), today);

  const hours = page.getByRole("region", { name: "Busiest hours", exact: true });
  // Drawn once the figures are in: every conversation in the map, in one cell or, when an hour
  // turned while they were written, in two.
  const drawn = () => hours.locator("svg rect.heat").evaluateAll((rects) => rects.reduce((sum, rect) => sum + Number(rect.dataset.conversations), 0));
  await eventually(async () => (await drawn()) === VISITORS, "every conversation in the heat map");
  const cells = await hours.locator("svg rect.heat").evaluateAll((rects) =>
    rects.map((rect) => ({
      weekday: rect.dataset.weekday,
      hour: Number(rect.dataset.hour),
      conversations: Number(rect.dataset.conversations),
      opacity: Number(rect.getAttribute("fill-opacity")),
    })),
  );
  assert.equal(cells.length, 7 * 24, "a cell for every weekday and hour");
  const started = cells.filter((cell) => cell.conversations > 0);
  const total = started.reduce((sum, cell) => sum + cell.conversations, 0);
  assert.equal(total, VISITORS, "every conversation in the map once");
  const top = cells.reduce((best, cell) => (cell.conversations > best.conversations ? cell : best));
  assert.ok(
    expected.some((cell) => cell.weekday === top.weekday && cell.hour === top.hour),
    `the busiest cell ${top.weekday} ${top.hour}:00 is when the conversations started (${before.weekday} ${before.hour}:00)`,
  );
  assert.equal(top.opacity, Math.max(...cells.map((cell) => cell.opacity)), "the busiest cell is the darkest");
  assert.ok(cells.filter((cell) => cell.conversations === 0).every((cell) => cell.opacity === 0), "empty cells stay empty");

  // The same numbers for screen readers: the table's row of that hour.
  const shortName = expected.find((cell) => cell.weekday === top.weekday).shortName;
  const row = hours
    .locator("table tbody tr")
    .filter({ has: page.getByRole("rowheader", { name: `${shortName} ${top.hour}:00`, exact: true }) });
  assert.equal(await row.getByRole("cell").first().textContent(), String(top.conversations));

  // The CSV downloads: the relay's tables, with the BOM that Excel needs.
  const volume = await downloadCsv(page, "Conversations per day");
  assert.deepEqual([...volume.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a BOM");
  const volumeLines = volume.subarray(3).toString("utf8").trim().split("\r\n");
  assert.equal(volumeLines[0], "Date,New,Reopened,Resolved,Missed,Contact forms");
  assert.equal(volumeLines.length, 2, "one row: the preset is today");
  const [date, created] = volumeLines[1].split(",");
  assert.equal(date, today);
  assert.equal(Number(created), VISITORS);

  const heat = (await downloadCsv(page, "Busiest hours")).subarray(3).toString("utf8").trim().split("\r\n");
  assert.equal(heat[0], "Weekday,Hour,Conversations,Visitor messages,Hours with an operator available,Hours in range");
  const topLine = heat.find((line) => line.startsWith(`${top.weekday},${top.hour},`));
  assert.ok(topLine, "the CSV has the busiest cell");
  assert.equal(Number(topLine.split(",")[2]), top.conversations);
  assert.ok(Number(topLine.split(",")[4]) >= 1, "the operator was available in that hour");

  assert.deepEqual(errors, []);
  await context.close();
});

/** Today's date (`YYYY-MM-DD`) in a time zone, as `Intl` counts it, `daysBack` days before. */
function dateIn(timeZone, daysBack = 0) {
  const { date } = cellOf(new Date(), timeZone);
  const day = new Date(`${date}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - daysBack);
  return day.toISOString().slice(0, 10);
}

/** The console in English for the test operator, on the Reports page; the page and the report
 * requests it sent. */
async function openReports(options = {}) {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  page.on("request", (request) => {
    if (request.url().includes("/api/reports/")) page.requests.push(new URL(request.url()));
  });
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel("Email", { exact: true }).fill(OPERATOR.email);
  await page.getByLabel("Password", { exact: true }).fill(OPERATOR.password);
  await page.getByLabel("Password", { exact: true }).press("Enter");
  const reports = page.getByRole("navigation").getByRole("button", { name: "Reports", exact: true });
  await reports.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
  return { context, page };
}

/** Whether the focused element shows that it is: an outline or a box shadow. */
const focusShown = (page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return { outline, shadow: style.boxShadow !== "none", tag: element.tagName, id: element.id, label: element.getAttribute("aria-label") };
  });

async function assertFocusShown(page, what) {
  const shown = await focusShown(page);
  assert.ok(shown.outline || shown.shadow, `the focus is visible on ${what}: ${JSON.stringify(shown)}`);
}

/** Presses Tab (Shift+Tab with `back`) until `reached` holds for the focused element. */
async function tabTo(page, reached, what, back = false) {
  for (let press = 0; press < 40; press += 1) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    if (await page.evaluate(reached)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

test("by keyboard alone: a preset, a site, a custom range, the heat map's table and a CSV", async () => {
  const timeZone = (await api.call("GET", "/api/sites")).body.find((site) => site.name === "demo").hours?.timeZone ?? "UTC";
  const { context, page } = await openReports({ timezoneId: timeZone });
  const value = (label) => page.getByLabel(label, { exact: true }).inputValue();

  // The period: from the navigation, Tab to it; "Today" is one up from "Last 7 days".
  await tabTo(page, () => document.activeElement.id === "report-preset", "the period");
  await assertFocusShown(page, "the period");
  await page.keyboard.press("ArrowUp");
  await eventually(async () => (await value("Period")) === "today", "the preset Today");
  await eventually(async () => (await value("From")) === dateIn(timeZone), "today's first day");
  assert.equal(await value("To"), dateIn(timeZone));

  // A custom range: the first day typed into the date field, month, day and year.
  await tabTo(page, () => document.activeElement.id === "report-from", "the first day");
  await assertFocusShown(page, "the first day");
  const first = dateIn(timeZone, 3);
  const [year, month, day] = first.split("-");
  await page.keyboard.type(`${month}${day}${year}`);
  await eventually(async () => (await value("From")) === first, "the first day typed");
  await eventually(async () => (await value("Period")) === "custom", "the range is custom");

  // The site: down from "All sites" to the demo shop.
  await tabTo(page, () => document.activeElement.id === "report-site", "the site");
  await assertFocusShown(page, "the site");
  const options = await page.locator("#report-site option").count();
  for (let press = 1; press < options && (await value("Site")) !== "demo"; press += 1) await page.keyboard.press("ArrowDown");
  await eventually(async () => (await value("Site")) === "demo", "the demo site");
  await eventually(
    async () => page.requests.some((url) => url.pathname === "/api/reports/hours" && url.searchParams.get("site") === "demo" && url.searchParams.get("from") === first),
    "the reports asked for the site and the range",
  );
  assert.equal(await value("Period"), "custom", "choosing a site keeps the custom range");

  // On to the heat map's numbers: hidden until the focus reaches them, then shown and framed.
  const hours = page.getByRole("region", { name: "Busiest hours", exact: true });
  await hours.locator("table tbody tr").first().waitFor({ state: "attached" });
  await tabTo(page, () => document.activeElement.closest?.('[data-report="hours"]') && document.activeElement.matches(".numbers"), "the heat map's table");
  await assertFocusShown(page, "the heat map's table");
  const box = await hours.locator(".numbers").boundingBox();
  assert.ok(box && box.width > 200 && box.height > 40, `the table is shown while focused: ${JSON.stringify(box)}`);
  const rowHeader = await hours.locator("table tbody th").first().textContent();
  assert.match(rowHeader, /^\w{3} \d{1,2}:00$/);

  // Back to the report's "Download CSV" and Enter: the file, as the relay writes it.
  await tabTo(page, () => document.activeElement.closest?.('[data-report="hours"]') && document.activeElement.tagName === "BUTTON", "the download", true);
  await assertFocusShown(page, "the download button");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Download CSV");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.equal(download.suggestedFilename(), `beseda-hours-${first}-${dateIn(timeZone)}.csv`);
  const bytes = await readFile(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString("utf8").trim().split("\r\n");
  assert.equal(lines[0], "Weekday,Hour,Conversations,Visitor messages,Hours with an operator available,Hours in range");
  assert.equal(lines.length, 1 + 7 * 24);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("the presets count today in the site's time zone, not the browser's", async () => {
  // The shop on the first time zone of the day, the browser on one of the last: their dates
  // differ at any hour (by a day or two).
  const SITE_ZONE = "Pacific/Kiritimati";
  const BROWSER_ZONE = "Pacific/Pago_Pago";
  const OWNER = { email: "owner@shop.example", password: "owner horse battery", name: "Owner" };
  addAdmin(relay, OWNER);
  const owner = await operatorApi(relay, OWNER);
  const demo = (await owner.call("GET", "/api/sites")).body.find((site) => site.name === "demo");
  const always = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((day) => ({ day, open: "00:00", close: "24:00" }));
  const put = await owner.call("PUT", "/api/sites/demo", { ...demo, hours: { timeZone: SITE_ZONE, weekly: always, exceptions: [] } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  try {
    const { context, page } = await openReports({ timezoneId: BROWSER_ZONE });
    assert.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), BROWSER_ZONE);
    const expected = [dateIn(SITE_ZONE)];
    assert.notEqual(dateIn(BROWSER_ZONE), expected[0], "the browser's today is another day");

    // All sites: the zone they all share, else UTC, as the relay counts them; named on the page.
    const zones = new Set((await owner.call("GET", "/api/sites")).body.map((site) => site.hours?.timeZone ?? "UTC"));
    const shared = zones.size === 1 ? [...zones][0] : "UTC";
    await page.getByText(`Days in the time zone ${shared}.`).waitFor();

    // The demo shop and "Today": the site's today, in the field and in what is asked for.
    await page.getByLabel("Site", { exact: true }).selectOption("demo");
    await page.getByText(`Days in the time zone ${SITE_ZONE}.`).waitFor();
    await page.getByLabel("Period", { exact: true }).selectOption("today");
    expected.push(dateIn(SITE_ZONE));
    const asked = () => page.requests.filter((url) => url.pathname === "/api/reports/hours").at(-1);
    await eventually(
      async () => asked()?.searchParams.get("site") === "demo" && expected.includes(asked().searchParams.get("from")),
      "a report asked for the site's today",
    );
    const last = asked();
    assert.equal(last.searchParams.get("to"), last.searchParams.get("from"));
    assert.equal(await page.getByLabel("From", { exact: true }).inputValue(), last.searchParams.get("from"));
    assert.equal(await page.getByLabel("To", { exact: true }).inputValue(), last.searchParams.get("from"));

    // Seven days: counted back from the site's today.
    await page.getByLabel("Period", { exact: true }).selectOption("7");
    const week = [dateIn(SITE_ZONE, 6), dateIn(SITE_ZONE)];
    await eventually(async () => {
      const url = asked();
      return url?.searchParams.get("site") === "demo" && url.searchParams.get("from") === week[0] && url.searchParams.get("to") === week[1];
    }, "seven days to the site's today");
    assert.deepEqual(page.errors, []);
    await context.close();
  } finally {
    assert.equal((await owner.call("PUT", "/api/sites/demo", demo)).status, 200);
  }
});
