// Media tokens (doc/media.md, "Media tokens") against a real klopfd: the
// clerk whose room it is asks for a short-lived token, its video window
// presents it on a fresh connection and becomes a media-only member of
// that room. Single use, 60 s (moved with klopfd's --test-clock), bounded
// per clerk, void when the room ends or the session logs out; the
// media-only connection may do media in its room and nothing else.
// make check-proto runs this inside a network namespace with only
// loopback (klopfd opens media ports for the publish).

import { test, describe, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { TESTS_DIR, CLERKS, HEX32, Scope, stateTemplate } from './lib/harness.mjs';

const CONF = path.join(TESTS_DIR, 'fixtures', 'conf', 'media.conf');
const OFFER = fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'sdp',
    'chromium-156-publish-offer.sdp'), 'utf8');
const pw = (name) => CLERKS[name].password;
const TTL = 60;

let scope = new Scope();
afterEach(async () => { await scope.cleanup(); scope = new Scope(); });
after(async () => { await scope.cleanup(); });

// A klopfd with a test clock (seconds added to its time, in a file).
async function fresh() {
    const template = await stateTemplate(CONF, CLERKS);
    const clock = path.join(scope.dir(), 'clock');
    fs.writeFileSync(clock, '0\n');
    const d = await scope.start({ conf: CONF, stateDir: scope.copy(template),
        extraArgs: ['--test-clock', clock] });
    return { port: d.port, setClock: (s) => fs.writeFileSync(clock, `${s}\n`) };
}

// Anna at amt-a with an admitted citizen: { port, setClock, anna, citizen, room }.
async function consultation() {
    const k = await fresh();
    const anna = await scope.clerk(k.port, 'anna', pw('anna'));
    const citizen = await scope.citizen(k.port, 'amt-a', { name: 'Erika Muster' });
    const r = await anna.request({ type: 'admit', ticket: citizen.ticket.id });
    assert.equal(r.type, 'room', JSON.stringify(r));
    await citizen.next('ticket', (m) => m.ticket.state === 'admitted');
    await anna.next('presence', (m) => m.presence === 'in_consultation');
    return { ...k, anna, citizen, room: r.room.id };
}

async function token(clerk, room) {
    const r = await clerk.request({ type: 'media_token', room });
    assert.equal(r.type, 'media_token', JSON.stringify(r));
    return r.token;
}

// A fresh connection joined with tok: resolves with the client, the reply
// in .joined.
async function joinWindow(port, tok) {
    const v = await scope.connect(port);
    v.joined = await v.request({ type: 'media_join', token: tok });
    assert.equal(v.joined.type, 'media_joined', JSON.stringify(v.joined));
    return v;
}

// Two errors that tell the same: code and sentence.
const same = (a, b) => a.code === b.code && a.message === b.message;

