// The lobby over the wire: offices, knocking, the queue, admit, decline,
// transfer, withdraw, reconnects, expiry, presence and /api/offices.
// Every test starts its own klopfd on a copy of a state directory that
// already holds the clerks, so no test depends on another one's queue.

import { test, describe, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
    ALWAYS_OPEN, PROTO_CONF_DIR, CLERKS, HEX32, ISO_LOCAL, Scope, connect, expectType,
    stateTemplate, officesOverHttp, officeById, sleep,
} from './lib/harness.mjs';

const QUEUE2 = path.join(PROTO_CONF_DIR, 'queue2.conf');
const RATE2 = path.join(PROTO_CONF_DIR, 'rate2.conf');

let scope = new Scope();
afterEach(async () => { await scope.cleanup(); scope = new Scope(); });
after(async () => { await scope.cleanup(); });

// A fresh klopfd with the standard clerks; returns its port.
async function fresh(conf = ALWAYS_OPEN, clerks = CLERKS) {
    const template = await stateTemplate(conf, clerks);
    const d = await scope.start({ conf, stateDir: scope.copy(template) });
    return d.port;
}

const pw = (name) => CLERKS[name].password;
const isTicket = (c, pred) => (m) => m.ticket && m.ticket.id === c.ticket.id && pred(m.ticket);

async function watcher(port) {
    const w = await scope.connect(port);
    const r = await w.request({ type: 'watch_offices' });
    assert.equal(r.type, 'offices', `watch_offices reply: ${JSON.stringify(r)}`);
    return w;
}

const officeIs = (id, pred) => (m) => m.office && m.office.id === id && pred(m.office);

describe('offices and the welcome', () => {
    test('every connection is greeted with welcome, protocol 1, the configured max_message, time zone and clock', async () => {
        const port = await fresh();
        const c = await scope.connect(port);
        assert.equal(c.welcome.type, 'welcome');
        assert.equal(c.welcome.protocol, 1);
        assert.match(String(c.welcome.server), /^klopfd /);
        assert.equal(c.welcome.max_message, 4096,
            'max_message should be limits.max_message_bytes of the configuration');
        assert.equal(c.welcome.timezone, 'Europe/Berlin', 'the default time zone');
        assert.ok(Number.isInteger(c.welcome.now)
            && Math.abs(c.welcome.now - Date.now() / 1000) < 5, `klopfd's clock: ${c.welcome.now}`);
        assert.equal(c.welcome.id, undefined, 'a push carries no id');
    });

    test('watch_offices lists every office, closed with no wait while no clerk is present', async () => {
        const port = await fresh();
        const c = await scope.connect(port);
        const r = await c.request({ type: 'watch_offices' });
        assert.equal(r.type, 'offices');
        assert.equal(r.id, 1);
        assert.deepEqual(r.offices.map((o) => o.id).sort(), ['amt-a', 'amt-b', 'beratung']);
        for (const o of r.offices) {
            assert.equal(o.status, 'closed', `${o.id} status`);
            assert.equal(o.queue, 0, `${o.id} queue`);
            assert.equal(o.wait, null, `${o.id} wait while closed`);
            assert.equal(o.opens_at, null, `${o.id} opens_at: in hours, closed only for lack of a clerk`);
            assert.equal(typeof o.name, 'string');
            assert.equal(typeof o.description, 'string');
            assert.ok(Array.isArray(o.languages), `${o.id} languages`);
            assert.equal(o.hours.length, 7, `${o.id} hours: one range per weekday`);
            assert.deepEqual(o.hours.map((h) => h.day).sort(), [0, 1, 2, 3, 4, 5, 6]);
            for (const h of o.hours) {
                assert.equal(h.from, '00:00');
                assert.equal(h.to, '24:00');
            }
        }
        assert.equal(officeById(r.offices, 'beratung').anonymous, true);
        assert.equal(officeById(r.offices, 'amt-a').anonymous, false);
    });

    test('an office with no hours is closed and a knock there is refused with office_closed', async () => {
        const port = await fresh(QUEUE2, { anna: CLERKS.anna });
        await scope.clerk(port, 'anna', pw('anna'));
        const w = await watcher(port);
        const zu = officeById(w.all.find((m) => m.type === 'offices').offices, 'zu');
        assert.equal(zu.status, 'closed');
        const c = await scope.connect(port);
        const r = await c.request({ type: 'knock', office: 'zu', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'office_closed');
    });
});

describe('clerk login and office status', () => {
    test('a clerk login answers welcome_clerk, pushes queue and offices, and opens the office for watchers', async () => {
        const port = await fresh();
        const w = await watcher(port);
        const anna = await scope.connect(port);
        const r = await anna.request({ type: 'login', user: 'anna', password: pw('anna') });
        assert.equal(r.type, 'welcome_clerk', JSON.stringify(r));
        assert.match(r.session, HEX32);
        assert.deepEqual(r.clerk, { name: 'anna', offices: ['amt-a'] });
        assert.equal(r.presence, 'available');
        assert.equal(r.room, null);
        assert.ok(Array.isArray(r.decline_messages), 'decline_messages is a list');
        const q = await anna.next('queue');
        assert.equal(q.office, 'amt-a');
        assert.deepEqual(q.tickets, []);
        const offs = await anna.next('offices');
        assert.equal(officeById(offs.offices, 'amt-a').status, 'open');
        assert.equal(await anna.maybe('queue', () => true, 200), null,
            'one queue push per office of the clerk, anna has one office');
        const push = await w.next('office', officeIs('amt-a', (o) => o.status === 'open'));
        assert.equal(push.office.queue, 0);
        assert.equal(typeof push.office.wait, 'number', 'an open office has a wait estimate');
        const other = await w.maybe('office', officeIs('amt-b', (o) => o.status !== 'closed'), 200);
        assert.equal(other, null, 'amt-b has no clerk and stays closed');
    });

    test('a clerk of two offices gets one queue push per office, in queue order', async () => {
        const port = await fresh();
        await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        const dora = await scope.clerk(port, 'dora', pw('dora'));
        assert.deepEqual(dora.clerk.clerk.offices.slice().sort(), ['amt-a', 'amt-b']);
        const qa = await dora.next('queue', (m) => m.office === 'amt-a');
        const qb = await dora.next('queue', (m) => m.office === 'amt-b');
        assert.deepEqual(qa.tickets.map((t) => t.id), [c1.ticket.id, c2.ticket.id]);
        assert.deepEqual(qb.tickets, []);
    });

    test('the office closes when its only clerk disconnects', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const w = await watcher(port);
        assert.equal(officeById(w.all.find((m) => m.type === 'offices').offices, 'amt-a').status, 'open');
        await anna.close();
        await w.next('office', officeIs('amt-a', (o) => o.status === 'closed'));
    });
});

