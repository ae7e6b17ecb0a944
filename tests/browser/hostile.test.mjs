// A consultation that is attacked: two participants (real chromium pages
// speaking the protocol directly, without the web client's view) exchange
// media through klopfd while garbage arrives at every media port klopfd
// advertised, and a third party publishes with a DTLS fingerprint that
// is not its own. The media must go on rising on both sides, nobody is
// removed, the impostor is, and klopfd keeps serving.
// Runs inside the private network namespace of tests/browser/run.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import path from 'node:path';
import crypto from 'node:crypto';

import { launch, onlyLoopback } from './lib/browser.mjs';
import { joinAndCall, received, waitFor } from './lib/rawcall.mjs';
import { TESTS_DIR, CLERKS, Scope, stateTemplate, sleep } from '../proto/lib/harness.mjs';

const CONF = path.join(TESTS_DIR, 'fixtures', 'conf', 'media-metrics.conf');

// Every port of an a=candidate line in klopfd's SDPs.
const ports = (sdps) => [...new Set(sdps.flatMap((s) =>
    [...s.matchAll(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/g)].map((m) => Number(m[1]))))];

// Datagrams an attacker might send: noise, STUN with a wrong user, RTP
// and RTCP in the clear (with a real SSRC), DTLS records, empty and
// oversized ones.
function garbage(ssrc) {
    const out = [];
    const rnd = (n) => crypto.randomBytes(n);
    out.push(Buffer.alloc(0));
    out.push(rnd(4000));
    for (let i = 0; i < 5; i++) out.push(rnd(1 + crypto.randomInt(1400)));
    const stun = Buffer.alloc(20 + 12);
    stun.writeUInt16BE(0x0001, 0);             // binding request
    stun.writeUInt16BE(12, 2);
    stun.writeUInt32BE(0x2112a442, 4);          // magic cookie
    rnd(12).copy(stun, 8);
    stun.writeUInt16BE(0x0006, 20);             // USERNAME
    stun.writeUInt16BE(8, 22);
    Buffer.from('evil:bad').copy(stun, 24);
    out.push(stun);
    const rtp = Buffer.concat([Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 1]), Buffer.alloc(4), rnd(1100)]);
    rtp.writeUInt32BE(ssrc >>> 0, 8);
    out.push(rtp);
    const rtcp = Buffer.from([0x81, 201, 0, 7, ...rnd(28)]);
    out.push(rtcp);
    out.push(Buffer.from([0x81, 206, 0, 2, 0, 0, 0, 1, ...Buffer.alloc(4)]));  // PLI in clear
    out.push(Buffer.concat([Buffer.from([0x16, 0xfe, 0xfd]), rnd(200)]));     // DTLS-ish
    out.push(Buffer.concat([Buffer.from([0x17, 0xfe, 0xfd, 0, 0]), rnd(100)]));
    return out;
}

