// The media signaling of doc/media.md over the wire, against a real
// klopfd: who may publish and subscribe, what klopfd answers and offers,
// the participants list, invitations and the guest role, and bad input.
// No media flows here (node has no WebRTC); the browser tests prove the
// media. make check runs this suite inside a private network namespace
// with only loopback, since klopfd opens media ports for it.

import { test, describe, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { TESTS_DIR, CLERKS, HEX32, Scope, stateTemplate } from './lib/harness.mjs';

const CONF = path.join(TESTS_DIR, 'fixtures', 'conf', 'media.conf');
const OFFER = fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'sdp',
    'chromium-156-publish-offer.sdp'), 'utf8');
const pw = (name) => CLERKS[name].password;

let scope = new Scope();
afterEach(async () => { await scope.cleanup(); scope = new Scope(); });
after(async () => { await scope.cleanup(); });

async function fresh() {
    const template = await stateTemplate(CONF, CLERKS);
    const d = await scope.start({ conf: CONF, stateDir: scope.copy(template) });
    return d.port;
}

// A clerk at amt-a with an admitted citizen: { port, anna, citizen, room }.
async function consultation(name = 'Erika Muster') {
    const port = await fresh();
    const anna = await scope.clerk(port, 'anna', pw('anna'));
    const citizen = await scope.citizen(port, 'amt-a', { name, topic: 'Wohngeld' });
    const r = await anna.request({ type: 'admit', ticket: citizen.ticket.id });
    assert.equal(r.type, 'room', JSON.stringify(r));
    await citizen.next('ticket', (m) => m.ticket.state === 'admitted');
    return { port, anna, citizen, room: r.room.id };
}

// The Chromium offer with other SSRCs, so that a second publisher of a
// room does not collide with the first.
function offerWithSsrcs(base) {
    return OFFER.replace(/3150759376/g, String(base + 1))
        .replace(/2776221448/g, String(base + 2))
        .replace(/3157163170/g, String(base + 3));
}

const sections = (sdp) => sdp.split(/\r?\n(?=m=)/).slice(1);