describe('media tokens', () => {
    test('the room\'s clerk gets a token; a window joins with it, publishes and is the clerk', async () => {
        const { port, anna, citizen, room } = await consultation();
        const before = Date.now() / 1000;
        const r = await anna.request({ type: 'media_token', room });
        assert.equal(r.type, 'media_token', JSON.stringify(r));
        assert.equal(r.room, room);
        assert.match(r.token, HEX32);
        assert.notEqual(r.token, anna.clerk.session, 'not the session token');
        assert.ok(Math.abs(r.expires_at - (before + TTL)) < 5, `expires_at ${r.expires_at}`);
        const v = await joinWindow(port, r.token);
        // the same room object a guest gets when joining
        const inv = await anna.request({ type: 'invite', room });
        const g = await scope.connect(port);
        const j = await g.request({ type: 'join', invitation: inv.token, name: 'Gast' });
        assert.equal(j.type, 'joined');
        assert.deepEqual(v.joined.room, j.room);
        assert.deepEqual(v.joined.room, { id: room, office: 'amt-a', office_name: 'Amt A',
            office_name_en: 'Office A' });
        // it publishes and subscribes as the clerk
        const a = await v.request({ type: 'publish', room, sdp: OFFER });
        assert.equal(a.type, 'publish_answer', JSON.stringify(a));
        assert.equal(a.room, room);
        assert.match(a.sdp, /\r\na=ice-lite\r\n/);
        const p = await v.next('participants');
        assert.deepEqual(p.participants, [{ pid: p.you, role: 'clerk', audio: true, video: true }]);
        assert.equal((await v.request({ type: 'subscribe', room })).type, 'ok');
        assert.equal((await v.request({ type: 'candidate', room, leg: 'publish',
            candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' })).type, 'ok');
        assert.equal((await citizen.request({ type: 'subscribe', room })).type, 'ok');
        const o = await citizen.next('subscribe_offer');
        assert.match(o.sdp, /\r\na=ssrc:3150759376 cname:/, 'the window\'s tracks reach the citizen');
        const cp = await citizen.next('participants', (m) => m.participants.length === 2);
        assert.deepEqual(cp.participants.map((x) => x.role).sort(), ['citizen', 'clerk']);
        // the window is no second console: no queue pushes, no presence
        assert.equal(v.all.filter((m) => ['queue', 'offices', 'presence', 'welcome_clerk']
            .includes(m.type)).length, 0, JSON.stringify(v.all.map((m) => m.type)));
        await scope.citizen(port, 'amt-a', { name: 'Max' });
        await anna.next('queue_add');
        assert.equal(await v.maybe('queue_add', () => true, 300), null);
    });

    test('a token is good for one join; used and unknown ones look the same', async () => {
        const { port, anna, room } = await consultation();
        const tok = await token(anna, room);
        await joinWindow(port, tok);
        const v2 = await scope.connect(port);
        const used = await v2.request({ type: 'media_join', token: tok });
        assert.equal(used.type, 'error');
        assert.equal(used.code, 'media_token_invalid', JSON.stringify(used));
        const unknown = await v2.request({ type: 'media_join', token: 'f'.repeat(32) });
        assert.equal(unknown.code, 'media_token_invalid');
        assert.ok(same(used, unknown), `${JSON.stringify(used)} / ${JSON.stringify(unknown)}`);
        // the refused connection has no role: it cannot publish
        const r = await v2.request({ type: 'publish', room, sdp: OFFER });
        assert.equal(r.code, 'not_in_room');
        // the session token is no media token
        const s = await v2.request({ type: 'media_join', token: anna.clerk.session });
        assert.equal(s.code, 'media_token_invalid');
    });

    test('a token expires 60 s after it was made', async () => {
        const { port, setClock, anna, room } = await consultation();
        const t1 = await token(anna, room);
        const t2 = await token(anna, room);
        setClock(TTL - 5);
        await joinWindow(port, t1);
        setClock(TTL + 1);
        const v = await scope.connect(port);
        const r = await v.request({ type: 'media_join', token: t2 });
        assert.equal(r.code, 'media_token_invalid', JSON.stringify(r));
        // a token made now counts from the (moved) clock
        const t3 = await anna.request({ type: 'media_token', room });
        assert.ok(Math.abs(t3.expires_at - (Date.now() / 1000 + 2 * TTL + 1)) < 5,
            `expires_at ${t3.expires_at}`);
        await joinWindow(port, t3.token);
    });

    test('a clerk holds at most 4 unused tokens; used and expired ones free a place', async () => {
        const { port, setClock, anna, room } = await consultation();
        const toks = [];
        for (let i = 0; i < 4; i++) toks.push(await token(anna, room));
        assert.equal(new Set(toks).size, 4, 'every token is new');
        let r = await anna.request({ type: 'media_token', room });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'busy', JSON.stringify(r));
        assert.match(r.message, /4 unused media tokens/);
        await joinWindow(port, toks[0]);
        await token(anna, room);
        r = await anna.request({ type: 'media_token', room });
        assert.equal(r.code, 'busy');
        setClock(TTL + 1);
        for (let i = 0; i < 4; i++) await token(anna, room);
    });

    test('only the room\'s clerk gets one: others get not_in_room, whether the room exists or not',
        async () => {
            const { port, anna, citizen, room } = await consultation();
            const bert = await scope.clerk(port, 'bert', pw('bert'));
            const stranger = await scope.connect(port);
            const inv = await anna.request({ type: 'invite', room });
            const guest = await scope.connect(port);
            assert.equal((await guest.request({ type: 'join', invitation: inv.token,
                name: 'Gast' })).type, 'joined');
            const first = await bert.request({ type: 'media_token', room });
            assert.equal(first.code, 'not_in_room', JSON.stringify(first));
            for (const [who, c, r] of [['bert, no room', bert, room + 1000],
                ['the admitted citizen', citizen, room], ['a guest of the room', guest, room],
                ['a visitor', stranger, room], ['anna, no such room', anna, room + 1000]]) {
                const e = await c.request({ type: 'media_token', room: r });
                assert.equal(e.type, 'error', `${who}: ${JSON.stringify(e)}`);
                assert.equal(e.code, 'not_in_room', `${who}: ${JSON.stringify(e)}`);
                assert.ok(same(e, first), `${who}: ${JSON.stringify(e)}`);
            }
            // and for a room that has ended
            assert.equal((await anna.request({ type: 'end', room })).type, 'ok');
            const e = await anna.request({ type: 'media_token', room });
            assert.equal(e.code, 'not_in_room');
        });

    test('a malformed token is refused by the codec, naming the field', async () => {
        const { port } = await fresh();
        const v = await scope.connect(port);
        for (const tok of ['abc', 'A'.repeat(32), 'g'.repeat(32), '0'.repeat(33), 42, null]) {
            const r = await v.request({ type: 'media_join', token: tok });
            assert.equal(r.type, 'error', JSON.stringify(r));
            assert.equal(r.code, 'bad_message', JSON.stringify(r));
            assert.equal(r.field, 'token', JSON.stringify(r));
            assert.match(r.message, /^"token" must be 32 lower-case hex characters\.$/);
        }
        const r0 = await v.request({ type: 'media_join' });
        assert.equal(r0.field, 'token');
        assert.match(r0.message, /"token" is missing/);
        const r = await v.request({ type: 'media_token' });
        assert.equal(r.code, 'bad_message');
        assert.equal(r.field, 'room');
    });
});

describe('the media-only connection', () => {
    test('it may do media in its room and nothing else', async () => {
        const { port, anna, citizen, room } = await consultation();
        const tok = await token(anna, room);
        const v = await joinWindow(port, tok);
        for (const msg of [{ type: 'admit', ticket: citizen.ticket.id },
            { type: 'decline', ticket: citizen.ticket.id, message: 'Nein.' },
            { type: 'transfer', ticket: citizen.ticket.id, office: 'amt-b' },
            { type: 'end', room }, { type: 'presence', presence: 'away' },
            { type: 'agenda' }, { type: 'invite', room }, { type: 'media_token', room },
            { type: 'media_join', token: tok }, { type: 'watch_offices' },
            { type: 'knock', office: 'amt-a', consent: true },
            { type: 'resume', token: citizen.token },
            { type: 'login', user: 'anna', password: pw('anna') },
            { type: 'session', session: anna.clerk.session }, { type: 'logout' },
            { type: 'join', invitation: 'a'.repeat(32), name: 'x' },
            { type: 'slots', office: 'amt-a' }, { type: 'booking', code: 'K7WP-Q3HX-M9' }]) {
            const r = await v.request(msg);
            assert.equal(r.type, 'error', `${msg.type}: ${JSON.stringify(r)}`);
            assert.equal(r.code, 'not_allowed', `${msg.type}: ${JSON.stringify(r)}`);
        }
        assert.ok(v.open, 'refusals are no bad messages: still connected');
        // nothing happened: the citizen is still admitted, the room open, anna present
        assert.equal(await citizen.maybe('ticket', (m) => m.ticket.state !== 'admitted', 300), null);
        assert.equal(await anna.maybe('presence', () => true, 100), null);
        assert.equal((await v.request({ type: 'subscribe', room })).type, 'ok');
        // another room's media is closed to it
        const dora = await scope.clerk(port, 'dora', pw('dora'));
        const other = await scope.citizen(port, 'amt-b', { name: 'Max' });
        const r2 = await dora.request({ type: 'admit', ticket: other.ticket.id });
        assert.equal(r2.type, 'room');
        const r = await v.request({ type: 'subscribe', room: r2.room.id });
        assert.equal(r.code, 'not_in_room');
    });

    test('a second media_join, or one from a connection with a role, is refused', async () => {
        const { port, anna, citizen, room } = await consultation();
        const t1 = await token(anna, room);
        let r = await anna.request({ type: 'media_join', token: t1 });
        assert.equal(r.code, 'not_allowed');
        r = await citizen.request({ type: 'media_join', token: t1 });
        assert.equal(r.code, 'not_allowed');
        // the refusals did not use the token up
        await joinWindow(port, t1);
    });

    test('closing it removes only its media: the room stays open, the clerk present', async () => {
        const { port, anna, citizen, room } = await consultation();
        assert.equal((await citizen.request({ type: 'subscribe', room })).type, 'ok');
        const v = await joinWindow(port, await token(anna, room));
        assert.equal((await v.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        await citizen.next('participants', (m) => m.participants.length === 2);
        await v.close();
        const p = await citizen.next('participants', (m) => m.participants.length === 1);
        assert.equal(p.participants[0].role, 'citizen');
        assert.equal(await anna.maybe('room_closed', () => true, 500), null);
        assert.equal(await anna.maybe('presence', () => true, 100), null);
        assert.equal(await citizen.maybe('ticket', (m) => m.ticket.state !== 'admitted', 100), null);
        // a new window joins the same room
        const v2 = await joinWindow(port, await token(anna, room));
        assert.equal((await v2.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        // the console going away does not end the window's media either
        await anna.terminate();
        assert.equal((await v2.request({ type: 'subscribe', room })).type, 'ok');
        assert.equal(await v2.maybe('room_closed', () => true, 300), null);
    });

    test('end sends it room_closed; its media and unused tokens end with the room', async () => {
        const { port, anna, citizen, room } = await consultation();
        const v = await joinWindow(port, await token(anna, room));
        const unused = await token(anna, room);
        assert.equal((await v.request({ type: 'publish', room, sdp: OFFER })).type, 'publish_answer');
        assert.equal((await anna.request({ type: 'end', room })).type, 'ok');
        const closed = await v.next('room_closed');
        assert.equal(closed.room, room);
        await citizen.next('ticket', (m) => m.ticket.state === 'done');
        const r = await v.request({ type: 'subscribe', room });
        assert.equal(r.code, 'not_in_room');
        // the room's end freed the places of its tokens: four for the next
        const next = await scope.citizen(port, 'amt-a', { name: 'Max' });
        const r2 = await anna.request({ type: 'admit', ticket: next.ticket.id });
        for (let i = 0; i < 4; i++) await token(anna, r2.room.id);
        const v2 = await scope.connect(port);
        const e = await v2.request({ type: 'media_join', token: unused });
        assert.equal(e.code, 'media_token_invalid');
    });

    test('logging out closes the windows of that session and voids its unused tokens', async () => {
        const { port, anna, room } = await consultation();
        // a second console of anna, with a session of its own
        const anna2 = await scope.clerk(port, 'anna', pw('anna'));
        assert.notEqual(anna2.clerk.session, anna.clerk.session);
        const v1 = await joinWindow(port, await token(anna, room));
        const unused = await token(anna, room);
        const v2 = await joinWindow(port, await token(anna2, room));
        const unused2 = await token(anna2, room);
        assert.equal((await anna.request({ type: 'logout' })).type, 'ok');
        assert.equal(await v1.closed, 1000, 'the window of the logged-out session is closed');
        assert.match(v1.closeReason, /logged out/);
        const x = await scope.connect(port);
        const e = await x.request({ type: 'media_join', token: unused });
        assert.equal(e.code, 'media_token_invalid');
        // the other session's window and token live on
        assert.ok(v2.open);
        assert.equal((await v2.request({ type: 'subscribe', room })).type, 'ok');
        await joinWindow(port, unused2);
    });
});
