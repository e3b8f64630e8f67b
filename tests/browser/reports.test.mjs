// The console's Reports page in Chromium: three visitors start conversations on the demo shop,
// and the page's heat map shows them in the cell of this weekday and hour in the site's time
// zone (the busiest, and the only one), its screen readers' table says the same, and the CSV
// downloads hold the day's and the hour's counts as the relay writes them (UTF-8 with a BOM).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { OPERATOR, eventually, launch, openShop, operatorApi, startRelay, widget } from "./support.mjs";

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
  const busiest = hours.locator(`svg rect.heat[data-conversations="${VISITORS}"]`);
  await busiest.first().waitFor({ state: "attached" });
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
