// Helpers for the consultation tests: admit a citizen, invite and join a
// guest, and read what each page receives, per participant, from the
// page's own RTCPeerConnections (getStats(), recorded by browser.mjs's
// init script) — media is proven by what the receiving end measures.

import assert from 'node:assert/strict';
import { expectType, sleep } from '../../proto/lib/harness.mjs';
import { knockViaForm } from './browser.mjs';

// Knocks through the page's form and lets the clerk (a harness client)
// admit the ticket. Resolves with the room id once the call view shows.
export async function admitViaClerk(page, origin, clerk, office, { name, lang } = {}) {
    await knockViaForm(page, origin, office, { name, lang });
    const add = await clerk.next('queue_add', (m) => m.office === office);
    const room = expectType(await clerk.request({ type: 'admit', ticket: add.ticket.id }), 'room');
    await page.locator('#call').waitFor({ timeout: 10000 });
    return room.room.id;
}

// The clerk invites a guest to room; resolves with the invitation reply.
export async function invite(clerk, room, ttl) {
    const req = { type: 'invite', room };
    if (ttl) req.ttl = ttl;
    const r = expectType(await clerk.request(req), 'invitation');
    assert.match(r.token, /^[0-9a-f]{32}$/);
    assert.equal(r.path, `/#/gast/${r.token}`);
    return r;
}

// Opens the invitation's path, gives the name, accepts the privacy
// notice and joins. Resolves once the call view shows.
export async function joinAsGuest(page, origin, invitation, name, { lang } = {}) {
    const url = lang ? `${origin}/?lang=${lang}${invitation.path.slice(1)}` : `${origin}${invitation.path}`;
    await page.goto(url);
    await page.locator('#guest-name').waitFor();
    await page.fill('#guest-name', name);
    await page.check('#guest-consent');
    await page.click('#guest-join');
    await page.locator('#call').waitFor({ timeout: 10000 });
}

// What the page receives, by tile: {tiles: {pid: {label, audio, video,
// frames, tracks}}, inbound: {packets, streams}} where audio and video are
// RTP packets received and frames the video frames decoded, summed over
// the tracks shown in that participant's tile; inbound counts everything
// the page's peer connections receive at all.
export function received(page) {
    return page.evaluate(async () => {
        const byTrack = new Map();
        for (const pc of window.__klopfTest.pcs) {
            if (pc.signalingState === 'closed') continue;
            const report = await pc.getStats();
            report.forEach((s) => {
                if (s.type === 'inbound-rtp') byTrack.set(s.trackIdentifier, s);
            });
        }
        const tiles = {};
        for (const li of document.querySelectorAll('#call li.tile[data-pid]')) {
            const stream = li.querySelector('video').srcObject;
            const r = { label: li.querySelector('.who').textContent, audio: 0, video: 0, frames: 0,
                tracks: 0 };
            for (const tr of stream ? stream.getTracks() : []) {
                const s = byTrack.get(tr.id);
                if (!s) continue;
                r.tracks++;
                if (s.kind === 'audio') r.audio += s.packetsReceived;
                else {
                    r.video += s.packetsReceived;
                    r.frames += s.framesDecoded ?? 0;
                }
            }
            tiles[li.dataset.pid] = r;
        }
        let packets = 0;
        byTrack.forEach((s) => { packets += s.packetsReceived; });
        return { tiles, inbound: { packets, streams: byTrack.size } };
    });
}

// The pid of the tile whose caption matches re.
export async function pidOf(page, re, timeout = 10000) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const r = await received(page);
        const hit = Object.entries(r.tiles).find(([, x]) => re.test(x.label));
        if (hit) return hit[0];
        if (Date.now() > deadline) {
            throw new Error(`no tile matching ${re}; tiles: ${JSON.stringify(r.tiles)}`);
        }
        await sleep(200);
    }
}

// Waits until every expected pid's tile receives (audio, and video with
// decoded frames unless video is false), then proves it keeps RISING:
// three readings `gap` ms apart, each larger than the one before.
// expect: {pid: {video: bool}}. Returns the last reading.
export async function assertRising(page, who, expect, { gap = 1000, timeout = 10000 } = {}) {
    const deadline = Date.now() + timeout;
    let r;
    for (;;) {
        r = await received(page);
        const ready = Object.entries(expect).every(([pid, e]) => {
            const x = r.tiles[pid];
            return x && x.audio > 0 && (!e.video || x.frames > 0);
        });
        if (ready) break;
        if (Date.now() > deadline) {
            assert.fail(`${who}: media did not arrive within ${timeout} ms: ${JSON.stringify(r)}`);
        }
        await sleep(250);
    }
    const readings = [r];
    for (let i = 0; i < 2; i++) {
        await sleep(gap);
        readings.push(await received(page));
    }
    for (const [pid, e] of Object.entries(expect)) {
        const series = readings.map((x) => x.tiles[pid]);
        const text = `${who} from ${pid}: ${JSON.stringify(series)}`;
        for (let i = 1; i < series.length; i++) {
            assert.ok(series[i], `${text}: the tile went away`);
            assert.ok(series[i].audio > series[i - 1].audio, `audio packets not rising: ${text}`);
            if (e.video) {
                assert.ok(series[i].video > series[i - 1].video, `video packets not rising: ${text}`);
                assert.ok(series[i].frames > series[i - 1].frames, `decoded frames not rising: ${text}`);
            } else {
                assert.equal(series[i].video, 0, `video where none was sent: ${text}`);
            }
        }
    }
    return readings.at(-1);
}

// The pids of the tiles a page shows, sorted.
export async function tilePids(page) {
    return (await page.$$eval('#call li.tile[data-pid]', (els) => els.map((e) => e.dataset.pid))).sort();
}

// Waits until the page shows exactly these tiles (pids, any order).
export async function waitTiles(page, pids, timeout = 10000) {
    const want = [...pids].sort();
    const deadline = Date.now() + timeout;
    for (;;) {
        const have = await tilePids(page);
        if (JSON.stringify(have) === JSON.stringify(want)) return Date.now();
        if (Date.now() > deadline) {
            throw new Error(`tiles ${JSON.stringify(have)}, wanted ${JSON.stringify(want)}`);
        }
        await sleep(100);
    }
}

// What the page still holds: camera and microphone tracks not stopped,
// and peer connections not closed.
export function mediaInUse(page) {
    return page.evaluate(() => ({
        liveTracks: window.__klopfTest.streams.flatMap((s) => s.getTracks())
            .filter((tr) => tr.readyState === 'live').map((tr) => tr.kind),
        openPcs: window.__klopfTest.pcs.filter((pc) => pc.signalingState !== 'closed').length,
    }));
}

// The page's own camera and microphone tracks still running, with their
// enabled flag: [{kind, enabled}].
export function localTracks(page) {
    return page.evaluate(() => window.__klopfTest.streams.flatMap((s) => s.getTracks())
        .filter((tr) => tr.readyState === 'live').map((tr) => ({ kind: tr.kind, enabled: tr.enabled })));
}

export async function waitQuality(page, word, timeout = 15000) {
    await page.waitForFunction((w) => document.getElementById('call-quality')?.dataset.quality === w,
        word, { timeout }).catch(async () => {
        const q = await page.evaluate(() => document.getElementById('call-quality')?.outerHTML);
        throw new Error(`quality did not become ${word}: ${q}`);
    });
}

