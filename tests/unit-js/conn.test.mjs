// The client's WebSocket layer with a fake socket and fake timers: replies
// matched by id, errors as ProtocolError, pushes, reconnects and restart.
import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, ProtocolError, RETRY_MS, MAX_RETRY_MS } from '../../webclient/js/conn.js';

class FakeSocket {
    static all = [];
    constructor(url) {
        this.url = url;
        this.readyState = 0;
        this.sent = [];
        this.closedWith = null;
        FakeSocket.all.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code) { this.closedWith = code; this.readyState = 3; }
    // test side
    serverOpen() {
        this.readyState = 1;
        this.receive({ type: 'welcome', protocol: 1, server: 'fake', max_message: 8192 });
    }
    receive(msg) { this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) }); }
    drop() { this.readyState = 3; this.onclose?.({ code: 1006 }); }
    lastSent() { return this.sent[this.sent.length - 1]; }
}

function fakeTimers() {
    const timers = new Map();
    let next = 1;
    return {
        timers,
        setTimeout: (fn, ms) => { const id = next++; timers.set(id, { fn, ms }); return id; },
        clearTimeout: (id) => { timers.delete(id); },
        // runs the pending timer with the given delay (there must be one)
        fire(ms) {
            const entry = [...timers].find(([, t]) => t.ms === ms);
            assert.ok(entry, `no timer of ${ms} ms; pending: ${[...timers.values()].map((t) => t.ms)}`);
            timers.delete(entry[0]);
            entry[1].fn();
        },
        delays() { return [...timers.values()].map((t) => t.ms); },
    };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Connection', () => {
    let timers;
    let events;
    let opened;
    let conn;

    beforeEach(() => {
        FakeSocket.all = [];
        timers = fakeTimers();
        events = { pushes: [], status: [] };
        opened = 0;
        conn = new Connection('ws://127.0.0.1:1/ws', {
            onOpen: async () => { opened++; },
            onPush: (m) => events.pushes.push(m),
            onStatus: (s) => events.status.push(s),
        }, { WebSocket: FakeSocket, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
    });

    test('opens, runs onOpen after the welcome and reports "open"', async () => {
        conn.start();
        assert.equal(FakeSocket.all.length, 1);
        assert.equal(FakeSocket.all[0].url, 'ws://127.0.0.1:1/ws');
        assert.deepEqual(events.status, ['connecting']);
        FakeSocket.all[0].serverOpen();
        await tick();
        assert.equal(opened, 1);
        assert.deepEqual(events.status, ['connecting', 'open']);
        await conn.ready();
        assert.equal(conn.welcome.server, 'fake', 'the welcome is kept (its ice_servers)');
    });

    test('a request gets an id and resolves with the reply of that id only', async () => {
        conn.start();
        const ws = FakeSocket.all[0];
        ws.serverOpen();
        const a = conn.request({ type: 'watch_offices' });
        const b = conn.request({ type: 'resume', token: 'x' });
        const [ma, mb] = ws.sent;
        assert.equal(ma.type, 'watch_offices');
        assert.notEqual(ma.id, mb.id);
        ws.receive({ type: 'ticket', id: mb.id, ticket: { id: 1 } });
        ws.receive({ type: 'offices', id: ma.id, offices: [] });
        assert.deepEqual((await a).offices, []);
        assert.equal((await b).ticket.id, 1);
        assert.deepEqual(events.pushes, []);
    });

    test('an error reply rejects with its code and fields', async () => {
        conn.start();
        const ws = FakeSocket.all[0];
        ws.serverOpen();
        const p = conn.request({ type: 'knock', office: 'a', consent: true });
        ws.receive({ type: 'error', id: ws.lastSent().id, code: 'rate_limited', retry_after: 12,
            message: 'Too many knocks.' });
        await assert.rejects(p, (err) => err instanceof ProtocolError && err.code === 'rate_limited'
            && err.retry_after === 12);
    });

    test('messages without a pending id are pushes; garbage is ignored', async () => {
        conn.start();
        const ws = FakeSocket.all[0];
        ws.serverOpen();
        ws.receive({ type: 'office', office: { id: 'a' } });
        ws.receive('not json');
        ws.receive('42');
        ws.receive({ type: 'ticket', id: 999, ticket: {} });
        assert.deepEqual(events.pushes.map((m) => m.type), ['office', 'ticket']);
    });

    test('a request while not connected fails at once with "network"', async () => {
        await assert.rejects(conn.request({ type: 'withdraw' }), { code: 'network' });
        conn.start();
        await assert.rejects(conn.request({ type: 'withdraw' }), { code: 'network' });
    });

    test('a lost connection fails pending requests and reconnects with growing pauses', async () => {
        conn.start();
        FakeSocket.all[0].serverOpen();
        await tick();
        const p = conn.request({ type: 'withdraw' });
        FakeSocket.all[0].drop();
        await assert.rejects(p, { code: 'network' });
        assert.equal(events.status.at(-1), 'lost');
        for (let i = 0; i < RETRY_MS.length + 2; i++) {
            const want = i < RETRY_MS.length ? RETRY_MS[i] : MAX_RETRY_MS;
            assert.deepEqual(timers.delays(), [want]);
            timers.fire(want);
            assert.equal(FakeSocket.all.length, i + 2);
            FakeSocket.all.at(-1).drop();
        }
        // a success resets the pauses and runs onOpen again
        timers.fire(MAX_RETRY_MS);
        FakeSocket.all.at(-1).serverOpen();
        await tick();
        assert.equal(opened, 2);
        assert.equal(events.status.at(-1), 'open');
        FakeSocket.all.at(-1).drop();
        assert.deepEqual(timers.delays(), [RETRY_MS[0]]);
    });

    test('retryNow skips the pause', () => {
        conn.start();
        FakeSocket.all[0].drop();
        assert.equal(timers.delays().length, 1);
        conn.retryNow();
        assert.equal(timers.delays().length, 0);
        assert.equal(FakeSocket.all.length, 2);
    });

    test('restart closes the old socket and resolves when the new one is ready', async () => {
        conn.start();
        FakeSocket.all[0].serverOpen();
        await tick();
        const pending = conn.request({ type: 'withdraw' });
        const ready = conn.restart();
        await assert.rejects(pending, { code: 'network' });
        assert.equal(FakeSocket.all[0].closedWith, 1000);
        assert.equal(FakeSocket.all.length, 2);
        let done = false;
        ready.then(() => { done = true; });
        await tick();
        assert.equal(done, false);
        FakeSocket.all[1].serverOpen();
        await tick();
        assert.equal(done, true);
        assert.equal(opened, 2);
        // the old socket's late close does nothing
        FakeSocket.all[0].onclose?.({});
        assert.deepEqual(timers.delays(), []);
    });

    test('stop closes without reconnecting', () => {
        conn.start();
        FakeSocket.all[0].serverOpen();
        conn.stop();
        FakeSocket.all[0].drop();
        assert.deepEqual(timers.delays(), []);
        assert.equal(FakeSocket.all.length, 1);
    });
});
