// The consultation, end to end: headless chromium with fake camera and
// microphone against a real klopfd (tests/browser/conf/call.conf, media
// on 127.0.0.1 inside this run's network namespace). Clerks act through
// the protocol harness; citizens and guests are browser pages. Media is
// proven by what each receiving page measures in getStats(): audio and
// video packets received and video frames decoded, rising.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Scope, stateTemplate, CLERKS, expectType, sleep } from '../proto/lib/harness.mjs';
import {
    launch, newPage, assertClean, waitText, waitTitle, axeViolations, horizontalOverflow,
    screenshot, tabTo, PHONE, BROWSER_CONF_DIR,
} from './lib/browser.mjs';
import {
    admitViaClerk, invite, joinAsGuest, received, pidOf, assertRising, waitTiles, tilePids,
    mediaInUse, localTracks, waitQuality,
} from './lib/call.mjs';

const CALL_CONF = path.join(BROWSER_CONF_DIR, 'call.conf');

// One daemon and one browser per describe; pages are closed in after().
function setup(scope, { realPermissions = false } = {}) {
    const env = { pages: [], browsers: [] };
    before(async () => {
        const template = await stateTemplate(CALL_CONF, CLERKS);
        env.daemon = await scope.start({ conf: CALL_CONF, stateDir: scope.copy(template) });
        env.origin = `http://127.0.0.1:${env.daemon.port}`;
        env.browser = await launch();
        env.browsers.push(env.browser);
        if (realPermissions) {
            env.strictBrowser = await launch({ realPermissions: true });
            env.browsers.push(env.strictBrowser);
        }
    });
    after(async () => {
        for (const p of env.pages) await p.context.close().catch(() => {});
        for (const b of env.browsers) await b.close().catch(() => {});
        await scope.cleanup();
    });
    // closes the pages of the test that just ended (their media costs CPU)
    env.closePages = async () => {
        for (const p of env.pages.splice(0)) await p.context.close().catch(() => {});
    };
    env.page = async (opts = {}, browser = env.browser) => {
        const p = await newPage(browser, env.origin, opts);
        env.pages.push(p);
        return p;
    };
    env.clerk = (name) => scope.clerk(env.daemon.port, name, CLERKS[name].password);
    return env;
}