describe('knocking', () => {
    test('a knock gets knocked with a token and position 1, and the clerk gets queue_add at once', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c = await scope.connect(port);
        const t0 = performance.now();
        const r = await c.request({
            type: 'knock', office: 'amt-a', name: 'Aylin', topic: 'Antrag', consent: true, lang: 'en',
        });
        assert.equal(r.type, 'knocked', JSON.stringify(r));
        assert.match(r.token, HEX32);
        const t = r.ticket;
        assert.equal(typeof t.id, 'number');
        assert.equal(t.office, 'amt-a');
        assert.equal(t.state, 'waiting');
        assert.equal(t.position, 1);
        assert.ok(t.wait === null || (typeof t.wait === 'number' && t.wait >= 0), `wait ${t.wait}`);
        assert.match(t.knocked_at, ISO_LOCAL);
        assert.equal(t.message, null);
        assert.equal(t.transferred_from, null);
        assert.equal(t.room, null);
        const add = await anna.next('queue_add', (m) => m.ticket.id === t.id);
        assert.ok(add.__at - t0 < 1000, `queue_add took ${Math.round(add.__at - t0)} ms`);
        assert.equal(add.office, 'amt-a');
        assert.equal(add.position, 1);
        assert.equal(add.ticket.name, 'Aylin');
        assert.equal(add.ticket.topic, 'Antrag');
        assert.equal(add.ticket.lang, 'en');
        assert.equal(add.ticket.knocked_at, t.knocked_at);
        assert.equal(add.ticket.transferred_from, null);
        assert.equal(add.ticket.priority, 0);
    });

    test('a second citizen gets position 2 and an estimate no smaller than the first', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        assert.equal(c1.ticket.position, 1);
        assert.equal(c2.ticket.position, 2);
        assert.notEqual(c1.ticket.id, c2.ticket.id);
        assert.notEqual(c1.token, c2.token);
        assert.equal(typeof c1.ticket.wait, 'number', 'an open office gives an estimate');
        assert.equal(typeof c2.ticket.wait, 'number', 'an open office gives an estimate');
        assert.ok(c2.ticket.wait >= c1.ticket.wait, `wait ${c2.ticket.wait} < ${c1.ticket.wait}`);
        const add2 = await anna.next('queue_add', (m) => m.ticket.id === c2.ticket.id);
        assert.equal(add2.position, 2);
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 2);
    });

    test('a knock without a name gets a ticket without a name', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c = await scope.connect(port);
        const r = await c.request({ type: 'knock', office: 'amt-a', consent: true });
        assert.equal(r.type, 'knocked', JSON.stringify(r));
        const add = await anna.next('queue_add', (m) => m.ticket.id === r.ticket.id);
        assert.equal(add.ticket.name, null);
        assert.equal(add.ticket.topic, null);
        assert.equal(add.ticket.lang, 'de', 'lang defaults to de');
    });

    test('a knock with a name at the anonymous office is refused with name_not_allowed', async () => {
        const port = await fresh();
        const carla = await scope.clerk(port, 'carla', pw('carla'));
        const c = await scope.connect(port);
        const r = await c.request({ type: 'knock', office: 'beratung', name: 'Aylin', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'name_not_allowed');
        const ok = await c.request({ type: 'knock', office: 'beratung', consent: true, topic: 'Frage' });
        assert.equal(ok.type, 'knocked', 'the same connection may knock without a name');
        const add = await carla.next('queue_add', (m) => m.ticket.id === ok.ticket.id);
        assert.equal(add.ticket.name, null);
    });

    test('a knock without consent is refused with consent_required', async () => {
        const port = await fresh();
        await scope.clerk(port, 'anna', pw('anna'));
        const c = await scope.connect(port);
        const r = await c.request({ type: 'knock', office: 'amt-a', consent: false });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'consent_required');
        const r2 = await c.request({ type: 'knock', office: 'amt-a' });
        assert.equal(r2.type, 'error');
        // consent is "required, must be true": a missing consent is either
        // refused as not accepted or as a missing field.
        assert.ok(r2.code === 'consent_required'
            || (r2.code === 'bad_message' && r2.field === 'consent'), JSON.stringify(r2));
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 0);
    });

    test('a knock at an office without a clerk is refused with office_closed', async () => {
        const port = await fresh();
        await scope.clerk(port, 'anna', pw('anna'));
        const c = await scope.connect(port);
        const r = await c.request({ type: 'knock', office: 'amt-b', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'office_closed');
        assert.equal(r.id, 1);
        assert.equal(typeof r.message, 'string');
    });

    test('a knock at an unknown office is refused with unknown_office', async () => {
        const port = await fresh();
        const c = await scope.connect(port);
        const r = await c.request({ type: 'knock', office: 'gibt-es-nicht', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'unknown_office');
    });

    test('a knock at a full queue is refused with queue_full', async () => {
        const port = await fresh(QUEUE2, { anna: CLERKS.anna });
        await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        await scope.citizen(port, 'amt-a');
        const c3 = await scope.connect(port);
        const r = await c3.request({ type: 'knock', office: 'amt-a', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'queue_full');
        const wd = await c1.request({ type: 'withdraw' });
        assert.equal(wd.ticket?.state, 'withdrawn');
        const again = await c3.request({ type: 'knock', office: 'amt-a', consent: true });
        assert.equal(again.type, 'knocked', `a place is free again: ${JSON.stringify(again)}`);
        assert.equal(again.ticket.position, 2);
    });

    test('knocks beyond the rate limit are refused with rate_limited and retry_after', async () => {
        const port = await fresh(RATE2, { anna: CLERKS.anna });
        await scope.clerk(port, 'anna', pw('anna'));
        await scope.citizen(port, 'amt-a');
        await scope.citizen(port, 'amt-a');
        const c3 = await scope.connect(port);
        const r = await c3.request({ type: 'knock', office: 'amt-a', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'rate_limited');
        assert.equal(typeof r.retry_after, 'number', 'rate_limited carries retry_after');
        assert.ok(r.retry_after >= 1 && r.retry_after <= 60, `retry_after ${r.retry_after}`);
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 2);
    });

    test('a second knock on the same connection is refused with already_waiting', async () => {
        const port = await fresh();
        await scope.clerk(port, 'anna', pw('anna'));
        await scope.clerk(port, 'bert', pw('bert'));
        const c = await scope.citizen(port, 'amt-a');
        const r = await c.request({ type: 'knock', office: 'amt-a', consent: true });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'already_waiting');
        const r2 = await c.request({ type: 'knock', office: 'amt-b', consent: true });
        assert.equal(r2.type, 'error');
        assert.equal(r2.code, 'already_waiting', 'also at another office');
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 1);
        assert.equal(officeById(body.offices, 'amt-b').queue, 0);
    });
});

