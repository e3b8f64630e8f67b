// axe-core in the page under test: the WCAG 2.x A and AA rules, run where a test says, with
// every violation spelled out in the failure so a red run says what to fix without a rerun.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, read once: evaluated, not added as a script tag, so a page's
 * Content-Security-Policy (the console's and the widget's forbid inline scripts) does not
 * stop it. */
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The conformance levels checked: WCAG 2.0, 2.1 and 2.2 at A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Puts axe into every frame of `page` that lacks it: axe follows iframes only into frames
 * that have it too. A frame that goes away meanwhile is no error. */
async function inject(page) {
  for (const frame of page.frames()) {
    try {
      const present = await frame.evaluate(() => typeof window.axe === "object");
      if (!present) await frame.evaluate(AXE_SOURCE);
    } catch (error) {
      if (frame.isDetached()) continue;
      throw error;
    }
  }
}

/** Runs axe on `page` and returns its violations. `include` and `exclude` are CSS selectors
 * (one or a list) narrowing what is checked; `disable` maps a rule id to the reason it is off,
 * so no rule is switched off without one written down; `tags` replaces the rule sets checked
 * (add "best-practice" for axe's advice beyond WCAG, such as one level-one heading). */
export async function axeViolations(page, { include, exclude, disable = {}, tags = WCAG_TAGS } = {}) {
  for (const [rule, reason] of Object.entries(disable)) {
    assert.ok(typeof reason === "string" && reason.trim().length > 0, `axe rule ${rule} is disabled without a reason`);
  }
  await inject(page);
  const list = (selectors) => (selectors === undefined ? undefined : [selectors].flat().map((selector) => [selector]));
  const context = include === undefined && exclude === undefined ? undefined : { include: list(include), exclude: list(exclude) };
  if (context && context.include === undefined) delete context.include;
  if (context && context.exclude === undefined) delete context.exclude;
  const rules = Object.fromEntries(Object.keys(disable).map((rule) => [rule, { enabled: false }]));
  return page.evaluate(
    async ({ context, options }) => {
      const results = await window.axe.run(context ?? document, options);
      return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map((node) => ({ target: node.target, html: node.html, summary: node.failureSummary })),
      }));
    },
    { context, options: { runOnly: { type: "tag", values: tags }, rules, resultTypes: ["violations"] } },
  );
}

/** Readable text for a list of violations: rule, impact, and each node with axe's advice. */
export function describeViolations(violations) {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .map((node) => `    ${JSON.stringify(node.target)} ${node.html}\n      ${(node.summary ?? "").replace(/\n/g, "\n      ")}`)
        .join("\n");
      return `  ${violation.id} (${violation.impact}): ${violation.help}\n${nodes}`;
    })
    .join("\n");
}

/** Fails the test when axe finds any WCAG 2.x A/AA violation on `page`; `context` names the
 * page or state in the failure message. Options as for `axeViolations`. */
export async function expectNoViolations(page, { context = page.url(), ...options } = {}) {
  const violations = await axeViolations(page, options);
  assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on ${context}:\n${describeViolations(violations)}`);
}
