// node test/browser.js BASE_URL SCREENSHOT_DIR DIST: checks that the built
// site DIST names no CDN, then opens every page of the built
// dashboard in headless Chromium (Debian's, CHROMIUM or /usr/bin/chromium,
// driven through its DevTools protocol by test/cdp.js),
// checks from the rendered DOM that each chart drew its marks and each table
// has the expected rows, compares numbers on the pages with relintel's views
// and functions (psql, PG* environment variables), saves a screenshot of each
// page and prints TAP.
import {launch} from "./cdp.js";
import {execFileSync} from "node:child_process";
import {mkdtempSync, rmSync, readdirSync, readFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";

const [base = "http://127.0.0.1:3000/", shots = "screenshots", dist = "dist"] = process.argv.slice(2);
const results = [];
function ok(pass, name, diag) {
  results.push({pass: Boolean(pass), name, diag});
}
function eq(got, want, name) {
  ok(String(got) === String(want), name, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
function gt0(got, name) {
  ok(got > 0, name, `got ${got}`);
}

// One value (or one row, tab-separated) from psql.
function sql(query, ...vars) {
  const args = ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", "\t"];
  vars.forEach((v, i) => args.push("-v", `v${i + 1}=${v}`));
  try {
    return execFileSync("psql", args, {input: query, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"]}).trim();
  } catch (e) {
    return `psql failed: ${String(e.stderr ?? e).trim()}`;
  }
}

// The built site is offline: no URL of a CDN or a font service anywhere.
{
  const cdn = /https?:\/\/(cdn\.jsdelivr\.net|unpkg\.com|esm\.sh|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com|api\.observablehq\.com)/;
  const hits = readdirSync(dist, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile() && /\.(html|js|css|json)$/.test(e.name))
    .filter((e) => cdn.test(readFileSync(join(e.parentPath ?? e.path, e.name), "utf8")))
    .map((e) => e.name);
  ok(hits.length === 0, "the built site names no CDN", hits.join(" "));
}

const profile = mkdtempSync(join(tmpdir(), "relintel-chromium-"));
const browser = await launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  userDataDir: profile,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
  viewport: {width: 1400, height: 900}
});
const baseHost = new URL(base).host;
const external = [];
const failed = [];
browser.on("request", (r) => {
  const u = new URL(r.url);
  if (!["data:", "blob:", "mailto:"].includes(u.protocol) && u.host !== baseHost) external.push(r.url);
});
browser.on("requestfailed", (r) => failed.push(`${r.url} ${r.errorText}`));
browser.on("response", (r) => { if (r.status >= 400) failed.push(`${r.url} ${r.status}`); });

async function open(path, name) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type === "error") errors.push(m.text); });
  await page.goto(new URL(path, base).href);
  await page.waitForSelector("[data-test=as-of]", {timeout: 20000}).catch(() => {});
  await page.waitForTimeout(300);
  // Framework shows a cell's error in place of its output.
  const cellErrors = await page.$$eval(".observablehq--error", (els) => els.map((e) => e.textContent));
  ok(errors.length === 0 && cellErrors.length === 0, `${name}: renders without errors`, [...errors, ...cellErrors].join("; "));
  await page.screenshot({path: join(shots, `${name}.png`), fullPage: true});
  return page;
}
const text = (page, id) => page.$eval(`[data-test="${id}"]`, (e) => e.textContent.trim()).catch(() => null);
const marks = (page, id, sel) => page.$$eval(`[data-test="${id}"] svg g[aria-label="${sel}"] > *`, (els) => els.length);
const rows = (page, id) => page.$$eval(`table[data-test="${id}"] tbody tr`, (els) => els.length);
const cells = (page, id, key) => page.$$eval(`table[data-test="${id}"] tbody td[data-key="${key}"]`, (els) => els.map((e) => e.textContent));
const asOf = (page) => page.$eval("[data-test=as-of]", (e) => e.getAttribute("datetime")).catch(() => null);