describe('the clerk works the queue', () => {
    test('admit: the clerk gets the room, the citizen is admitted, the next moves up to 1, the office is busy', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const w = await watcher(port);
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        const c3 = await scope.citizen(port, 'amt-a');
        const r = await anna.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(r.type, 'room', JSON.stringify(r));
        const room = r.room;
        assert.equal(typeof room.id, 'number');
        assert.equal(room.office, 'amt-a');
        assert.equal(room.ticket, c1.ticket.id);
        assert.match(room.opened_at, ISO_LOCAL);
        const adm = await c1.next('ticket', isTicket(c1, (t) => t.state === 'admitted'));
        assert.equal(adm.ticket.room, room.id);
        await c2.next('ticket', isTicket(c2, (t) => t.position === 1));
        await c3.next('ticket', isTicket(c3, (t) => t.position === 2));
        const rm = await anna.next('queue_remove', (m) => m.ticket === c1.ticket.id);
        assert.equal(rm.office, 'amt-a');
        assert.equal(rm.state, 'admitted');
        const pr = await anna.next('presence', (m) => m.presence === 'in_consultation');
        assert.equal(pr.office, 'amt-a');
        const busy = await w.next('office', officeIs('amt-a', (o) => o.status === 'busy'));
        assert.equal(busy.office.queue, 2);
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').status, 'busy');
    });

    test('a second admit during a consultation is refused with in_consultation', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        assert.equal((await anna.request({ type: 'admit', ticket: c1.ticket.id })).type, 'room');
        const r = await anna.request({ type: 'admit', ticket: c2.ticket.id });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'in_consultation');
        const again = await anna.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(again.type, 'error', 'an admitted ticket cannot be admitted again');
        assert.ok(['wrong_state', 'in_consultation'].includes(again.code), again.code);
    });

    test('a second console of the same clerk learns of the room opened on the first, and of its end', async () => {
        const port = await fresh();
        const first = await scope.clerk(port, 'anna', pw('anna'));
        const second = scope.track(await connect(port));
        expectType(await second.request({ type: 'session', session: first.clerk.session }),
            'welcome_clerk');
        const c1 = await scope.citizen(port, 'amt-a');
        const r = await first.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(r.type, 'room');
        const pushed = await second.next('room', (m) => m.room.id === r.room.id);
        assert.equal(pushed.id, undefined, 'a push carries no id');
        assert.equal(pushed.room.ticket, c1.ticket.id);
        assert.equal((await first.request({ type: 'end', room: r.room.id })).type, 'ok');
        await second.next('room_closed', (m) => m.room === r.room.id);
    });

    test('end closes the room: the ticket is done and the clerk is free again', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const w = await watcher(port);
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        const { room } = await anna.request({ type: 'admit', ticket: c1.ticket.id });
        await w.next('office', officeIs('amt-a', (o) => o.status === 'busy'));
        await anna.next('presence', (m) => m.presence === 'in_consultation');
        anna.drain('presence');
        const r = await anna.request({ type: 'end', room: room.id });
        assert.equal(r.type, 'ok', JSON.stringify(r));
        await c1.next('ticket', isTicket(c1, (t) => t.state === 'done'));
        const pr = await anna.next('presence', (m) => m.presence !== 'in_consultation');
        assert.equal(pr.presence, 'available', 'presence returns to what it was');
        await w.next('office', officeIs('amt-a', (o) => o.status === 'open'));
        const again = await anna.request({ type: 'end', room: room.id });
        assert.equal(again.type, 'error', 'a closed room cannot be ended twice');
        assert.ok(['unknown_room', 'wrong_state'].includes(again.code), again.code);
        const next = await anna.request({ type: 'admit', ticket: c2.ticket.id });
        assert.equal(next.type, 'room', 'the clerk can admit the next one');
        const unknown = await anna.request({ type: 'end', room: 999999 });
        assert.equal(unknown.code, 'unknown_room');
    });

    test('decline with a message: the citizen sees declined and the message', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        const msg = 'Bitte buchen Sie einen Termin.';
        const r = await anna.request({ type: 'decline', ticket: c1.ticket.id, message: msg });
        assert.equal(r.type, 'ok', JSON.stringify(r));
        const p = await c1.next('ticket', isTicket(c1, (t) => t.state === 'declined'));
        assert.equal(p.ticket.message, msg);
        const rm = await anna.next('queue_remove', (m) => m.ticket === c1.ticket.id);
        assert.equal(rm.state, 'declined');
        await c2.next('ticket', isTicket(c2, (t) => t.position === 1));
        const again = await anna.request({ type: 'decline', ticket: c1.ticket.id, message: msg });
        assert.equal(again.code, 'wrong_state');
    });

    test('transfer to amt-b: the citizen waits at amt-b with transferred_from and the note, the amt-b clerk gets queue_add', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const bert = await scope.clerk(port, 'bert', pw('bert'));
        const b1 = await scope.citizen(port, 'amt-b');
        const c1 = await scope.citizen(port, 'amt-a', { name: 'Aylin' });
        const note = 'Wohngeld, bitte dort weiter.';
        const r = await anna.request({ type: 'transfer', ticket: c1.ticket.id, office: 'amt-b', note });
        assert.equal(r.type, 'transferred', JSON.stringify(r));
        assert.equal(typeof r.ticket, 'number');
        assert.notEqual(r.ticket, c1.ticket.id, 'a transfer makes a new ticket');
        const p = await c1.next('ticket', (m) => m.ticket.id === r.ticket);
        assert.equal(p.ticket.state, 'waiting');
        assert.equal(p.ticket.office, 'amt-b');
        assert.equal(p.ticket.transferred_from, c1.ticket.id);
        assert.equal(p.ticket.message, note);
        assert.equal(p.ticket.knocked_at, c1.ticket.knocked_at, 'the original knock time is kept');
        // c1 knocked after b1, so it goes behind b1 by the usual order.
        assert.equal(p.ticket.position, 2);
        const add = await bert.next('queue_add', (m) => m.ticket.id === r.ticket);
        assert.equal(add.office, 'amt-b');
        assert.equal(add.position, 2);
        assert.equal(add.ticket.transferred_from, c1.ticket.id);
        assert.equal(add.ticket.message, note);
        assert.equal(add.ticket.name, 'Aylin');
        const rm = await anna.next('queue_remove', (m) => m.ticket === c1.ticket.id);
        assert.equal(rm.state, 'transferred');
        assert.equal(b1.ticket.position, 1);
        // The token now belongs to the new ticket.
        const wd = await c1.request({ type: 'withdraw' });
        assert.equal(wd.type, 'ticket', JSON.stringify(wd));
        assert.equal(wd.ticket.id, r.ticket);
        assert.equal(wd.ticket.state, 'withdrawn');
        await bert.next('queue_remove', (m) => m.ticket === r.ticket && m.state === 'withdrawn');
    });

    test('a transfer does not need the target office to be open, and its clerk sees the ticket at login', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const same = await anna.request({ type: 'transfer', ticket: c1.ticket.id, office: 'amt-a' });
        assert.equal(same.code, 'same_office');
        const nowhere = await anna.request({ type: 'transfer', ticket: c1.ticket.id, office: 'nirgends' });
        assert.equal(nowhere.code, 'unknown_office');
        const r = await anna.request({ type: 'transfer', ticket: c1.ticket.id, office: 'amt-b' });
        assert.equal(r.type, 'transferred', JSON.stringify(r));
        const p = await c1.next('ticket', (m) => m.ticket.id === r.ticket);
        assert.equal(p.ticket.office, 'amt-b');
        assert.equal(p.ticket.message, null, 'no note given');
        const bert = await scope.clerk(port, 'bert', pw('bert'));
        const q = await bert.next('queue', (m) => m.office === 'amt-b');
        assert.deepEqual(q.tickets.map((t) => t.id), [r.ticket]);
        assert.equal(q.tickets[0].transferred_from, c1.ticket.id);
    });

    test('a transfer to the anonymous office drops the name', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const carla = await scope.clerk(port, 'carla', pw('carla'));
        const c1 = await scope.citizen(port, 'amt-a', { name: 'Aylin' });
        const r = await anna.request({ type: 'transfer', ticket: c1.ticket.id, office: 'beratung' });
        assert.equal(r.type, 'transferred', JSON.stringify(r));
        const add = await carla.next('queue_add', (m) => m.ticket.id === r.ticket);
        assert.equal(add.ticket.name, null);
    });

    test('withdraw: the citizen leaves, the clerk gets queue_remove, the next moves up', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        const r = await c1.request({ type: 'withdraw' });
        assert.equal(r.type, 'ticket', JSON.stringify(r));
        assert.equal(r.ticket.id, c1.ticket.id);
        assert.equal(r.ticket.state, 'withdrawn');
        const rm = await anna.next('queue_remove', (m) => m.ticket === c1.ticket.id);
        assert.equal(rm.state, 'withdrawn');
        await c2.next('ticket', isTicket(c2, (t) => t.position === 1));
        const again = await c1.request({ type: 'withdraw' });
        assert.equal(again.type, 'error');
        assert.equal(again.code, 'wrong_state');
        const adm = await anna.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(adm.code, 'wrong_state', 'a withdrawn ticket cannot be admitted');
    });

    test('admit of a ticket that does not exist is refused with unknown_ticket', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const r = await anna.request({ type: 'admit', ticket: 987654 });
        assert.equal(r.code, 'unknown_ticket');
    });
});