describe('who may have media', () => {
    test('the welcome hands the configured TURN and STUN servers to the browser', async () => {
        const conf = path.join(TESTS_DIR, 'fixtures', 'conf', 'media-turn.conf');
        const template = await stateTemplate(conf, CLERKS);
        const d = await scope.start({ conf, stateDir: scope.copy(template) });
        const c = await scope.connect(d.port);
        assert.deepEqual(c.welcome.ice_servers, [
            { urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'],
                username: 'klopf', credential: 'geheim' },
            { urls: ['stun:stun.example.org'] }]);
        const plain = await scope.connect(await fresh());
        assert.equal(plain.welcome.ice_servers, undefined, 'none configured, none sent');
    });

    test('a waiting citizen, a stranger and another room\'s clerk get not_in_room', async () => {
        const { port, anna, room } = await consultation();
        const waiting = await scope.citizen(port, 'amt-a', { name: 'Max' });
        const stranger = await scope.connect(port);
        const bert = await scope.clerk(port, 'bert', pw('bert'));
        for (const c of [waiting, stranger, bert]) {
            for (const msg of [{ type: 'publish', room, sdp: OFFER }, { type: 'subscribe', room },
                { type: 'subscribe_answer', room, version: 1, sdp: OFFER },
                { type: 'candidate', room, leg: 'publish', candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' },
                { type: 'leave', room }]) {
                const r = await c.request(msg);
                assert.equal(r.type, 'error', `${msg.type}: ${JSON.stringify(r)}`);
                assert.equal(r.code, 'not_in_room', `${msg.type}: ${JSON.stringify(r)}`);
            }
        }
        // a room that does not exist looks the same
        const r = await anna.request({ type: 'subscribe', room: room + 1000 });
        assert.equal(r.code, 'not_in_room');
    });

    test('the citizen\'s room only: a token of one room never opens another', async () => {
        const { port, citizen, room } = await consultation();
        const dora = await scope.clerk(port, 'dora', pw('dora'));
        const other = await scope.citizen(port, 'amt-b', { name: 'Max' });
        const r2 = await dora.request({ type: 'admit', ticket: other.ticket.id });
        assert.equal(r2.type, 'room');
        assert.notEqual(r2.room.id, room);
        const r = await citizen.request({ type: 'subscribe', room: r2.room.id });
        assert.equal(r.code, 'not_in_room');
        const r3 = await other.request({ type: 'publish', room, sdp: OFFER });
        assert.equal(r3.code, 'not_in_room');
    });
});

describe('publish and subscribe', () => {
    test('klopfd answers a Chromium offer as ICE-lite, passive DTLS, on 127.0.0.1', async () => {
        const { citizen, room } = await consultation();
        const r = await citizen.request({ type: 'publish', room, sdp: OFFER });
        assert.equal(r.type, 'publish_answer', JSON.stringify(r));
        assert.equal(r.room, room);
        const sdp = r.sdp;
        assert.match(sdp, /^v=0\r\n/);
        assert.match(sdp, /\r\na=ice-lite\r\n/);
        assert.match(sdp, /\r\na=group:BUNDLE 0 1\r\n/);
        assert.match(sdp, /a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\r\n/);
        const [audio, video] = sections(sdp);
        assert.match(audio, /^m=audio 9 UDP\/TLS\/RTP\/SAVPF 111\r\n/);
        assert.match(video, /^m=video 9 UDP\/TLS\/RTP\/SAVPF 96 97\r\n/);
        for (const s of [audio, video]) {
            assert.match(s, /\r\na=setup:passive\r\n/);
            assert.match(s, /\r\na=recvonly\r\n/);
            assert.match(s, /\r\na=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host\r\n/);
            assert.doesNotMatch(s, /transport-cc/, 'klopfd sends REMB, not transport-wide feedback');
        }
        assert.doesNotMatch(sdp, /a=candidate:\S+ 1 udp \d+ (?!127\.0\.0\.1)/,
            'only the configured address is advertised');
        const p = await citizen.next('participants');
        assert.equal(p.room, room);
        assert.equal(p.you, 'p1');
        assert.deepEqual(p.participants, [{ pid: 'p1', role: 'citizen', name: 'Erika Muster',
            audio: true, video: true }]);
    });

    test('a subscriber gets an offer of the others\' tracks with stable SSRCs, cname and msid', async () => {
        const { anna, citizen, room } = await consultation();
        assert.equal((await citizen.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        const ok = await anna.request({ type: 'subscribe', room });
        assert.equal(ok.type, 'ok', JSON.stringify(ok));
        const o = await anna.next('subscribe_offer');
        assert.equal(o.room, room);
        assert.equal(o.version, 1);
        const [a, v] = sections(o.sdp);
        assert.match(o.sdp, /\r\na=ice-lite\r\n/);
        assert.match(a, /^m=audio 9 UDP\/TLS\/RTP\/SAVPF 111\r\n/);
        assert.match(a, /\r\na=sendonly\r\n/);
        assert.match(a, /\r\na=setup:actpass\r\n/);
        assert.match(a, /\r\na=ssrc:3150759376 cname:g7qg7D35EyTbpj5i\r\n/);
        assert.match(a, /\r\na=msid:p1 p1-audio-\d+\r\n/);
        assert.match(v, /^m=video 9 UDP\/TLS\/RTP\/SAVPF 96 97\r\n/);
        assert.match(v, /\r\na=ssrc-group:FID 2776221448 3157163170\r\n/);
        assert.doesNotMatch(o.sdp, /a=extmap/, 'klopfd strips every header extension on subscribe legs');
        const p = await anna.next('participants', (m) => m.participants.length === 2);
        assert.equal(p.you, 'p2');
        assert.deepEqual(p.participants.map((x) => [x.pid, x.role]), [['p1', 'citizen'], ['p2', 'clerk']]);
        assert.equal(p.participants[1].name, undefined, 'the clerk is shown by role');
    });

    test('someone who leaves: their m-lines go inactive, never reused; a newcomer gets new mids', async () => {
        const { port, anna, citizen, room } = await consultation();
        assert.equal((await anna.request({ type: 'subscribe', room })).type, 'ok');
        assert.equal((await citizen.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        const o1 = await anna.next('subscribe_offer');
        const mids1 = [...o1.sdp.matchAll(/a=mid:(\S+)/g)].map((m) => m[1]);
        assert.equal(mids1.length, 2);
        // an answer to version 1 is taken; klopfd ignores an older one
        assert.equal((await citizen.request({ type: 'leave', room })).type, 'ok');
        const o2 = await anna.next('subscribe_offer');
        assert.equal(o2.version, 2);
        for (const s of sections(o2.sdp)) {
            assert.match(s, /^m=\w+ 9 /, 'a left track\'s m-line keeps its place');
            assert.match(s, /\r\na=inactive\r\n/);
            assert.doesNotMatch(s, /a=ssrc:/);
        }
        // still bundled: a browser with max-bundle refuses lines outside the group
        assert.match(o2.sdp, new RegExp(`\r\na=group:BUNDLE ${mids1.join(' ')}\r\n`));
        const p = await anna.next('participants', (m) => m.participants.length === 1);
        assert.equal(p.participants[0].role, 'clerk');
        // an interpreter joins by invitation and publishes
        const inv = await anna.request({ type: 'invite', room });
        const guest = await scope.connect(port);
        assert.equal((await guest.request({ type: 'join', invitation: inv.token, name: 'Frau Yilmaz' })).type, 'joined');
        assert.equal((await guest.request({ type: 'publish', room, sdp: offerWithSsrcs(1000) })).type,
            'publish_answer');
        const o3 = await anna.next('subscribe_offer');
        const mids3 = [...o3.sdp.matchAll(/a=mid:(\S+)/g)].map((m) => m[1]);
        assert.equal(mids3.length, 4);
        assert.deepEqual(mids3.slice(0, 2), mids1, 'old m-lines keep their place');
        assert.ok(!mids1.includes(mids3[2]) && !mids1.includes(mids3[3]), 'new mids');
        assert.match(sections(o3.sdp)[2], /\r\na=ssrc:1001 cname:/);
        assert.match(sections(o3.sdp)[2], /\r\na=msid:p3 /);
    });

    test('a publish with another participant\'s SSRC is refused and changes nothing', async () => {
        const { port, anna, citizen, room } = await consultation();
        assert.equal((await citizen.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        const r = await anna.request({ type: 'publish', room, sdp: OFFER });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'bad_sdp');
        assert.match(r.message, /SSRC/);
        // the clerk can still publish with its own
        const r2 = await anna.request({ type: 'publish', room, sdp: offerWithSsrcs(5000) });
        assert.equal(r2.type, 'publish_answer', JSON.stringify(r2));
        assert.ok(port);
    });

    test('bad SDP gets bad_sdp with the line, too much SDP bad_message; the connection keeps working', async () => {
        const { citizen, room } = await consultation();
        const broken = OFFER.replace(/a=rtpmap:111 opus\/48000\/2/, 'a=rtpmap:111 opus/fast');
        let r = await citizen.request({ type: 'publish', room, sdp: broken });
        assert.equal(r.code, 'bad_sdp', JSON.stringify(r));
        assert.match(r.message, /^sdp:\d+: /);
        r = await citizen.request({ type: 'publish', room, sdp: 'hello' });
        assert.equal(r.code, 'bad_sdp');
        r = await citizen.request({ type: 'publish', room, sdp: OFFER + 'a=x:' + 'y'.repeat(17000) + '\r\n' });
        assert.equal(r.code, 'bad_message');
        assert.equal(r.field, 'sdp');
        r = await citizen.request({ type: 'subscribe_answer', room, version: 1, sdp: OFFER });
        assert.equal(r.code, 'not_subscribed');
        r = await citizen.request({ type: 'candidate', room, leg: 'sideways', candidate: 'x' });
        assert.equal(r.code, 'bad_message');
        r = await citizen.request({ type: 'publish', room, sdp: OFFER });
        assert.equal(r.type, 'publish_answer', 'still served after the bad messages');
    });

    test('an offer without audio or video to forward is refused with media_unavailable', async () => {
        const { citizen, room } = await consultation();
        const dataOnly = OFFER.split(/\r\n(?=m=)/)[0].replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0')
            + '\r\n' + sections(OFFER)[0].replace(/a=sendrecv|a=sendonly/, 'a=inactive');
        const r = await citizen.request({ type: 'publish', room, sdp: dataOnly });
        assert.equal(r.type, 'error', JSON.stringify(r));
        assert.ok(['media_unavailable', 'bad_sdp'].includes(r.code), r.code);
    });
});

describe('invitations and guests', () => {
    test('the clerk invites; the link works once; unknown and used tokens look the same', async () => {
        const { port, anna, citizen, room } = await consultation();
        const inv = await anna.request({ type: 'invite', room, ttl: 600 });
        assert.equal(inv.type, 'invitation', JSON.stringify(inv));
        assert.match(inv.token, HEX32);
        assert.equal(inv.path, `/#/gast/${inv.token}`);
        const now = Date.now() / 1000;
        assert.ok(Math.abs(inv.expires_at - (now + 600)) < 5, `expires_at ${inv.expires_at}`);
        const g1 = await scope.connect(port);
        const j = await g1.request({ type: 'join', invitation: inv.token, name: 'Frau Yilmaz', lang: 'tr' });
        assert.equal(j.type, 'joined', JSON.stringify(j));
        assert.equal(j.room.id, room);
        assert.equal(j.room.office, 'amt-a');
        assert.equal(j.room.office_name, 'Amt A');
        const g2 = await scope.connect(port);
        const again = await g2.request({ type: 'join', invitation: inv.token, name: 'Mallory' });
        const unknown = await g2.request({ type: 'join', invitation: '0'.repeat(32), name: 'Mallory' });
        assert.equal(again.code, 'invitation_invalid');
        assert.deepEqual({ ...unknown, id: 0, __at: 0 }, { ...again, id: 0, __at: 0 },
            'used and unknown are indistinguishable');
        // the guest takes part; the others see it by name
        assert.equal((await g1.request({ type: 'subscribe', room })).type, 'ok');
        const p = await g1.next('participants');
        assert.deepEqual(p.participants, [{ pid: 'p1', role: 'guest', name: 'Frau Yilmaz', audio: false, video: false }]);
        assert.equal((await citizen.request({ type: 'subscribe', room })).type, 'ok');
        const p2 = await citizen.next('participants', (m) => m.participants.length === 2);
        assert.equal(p2.participants[0].name, 'Frau Yilmaz');
    });

    test('only the room\'s clerk invites; a guest can do nothing else', async () => {
        const { port, anna, citizen, room } = await consultation();
        let r = await citizen.request({ type: 'invite', room });
        assert.equal(r.code, 'not_allowed');
        const bert = await scope.clerk(port, 'bert', pw('bert'));
        r = await bert.request({ type: 'invite', room });
        assert.equal(r.code, 'not_in_room');
        r = await anna.request({ type: 'invite', room, ttl: 5 });
        assert.equal(r.code, 'bad_message');
        const inv = await anna.request({ type: 'invite', room });
        const g = await scope.connect(port);
        assert.equal((await g.request({ type: 'join', invitation: inv.token, name: 'Gast' })).type, 'joined');
        for (const msg of [{ type: 'invite', room }, { type: 'end', room },
            { type: 'knock', office: 'amt-a', consent: true },
            { type: 'login', user: 'anna', password: 'x' },
            { type: 'join', invitation: inv.token, name: 'Gast' }]) {
            r = await g.request(msg);
            assert.equal(r.type, 'error', `${msg.type}: ${JSON.stringify(r)}`);
            assert.equal(r.code, 'not_allowed', `${msg.type}: ${JSON.stringify(r)}`);
        }
        r = await g.request({ type: 'join', name: 'x' });
        assert.equal(r.code, 'bad_message');
    });

    test('when the clerk ends the consultation the guest is told, media ends and invitations die', async () => {
        const { port, anna, citizen, room } = await consultation();
        const inv = await anna.request({ type: 'invite', room });
        const unused = await anna.request({ type: 'invite', room });
        const g = await scope.connect(port);
        assert.equal((await g.request({ type: 'join', invitation: inv.token, name: 'Gast' })).type, 'joined');
        assert.equal((await g.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        assert.equal((await anna.request({ type: 'end', room })).type, 'ok');
        const closed = await g.next('room_closed');
        assert.equal(closed.room, room);
        await citizen.next('ticket', (m) => m.ticket.state === 'done');
        let r = await g.request({ type: 'subscribe', room });
        assert.equal(r.code, 'not_in_room');
        const g2 = await scope.connect(port);
        r = await g2.request({ type: 'join', invitation: unused.token, name: 'Gast' });
        assert.equal(r.code, 'invitation_invalid');
    });

    test('a guest who disconnects leaves the media; the others get the new list', async () => {
        const { port, anna, room } = await consultation();
        assert.equal((await anna.request({ type: 'subscribe', room })).type, 'ok');
        const inv = await anna.request({ type: 'invite', room });
        const g = await scope.connect(port);
        assert.equal((await g.request({ type: 'join', invitation: inv.token, name: 'Gast' })).type, 'joined');
        assert.equal((await g.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        await anna.next('participants', (m) => m.participants.length === 2);
        await g.terminate();
        const p = await anna.next('participants', (m) => m.participants.length === 1);
        assert.equal(p.participants[0].role, 'clerk');
        const o = await anna.next('subscribe_offer', (m) => m.version === 2);
        assert.match(sections(o.sdp)[0], /\r\na=inactive\r\n/);
    });
});
