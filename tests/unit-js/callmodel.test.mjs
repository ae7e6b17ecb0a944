import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
    offerQueue, offerArrived, offerTake, offerDone, tilesFrom, peopleFrom, participantChanges,
    participantLabel, statsSample, rawQuality, steadyQuality, QUALITY, deviceProblem, mediaOutcome,
    validateJoin, INVITATION, callRefusalKey, reconnectStep, RECONNECT,
} from '../../webclient/js/callmodel.js';
import { de, en } from './lib.mjs';

const offer = (version, sdp = `v=0 #${version}`) => ({ type: 'subscribe_offer', room: 7, version, sdp });

describe('subscribe offers: the newest version wins', () => {
    test('the first offer is taken and answered', () => {
        let s = offerQueue();
        let r = offerArrived(s, offer(1));
        assert.equal(r.accepted, true);
        s = r.state;
        const taken = offerTake(s);
        assert.equal(taken.offer.version, 1);
        assert.equal(taken.offer.sdp, 'v=0 #1');
        s = offerDone(taken.state, 1);
        assert.deepEqual(s, { applied: 1, pending: null, busy: 0 });
        r = offerArrived(s, offer(1));
        assert.equal(r.accepted, false, 'the same version again is dropped');
    });

    test('while one is answered, a newer one waits; an even newer one replaces it', () => {
        let s = offerArrived(offerQueue(), offer(1)).state;
        const t1 = offerTake(s);
        s = t1.state;
        s = offerArrived(s, offer(2)).state;
        assert.equal(offerTake(s).offer, null, 'nothing new starts while busy');
        s = offerArrived(s, offer(3)).state;
        assert.equal(s.pending.version, 3);
        s = offerDone(s, 1);
        const t3 = offerTake(s);
        assert.equal(t3.offer.version, 3, 'version 2 was never answered');
        s = offerDone(t3.state, 3);
        assert.equal(s.applied, 3);
        assert.equal(offerTake(s).offer, null);
    });

    test('an older offer arriving late is dropped, also behind a pending one', () => {
        let s = offerArrived(offerQueue(), offer(5)).state;
        assert.equal(offerArrived(s, offer(4)).accepted, false);
        s = offerDone(offerTake(s).state, 5);
        assert.equal(offerArrived(s, offer(2)).accepted, false);
        assert.equal(offerArrived(s, offer(6)).accepted, true);
    });

    test('malformed offers are dropped', () => {
        const s = offerQueue();
        for (const bad of [null, {}, { version: 0, sdp: 'x' }, { version: 1.5, sdp: 'x' },
            { version: '2', sdp: 'x' }, { version: 2 }, { version: -1, sdp: 'x' }]) {
            const r = offerArrived(s, bad);
            if (bad && bad.version === '2') {
                // a numeric string is read as its number
                assert.equal(r.accepted, true);
            } else {
                assert.equal(r.accepted, false, JSON.stringify(bad));
                assert.equal(r.state, s);
            }
        }
    });

    test('a done for another version than the busy one changes nothing', () => {
        let s = offerTake(offerArrived(offerQueue(), offer(2)).state).state;
        assert.equal(offerDone(s, 1), s);
        s = offerDone(s, 2);
        assert.equal(s.busy, 0);
    });
});

const clerk = { pid: 'p1', role: 'clerk', name: 'Anna Beispiel', audio: true, video: true };
const citizen = { pid: 'p2', role: 'citizen', name: 'Aylin', audio: true, video: true };
const anonymous = { pid: 'p5', role: 'citizen', audio: true, video: false };
const guest = { pid: 'p3', role: 'guest', name: 'Frau Yilmaz', audio: true, video: true };
const guest2 = { pid: 'p4', role: 'guest', name: 'Herr Nowak', audio: false, video: false };