describe('disconnects', () => {
    test('a citizen who reconnects and resumes keeps the same ticket and place', async () => {
        const port = await fresh();
        await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        const c2 = await scope.citizen(port, 'amt-a');
        const c3 = await scope.citizen(port, 'amt-a');
        await c2.terminate();
        await sleep(200);
        const again = await scope.connect(port);
        const r = await again.request({ type: 'resume', token: c2.token });
        assert.equal(r.type, 'ticket', JSON.stringify(r));
        assert.equal(r.ticket.id, c2.ticket.id);
        assert.equal(r.ticket.state, 'waiting');
        assert.equal(r.ticket.position, 2);
        assert.equal(r.ticket.knocked_at, c2.ticket.knocked_at);
        // the resumed connection is the citizen now: withdraw acts on it
        const wd = await again.request({ type: 'withdraw' });
        assert.equal(wd.ticket?.id, c2.ticket.id);
        await c3.next('ticket', isTicket(c3, (t) => t.position === 2));
        assert.equal(c1.open, true);
    });

    test('after grace_seconds a gone citizen expires and the queue moves up; a resumed one stays', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const gone = await scope.citizen(port, 'amt-a');
        const back = await scope.citizen(port, 'amt-a');
        const stays = await scope.citizen(port, 'amt-a');
        const t0 = performance.now();
        await gone.close();
        await back.close();
        const back2 = await scope.connect(port);
        const r = await back2.request({ type: 'resume', token: back.token });
        assert.equal(r.ticket?.state, 'waiting', JSON.stringify(r));
        // grace 3 s plus one timer tick; allow generously for the tick
        const p = await stays.next('ticket', isTicket(stays, (t) => t.position === 2), 10000);
        const waited = p.__at - t0;
        // t0 is before the close, so the push cannot come before t0 + 3 s
        // (50 ms slack for the clocks of two processes)
        assert.ok(waited >= 2950, `expired after only ${Math.round(waited)} ms (grace is 3 s)`);
        const p1 = await back2.next('ticket', (m) => m.ticket.id === back.ticket.id && m.ticket.position === 1, 2000);
        assert.equal(p1.ticket.state, 'waiting');
        const rm = await anna.next('queue_remove', (m) => m.ticket === gone.ticket.id);
        assert.equal(rm.state, 'expired');
        const late = await scope.connect(port);
        const lr = await late.request({ type: 'resume', token: gone.token });
        assert.equal(lr.type, 'ticket', `a finished ticket is shown for 10 minutes: ${JSON.stringify(lr)}`);
        assert.equal(lr.ticket.id, gone.ticket.id);
        assert.equal(lr.ticket.state, 'expired');
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 2);
    });
});

