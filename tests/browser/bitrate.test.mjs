// klopfd's REMB holds a publisher to the office's bitrate cap: at an
// office with bitrate_kbps = 100 the browser's video settles near it,
// where an uncapped chromium starts at 300 kbit/s and climbs. And the
// receiver reports klopfd sends let the publisher measure the round trip.
// Runs inside the private network namespace of tests/browser/run.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { launch, onlyLoopback } from './lib/browser.mjs';
import { joinAndCall, received, waitFor, videoBytesSent } from './lib/rawcall.mjs';
import { TESTS_DIR, CLERKS, Scope, stateTemplate, sleep } from '../proto/lib/harness.mjs';

const CONF = path.join(TESTS_DIR, 'fixtures', 'conf', 'media-cap.conf');
const scope = new Scope();
let browser;
after(async () => {
    await browser?.close();
    await scope.cleanup();
});

test('a publisher at an office capped at 100 kbit/s sends about that much video', { timeout: 90000 }, async () => {
    assert.ok(onlyLoopback(), 'run me through tests/browser/run');
    const template = await stateTemplate(CONF, CLERKS);
    const d = await scope.start({ conf: CONF, stateDir: scope.copy(template) });
    const anna = await scope.clerk(d.port, 'anna', CLERKS.anna.password);
    const cit = await scope.citizen(d.port, 'amt-a', { name: 'Erika' });
    const room = (await anna.request({ type: 'admit', ticket: cit.ticket.id })).room.id;
    browser = await launch();
    const pages = [await browser.newPage(), await browser.newPage()];
    for (const [i, p] of pages.entries()) {
        const inv = await anna.request({ type: 'invite', room });
        await p.goto(`http://127.0.0.1:${d.port}/`);
        await p.evaluate(joinAndCall, { port: d.port, token: inv.token, name: `Gast ${i}`, room });
    }
    await waitFor('video', async () => (await received(pages[1])).frames > 5);
    await sleep(6000);      // REMB once a second; let the encoder settle
    const b0 = await videoBytesSent(pages[0]);
    const t0 = Date.now();
    await sleep(5000);
    const kbps = ((await videoBytesSent(pages[0])) - b0) * 8 / (Date.now() - t0);
    assert.ok(kbps < 160, `video at ${kbps.toFixed(0)} kbit/s, cap 100`);
    assert.ok(kbps > 20, `video at ${kbps.toFixed(0)} kbit/s: nothing sent?`);
    const rtt = await pages[0].evaluate(async () => {
        let r = null;
        (await window.k.pub.getStats()).forEach((s) => {
            if (s.type === 'remote-inbound-rtp' && s.roundTripTime !== undefined) r = s.roundTripTime;
        });
        return r;
    });
    assert.ok(rtt !== null && rtt >= 0 && rtt < 0.5, `round trip from klopfd's receiver reports: ${rtt}`);
});
