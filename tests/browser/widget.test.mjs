// Browser test of the chat widget on the demo shop.
//
//   FAQBOT_URL=http://127.0.0.1:8080/ node tests/browser/widget.test.mjs
//
// Without FAQBOT_URL it starts build/default/faqbot (or $FAQBOT_BIN) with
// `serve --port 0 --web web --data <temporary dir>` and uses the address it prints.
// Uses the system Chromium (never downloads a browser). Prints one line per
// check, "ok - ..." or "not ok - ...", then "N passed, N failed"; exits
// non-zero when a check failed. Screenshots go to tests/browser/out/.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OUT = path.join(HERE, 'out');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOTAL_BUDGET_MS = 55000;
const STEP_MS = 10000;

const EN_QUESTION = 'how long does a refund take';
const ZH_QUESTION = '退货怎么办';

let passed = 0;
let failed = 0;
let server = null;
let context = null;
let userDataDir = null;
let dataDir = null;

function report(ok, sentence, detail) {
  if (finishing) {
    return; // the summary line is being written
  }
  if (ok) {
    passed += 1;
    console.log(`ok - ${sentence}`);
  } else {
    failed += 1;
    console.log(`not ok - ${sentence}`);
    if (detail) {
      for (const line of String(detail).split('\n').slice(0, 6)) {
        console.log(`#   ${line}`);
      }
    }
  }
}

// Runs one check: fn returns nothing (pass), or throws (fail).
async function check(sentence, fn) {
  try {
    await fn();
    report(true, sentence);
    return true;
  } catch (err) {
    report(false, sentence, err && err.message ? err.message : err);
    return false;
  }
}

function assert(cond, message) {
  if (!cond) {
    throw new Error(message);
  }
}

let cleaning = null;

// Closes the browser, stops the server we started and removes temporary
// directories. Safe to call more than once.
function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      if (context) {
        await context.close().catch(() => {});
      }
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      }
      for (const dir of [dataDir, userDataDir]) {
        if (dir) {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    })();
  }
  return cleaning;
}

let finishing = false;

async function finish() {
  if (finishing) {
    return;
  }
  finishing = true;
  await cleanup();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    await cleanup();
    process.exit(1);
  });
}
process.stdout.on('error', async () => {
  // the reader went away (e.g. piped into head): still stop the server
  await cleanup();
  process.exit(1);
});

const budget = setTimeout(async () => {
  report(false, `the whole run finished within ${TOTAL_BUDGET_MS / 1000} s`);
  await finish();
}, TOTAL_BUDGET_MS);
budget.unref();

// Starts the server binary and resolves with the URL it prints.
function startServer(bin) {
  return new Promise((resolve, reject) => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faqbot-data-'));
    const child = spawn(bin, ['serve', '--port', '0', '--web', 'web', '--data', dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "open http://..." line from ${bin} within 10 s:\n${seen}`)), 10000);
    const onData = (buf) => {
      seen += buf.toString();
      const m = seen.match(/open (https?:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited with ${code}:\n${seen}`));
    });
  });
}

async function baseUrl() {
  if (process.env.FAQBOT_URL) {
    return process.env.FAQBOT_URL;
  }
  const bin = process.env.FAQBOT_BIN || path.join(ROOT, 'build', 'default', 'faqbot');
  if (!fs.existsSync(bin)) {
    throw new Error(`set FAQBOT_URL to the server's base URL (or build ${path.relative(ROOT, bin)})`);
  }
  return startServer(bin);
}

const W = {
  launcher: '.fqb-launcher',
  panel: '.fqb-panel',
  input: '.fqb-input',
  send: '.fqb-send',
  human: '.fqb-human',
  welcome: '.fqb-row[data-kind="welcome"]',
  suggestion: '.fqb-suggestions .fqb-chip',
  customer: '.fqb-row-customer',
  answer: '.fqb-row[data-kind="answer"]',
};

async function widgetOpen(page) {
  return page.locator(W.panel).isVisible();
}

async function ensureOpen(page) {
  await page.locator(W.launcher).waitFor({ state: 'visible', timeout: STEP_MS });
  if (!(await widgetOpen(page))) {
    await page.locator(W.launcher).click();
  }
  await page.locator(W.panel).waitFor({ state: 'visible', timeout: STEP_MS });
}

async function ask(page, text) {
  const before = await page.locator(W.answer).count();
  await page.locator(W.input).fill(text);
  await page.locator(W.input).press('Enter');
  await page.locator(W.customer).filter({ hasText: text }).last().waitFor({ timeout: STEP_MS });
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel).length > n,
    [W.answer, before],
    { timeout: STEP_MS },
  );
  const last = page.locator(W.answer).last();
  const reply = (await last.locator('.fqb-text').innerText()).trim();
  assert(reply.length > 0, 'the answer has no text');
  assert((await last.locator('.fqb-fb').count()) === 2, 'the answer has no 👍/👎 buttons');
  return reply;
}