describe('participants', () => {
    test('a name with its role, or the role alone (anonymous office)', () => {
        assert.equal(participantLabel(clerk, de), 'Anna Beispiel (Sachbearbeitung)');
        assert.equal(participantLabel(anonymous, de), 'Bürgerin oder Bürger');
        assert.equal(participantLabel(guest, en), 'Frau Yilmaz (Guest)');
        assert.equal(participantLabel({ pid: 'x', role: 'martian', name: '  ' }, de), 'Gast',
            'an unknown role reads as guest, a blank name as none');
    });

    test('tiles: everyone but me, the clerk first and large, guests in klopfd\'s order', () => {
        const tiles = tilesFrom([guest, citizen, guest2, clerk], 'p2', de);
        assert.deepEqual(tiles.map((x) => x.pid), ['p1', 'p3', 'p4']);
        assert.deepEqual(tiles.map((x) => x.main), [true, false, false]);
        assert.equal(tiles[0].label, 'Anna Beispiel (Sachbearbeitung)');
        assert.equal(tiles[0].note, '');
        assert.equal(tiles[2].note, 'ohne Bild und Ton');
        assert.equal(tiles[2].audio, false);
    });

    test('tiles: without a clerk the citizen is large; media notes in words', () => {
        const tiles = tilesFrom([guest, anonymous], 'p3', en);
        assert.deepEqual(tiles.map((x) => [x.pid, x.main, x.label, x.note]),
            [['p5', true, 'Citizen', 'sound only']]);
    });

    test('tiles: nothing usable gives no tiles', () => {
        assert.deepEqual(tilesFrom(null, 'p1', de), []);
        assert.deepEqual(tilesFrom([null, {}, { pid: '' }, 7], 'p1', de), []);
        assert.deepEqual(tilesFrom([citizen], 'p2', de), [], 'alone in the room');
    });

    test('the list of people names me last, marked', () => {
        const people = peopleFrom([citizen, clerk, guest], 'p2', de);
        assert.deepEqual(people.map((p) => [p.label, p.you]), [
            ['Anna Beispiel (Sachbearbeitung)', false],
            ['Frau Yilmaz (Gast)', false],
            ['Aylin (Bürgerin oder Bürger) (Sie)', true],
        ]);
    });

    test('who came and who went, without me', () => {
        const c = participantChanges([clerk, citizen], [citizen, guest, guest2], 'p2');
        assert.deepEqual(c.joined.map((p) => p.pid), ['p3', 'p4']);
        assert.deepEqual(c.left.map((p) => p.pid), ['p1']);
        const first = participantChanges([], [clerk, citizen], 'p2');
        assert.deepEqual(first.joined.map((p) => p.pid), ['p1']);
        assert.deepEqual(participantChanges([clerk], [clerk], 'p2'), { joined: [], left: [] });
    });
});

// getStats() values as chromium reports them (only the fields used).
function report({ audio = 0, video = 0, frames = 0, lostA = 0, lostV = 0, rtt = 0.002,
    fractionLost = 0, sent = 100 } = {}) {
    return {
        sub: [
            { type: 'inbound-rtp', kind: 'audio', packetsReceived: audio, packetsLost: lostA },
            { type: 'inbound-rtp', kind: 'video', packetsReceived: video, packetsLost: lostV,
                framesDecoded: frames },
            { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: rtt },
            { type: 'candidate-pair', nominated: false, state: 'waiting', currentRoundTripTime: 9 },
        ],
        pub: [
            { type: 'outbound-rtp', kind: 'audio', packetsSent: sent },
            { type: 'remote-inbound-rtp', kind: 'video', roundTripTime: rtt, fractionLost },
        ],
    };
}

function sample(at, values, states = {}) {
    return statsSample({ at, ...report(values), pubState: 'connected', subState: 'connected',
        ...states });
}

const both = { expect: { audio: true, video: true }, publishing: true };

