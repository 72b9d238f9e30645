// Browser test of the hand-off: one page is a customer on the demo shop, the
// other an agent in the console at /agent/.
//
//   FAQBOT_BIN=build/default/faqbot node tests/browser/handoff.test.mjs
//
// It creates an agent with `faqbot agent add` (password on stdin) in a
// temporary data directory, starts `serve --port 0` on it, and drives
// Debian's Chromium (never downloads a browser): the customer asks the bot,
// taps "Talk to a person" and sees their place in the queue; the agent signs
// in, claims the chat and sees the case file with the answers the bot tried;
// they exchange messages (the customer sees the agent's name and typing);
// another customer leaves a message instead and gets a ticket reference, and
// with nobody online a customer gets a ticket at once. Prints "ok - ..." or
// "not ok - ..." per check, then "N passed, N failed". Screenshots go to
// tests/browser/out/.

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OUT = path.join(HERE, 'out');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BIN = process.env.FAQBOT_BIN || path.join(ROOT, 'build', 'default', 'faqbot');
const TOTAL_BUDGET_MS = 100000;
const STEP_MS = 10000;
const AGENT = { user: 'alice', password: 'alice-secret-1', name: 'Alice Chen' };

let passed = 0;
let failed = 0;
let finishing = false;
let server = null;
let browser = null;
let dataDir = null;

function report(ok, sentence, detail) {
  if (finishing) {
    return;
  }
  if (ok) {
    passed += 1;
    console.log(`ok - ${sentence}`);
  } else {
    failed += 1;
    console.log(`not ok - ${sentence}`);
    for (const line of String(detail || '').split('\n').slice(0, 6)) {
      if (line) console.log(`#   ${line}`);
    }
  }
}

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
function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      if (browser) {
        await browser.close().catch(() => {});
      }
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      if (dataDir) {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    })();
  }
  return cleaning;
}

async function finish() {
  if (finishing) {
    return;
  }
  await cleanup();
  console.log(`${passed} passed, ${failed} failed`);
  finishing = true;
  process.exit(failed > 0 ? 1 : 0);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    await cleanup();
    process.exit(1);
  });
}

const budget = setTimeout(async () => {
  report(false, `the whole run finished within ${TOTAL_BUDGET_MS / 1000} s`);
  await finish();
}, TOTAL_BUDGET_MS);
budget.unref();

function addAgent() {
  const r = spawnSync(BIN, ['agent', 'add', AGENT.user, '--team', '*', '--name', AGENT.name, '--data', dataDir], {
    cwd: ROOT,
    input: AGENT.password + '\n',
    encoding: 'utf8',
    timeout: 10000,
  });
  assert(r.status === 0, `faqbot agent add exited ${r.status}: ${r.stderr}`);
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--port', '0', '--web', 'web', '--kb', 'kb', '--intents', 'intents',
      '--data', dataDir, '--set', 'agent_grace_secs=1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "open http://..." line within 10 s:\n${seen}`)), 10000);
    const onData = (buf) => {
      seen += buf.toString();
      const m = seen.match(/open (https?:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/+$/, '') + '/');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`faqbot exited with ${code}:\n${seen}`));
    });
  });
}

const W = {
  launcher: '.fqb-launcher',
  panel: '.fqb-panel',
  input: '.fqb-input',
  human: '.fqb-human',
  answer: '.fqb-row[data-kind="answer"]',
  bar: '.fqb-handoff',
  barText: '.fqb-handoff-text',
  leave: '.fqb-leave',
  agentRow: '.fqb-row[data-kind="agent"]',
  typing: '.fqb-typing',
};

