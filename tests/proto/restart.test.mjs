// A restart of klopfd (even kill -9) loses no waiting citizen's place and
// no clerk session: tickets come back with the same ids in the same order,
// nothing is duplicated, and a clerk can carry on admitting in the old order.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
    ALWAYS_OPEN, CLERKS, Scope, connect, stateTemplate, officesOverHttp,
    officeById, startKlopfd,
} from './lib/harness.mjs';

const pw = (name) => CLERKS[name].password;

describe('restart after SIGKILL', () => {
    const scope = new Scope();
    let stateDir;
    let first;
    let second;
    let anna;
    const citizens = [];
    let bertSession;

    before(async () => {
        const template = await stateTemplate(ALWAYS_OPEN, CLERKS);
        stateDir = scope.copy(template);
        first = await startKlopfd({ conf: ALWAYS_OPEN, stateDir });
        scope.daemons.add(first);
    });
    after(async () => { await scope.cleanup(); });

    test('three citizens knock at an open office and get positions 1, 2, 3', async () => {
        anna = await scope.clerk(first.port, 'anna', pw('anna'));
        const bert = await scope.clerk(first.port, 'bert', pw('bert'));
        bertSession = bert.clerk.session;
        for (let i = 0; i < 3; i++) {
            citizens.push(await scope.citizen(first.port, 'amt-a', { name: `Person ${i + 1}` }));
        }
        assert.deepEqual(citizens.map((c) => c.ticket.position), [1, 2, 3]);
        const { body } = await officesOverHttp(first.port);
        assert.equal(officeById(body.offices, 'amt-a').queue, 3);
    });

    test('klopfd killed with SIGKILL comes back on the same state dir', async () => {
        assert.equal(citizens.length, 3, 'needs the previous test');
        first.kill('SIGKILL');
        const { signal } = await first.exitPromise;
        assert.equal(signal, 'SIGKILL');
        await scope.closeClients();
        second = await scope.start({ conf: ALWAYS_OPEN, stateDir });
        assert.notEqual(second.pid, first.pid);
    });

    test('each citizen resumes with its token: same ticket ids, positions 1, 2, 3 in the same order', async () => {
        assert.ok(second, 'needs the restarted daemon');
        // grace_seconds (3 s) runs from the restart: resume all at once
        const resumed = await Promise.all(citizens.map(async (old) => {
            const c = scope.track(await connect(second.port));
            const r = await c.request({ type: 'resume', token: old.token });
            return { c, r, old };
        }));
        for (const { r, old } of resumed) {
            assert.equal(r.type, 'ticket', JSON.stringify(r));
            assert.equal(r.ticket.id, old.ticket.id);
            assert.equal(r.ticket.state, 'waiting');
            assert.equal(r.ticket.office, 'amt-a');
            assert.equal(r.ticket.knocked_at, old.ticket.knocked_at);
        }
        assert.deepEqual(resumed.map(({ r }) => r.ticket.position), [1, 2, 3]);
        citizens.splice(0, 3, ...resumed.map(({ c, old }) => Object.assign(c, {
            token: old.token, ticket: old.ticket,
        })));
    });

    test('nothing is duplicated: /api/offices shows 3 waiting, and the office is closed with no clerk', async () => {
        const { body } = await officesOverHttp(second.port);
        const a = officeById(body.offices, 'amt-a');
        assert.equal(a.queue, 3);
        assert.equal(a.status, 'closed', 'no clerk is connected after the restart');
        assert.equal(officeById(body.offices, 'amt-b').queue, 0);
    });

    test("a clerk's session token still works after the restart", async () => {
        const c = scope.track(await connect(second.port));
        const r = await c.request({ type: 'session', session: bertSession });
        assert.equal(r.type, 'welcome_clerk', JSON.stringify(r));
        assert.equal(r.clerk.name, 'bert');
    });

    test('a clerk logs in, sees the queue in the old order and admits in that order', async () => {
        const anna2 = await scope.clerk(second.port, 'anna', pw('anna'));
        const q = await anna2.next('queue', (m) => m.office === 'amt-a');
        assert.deepEqual(q.tickets.map((t) => t.id), citizens.map((c) => c.ticket.id));
        assert.deepEqual(q.tickets.map((t) => t.name), ['Person 1', 'Person 2', 'Person 3']);
        const [c1, c2, c3] = citizens;
        const r = await anna2.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(r.type, 'room', JSON.stringify(r));
        await c1.next('ticket', (m) => m.ticket.id === c1.ticket.id && m.ticket.state === 'admitted');
        await c2.next('ticket', (m) => m.ticket.id === c2.ticket.id && m.ticket.position === 1);
        await c3.next('ticket', (m) => m.ticket.id === c3.ticket.id && m.ticket.position === 2);
        assert.equal((await anna2.request({ type: 'end', room: r.room.id })).type, 'ok');
        const r2 = await anna2.request({ type: 'admit', ticket: c2.ticket.id });
        assert.equal(r2.type, 'room', JSON.stringify(r2));
        assert.notEqual(r2.room.id, r.room.id, 'room ids are not reused');
    });

    test('ticket ids handed out after the restart do not repeat old ones', async () => {
        const c = await scope.citizen(second.port, 'amt-a');
        const old = citizens.map((x) => x.ticket.id);
        assert.ok(c.ticket.id > Math.max(...old), `new id ${c.ticket.id} vs old ${old}`);
        assert.ok(!citizens.some((x) => x.token === c.token));
    });
});

describe('restart with an open room', () => {
    const scope = new Scope();
    after(async () => { await scope.cleanup(); });

    test('an admitted ticket and its room survive SIGKILL and can be ended', async () => {
        const template = await stateTemplate(ALWAYS_OPEN, CLERKS);
        const stateDir = scope.copy(template);
        const d1 = await scope.start({ conf: ALWAYS_OPEN, stateDir });
        const anna = await scope.clerk(d1.port, 'anna', pw('anna'));
        const c1 = await scope.citizen(d1.port, 'amt-a');
        const c2 = await scope.citizen(d1.port, 'amt-a');
        const { room } = await anna.request({ type: 'admit', ticket: c1.ticket.id });
        assert.equal(typeof room?.id, 'number');
        d1.kill('SIGKILL');
        await d1.exitPromise;
        await scope.closeClients();
        const d2 = await scope.start({ conf: ALWAYS_OPEN, stateDir });
        const r1 = await (await scope.connect(d2.port)).request({ type: 'resume', token: c1.token });
        assert.equal(r1.ticket?.state, 'admitted', JSON.stringify(r1));
        assert.equal(r1.ticket.room, room.id);
        const r2 = await (await scope.connect(d2.port)).request({ type: 'resume', token: c2.token });
        assert.equal(r2.ticket?.state, 'waiting', JSON.stringify(r2));
        assert.equal(r2.ticket.position, 1);
        const anna2 = scope.track(await connect(d2.port));
        const w = await anna2.request({ type: 'session', session: anna.clerk.session });
        assert.equal(w.type, 'welcome_clerk', JSON.stringify(w));
        assert.equal(w.room?.id, room.id, 'welcome_clerk shows the open room');
        const e = await anna2.request({ type: 'end', room: room.id });
        assert.equal(e.type, 'ok', JSON.stringify(e));
    });
});