describe('presence', () => {
    test('a clerk who sets away leaves the office closed to knocks (away is not present)', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const w = await watcher(port);
        const r = await anna.request({ type: 'presence', presence: 'away' });
        assert.equal(r.type, 'ok', JSON.stringify(r));
        await anna.next('presence', (m) => m.office === 'amt-a' && m.presence === 'away');
        // protocol.md: open = a clerk present and free, busy = present but
        // none free, closed = no clerk (present); not_present = offline or away.
        await w.next('office', officeIs('amt-a', (o) => o.status === 'closed'));
        const c = await scope.connect(port);
        const k = await c.request({ type: 'knock', office: 'amt-a', consent: true });
        assert.equal(k.code, 'office_closed');
        assert.equal((await anna.request({ type: 'presence', presence: 'available' })).type, 'ok');
        await anna.next('presence', (m) => m.office === 'amt-a' && m.presence === 'available');
        await w.next('office', officeIs('amt-a', (o) => o.status === 'open'));
    });

    test('presence for one office changes only that office', async () => {
        const port = await fresh();
        const dora = await scope.clerk(port, 'dora', pw('dora'));
        const w = await watcher(port);
        await dora.next('offices'); // the last push of the login
        dora.drain('presence');
        const r = await dora.request({ type: 'presence', presence: 'away', office: 'amt-b' });
        assert.equal(r.type, 'ok', JSON.stringify(r));
        await dora.next('presence', (m) => m.office === 'amt-b' && m.presence === 'away');
        await w.next('office', officeIs('amt-b', (o) => o.status === 'closed'));
        assert.equal(await dora.maybe('presence', (m) => m.office === 'amt-a', 300), null,
            'no presence push for amt-a, which did not change');
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').status, 'open');
        assert.equal(officeById(body.offices, 'amt-b').status, 'closed');
        const wrong = await dora.request({ type: 'presence', presence: 'away', office: 'beratung' });
        assert.equal(wrong.code, 'not_your_office');
    });

    test('a clerk who is away cannot admit (not_present) and the ticket keeps its place', async () => {
        const port = await fresh();
        const anna = await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        assert.equal((await anna.request({ type: 'presence', presence: 'away' })).type, 'ok');
        const r = await anna.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(r.type, 'error');
        assert.equal(r.code, 'not_present');
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 1);
        assert.equal(await c1.maybe('ticket', (m) => m.ticket.state !== 'waiting', 300), null);
    });

    test('a login with presence away does not open the office', async () => {
        const port = await fresh();
        const w = await watcher(port);
        const anna = await scope.clerk(port, 'anna', pw('anna'), 'away');
        assert.equal(anna.clerk.presence, 'away');
        const { body } = await officesOverHttp(port);
        assert.equal(officeById(body.offices, 'amt-a').status, 'closed');
        assert.equal(await w.maybe('office', officeIs('amt-a', (o) => o.status === 'open'), 300), null);
    });
});

