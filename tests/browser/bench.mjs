// The widget's cost to a shop's page, measured in Chromium with the CPU slowed 4× (a slow phone):
// bytes, long tasks, main-thread time from the page's load event until the widget is ready,
// and the time from Beseda.open() until the window is painted. Run by `make bench`.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { launch, startRelay } from "./support.mjs";

const RUNS = 5;

/** The longest task on the page's main thread between the load event and ready ("start"), and
 *  between Beseda.open() and the window painted ("open"), from a trace with timestamps. */
function mainThreadTasks(events) {
  const main = events.find((event) => event.name === "thread_name" && event.args?.name === "CrRendererMain");
  const onMain = events.filter((event) => event.pid === main.pid && event.tid === main.tid);
  const stamp = (message) => onMain.find((event) => event.name === "TimeStamp" && event.args?.data?.message === message)?.ts;
  const tasks = onMain.filter((event) => event.ph === "X" && event.name === "ThreadControllerImpl::RunTask");
  const longestBetween = (from, to) => Math.max(0, ...tasks.filter((task) => task.ts + task.dur > from && task.ts < to).map((task) => task.dur / 1000));
  // The task that ran the load event is the shop's; the widget's start comes in tasks after it.
  const loaded = stamp("beseda:load");
  const loadTask = tasks.find((task) => task.ts <= loaded && loaded <= task.ts + task.dur);
  return {
    start: longestBetween(loadTask ? loadTask.ts + loadTask.dur : loaded, stamp("beseda:ready")),
    open: longestBetween(stamp("beseda:open"), stamp("beseda:painted")),
  };
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sizes = JSON.parse(readFileSync(resolve(process.env.BESEDA_DIST ?? "../../target/dist", "sizes.json"), "utf8"));

// The relay child is unref'd (see support.mjs); this timer keeps the script alive until the end.
const keepAlive = setInterval(() => {}, 60_000);
const relay = await startRelay();
const browser = await launch();
const runs = [];
try {
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    await cdp.send("Performance.enable");
    // A trace of the main thread's tasks, to find the longest one of the widget's (the long-task
    // observer only tells those over 50 ms). Timestamps mark the phases in the trace.
    const traceEvents = [];
    cdp.on("Tracing.dataCollected", (data) => traceEvents.push(...data.value));
    const traced = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
    await cdp.send("Tracing.start", { categories: "toplevel,devtools.timeline", transferMode: "ReportEvents" });
    await page.addInitScript(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((entry) => ({ start: entry.startTime, duration: entry.duration })))).observe({ type: "longtask", buffered: true });
      window.addEventListener("load", () => { window.loadedAt = performance.now(); console.timeStamp("beseda:load"); });
    });
    const taskTime = async () => (await cdp.send("Performance.getMetrics")).metrics.find((metric) => metric.name === "TaskDuration").value * 1000;
    // Playwright's first evaluate installs its own script in the page, a task of its own: it is
    // issued as soon as the document exists, so that it lands in the page's load, not the widget's.
    const atLoad = new Promise((resolve) => page.once("load", () => resolve(taskTime())));
    await page.goto(`${relay.url}/demo/`, { waitUntil: "commit" });
    const readyAt = await page.evaluate(() => new Promise((done) => {
      const listen = () => window.Beseda.on("ready", () => { console.timeStamp("beseda:ready"); done(performance.now()); });
      if (document.readyState === "complete") listen(); else window.addEventListener("load", listen);
    }));
    const atReady = await taskTime();
    const openedAt = await page.evaluate(() => performance.now());
    const openToPaint = await page.evaluate(() => new Promise((done) => {
      const started = performance.now();
      console.timeStamp("beseda:open");
      window.Beseda.open();
      const root = document.querySelector("beseda-chat").shadowRoot;
      const painted = () => requestAnimationFrame(() => setTimeout(() => { console.timeStamp("beseda:painted"); done(performance.now() - started); }, 0));
      const check = () => (root.querySelector(".window") ? painted() : requestAnimationFrame(check));
      check();
    }));
    const { longTasks, loadedAt } = await page.evaluate(() => ({ longTasks: window.longTasks, loadedAt: window.loadedAt }));
    // Which phase each long task belongs to: the shop's own page load, the widget's start, opening it.
    const phase = (task) => (task.start < loadedAt ? "page" : task.start < openedAt ? "start" : "open");
    await cdp.send("Tracing.end");
    await traced;
    runs.push({ mainThread: atReady - (await atLoad), loadToReady: readyAt - loadedAt, openToPaint, longTasks: longTasks.map((task) => ({ ...task, phase: phase(task) })), tasks: mainThreadTasks(traceEvents) });
    await context.close();
  }
} finally {
  await browser.close();
  await relay.stop();
  relay.cleanup();
  clearInterval(keepAlive);
}

const longest = (name) => Math.max(...runs.map((run) => run.tasks[name]));
const allLongTasks = runs.flatMap((run) => run.longTasks.map((task) => task.duration));
const byPhase = (name) => runs.flatMap((run) => run.longTasks.filter((task) => task.phase === name).map((task) => task.duration));
const describe = (list) => (list.length ? `${list.length} (longest ${Math.max(...list).toFixed(1)} ms)` : "0");
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value) => `${value.toFixed(1)} ms`;
console.log(`Beseda widget in Chromium with 4x CPU throttling (median of ${RUNS} page loads)`);
console.log(`  loader widget.js, brotli                      ${kb(sizes.loader)}  (budget 2 KB)`);
console.log(`  everything until a visitor can chat, brotli   ${kb(sizes.widgetTotal)}  (target 60 KB, limit 100 KB)`);
console.log(`  main-thread time from load event to ready     ${ms(median(runs.map((run) => run.mainThread)))}`);
console.log(`  wall time from load event to ready            ${ms(median(runs.map((run) => run.loadToReady)))}  (includes the idle wait and the download)`);
console.log(`  Beseda.open() to the window painted           ${ms(median(runs.map((run) => run.openToPaint)))}`);
console.log(`  longest main-thread task while it starts       ${ms(longest("start"))}  (of all runs, from a trace)`);
console.log(`  longest main-thread task while it opens        ${ms(longest("open"))}`);
console.log(`  long tasks (> 50 ms), all runs                ${describe(allLongTasks)}`);
console.log(`    during the shop's own page load             ${describe(byPhase("page"))}`);
console.log(`    while the widget starts (load to ready)     ${describe(byPhase("start"))}`);
console.log(`    while the window opens                      ${describe(byPhase("open"))}`);