// ---- pipeline ------------------------------------------------------------
{
  const page = await open("./", "pipeline");
  const t = await asOf(page);
  ok(t, "pipeline: shows the time its data was read");
  eq(await text(page, "count-total"), sql("SELECT count(*) FROM relintel.opportunity_health"), "pipeline: number of opportunities = opportunity_health");
  for (const s of ["good", "fair", "poor"]) {
    eq(await text(page, `count-${s}`), sql(`SELECT count(*) FROM relintel.opportunity_health WHERE status = '${s}'`),
       `pipeline: ${s} opportunities = opportunity_health`);
  }
  eq(await marks(page, "chart-status-trend", "bar"),
     sql("SELECT count(*) FROM (SELECT DISTINCT status, trend FROM relintel.opportunity_health) s"),
     "pipeline: status-and-trend chart draws one bar per status and trend");
  eq(await marks(page, "chart-score-slope", "dot"),
     sql("SELECT count(*) FROM relintel.opportunity_health WHERE score IS NOT NULL"),
     "pipeline: score chart draws one dot per scored opportunity");
  const atRisk = sql(`SELECT count(*) FROM (SELECT 1 FROM relintel.opportunity_health
                       WHERE (status IN ('poor','fair') OR trend = 'declining')
                         AND closed_at IS NULL LIMIT 15) s`);
  gt0(Number(atRisk), "pipeline: the demo data has opportunities at risk");
  eq(await rows(page, "table-at-risk"), atRisk, "pipeline: at-risk table has one row per opportunity at risk");
  gt0(await marks(page, "chart-factors", "cell"), "pipeline: factor chart draws its cells");
  const scores = (await cells(page, "table-at-risk", "score")).map(Number);
  ok(scores.every((s, i) => i === 0 || scores[i - 1] <= s), "pipeline: at-risk list sorted by score", scores.join(","));
  eq(scores[0], sql(`SELECT min(score) FROM relintel.opportunity_health
                      WHERE (status IN ('poor','fair') OR trend = 'declining')
                        AND closed_at IS NULL`),
     "pipeline: lowest at-risk score = opportunity_health");
  const hasAlerts = sql("SELECT to_regprocedure('relintel.alerts(timestamptz)') IS NOT NULL") === "t";
  if (hasAlerts) {
    eq(await rows(page, "table-alerts"),
       sql(`SELECT count(*) FROM relintel.alerts(:'v1') WHERE entity_type IN ('opportunity', 'account')`, t),
       "pipeline: alerts table = alerts() of opportunities and accounts at the page's time");
    gt0(await marks(page, "chart-alerts", "bar"), "pipeline: alerts chart draws its bars");
  } else {
    ok(await text(page, "no-alerts"), "pipeline: says there are no alerts when alerts() is missing");
    ok(true, "pipeline: no alerts chart without alerts() # SKIP alerts() is not installed");
  }
  await page.close();
}