describe('GET /api/offices', () => {
    test('/api/offices answers JSON with CORS for everyone and the live queue length', async () => {
        const port = await fresh();
        const first = await officesOverHttp(port);
        assert.equal(first.res.status, 200);
        assert.equal(first.res.headers.get('access-control-allow-origin'), '*');
        assert.match(first.res.headers.get('cache-control') ?? '', /no-store/);
        assert.match(first.res.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(first.body.offices.map((o) => o.id).sort(), ['amt-a', 'amt-b', 'beratung']);
        assert.equal(officeById(first.body.offices, 'amt-a').status, 'closed');
        await scope.clerk(port, 'anna', pw('anna'));
        const c1 = await scope.citizen(port, 'amt-a');
        await scope.citizen(port, 'amt-a');
        let { body } = await officesOverHttp(port);
        let a = officeById(body.offices, 'amt-a');
        assert.equal(a.status, 'open');
        assert.equal(a.queue, 2);
        assert.equal(typeof a.wait, 'number');
        await c1.request({ type: 'withdraw' });
        ({ body } = await officesOverHttp(port));
        a = officeById(body.offices, 'amt-a');
        assert.equal(a.queue, 1);
        // same view as over the WebSocket
        const w = await watcher(port);
        const ws = officeById(w.all.find((m) => m.type === 'offices').offices, 'amt-a');
        assert.deepEqual({ ...ws }, { ...a });
    });
});