async function shot(page, name) {
  await page.waitForTimeout(350); // let entry animations settle
  await page.screenshot({ path: path.join(OUT, name) });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  let base;
  const haveServer = await check('the faqbot server is reachable', async () => {
    base = await baseUrl();
    base = base.replace(/\/+$/, '') + '/';
  });
  if (!haveServer) {
    return;
  }

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faqbot-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
  });

  const problems = [];
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText || ''}`));
  page.setDefaultTimeout(STEP_MS);

  await check('the demo shop home page loads with the widget launcher', async () => {
    const res = await page.goto(base, { waitUntil: 'load', timeout: STEP_MS });
    assert(res && res.ok(), `GET ${base} returned ${res && res.status()}`);
    assert((await page.locator('body').getAttribute('data-scene')) === 'home', 'body has no data-scene="home"');
    await page.locator(W.launcher).waitFor({ state: 'visible' });
    const pos = await page.locator('.fqb-root').evaluate((e) => getComputedStyle(e).position);
    assert(pos === 'fixed', `faqbot.css is not applied (root position ${pos})`);
  });

  await check('the widget opens and shows the welcome greeting with suggestions', async () => {
    await ensureOpen(page);
    await page.locator(W.welcome).waitFor();
    const greeting = (await page.locator(`${W.welcome} .fqb-text`).first().innerText()).trim();
    assert(greeting.length > 0, 'empty greeting');
    const n = await page.locator(W.suggestion).count();
    assert(n > 0, 'no "you may want to ask" suggestions');
    const state = await page.locator('.fqb-status').getAttribute('data-state');
    assert(state === 'online', `status is ${state}`);
    const token = await page.evaluate(() => localStorage.getItem('faqbot.token'));
    assert(token, 'the session token was not stored in localStorage');
  });

  await check(`an English question ("${EN_QUESTION}") gets an answer`, async () => {
    await ask(page, EN_QUESTION);
  });

  await check(`a Chinese question ("${ZH_QUESTION}") gets an answer`, async () => {
    await ask(page, ZH_QUESTION);
  });

  await check('links in the conversation are http(s) only and open safely in a new tab', async () => {
    const links = await page.locator('.fqb-list a').evaluateAll((as) =>
      as.map((a) => ({ href: a.href, target: a.target, rel: a.rel })));
    for (const l of links) {
      assert(/^https?:/.test(l.href), `unsafe href ${l.href}`);
      assert(l.target === '_blank', `link ${l.href} has target "${l.target}"`);
      assert(/noopener/.test(l.rel) && /noreferrer/.test(l.rel), `link ${l.href} has rel "${l.rel}"`);
    }
  });

  await check('the open widget is captured at 1280x800 (widget-desktop-en.png)', async () => {
    await shot(page, 'widget-desktop-en.png');
  });

  await check('Escape closes the panel and returns focus to the launcher; Enter reopens it', async () => {
    await page.locator(W.input).focus();
    await page.keyboard.press('Escape');
    await page.locator(W.panel).waitFor({ state: 'hidden' });
    const onLauncher = await page.evaluate(() => document.activeElement?.classList.contains('fqb-launcher'));
    assert(onLauncher, 'focus is not on the launcher');
    await page.keyboard.press('Enter');
    await page.locator(W.panel).waitFor({ state: 'visible' });
    const onInput = await page.evaluate(() => document.activeElement?.classList.contains('fqb-input'));
    assert(onInput, 'focus is not in the message input after reopening');
  });

  await check('after a reload the conversation is restored, each message once', async () => {
    await page.reload({ waitUntil: 'load' });
    await ensureOpen(page);
    await page.locator(W.welcome).waitFor();
    await page.locator(W.customer).filter({ hasText: ZH_QUESTION }).first().waitFor();
    const en = await page.locator(W.customer).filter({ hasText: EN_QUESTION }).count();
    const zh = await page.locator(W.customer).filter({ hasText: ZH_QUESTION }).count();
    const answers = await page.locator(W.answer).count();
    const welcomes = await page.locator(W.welcome).count();
    assert(en === 1 && zh === 1, `customer messages shown ${en} and ${zh} times`);
    assert(answers >= 2, `${answers} answers restored`);
    assert(welcomes === 1, `${welcomes} greetings shown`);
  });

  await check('on a 360 px wide phone the panel fills the screen (widget-phone-en.png)', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const box = await page.locator(W.panel).boundingBox();
    assert(box && Math.round(box.width) === 360 && Math.round(box.height) === 740,
      `panel is ${box && `${box.width}x${box.height}`}`);
    const human = await page.locator(W.human).boundingBox();
    assert(human && human.x >= 0 && human.x + human.width <= 360, '"Talk to a person" is cut off');
    await shot(page, 'widget-phone-en.png');
  });

  await check('switching the shop to 中文 shows the widget in Chinese (widget-desktop-zh.png)', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('.lang-switch [data-lang="zh"]').click();
    await page.locator(W.panel).waitFor({ state: 'visible' });
    await page.locator(W.welcome).waitFor();
    const send = await page.locator(W.send).getAttribute('aria-label');
    const human = (await page.locator(W.human).innerText()).trim();
    const label = (await page.locator('.fqb-suggestions .fqb-chips-label').innerText()).trim();
    assert(send === '发送', `send button says "${send}"`);
    assert(human === '转人工', `human button says "${human}"`);
    assert(label === '您可能想问', `suggestions label says "${label}"`);
    await page.locator(W.customer).filter({ hasText: ZH_QUESTION }).first().waitFor();
    await shot(page, 'widget-desktop-zh.png');
  });

  await check('the Chinese widget is captured at 360x740 (widget-phone-zh.png)', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await shot(page, 'widget-phone-zh.png');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('.lang-switch [data-lang="en"]').click();
  });

  await check('message text is shown as text, never parsed as HTML', async () => {
    const text = '<img src=x onerror="window.__xss=1"><b>bold?</b>';
    const before = await page.locator('.fqb-row-bot').count();
    await page.locator(W.input).fill(text);
    await page.locator(W.send).click();
    const row = page.locator(W.customer).last();
    await row.waitFor();
    assert((await row.locator('.fqb-text').innerText()) === text, 'the bubble does not show the text as typed');
    assert((await page.locator('.fqb-list img, .fqb-list b').count()) === 0, 'HTML from the message was rendered');
    await page.waitForFunction(
      ([sel, n]) => document.querySelectorAll(sel).length > n,
      ['.fqb-row-bot', before],
      { timeout: STEP_MS },
    );
    assert(!(await page.evaluate(() => window.__xss)), 'script from the message ran');
  });

  await check('on the order page the widget shows that scene\'s suggestions and answers "where is my order" with the order\'s own tracking number', async () => {
    await page.goto(`${base}order.html`, { waitUntil: 'load' });
    const ctx = JSON.parse(await page.locator('body').getAttribute('data-context'));
    const tracking = ctx.order.tracking_no;
    assert(tracking === 'SF1234567890', `order.html's tracking number is ${tracking}`);
    await ensureOpen(page);
    await page.waitForFunction(
      () => [...document.querySelectorAll('.fqb-suggestions .fqb-chip')].some((b) => b.textContent === 'My order is late'),
      null,
      { timeout: STEP_MS },
    );
    const chips = await page.locator(W.suggestion).allInnerTexts();
    assert(chips.includes('Where is my order?'), `suggestions: ${chips.join(' | ')}`);
    const reply = await ask(page, 'where is my order');
    assert(reply.includes(tracking), `the answer does not give ${tracking}: ${reply}`);
    assert(reply.includes(ctx.order.id), `the answer does not name order ${ctx.order.id}: ${reply}`);
    await shot(page, 'widget-order-en.png');
  });

  await check('"Did this solve it?" under the answer: Yes thanks the customer and a one-tap survey records CSAT and CES (widget-survey-en.png)', async () => {
    const last = page.locator(W.answer).last();
    const pair = last.locator('.fqb-resolved-btn');
    assert((await pair.count()) === 2, 'no Yes / No pair under the latest answer');
    await pair.filter({ hasText: 'Yes' }).click();
    const info = page.locator('.fqb-row[data-kind="info"]').last();
    await info.locator('.fqb-survey').waitFor();
    await info.locator('.fqb-scale[data-scale="csat"] .fqb-scale-btn[data-value="5"]').click();
    await info.locator('.fqb-scale[data-scale="ces"] .fqb-scale-btn[data-value="6"]').click();
    await info.locator('.fqb-survey-thanks').waitFor({ state: 'visible' });
    assert(await last.locator('.fqb-resolved').isHidden(), 'the Yes / No pair is still shown after the choice');
    await shot(page, 'widget-survey-en.png');
  });

  await check('no console errors, page errors or CSP violations', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
}

try {
  await main();
} catch (err) {
  report(false, 'the test run completed', err && err.stack ? err.stack : err);
}
await finish();