// ---- account -------------------------------------------------------------
{
  const page = await open("./account", "account");
  const t = await asOf(page);
  const id = await text(page, "account-id");
  eq(id, sql("SELECT id FROM relintel.account_health ORDER BY interactions DESC NULLS LAST, id LIMIT 1"),
     "account: shows the account with the most interactions");
  eq(await text(page, "account-score"), sql(`SELECT coalesce(score::text, '–') FROM relintel.health_at('account', :v1, :'v2')`, id, t),
     "account: score = health_at(account) at the page's time (= account_health)");
  const k = sql(`SELECT emails_sent, emails_received, calls_made, calls_received, meetings
                   FROM relintel.kpis('account', :v1, '30 days', :'v2')`, id, t).split("\t");
  const us = await cells(page, "table-kpis", "us");
  const them = await cells(page, "table-kpis", "them");
  eq(`${us[0]}/${them[0]}`, `${k[0]}/${k[1]}`, "account: emails sent/received = kpis()");
  eq(`${us[1]}/${them[1]}`, `${k[2]}/${k[3]}`, "account: calls made/received = kpis()");
  eq(us[2], k[4], "account: meetings = kpis()");
  const h = sql(`SELECT count(*), sum(emails_out), sum(emails_in), sum(meetings), sum(calls_out + calls_in)
                   FROM relintel.activity_history('account', :v1,
                          date_trunc('day', :'v2'::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '59 days',
                          date_trunc('day', :'v2'::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day')`, id, t).split("\t");
  eq(await text(page, "history-totals"),
     `${h[0]} days: ${h[1]} emails sent, ${h[2]} emails received, ${h[3]} meetings, ${h[4]} calls.`,
     "account: 60-day totals = activity_history()");
  const nonEmpty = sql(`SELECT (count(*) FILTER (WHERE emails_out > 0) + count(*) FILTER (WHERE emails_in > 0)
                              + count(*) FILTER (WHERE meetings > 0) + count(*) FILTER (WHERE calls_out + calls_in > 0))
                          FROM relintel.activity_history('account', :v1,
                          date_trunc('day', :'v2'::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '59 days',
                          date_trunc('day', :'v2'::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day')`, id, t);
  gt0(Number(nonEmpty), "account: the account has activity in the last 60 days");
  eq(await marks(page, "chart-history", "rect"), nonEmpty, "account: activity chart draws one bar per day and kind with activity");
  gt0(await marks(page, "chart-kpis", "bar"), "account: KPI chart draws its bars");
  const contacts = sql(`SELECT count(*) FROM relintel.contact_health h JOIN relintel.contact c USING (id) WHERE c.account_id = :v1`, id);
  gt0(Number(contacts), "account: the account has contacts");
  eq(await rows(page, "table-contacts"), contacts, "account: contacts table has one row per contact of the account");
  eq(await marks(page, "chart-contacts", "bar"),
     sql(`SELECT count(*) FROM relintel.contact_health h JOIN relintel.contact c USING (id) WHERE c.account_id = :v1 AND h.score IS NOT NULL`, id),
     "account: contacts chart draws one bar per scored contact");
  const shown = (await cells(page, "table-contacts", "score")).join(",");
  eq(shown, sql(`SELECT string_agg(coalesce(h.score::text, '–'), ',' ORDER BY h.score DESC NULLS LAST, c.id)
                   FROM relintel.contact c, relintel.health_at('contact', c.id, :'v2') h
                  WHERE c.account_id = :v1`, id, t),
     "account: contact scores = health_at(contact) (= contact_health)");
  await page.close();
}

// ---- who knows -----------------------------------------------------------
{
  const page = await open("./who-knows", "who-knows");
  const t = await asOf(page);
  const lead = await text(page, "lead-email");
  ok(lead, "who-knows: names the lead's address");
  const n = sql(`SELECT count(*) FROM relintel.who_knows(:'v1', 10, :'v2')`, lead, t);
  gt0(Number(n), "who-knows: colleagues know the lead");
  eq(await rows(page, "table-colleagues"), n, "who-knows: one row per colleague of who_knows()");
  eq((await cells(page, "table-colleagues", "strength")).join(","),
     sql(`SELECT string_agg(strength::text, ',' ORDER BY ord) FROM relintel.who_knows(:'v1', 10, :'v2') WITH ORDINALITY AS w(a, b, c, strength, d, e, ord)`, lead, t),
     "who-knows: strengths and ranking = who_knows()");
  eq(await marks(page, "chart-strength", "bar"), n, "who-knows: strength chart draws one bar per colleague");
  const requester = await text(page, "requester");
  const href = await page.$eval("[data-test=intro] a", (a) => a.getAttribute("href")).catch(() => null);
  ok(href?.startsWith("mailto:"), "who-knows: the introduction is a mailto: link", href);
  eq(href, sql(`SELECT i.mailto FROM relintel.who_knows(:'v2', 10, :'v3') w,
                       relintel.intro_request(:'v1', w.email, :'v2') i
                 WHERE w.email <> :'v1' LIMIT 1`, requester, lead, t),
     "who-knows: mailto = intro_request() to the strongest colleague");
  await page.close();
}

ok(external.length === 0, "no request leaves 127.0.0.1", external.slice(0, 5).join(" "));
ok(failed.length === 0, "no request fails", failed.slice(0, 5).join(" "));
await browser.close();
rmSync(profile, {recursive: true, force: true});

console.log(`1..${results.length}`);
results.forEach((r, i) => {
  const skip = r.name.includes("# SKIP");
  console.log(`${r.pass ? "ok" : "not ok"} ${i + 1} - ${r.name}`);
  if (!r.pass && !skip && r.diag) console.log(`# ${r.diag}`);
});
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
