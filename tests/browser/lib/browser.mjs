// Browser test helpers: Debian's chromium driven by playwright-core
// against a real klopfd on 127.0.0.1 (see tests/proto/lib/harness.mjs).
//
// Every page opened here records what must never happen: console errors,
// uncaught exceptions, Content-Security-Policy violations, and requests to
// any origin but klopfd's own. assertClean() fails a test on any of them.
//
// These tests run only inside a private network namespace with nothing but
// loopback (tests/browser/run makes it); launch() refuses otherwise.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { TESTS_DIR } from '../../proto/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(TESTS_DIR, 'artifacts', 'browser');
export const BROWSER_CONF_DIR = path.resolve(here, '..', 'conf');

export const PHONE = { width: 360, height: 640 };
export const DESKTOP = { width: 1280, height: 900 };

// Why each flag: doc in NOTES-webrtc-and-libs.md. Fake camera and
// microphone without a permission prompt; loopback may carry WebRTC; no
// name lookups at all (use 127.0.0.1 in URLs).
export const CHROMIUM_ARGS = [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export function onlyLoopback() {
    const ifs = os.networkInterfaces();
    return Object.keys(ifs).every((name) => name === 'lo');
}

// realPermissions: without the fake permission prompt, so a context's
// permissions decide (newPage's permissions: ['microphone'] refuses the
// camera as a person would).
export async function launch({ realPermissions = false } = {}) {
    if (!onlyLoopback() && !process.env.KLOPF_BROWSER_ANY_NETWORK) {
        throw new Error('browser tests must run in a network namespace with only loopback: '
            + 'use tests/browser/run (or make check-browser)');
    }
    if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} not found: install Debian's chromium (make deps)`);
    }
    const args = realPermissions
        ? CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream') : CHROMIUM_ARGS;
    return chromium.launch({ executablePath: CHROMIUM, args, headless: true });
}

// Runs in every page before its own scripts (through the DevTools
// protocol, so the page's CSP does not apply): records CSP violations,
// every tone the page starts, and any RTCPeerConnection made (kept in
// pcs, so a test can read their getStats()).
function initScript() {
    window.__klopfTest = { csp: [], tones: [], peerConnections: 0, pcs: [] };
    document.addEventListener('securitypolicyviolation', (e) => {
        window.__klopfTest.csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    if (window.OscillatorNode) {
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args) {
            window.__klopfTest.tones.push({ freq: this.frequency.value, state: this.context.state });
            return start.apply(this, args);
        };
    }
    if (window.RTCPeerConnection) {
        const Orig = window.RTCPeerConnection;
        window.RTCPeerConnection = function (...args) {
            window.__klopfTest.peerConnections++;
            const pc = new Orig(...args);
            window.__klopfTest.pcs.push(pc);
            return pc;
        };
        window.RTCPeerConnection.prototype = Orig.prototype;
    }
    // every camera and microphone stream handed to the page
    window.__klopfTest.streams = [];
    const devices = navigator.mediaDevices;
    if (devices && devices.getUserMedia) {
        const gum = devices.getUserMedia.bind(devices);
        devices.getUserMedia = async (constraints) => {
            const stream = await gum(constraints);
            window.__klopfTest.streams.push(stream);
            return stream;
        };
    }
}

// A fresh browser context (own sessionStorage) with one page. origin:
// klopfd's http://127.0.0.1:PORT. Returns {context, page, problems,
// foreign, sockets}.
export async function newPage(browser, origin, { viewport = DESKTOP, locale = 'de-DE',
    permissions } = {}) {
    const context = await browser.newContext({ viewport, locale, timezoneId: 'Europe/Berlin',
        ...(permissions ? { permissions } : {}) });
    await context.addInitScript(initScript);
    const page = await context.newPage();
    const problems = [];
    const foreign = [];
    const sockets = [];
    page.on('console', (msg) => {
        const text = msg.text();
        if (msg.type() === 'error' || /Content Security Policy/i.test(text)) {
            problems.push(`console.${msg.type()}: ${text}`);
        }
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (req) => {
        const url = req.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (new URL(url).origin !== origin) foreign.push(url);
    });
    page.on('websocket', (ws) => {
        sockets.push(ws.url());
        const u = new URL(ws.url());
        if (`http://${u.host}` !== origin || u.pathname !== '/ws') foreign.push(ws.url());
    });
    return { context, page, problems, foreign, sockets };
}

// Fails unless the page had no console error, no uncaught exception, no
// CSP violation and no request to another origin.
export async function assertClean(p, assert) {
    let csp = [];
    let text = '';
    try {
        csp = await p.page.evaluate(() => window.__klopfTest?.csp ?? []);
        text = await p.page.evaluate(() => `${document.title}\n${document.body.innerText}`);
    } catch { /* page closed */ }
    assert.deepEqual(p.problems, [], 'console errors or page errors');
    // no half-made text: objects, undefined values, unfilled placeholders
    const broken = text.match(/\[object \w+\]|\bundefined\b|\bNaN\b|\{[a-zA-Z_]+\}/);
    assert.equal(broken, null, `the page shows broken text: ${broken?.[0]} in ${JSON.stringify(text.slice(0, 400))}`);
    assert.deepEqual(csp, [], 'Content-Security-Policy violations');
    assert.deepEqual(p.foreign, [], 'requests to other origins');
}

// axe-core (from npm, run inside the page; nothing leaves the machine).
// Returns the serious and critical violations as readable lines.
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function axeViolations(page) {
    await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
            resultTypes: ['violations'],
        });
        return r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        }));
    });
    return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
}