describe('a consultation: citizen, guests by invitation, another room', () => {
    const scope = new Scope();
    const env = setup(scope);
    let anna;
    let room;
    let citizen;
    let guest;
    let third;
    const pid = {};

    test('the citizen, once admitted, and a guest by invitation see and hear each other', async () => {
        anna = await env.clerk('anna');
        citizen = await env.page();
        room = await admitViaClerk(citizen.page, env.origin, anna, 'amt-a', { name: 'Aylin' });
        await waitText(citizen.page, 'h1', /^Sie sind dran!$/);
        const inv = await invite(anna, room);
        guest = await env.page();
        await joinAsGuest(guest.page, env.origin, inv, 'Frau Yilmaz');
        await waitText(guest.page, 'h1', /^Videogespräch: Amt A$/);
        await waitTitle(guest.page, /^Videogespräch: Amt A – Virtuelles Bürgerbüro$/);

        pid.guest = await pidOf(citizen.page, /^Frau Yilmaz \(Gast\)$/);
        pid.citizen = await pidOf(guest.page, /^Aylin \(Bürgerin oder Bürger\)$/);
        // over 3 seconds, in three readings
        await Promise.all([
            assertRising(citizen.page, 'citizen', { [pid.guest]: { video: true } }, { gap: 1500 }),
            assertRising(guest.page, 'guest', { [pid.citizen]: { video: true } }, { gap: 1500 }),
        ]);
        // who is in the room, in words; the connection in words
        await waitText(citizen.page, '#call-people', /Frau Yilmaz \(Gast\)/);
        await waitText(citizen.page, '#call-people', /Aylin \(Bürgerin oder Bürger\) \(Sie\)/);
        await waitText(guest.page, '#call-people', /Frau Yilmaz \(Gast\) \(Sie\)/);
        await waitQuality(citizen.page, 'good');
        await waitQuality(guest.page, 'good');
        assert.equal(await citizen.page.textContent('#call-quality'), 'Verbindung: gut');
        // the picture is on screen, not only decoded
        const size = await citizen.page.$eval(`li.tile[data-pid="${pid.guest}"] video`,
            (v) => [v.videoWidth, v.videoHeight]);
        assert.ok(size[0] > 0 && size[1] > 0, `video size ${size}`);
        await screenshot(citizen.page, 'call-citizen-desktop');
    });

    // a second room at the same time: Bernd, admitted by bert at amt-b,
    // stays in it (alone) while room 1 changes
    let bert;
    let other;
    let room2;

    async function nothingArrivesInRoom2() {
        const r = await received(other.page);
        assert.deepEqual(r.tiles, {}, 'no one of room 1 is shown in room 2');
        assert.deepEqual(r.inbound, { packets: 0, streams: 0 }, 'nothing arrives in room 2');
        assert.doesNotMatch(await other.page.textContent('#call-people'), /Aylin|Yilmaz|Nowak/);
    }

    test('another room receives nothing of this one, and this one nothing of it', async () => {
        assert.ok(pid.guest, 'needs the first test');
        bert = await env.clerk('bert');
        other = await env.page();
        room2 = await admitViaClerk(other.page, env.origin, bert, 'amt-b', { name: 'Bernd' });
        assert.notEqual(room2, room);
        await waitText(other.page, '#call-people', /^Bernd \(Bürgerin oder Bürger\) \(Sie\)$/);
        await waitText(other.page, '.alone', /Sobald jemand dazukommt/);
        await waitQuality(other.page, 'good');
        await sleep(2000);
        await nothingArrivesInRoom2();
        for (const p of [citizen, guest]) {
            assert.doesNotMatch(await p.page.textContent('#call-people'), /Bernd/);
            const x = await received(p.page);
            const shown = Object.values(x.tiles).reduce((n, t) => n + t.tracks, 0);
            assert.equal(Object.keys(x.tiles).length, 1, JSON.stringify(x.tiles));
            assert.equal(x.inbound.streams, shown, `every stream received is one shown: ${JSON.stringify(x)}`);
        }
    });

    test('a third joins and is seen by both; when they hang up the others keep their media',
        async () => {
            assert.ok(pid.guest, 'needs the first test');
            const inv = await invite(anna, room);
            third = await env.page();
            await joinAsGuest(third.page, env.origin, inv, 'Herr Nowak');
            pid.third = await pidOf(citizen.page, /^Herr Nowak \(Gast\)$/);
            await waitTiles(citizen.page, [pid.guest, pid.third]);
            await waitTiles(guest.page, [pid.citizen, pid.third]);
            await waitTiles(third.page, [pid.citizen, pid.guest]);
            await waitText(citizen.page, '#announce', /Herr Nowak \(Gast\) ist dazugekommen\./);
            await Promise.all([
                assertRising(citizen.page, 'citizen', { [pid.guest]: { video: true },
                    [pid.third]: { video: true } }),
                assertRising(guest.page, 'guest', { [pid.citizen]: { video: true },
                    [pid.third]: { video: true } }),
                assertRising(third.page, 'third', { [pid.citizen]: { video: true },
                    [pid.guest]: { video: true } }),
            ]);
            // the clerk is listed first, then the citizen, then the guests
            assert.deepEqual(await third.page.$$eval('#call li.tile .who', (els) => els.map((e) => e.textContent)),
                ['Aylin (Bürgerin oder Bürger)', 'Frau Yilmaz (Gast)']);

            await third.page.click('#call-hangup');
            await waitText(third.page, '#call-left-text', /Sie haben das Gespräch verlassen/);
            assert.equal(await third.page.isVisible('#call-rejoin'), true);
            assert.equal(await third.page.evaluate(() => document.activeElement.id), 'call-rejoin');
            assert.deepEqual(await mediaInUse(third.page), { liveTracks: [], openPcs: 0 });
            await waitTiles(citizen.page, [pid.guest]);
            await waitTiles(guest.page, [pid.citizen]);
            await waitText(citizen.page, '#announce', /Herr Nowak \(Gast\) hat das Gespräch verlassen\./);
            await Promise.all([
                assertRising(citizen.page, 'citizen', { [pid.guest]: { video: true } }),
                assertRising(guest.page, 'guest', { [pid.citizen]: { video: true } }),
            ]);
        });

    test('a tab closed without hanging up is removed from the room within 10 s', async (t) => {
        assert.ok(third, 'needs the test before');
        // the third joins again (same connection, still a guest of the room)
        await third.page.click('#call-rejoin');
        pid.third = await pidOf(citizen.page, /^Herr Nowak \(Gast\)$/);
        await waitTiles(guest.page, [pid.citizen, pid.third]);
        await assertRising(citizen.page, 'citizen', { [pid.third]: { video: true } });
        await assertClean(third, assert);
        const closed = Date.now();
        await third.context.close();
        const [a, b] = await Promise.all([
            waitTiles(citizen.page, [pid.guest], 12000),
            waitTiles(guest.page, [pid.citizen], 12000),
        ]);
        const took = Math.max(a, b) - closed;
        t.diagnostic(`a closed tab was removed after ${took} ms`);
        assert.ok(took <= 10500, `removed after ${took} ms`);
        await waitText(guest.page, '#call-people', /^(?!.*Nowak)/);
        await Promise.all([
            assertRising(citizen.page, 'citizen', { [pid.guest]: { video: true } }),
            assertRising(guest.page, 'guest', { [pid.citizen]: { video: true } }),
        ]);
    });

    test('all the while, room 2 received nothing of room 1', async () => {
        assert.ok(other, 'needs the other-room test');
        await nothingArrivesInRoom2();
        for (const p of [citizen, guest]) {
            assert.doesNotMatch(await p.page.textContent('#call-people'), /Bernd/);
        }
    });

    // klopfd must not count a subscribe leg that got no offer yet (nobody
    // else publishes) as a silent connection
    test('a citizen alone in the room for more than 10 s stays in it', async () => {
        assert.ok(other, 'needs the other-room test');
        try {
            // Bernd has been alone since the other-room test (> 10 s)
            const removed = new RegExp(`room ${room2}: participant p\\d+ removed`);
            assert.doesNotMatch(env.daemon.stderrText(), removed, 'klopfd removed the waiting citizen');
            assert.equal(await other.page.evaluate(() => window.__klopfTest.peerConnections), 2,
                'the citizen\'s page did not have to connect anew');
            const g = await env.page();
            await joinAsGuest(g.page, env.origin, await invite(bert, room2), 'Frau Weiß');
            const bernd = await pidOf(g.page, /^Bernd \(Bürgerin oder Bürger\)$/, 3000);
            await assertRising(g.page, 'guest in room 2', { [bernd]: { video: true } }, { timeout: 4000 });
        } finally {
            expectType(await bert.request({ type: 'end', room: room2 }), 'ok');
        }
    });

    test('the clerk ends the consultation: both pages say so and release camera and microphone',
        async () => {
            assert.ok(citizen && guest, 'needs the first test');
            expectType(await anna.request({ type: 'end', room }), 'ok');
            await waitText(citizen.page, 'h1', /^Das Gespräch ist beendet$/);
            await waitText(guest.page, 'h1', /^Das Gespräch ist beendet$/);
            assert.match(await guest.page.textContent('main'), /Die Sachbearbeitung hat das Gespräch beendet/);
            assert.equal(await citizen.page.locator('#call').count(), 0);
            assert.equal(await guest.page.locator('#call').count(), 0);
            for (const p of [citizen, guest]) {
                assert.deepEqual(await mediaInUse(p.page), { liveTracks: [], openPcs: 0 });
                await assertClean(p, assert);
            }
        });
});