describe('connection quality in words', () => {
    test('stats are summed per kind; the nominated pair\'s round trip counts', () => {
        const s = sample(1000, { audio: 50, video: 300, frames: 40, lostA: 1, lostV: 2, rtt: 0.05 });
        assert.equal(s.audioPackets, 50);
        assert.equal(s.videoPackets, 300);
        assert.equal(s.framesDecoded, 40);
        assert.equal(s.audioLost + s.videoLost, 3);
        assert.equal(s.rtt, 0.05);
        assert.equal(s.sentPackets, 100);
        assert.equal(s.inbound, 2);
        const empty = statsSample({ at: 0 });
        assert.equal(empty.rtt, null);
        assert.equal(empty.inbound, 0);
    });

    test('packets and frames rising, little loss, short round trip: good', () => {
        const a = sample(0, { audio: 0, video: 0, frames: 0 });
        const b = sample(2000, { audio: 100, video: 400, frames: 40 });
        assert.equal(rawQuality(a, b, both), 'good');
    });

    test('loss above 5 %, a long round trip or few frames: weak', () => {
        const a = sample(0, {});
        assert.equal(rawQuality(a, sample(2000, { audio: 90, video: 300, frames: 40, lostV: 40 }), both),
            'weak', 'loss');
        assert.equal(rawQuality(a, sample(2000, { audio: 100, video: 400, frames: 40, rtt: 0.6 }), both),
            'weak', 'round trip');
        assert.equal(rawQuality(a, sample(2000, { audio: 100, video: 400, frames: 10 }), both),
            'weak', '5 frames per second');
        assert.equal(rawQuality(a, sample(2000, { audio: 100, video: 400, frames: 40,
            fractionLost: 0.2 }), both), 'weak', 'klopfd reports loss of what this page sends');
        assert.equal(QUALITY.WEAK_LOSS, 0.05);
    });

    test('nothing arriving although others send, or a failed leg: down', () => {
        const a = sample(0, { audio: 100, video: 400, frames: 40 });
        assert.equal(rawQuality(a, sample(2000, { audio: 100, video: 400, frames: 40 }), both), 'down');
        assert.equal(rawQuality(a, sample(2000, { audio: 200, video: 800, frames: 80 },
            { pubState: 'failed' }), both), 'down');
        assert.equal(rawQuality(a, sample(2000, { audio: 200, video: 800, frames: 80 },
            { subState: 'disconnected' }), both), 'down');
    });

    test('legs not up yet: connecting; alone in the room only the publish leg counts', () => {
        assert.equal(rawQuality(null, sample(0, {}, { pubState: 'connecting' }), both), 'connecting');
        assert.equal(rawQuality(null, sample(0, {}, { subState: 'new' }), both), 'connecting');
        const alone = { expect: { audio: false, video: false }, publishing: true };
        assert.equal(rawQuality(null, sample(0, {}, { subState: 'new' }), alone), 'good');
        assert.equal(rawQuality(sample(0, {}), sample(2000, {}), alone), 'good',
            'no packets expected, none missing');
        const listening = { expect: { audio: true, video: false }, publishing: false };
        assert.equal(rawQuality(sample(0, {}), sample(2000, { audio: 100 },
            { pubState: 'new' }), listening), 'good', 'not publishing (no microphone)');
    });

    test('sound only: frames are not expected', () => {
        const audioOnly = { expect: { audio: true, video: false }, publishing: true };
        assert.equal(rawQuality(sample(0, {}), sample(2000, { audio: 100 }), audioOnly), 'good');
    });

    test('the words do not flicker: good and weak swap after two equal readings, down at once', () => {
        let s = steadyQuality(null, 'connecting');
        assert.equal(s.shown, 'connecting');
        s = steadyQuality(s, 'good');
        assert.equal(s.shown, 'good', 'from connecting at once');
        s = steadyQuality(s, 'weak');
        assert.equal(s.shown, 'good', 'one weak reading is not enough');
        s = steadyQuality(s, 'good');
        s = steadyQuality(s, 'weak');
        assert.equal(s.shown, 'good', 'the count starts again');
        s = steadyQuality(s, 'weak');
        assert.equal(s.shown, 'weak');
        s = steadyQuality(s, 'down');
        assert.equal(s.shown, 'down', 'at once');
        s = steadyQuality(s, 'good');
        assert.equal(s.shown, 'good', 'back from down at once');
    });

    test('every word has a text in German and English', () => {
        for (const w of ['connecting', 'good', 'weak', 'down']) {
            assert.ok(de.has(`call.quality.${w}`), w);
            assert.ok(en.has(`call.quality.${w}`), w);
        }
        assert.equal(de('call.quality.good'), 'Verbindung: gut');
        assert.match(de('call.quality.weak'), /^Verbindung: schwach/);
        assert.equal(de('call.quality.down'), 'Verbindung: unterbrochen');
    });
});

describe('joining anew by itself after klopfd dropped the page', () => {
    const up = { pubState: 'connected', subState: 'connected' };

    test('connected legs: never', () => {
        let s = null;
        for (let now = 0; now < 60000; now += 2000) {
            const r = reconnectStep(s, { ...up, now });
            assert.equal(r.reconnect, false);
            s = r.state;
        }
    });

    test('a failed leg: at once, then not again within the pause', () => {
        let r = reconnectStep(null, { pubState: 'failed', subState: 'connected', now: 1000 });
        assert.equal(r.reconnect, true);
        r = reconnectStep(r.state, { pubState: 'failed', subState: 'new', now: 3000 });
        assert.equal(r.reconnect, false);
        r = reconnectStep(r.state, { pubState: 'failed', subState: 'new', now: 1000 + RECONNECT.EVERY_MS });
        assert.equal(r.reconnect, true);
    });

    test('disconnected: only when it lasts; a short drop heals by itself', () => {
        let r = reconnectStep(null, { pubState: 'disconnected', subState: 'connected', now: 0 });
        assert.equal(r.reconnect, false);
        r = reconnectStep(r.state, { ...up, now: 2000 });
        assert.equal(r.state.badSince, null);
        r = reconnectStep(r.state, { pubState: 'connected', subState: 'disconnected', now: 4000 });
        r = reconnectStep(r.state, { pubState: 'connected', subState: 'disconnected', now: 6000 });
        assert.equal(r.reconnect, false, '2 s is not enough');
        r = reconnectStep(r.state, { pubState: 'connected', subState: 'disconnected', now: 8000 });
        assert.equal(r.reconnect, true, `after ${RECONNECT.AFTER_MS} ms`);
    });

    test('legs still coming up (new, connecting) are not a reason', () => {
        const r = reconnectStep(null, { pubState: 'connecting', subState: 'new', now: 99999 });
        assert.equal(r.reconnect, false);
    });
});