// Whether the page scrolls sideways.
export async function horizontalOverflow(page) {
    return page.evaluate(() => {
        const doc = document.documentElement;
        return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
            overflow: doc.scrollWidth > doc.clientWidth };
    });
}

export async function screenshot(page, name) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export function tones(page) {
    return page.evaluate(() => window.__klopfTest.tones);
}

// Knocks through the page's form: office page, optional name and topic,
// consent, submit. Resolves once the waiting room shows a position.
export async function knockViaForm(page, origin, office, { name, topic, lang } = {}) {
    await page.goto(`${origin}/${lang ? `?lang=${lang}` : ''}#/amt/${office}`);
    await page.locator('#consent').waitFor();
    if (name !== undefined) await page.fill('#name', name);
    if (topic !== undefined) await page.fill('#topic', topic);
    await page.check('#consent');
    await page.click('#knock');
    await page.locator('#position').waitFor();
}

// Waits until the text of the first element matching selector matches re;
// on timeout the error says what the element said instead.
export async function waitText(page, selector, re, timeout = 10000) {
    try {
        await page.waitForFunction(([sel, source, flags]) => {
            const el = document.querySelector(sel);
            return !!el && new RegExp(source, flags).test(el.textContent);
        }, [selector, re.source, re.flags], { timeout });
    } catch (err) {
        const actual = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? '(no element)',
            selector).catch(() => '(page gone)');
        throw new Error(`${selector} did not come to match ${re} within ${timeout} ms; `
            + `it says: ${JSON.stringify(actual)}`);
    }
}

export async function waitTitle(page, re, timeout = 10000) {
    try {
        await page.waitForFunction(([source, flags]) => new RegExp(source, flags).test(document.title),
            [re.source, re.flags], { timeout });
    } catch {
        throw new Error(`title did not come to match ${re}; it is ${JSON.stringify(await page.title())}`);
    }
}

// A mark that survives only as long as the document: proves "without
// reloading".
// Presses Tab until selector has focus, at most max times; fails if a
// stop on the way shows no visible focus (an outline of 2px or more).
export async function tabTo(assert, page, selector, max = 40) {
    for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const info = await page.evaluate((sel) => {
            const el = document.activeElement;
            const cs = getComputedStyle(el);
            return {
                match: el.matches(sel), tag: el.tagName, text: el.textContent.trim().slice(0, 40),
                outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
            };
        }, selector);
        assert.ok(info.outline, `no visible focus on ${info.tag} "${info.text}"`);
        if (info.match) return;
    }
    assert.fail(`${selector} not reached with ${max} presses of Tab`);
}

export async function markDocument(page) {
    await page.evaluate(() => { window.__klopfMark = 'same document'; });
}

export async function sameDocument(page) {
    return page.evaluate(() => window.__klopfMark === 'same document');
}