describe('a camera or microphone refused', () => {
    const scope = new Scope();
    const env = setup(scope, { realPermissions: true });

    test('camera refused: the call runs with sound only; microphone refused too: a clear message',
        async () => {
            const carla = await env.clerk('carla');
            // an anonymous office: the citizen has no name, only a role
            const citizen = await env.page({ permissions: ['microphone'] }, env.strictBrowser);
            const room = await admitViaClerk(citizen.page, env.origin, carla, 'beratung');
            await waitText(citizen.page, '#call-notice', /Kamera nicht erlaubt\. Das Gespräch läuft nur mit Ton\./);
            await waitText(citizen.page, '#call-self-state', /^Sie – nur Ton$/);
            assert.equal(await citizen.page.isVisible('#call-cam'), false);
            assert.equal(await citizen.page.isVisible('#call-mic'), true);
            assert.equal(await citizen.page.isVisible('#call-retry-media'), true);
            assert.deepEqual((await localTracks(citizen.page)).map((x) => x.kind), ['audio']);

            const guest = await env.page();
            await joinAsGuest(guest.page, env.origin, await invite(carla, room), 'Frau Yilmaz');
            const citizenPid = await pidOf(guest.page, /^Bürgerin oder Bürger$/);
            const guestPid = await pidOf(citizen.page, /^Frau Yilmaz \(Gast\)$/);
            await waitText(guest.page, `li.tile[data-pid="${citizenPid}"] .caption`, /nur Ton/);
            await Promise.all([
                assertRising(guest.page, 'guest', { [citizenPid]: { video: false } }),
                assertRising(citizen.page, 'citizen', { [guestPid]: { video: true } }),
            ]);

            // a second guest refuses both: sees and hears the others, says
            // why. (Refused in the page: chromium without any media
            // permission gathers ICE candidates on the default route only,
            // and this network namespace has none.)
            const mute = await env.page();
            await mute.context.addInitScript(() => {
                navigator.mediaDevices.getUserMedia = () => Promise.reject(
                    new DOMException('Permission denied', 'NotAllowedError'));
            });
            await joinAsGuest(mute.page, env.origin, await invite(carla, room), 'Herr Stumm');
            await waitText(mute.page, '#call-notice', /Mikrofon nicht erlaubt\. Sie sehen und hören die anderen, aber niemand hört Sie\./);
            assert.equal(await mute.page.isVisible('#call-mic'), false);
            assert.equal(await mute.page.isVisible('#call-retry-media'), true);
            await waitText(mute.page, '#call-self-state', /ohne Kamera und Mikrofon/);
            await assertRising(mute.page, 'mute guest', { [citizenPid]: { video: false },
                [guestPid]: { video: true } });
            const mutePid = await pidOf(guest.page, /^Herr Stumm \(Gast\)$/);
            await waitText(guest.page, `li.tile[data-pid="${mutePid}"] .caption`, /ohne Bild und Ton/);
            for (const p of [citizen, guest, mute]) await assertClean(p, assert);

            // the connection in words while klopfd hangs for a moment
            process.kill(env.daemon.pid, 'SIGSTOP');
            try {
                await waitQuality(citizen.page, 'down', 8000);
                assert.equal(await citizen.page.textContent('#call-quality'), 'Verbindung: unterbrochen');
                assert.equal(await citizen.page.isVisible('#call-reconnect'), true);
            } finally {
                process.kill(env.daemon.pid, 'SIGCONT');
            }
            await waitQuality(citizen.page, 'good', 10000);
            assert.equal(await citizen.page.isVisible('#call-reconnect'), false);
            expectType(await carla.request({ type: 'end', room }), 'ok');
            await waitText(mute.page, 'h1', /^Das Gespräch ist beendet$/);
        });
});

