// Drives headless Chromium through the console as a person would: sign in,
// search a customer by phone, open their page, and check what is shown.
//
//   node e2e/login.mjs URL USER PASSWORD PHONE
//
// Prints one JSON object on stdout (what was seen, step by step) and exits
// 0 when every check passed, 1 otherwise. The Go test e2e/browser_test.go
// starts the server and runs this script; CHROMIUM overrides the browser
// (default /usr/bin/chromium, Debian's package).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, user, password, phone] = process.argv.slice(2);
if (!base || !user || !password || !phone) {
  console.error('usage: node e2e/login.mjs URL USER PASSWORD PHONE');
  process.exit(2);
}

// The console shows Chinese mobiles as 138****1234: first three and last
// four digits of the national number.
const national = phone.replace(/\D/g, '').replace(/^(00)?86(?=1\d{10}$)/, '');
const masked = national.slice(0, 3) + '*'.repeat(national.length - 7) + national.slice(-4);

const result = { ok: false, steps: [], consoleErrors: [], failures: [] };
const step = (name, detail = {}) => result.steps.push({ name, ...detail });
const check = (cond, what) => { if (!cond) result.failures.push(what); return cond; };

const userDataDir = mkdtempSync(join(tmpdir(), 'nudge-e2e-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    locale: 'zh-CN',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(20000);
  // A blocked script or style (Content-Security-Policy) shows up here.
  page.on('console', (m) => { if (m.type() === 'error') result.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => result.consoleErrors.push(String(e)));
  // Name what failed to load: the console message alone does not.
  page.on('response', (r) => { if (r.status() >= 400) result.consoleErrors.push(`${r.status()} ${new URL(r.url()).pathname}`); });

  // 1. Signed out, the console sends us to the sign-in page.
  let res = await page.goto(base + '/customers');
  step('open', { url: page.url(), status: res.status() });
  check(new URL(page.url()).pathname === '/login', 'not sent to /login when signed out');

  // 2. Sign in.
  await page.fill('#name', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => u.pathname === '/customers'), page.click('button[type=submit]')]);
  step('login', { url: page.url(), title: await page.title() });
  check(await page.locator('header .user strong').textContent() === user, 'signed-in user not shown in header');

  // 3. Search by phone, written with spaces as people do. htmx swaps the
  // table in place: a marker set on the window survives only if the page
  // was not reloaded.
  await page.waitForFunction(() => typeof window.htmx === 'object');
  await page.evaluate(() => { window.__nudgeMarker = 'kept'; });
  await page.fill('#q', phone);
  await page.press('#q', 'Enter');
  const row = page.locator('#results table.customers tbody tr').filter({ hasText: masked });
  await row.first().waitFor();
  const rows = await page.locator('#results table.customers tbody tr').count();
  const swapped = await page.evaluate(() => window.__nudgeMarker === 'kept');
  step('search', { url: page.url(), rows, htmxSwap: swapped });
  check(rows === 1, `search found ${rows} rows, want 1`);
  check(swapped, 'search reloaded the page instead of swapping the table with htmx');
  check(new URL(page.url()).searchParams.get('q') === phone, 'search not pushed to the address bar');

  // 4. Open the customer's page.
  await Promise.all([page.waitForURL((u) => /^\/customers\/\d+$/.test(u.pathname)), row.first().locator('a').first().click()]);
  const shownPhone = (await page.locator('h1 .customer-phone').textContent()).trim();
  const amounts = (await page.locator('td.order-amount').allTextContents()).map((s) => s.trim());
  const text = await page.locator('body').innerText();
  step('customer', { url: page.url(), maskedPhone: shownPhone, amounts });
  check(shownPhone === masked, `phone shown as ${shownPhone}, want ${masked}`);
  check(amounts.length > 0 && amounts.every((a) => /^¥\d+\.\d{2}$/.test(a)), 'no order amount in ¥0.00 form');
  check(!text.replace(/\s/g, '').includes(national), 'the clear phone number is on the customer page');
  check(await page.locator(`text=${masked}`).first().isVisible(), 'masked phone not visible');
  check(await page.locator(`text=${amounts[0]}`).first().isVisible(), 'order amount not visible');

  check(result.consoleErrors.length === 0, 'browser console errors');
  result.ok = result.failures.length === 0;
} catch (e) {
  result.failures.push(String(e && e.stack || e));
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