describe('a consultation under attack', { timeout: 120000 }, () => {
    const scope = new Scope();
    let browser;
    let port;
    let room;
    let anna;
    let pages;
    let daemon;

    before(async () => {
        assert.ok(onlyLoopback(), 'run me through tests/browser/run');
        const template = await stateTemplate(CONF, CLERKS);
        const d = await scope.start({ conf: CONF, stateDir: scope.copy(template) });
        port = d.port;
        daemon = d;
        anna = await scope.clerk(port, 'anna', CLERKS.anna.password);
        const cit = await scope.citizen(port, 'amt-a', { name: 'Erika' });
        room = (await anna.request({ type: 'admit', ticket: cit.ticket.id })).room.id;
        browser = await launch();
        pages = [await browser.newPage(), await browser.newPage()];
        for (const [i, p] of pages.entries()) {
            const inv = await anna.request({ type: 'invite', room });
            await p.goto(`http://127.0.0.1:${port}/`);
            await p.evaluate(joinAndCall, { port, token: inv.token, name: `Gast ${i + 1}`, room });
        }
        for (const p of pages) {
            await waitFor('video frames decoded', async () => (await received(p)).frames > 10);
        }
    });

    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('garbage at every media port changes nothing for the participants', async () => {
        const sdps = [];
        for (const p of pages) {
            sdps.push(await p.evaluate(() => window.k.publishAnswer));
            sdps.push(...await p.evaluate(() => window.k.answers));
        }
        const targets = ports(sdps);
        assert.ok(targets.length >= 4, `media ports: ${targets}`);
        const ssrcs = [...sdps.join('\n').matchAll(/a=ssrc:(\d+) cname/g)].map((m) => Number(m[1]));
        const before = await Promise.all(pages.map(received));
        const sock = dgram.createSocket('udp4');
        let sent = 0;
        const end = Date.now() + 3000;
        while (Date.now() < end) {
            for (const port2 of targets) {
                for (const b of garbage(ssrcs[sent % ssrcs.length] || 1)) {
                    sock.send(b, port2, '127.0.0.1');
                    sent++;
                }
            }
            await sleep(5);
        }
        sock.close();
        assert.ok(sent > 5000, `sent ${sent} datagrams`);
        await sleep(2000);
        const mid = await Promise.all(pages.map(received));
        await sleep(2000);
        const after2 = await Promise.all(pages.map(received));
        for (let i = 0; i < pages.length; i++) {
            assert.equal(after2[i].pub, 'connected', `page ${i} publish`);
            assert.equal(after2[i].sub, 'connected', `page ${i} subscribe`);
            for (const k of ['audio', 'video', 'frames']) {
                assert.ok(mid[i][k] > before[i][k] && after2[i][k] > mid[i][k] + 10,
                    `page ${i} ${k}: ${before[i][k]} -> ${mid[i][k]} -> ${after2[i][k]}`);
            }
            assert.deepEqual(await pages[i].evaluate(() => window.k.participants), ['p1', 'p2']);
        }
        // and klopfd still greets a newcomer
        const c = await scope.connect(port);
        assert.equal(c.welcome.type, 'welcome');
        // /metrics counted the media
        const mport = /klopfd: metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/
            .exec(daemon.stderrText())[1];
        const text = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
        const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
        const sum = (name) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))]
            .reduce((a, m) => a + Number(m[1]), 0);
        assert.equal(value('klopf_media_rooms'), 1);
        assert.equal(value('klopf_media_participants'), 2);
        assert.ok(value('klopf_media_rtp_forwarded_total') > 1000, 'forwarded');
        assert.ok(value('klopf_media_forward_delay_seconds_count') > 1000, 'delays observed');
        // one packet in 64, stamped by the kernel on arrival
        assert.ok(value('klopf_media_arrival_delay_seconds_count') > 1000 / 64,
            'arrival delays sampled');
        assert.ok(value('klopf_media_remb_total') > 0, 'REMB sent');
        // every datagram klopfd sent left its sockets
        assert.equal(value('klopf_media_send_refused_total'), 0, 'sends refused');
        // (datagrams from addresses no check has verified are dropped
        // before klopfd's counters, by libnice or, once a connection is
        // up, by ice.c, so the garbage does not even count)
        assert.ok(sum('klopf_media_peer_rx_packets_total') > 1000,
            text.split('\n').filter((l) => l.includes('peer_rx_packets')).join('\n'));
    });

    test('a participant whose DTLS certificate is not the one it announced is dropped and gets nothing', async () => {
        const p3 = await browser.newPage();
        const inv = await anna.request({ type: 'invite', room });
        await p3.goto(`http://127.0.0.1:${port}/`);
        await p3.evaluate(joinAndCall, { port, token: inv.token, name: 'Mallory', room, badFingerprint: true });
        // it is listed at first, then dropped when the handshake shows the
        // certificate does not match
        await waitFor('the impostor listed, then removed', async () => {
            const ks = await Promise.all(pages.map((p) => p.evaluate(
                () => ({ seen: window.k.seen, participants: window.k.participants }))));
            return ks.every((k) => k.seen.includes('p3') && k.participants.length === 2
                && !k.participants.includes('p3'));
        }, 15000);
        const got = await received(p3);
        assert.equal(got.audio + got.video, 0, 'the impostor received no media');
        const before = await Promise.all(pages.map(received));
        await sleep(1500);
        const after2 = await Promise.all(pages.map(received));
        for (let i = 0; i < pages.length; i++) {
            assert.ok(after2[i].frames > before[i].frames, `page ${i} still decodes video`);
        }
        await p3.close();
    });
});