describe('the consultation view: buttons, keyboard, languages, phone size', () => {
    const scope = new Scope();
    const env = setup(scope);
    afterEach(() => env.closePages());

    // The energy of what the guest hears from pid (grows while sound comes).
    function energyFrom(page, pid) {
        return page.evaluate(async (p) => {
            const v = document.querySelector(`li.tile[data-pid="${p}"] video`);
            const ids = new Set((v?.srcObject?.getAudioTracks() ?? []).map((t) => t.id));
            let energy = 0;
            for (const pc of window.__klopfTest.pcs) {
                if (pc.signalingState === 'closed') continue;
                (await pc.getStats()).forEach((s) => {
                    if (s.type === 'inbound-rtp' && ids.has(s.trackIdentifier)) energy += s.totalAudioEnergy ?? 0;
                });
            }
            return energy;
        }, pid);
    }

    test('keyboard only on a phone, in English: mute, camera, hang up, join again', async () => {
        const anna = await env.clerk('anna');
        const citizen = await env.page({ viewport: PHONE, locale: 'en-GB' });
        const room = await admitViaClerk(citizen.page, env.origin, anna, 'amt-a',
            { name: 'Aylin', lang: 'en' });
        await waitText(citizen.page, '#call-heading', /^Video consultation$/);
        const guest = await env.page({ viewport: PHONE });
        await joinAsGuest(guest.page, env.origin, await invite(anna, room), 'Frau Yilmaz',
            { lang: 'en' });
        await waitText(guest.page, 'h1', /^Video consultation: Office A$/);
        const guestPid = await pidOf(citizen.page, /^Frau Yilmaz \(Guest\)$/);
        const citizenPid = await pidOf(guest.page, /^Aylin \(Citizen\)$/);
        await assertRising(guest.page, 'guest', { [citizenPid]: { video: true } });
        await waitQuality(citizen.page, 'good');
        await waitText(citizen.page, '#call-quality', /^Connection: good$/);

        // phone size: no sideways scrolling, the remote picture fills the width
        for (const p of [citizen, guest]) {
            const o = await horizontalOverflow(p.page);
            assert.equal(o.overflow, false, JSON.stringify(o));
            assert.deepEqual(await axeViolations(p.page), []);
        }
        const tileBox = await citizen.page.locator(`li.tile[data-pid="${guestPid}"]`).boundingBox();
        assert.ok(tileBox.width >= 300, `remote tile ${JSON.stringify(tileBox)}`);
        const selfBox = await citizen.page.locator('#call-self').boundingBox();
        assert.ok(selfBox.width < tileBox.width / 2, `own picture small: ${JSON.stringify(selfBox)}`);
        await screenshot(citizen.page, 'call-citizen-phone-en');
        await screenshot(guest.page, 'call-guest-phone-en');

        // the microphone, by keyboard: pressed, the track disabled, said aloud
        const before = await energyFrom(guest.page, citizenPid);
        await sleep(2000);
        const during = await energyFrom(guest.page, citizenPid);
        assert.ok(during > before, `the guest hears the citizen: ${before} → ${during}`);
        await tabTo(assert, citizen.page, '#call-mic');
        assert.equal(await citizen.page.getAttribute('#call-mic', 'aria-pressed'), 'false');
        await citizen.page.keyboard.press('Space');
        assert.equal(await citizen.page.getAttribute('#call-mic', 'aria-pressed'), 'true');
        assert.equal(await citizen.page.textContent('#call-mic'), 'Mute');
        await waitText(citizen.page, '#announce', /^Your microphone is off\. The others cannot hear you\.$/);
        await waitText(citizen.page, '#call-self-state', /^You – muted$/);
        assert.deepEqual(await localTracks(citizen.page), [
            { kind: 'audio', enabled: false }, { kind: 'video', enabled: true }]);
        // the guest hears silence now (energy stops growing)
        await sleep(1000);
        const m1 = await energyFrom(guest.page, citizenPid);
        await sleep(2000);
        const m2 = await energyFrom(guest.page, citizenPid);
        assert.ok(m2 - m1 < (during - before) / 10,
            `sound still arrives while muted: ${m1} → ${m2} (before: ${before} → ${during})`);
        await citizen.page.keyboard.press('Enter');
        assert.equal(await citizen.page.getAttribute('#call-mic', 'aria-pressed'), 'false');
        await waitText(citizen.page, '#announce', /^Your microphone is on again\.$/);

        await tabTo(assert, citizen.page, '#call-cam');
        await citizen.page.keyboard.press('Enter');
        assert.equal(await citizen.page.getAttribute('#call-cam', 'aria-pressed'), 'true');
        await waitText(citizen.page, '#announce', /^Your camera is off\. The others cannot see you\.$/);
        assert.deepEqual(await localTracks(citizen.page), [
            { kind: 'audio', enabled: true }, { kind: 'video', enabled: false }]);
        await citizen.page.keyboard.press('Enter');
        assert.equal(await citizen.page.getAttribute('#call-cam', 'aria-pressed'), 'false');

        // hang up and join again, by keyboard
        await tabTo(assert, citizen.page, '#call-hangup');
        await citizen.page.keyboard.press('Enter');
        await waitText(citizen.page, '#call-left-text', /^You have left the consultation\./);
        assert.equal(await citizen.page.evaluate(() => document.activeElement.id), 'call-rejoin');
        await waitTiles(guest.page, []);
        assert.deepEqual(await axeViolations(citizen.page), []);
        await citizen.page.keyboard.press('Enter');
        await waitTiles(citizen.page, [guestPid]);
        const newPid = await pidOf(guest.page, /^Aylin \(Citizen\)$/);
        await Promise.all([
            assertRising(guest.page, 'guest', { [newPid]: { video: true } }),
            assertRising(citizen.page, 'citizen', { [guestPid]: { video: true } }),
        ]);
        assert.equal(await tilePids(citizen.page).then((x) => x.length), 1);

        // a reload in the middle of the call: back in it, without a click
        // (the browser may hold the sound back until one: then a button says so)
        await citizen.page.reload();
        await citizen.page.locator('#call').waitFor();
        const againPid = await pidOf(guest.page, /^Aylin \(Citizen\)$/);
        assert.notEqual(againPid, newPid);
        await waitTiles(guest.page, [againPid]);
        await assertRising(citizen.page, 'citizen after reload', { [guestPid]: { video: true } });
        if (await citizen.page.isVisible('#call-sound')) {
            await citizen.page.click('#call-sound');
            assert.equal(await citizen.page.isVisible('#call-sound'), false);
        }
        assert.equal(await citizen.page.$eval(`li.tile[data-pid="${guestPid}"] video`, (v) => v.muted), false,
            'the guest is heard');
        for (const p of [citizen, guest]) await assertClean(p, assert);
        expectType(await anna.request({ type: 'end', room }), 'ok');
        await waitText(citizen.page, 'h1', /^The consultation has ended$/);
        await waitText(guest.page, 'h1', /^The consultation has ended$/);
    });

    test('TURN and STUN servers of klopfd\'s welcome reach both peer connections; the call runs',
        async () => {
            const conf = path.join(BROWSER_CONF_DIR, 'call-turn.conf');
            const daemon = await scope.start({ conf,
                stateDir: scope.copy(await stateTemplate(conf, CLERKS)) });
            const origin = `http://127.0.0.1:${daemon.port}`;
            const anna = await scope.clerk(daemon.port, 'anna', CLERKS.anna.password);
            const open = async () => {
                const p = await newPage(env.browser, origin);
                env.pages.push(p);
                return p;
            };
            const citizen = await open();
            const room = await admitViaClerk(citizen.page, origin, anna, 'amt-a', { name: 'Aylin' });
            const guest = await open();
            await joinAsGuest(guest.page, origin, await invite(anna, room), 'Frau Yilmaz');
            const citizenPid = await pidOf(guest.page, /^Aylin /);
            await assertRising(guest.page, 'guest', { [citizenPid]: { video: true } });
            for (const p of [citizen, guest]) {
                const configs = await p.page.evaluate(() => window.__klopfTest.pcs.map((pc) =>
                    pc.getConfiguration().iceServers.map((x) => ({ urls: x.urls, username: x.username }))));
                assert.equal(configs.length, 2, 'publish and subscribe');
                for (const c of configs) {
                    assert.deepEqual(c, [
                        { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'klopf' },
                        { urls: ['stun:127.0.0.1:3479'], username: '' }]);
                }
                await assertClean(p, assert);
            }
            expectType(await anna.request({ type: 'end', room }), 'ok');
            await daemon.stop();
        });

    test('the guest page asks for a name and consent; a used or unknown invitation says so',
        async () => {
            // the room of a citizen without a browser (a protocol client)
            const dora = await env.clerk('dora');
            const citizen = await scope.citizen(env.daemon.port, 'amt-b');
            const room = expectType(await dora.request({ type: 'admit', ticket: citizen.ticket.id }),
                'room').room.id;
            const inv = await invite(dora, room, 60);
            const p = await env.page({ viewport: PHONE });
            await p.page.goto(`${env.origin}${inv.path}`);
            await waitText(p.page, 'h1', /^Einladung zum Videogespräch$/);
            await waitTitle(p.page, /^Einladung zum Videogespräch – Virtuelles Bürgerbüro$/);
            assert.equal(await p.page.textContent('label[for="guest-name"]'), 'Ihr Name');
            assert.equal(await p.page.getAttribute('#guest-name', 'aria-required'), 'true');
            assert.equal(await horizontalOverflow(p.page).then((o) => o.overflow), false);
            assert.deepEqual(await axeViolations(p.page), []);
            await screenshot(p.page, 'guest-form-phone');
            // nothing filled in: both errors, focus on the name
            await p.page.click('#guest-join');
            await waitText(p.page, '#guest-name-error', /Bitte geben Sie Ihren Namen an\./);
            await waitText(p.page, '#guest-consent-error', /Ohne diese Zustimmung können Sie nicht teilnehmen/);
            assert.equal(await p.page.evaluate(() => document.activeElement.id), 'guest-name');
            assert.equal(await p.page.getAttribute('#guest-name', 'aria-invalid'), 'true');
            assert.equal(await p.page.evaluate(() => window.__klopfTest.peerConnections), 0);
            // by keyboard: name, consent, join
            await p.page.keyboard.type('Frau Yilmaz');
            await p.page.focus('#guest-consent');
            await p.page.keyboard.press('Space');
            await p.page.focus('#guest-join');
            await p.page.keyboard.press('Enter');
            await p.page.locator('#call').waitFor();
            await waitText(p.page, 'h1', /^Videogespräch: Amt B$/);
            assert.equal(await p.page.evaluate(() => document.activeElement.tagName), 'H1');
            await assertClean(p, assert);

            // the same invitation a second time, and an unknown one
            const q = await env.page();
            for (const token of [inv.token, '0'.repeat(32)]) {
                await q.page.goto(`${env.origin}/#/gast/${token}`);
                await q.page.reload();
                await q.page.fill('#guest-name', 'Noch jemand');
                await q.page.check('#guest-consent');
                await q.page.click('#guest-join');
                await waitText(q.page, '#guest-result', /Diese Einladung gilt nicht mehr/);
                assert.equal(await q.page.locator('#call').count(), 0);
                await assertClean(q, assert);
            }
            // a cut-off link
            const r = await env.page();
            await r.page.goto(`${env.origin}/?lang=en#/gast/12ab`);
            await waitText(r.page, 'h1', /^This link is incomplete$/);
            await assertClean(r, assert);
            expectType(await dora.request({ type: 'end', room }), 'ok');
        });
});