describe('camera and microphone', () => {
    test('errors by name', () => {
        assert.equal(deviceProblem({ name: 'NotAllowedError' }), 'denied');
        assert.equal(deviceProblem({ name: 'SecurityError' }), 'denied');
        assert.equal(deviceProblem({ name: 'NotFoundError' }), 'missing');
        assert.equal(deviceProblem({ name: 'NotReadableError' }), 'busy');
        assert.equal(deviceProblem({ name: 'TypeError' }), 'failed');
        assert.equal(deviceProblem(undefined), 'failed');
    });

    test('both granted: camera and microphone, nothing to say', () => {
        assert.deepEqual(mediaOutcome(null, null), { mode: 'av', notice: null });
    });

    test('camera refused or missing: sound only, and the page says why', () => {
        assert.deepEqual(mediaOutcome({ name: 'NotAllowedError' }, null),
            { mode: 'audio', notice: 'call.camera.denied' });
        assert.deepEqual(mediaOutcome({ name: 'NotFoundError' }, null),
            { mode: 'audio', notice: 'call.camera.missing' });
        assert.match(de('call.camera.denied'), /nur mit Ton/);
    });

    test('microphone refused as well: nothing sent, a clear message', () => {
        const r = mediaOutcome({ name: 'NotAllowedError' }, { name: 'NotAllowedError' });
        assert.deepEqual(r, { mode: 'none', notice: 'call.mic.denied' });
        assert.match(de(r.notice), /niemand hört Sie/);
        assert.match(en(r.notice), /nobody can hear you/);
    });
});

describe('the guest\'s join form', () => {
    const token = 'a'.repeat(32);

    test('a name and consent give the join message', () => {
        const v = validateJoin({ invitation: token, name: '  Frau Yilmaz ', consent: true, lang: 'en' });
        assert.deepEqual(v.errors, []);
        assert.deepEqual(v.request, { type: 'join', invitation: token, name: 'Frau Yilmaz', lang: 'en' });
    });

    test('the name is required, 64 bytes at most, without control characters', () => {
        assert.deepEqual(validateJoin({ invitation: token, name: '   ', consent: true }).errors,
            [{ field: 'name', key: 'guest.error.nameMissing' }]);
        assert.deepEqual(validateJoin({ invitation: token, name: 'ä'.repeat(33), consent: true }).errors,
            [{ field: 'name', key: 'form.error.nameLong' }]);
        assert.deepEqual(validateJoin({ invitation: token, name: 'ä'.repeat(32), consent: true }).errors, []);
        assert.deepEqual(validateJoin({ invitation: token, name: 'A\u202eB', consent: true }).errors,
            [{ field: 'name', key: 'form.error.nameChars' }]);
    });

    test('without consent nothing is sent; both errors at once', () => {
        const v = validateJoin({ invitation: token, name: '', consent: false });
        assert.equal(v.request, null);
        assert.deepEqual(v.errors.map((e) => e.field), ['name', 'consent']);
    });

    test('invitation tokens are 32 hex digits', () => {
        assert.match(token, INVITATION);
        assert.doesNotMatch('A'.repeat(32), INVITATION);
        assert.doesNotMatch('a'.repeat(31), INVITATION);
        assert.doesNotMatch('', INVITATION);
    });

    test('refusals in words', () => {
        assert.equal(callRefusalKey({ code: 'invitation_invalid' }), 'guest.refusal.invalid');
        assert.equal(callRefusalKey({ code: 'not_in_room' }), 'call.refusal.notInRoom');
        assert.equal(callRefusalKey({ code: 'bad_sdp' }), 'call.refusal.media');
        assert.equal(callRefusalKey({ code: 'bad_message', field: 'name' }), 'refusal.bad_name');
        assert.equal(callRefusalKey({ code: 'network' }), 'refusal.network');
        assert.equal(callRefusalKey({ code: 'what' }), 'refusal.internal');
        assert.match(de('guest.refusal.invalid'), /neuen Einladung/);
    });
});