async function newPage(problems, who) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await ctx.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/WebSocket connection to .* failed|status of 401/.test(msg.text())) {
      problems.push(`${who} console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`${who} page error: ${err.message}`));
  page.setDefaultTimeout(STEP_MS);
  return page;
}

async function openWidget(page, base) {
  await page.goto(base, { waitUntil: 'load' });
  await page.locator(W.launcher).click();
  await page.locator(W.panel).waitFor({ state: 'visible' });
  await page.locator('.fqb-row[data-kind="welcome"]').waitFor();
}

async function ask(page, text) {
  const before = await page.locator(W.answer).count();
  await page.locator(W.input).fill(text);
  await page.locator(W.input).press('Enter');
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length > n, [W.answer, before]);
}

async function barSays(page, state, re) {
  await page.locator(`${W.bar}[data-state="${state}"]`).waitFor({ state: 'visible' });
  const text = (await page.locator(W.barText).innerText()).trim();
  assert(re.test(text), `the hand-off bar says "${text}"`);
  return text;
}

async function shot(page, name) {
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(OUT, name) });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faqbot-handoff-'));
  let base;
  const ready = await check('an agent is created with faqbot agent add and the server starts', async () => {
    assert(fs.existsSync(BIN), `no binary at ${BIN}`);
    addAgent();
    base = await startServer();
  });
  if (!ready) {
    return;
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const problems = [];
  const agent = await newPage(problems, 'agent');
  const customer = await newPage(problems, 'customer');

  await check('the agent signs in to the console at /agent/ and sees an empty queue', async () => {
    await agent.goto(base + 'agent/', { waitUntil: 'load' });
    await agent.locator('#signin-view').waitFor({ state: 'visible' });
    await agent.locator('#username').fill(AGENT.user);
    await agent.locator('#password').fill(AGENT.password);
    await agent.locator('#signin-submit').click();
    await agent.locator('#desk-view').waitFor({ state: 'visible' });
    await agent.waitForFunction(() => document.getElementById('conn').dataset.state === 'on');
    assert((await agent.locator('#me-name').innerText()).trim() === AGENT.name, 'the console does not show the name');
    await shot(agent, 'handoff-agent-empty.png');
  });

  await check('the customer asks the bot, then taps "Talk to a person" and sees their place and an honest wait',
    async () => {
      await openWidget(customer, base);
      await ask(customer, 'how long does delivery take');
      await customer.locator(W.human).click();
      const text = await barSays(customer, 'queued', /number 1 in the queue/);
      assert(/more than 10 minutes/.test(text), `no honest wait in "${text}"`);
      await customer.locator(W.leave).waitFor({ state: 'visible' });
      assert(!(await customer.locator(W.human).isEnabled()) || !(await customer.locator(W.human).isVisible()),
        'the button still asks for a person while queued');
      await shot(customer, 'handoff-customer-queued.png');
    });

  await check('the agent sees the chat waiting, claims it and gets the case file with the answers the bot tried',
    async () => {
      await agent.locator('.ac-waiting').first().waitFor();
      await agent.locator('.ac-waiting button').first().click();
      await agent.locator('#case').waitFor({ state: 'visible' });
      const answers = await agent.locator('#case-answers').innerText();
      assert(/shipping-time/.test(answers), `the case file's answers: ${answers}`);
      const transcript = await agent.locator('#transcript').innerText();
      assert(/how long does delivery take/.test(transcript), `the transcript: ${transcript}`);
      const summary = await agent.locator('#chat-summary').innerText();
      assert(/asked for a person/i.test(summary), `the summary: ${summary}`);
      await shot(agent, 'handoff-agent-case-file.png');
    });

  await check('the customer sees the agent join, typing, and the agent\'s message with their name', async () => {
    await barSays(customer, 'assigned', new RegExp(AGENT.name));
    await agent.locator('#reply').fill('Hi, I am Alice.');
    await customer.locator(`${W.typing}:not([hidden])`).waitFor();
    const who = (await customer.locator(W.typing).innerText()).trim();
    assert(new RegExp(AGENT.name).test(who), `typing says "${who}"`);
    await agent.locator('#reply').fill('Hi, I am Alice. Your parcel leaves our warehouse today.');
    await agent.locator('#send').click();
    const row = customer.locator(W.agentRow).last();
    await row.waitFor();
    assert(/leaves our warehouse today/.test(await row.innerText()), 'the agent\'s message is not shown');
    assert(new RegExp(AGENT.name).test(await row.innerText()), 'the agent\'s message does not say who wrote it');
  });

  await check('the customer answers, the agent reads it, and the bot stays silent', async () => {
    const answers = await customer.locator(W.answer).count();
    await customer.locator(W.input).fill('Great, thank you!');
    await customer.locator(W.input).press('Enter');
    await agent.locator('#transcript li').filter({ hasText: 'Great, thank you!' }).waitFor();
    await customer.waitForTimeout(1200);
    assert((await customer.locator(W.answer).count()) === answers, 'the bot answered while a person had the chat');
    await shot(customer, 'handoff-customer-chat.png');
    await shot(agent, 'handoff-agent-chat.png');
  });

  await check('the agent closes the chat; the customer is back with the assistant', async () => {
    await agent.locator('#resolution').selectOption('solved');
    await agent.locator('#close-chat').click();
    await agent.locator('#chat-none').waitFor({ state: 'visible' });
    await customer.locator(`${W.bar}:not([hidden])`).waitFor({ state: 'hidden' });
    assert(await customer.locator(W.human).isEnabled(), 'the "Talk to a person" button is not back');
  });

  const second = await newPage(problems, 'customer 2');
  await check('a queued customer can leave a message instead and gets a ticket reference', async () => {
    await openWidget(second, base);
    await second.locator(W.human).click();
    await barSays(second, 'queued', /number 1/);
    await second.locator(W.leave).click();
    const text = await barSays(second, 'ticket', /T-[2-9A-Z]{6}/);
    assert(/quote/i.test(text), `the ticket text: ${text}`);
    await shot(second, 'handoff-customer-ticket.png');
  });

  await check('with no agent online, "Talk to a person" gives a ticket at once', async () => {
    await agent.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = await newPage(problems, 'customer 3');
    await openWidget(third, base);
    await third.locator(W.human).click();
    await barSays(third, 'ticket', /T-[2-9A-Z]{6}/);
  });

  await check('in Chinese the hand-off speaks Chinese too (handoff-customer-zh.png)', async () => {
    const zh = await newPage(problems, 'customer zh');
    await openWidget(zh, base);
    await zh.locator('.lang-switch [data-lang="zh"]').click();
    await zh.locator(W.human).filter({ hasText: '转人工' }).waitFor();
    await zh.locator(W.human).click();
    await barSays(zh, 'ticket', /工单号：T-[2-9A-Z]{6}/);   /* nobody is online any more */
    const sys = (await zh.locator('.fqb-row[data-kind="system"]').last().innerText()).trim();
    assert(/现在没有客服可以即时接待/.test(sys), `the system line: ${sys}`);
    await shot(zh, 'handoff-customer-zh.png');
  });

  await check('no console errors, page errors or CSP violations on either side', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
}

main()
  .catch((err) => report(false, 'the test ran to the end', err && err.stack ? err.stack : err))
  .finally(finish);
