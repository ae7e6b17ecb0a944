// Test harness for the klopfd protocol tests (node:test, node >= 20).
//
// * startKlopfd({conf, stateDir}) starts a real klopfd on a free loopback
//   port and parses the port from its "listening on http://127.0.0.1:PORT/"
//   log line.
// * addClerk(...) / runKlopfd(...) run klopfd's command-line subcommands.
// * connect(port) opens a WebSocket client with request/reply matching by
//   id and a buffer of pushes, so nothing is lost between two awaits.
//
// Every klopfd started here is remembered and killed (by pid) when the
// test process exits, even if a test forgets stop().

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TESTS_DIR = path.resolve(here, '..', '..');
export const PROTO_CONF_DIR = path.join(TESTS_DIR, 'proto', 'conf');
export const ALWAYS_OPEN = path.join(TESTS_DIR, 'fixtures', 'conf', 'always-open.conf');
// The checkout's web client; klopfd refuses to start without a webroot.
export const WEBROOT = path.resolve(TESTS_DIR, '..', 'webclient');
export const KLOPFD = path.resolve(TESTS_DIR,
    process.env.KLOPFD || path.join('..', 'build', 'klopfd'));

export const REQUEST_TIMEOUT_MS = 5000;
export const PUSH_TIMEOUT_MS = 5000;

export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------- state dirs

const tempDirs = new Set();

export function tempDir(prefix = 'klopf-test-') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

export function removeDir(dir) {
    if (!dir) return;
    fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
}

// A copy of a state directory (e.g. one with clerks already added, which
// saves the cost of password hashing for every fresh daemon). Only copy a
// directory no klopfd has open.
export function copyStateDir(template) {
    const dir = tempDir();
    fs.cpSync(template, dir, { recursive: true });
    return dir;
}

// ----------------------------------------------------------------- processes

const running = new Set();

function killAllOnExit() {
    for (const proc of running) {
        try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    running.clear();
    for (const dir of tempDirs) {
        try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
    }
}
process.on('exit', killAllOnExit);
for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => { killAllOnExit(); process.exit(130); });
}

// Runs `klopfd ARGS...` to completion. stdin: string written to its stdin
// (then closed). Resolves {code, signal, stdout, stderr}; never rejects on a
// non-zero exit.
export function runKlopfd(args, { stdin = '', timeoutMs = 20000, env } = {}) {
    return new Promise((resolve, reject) => {
        const child = execFile(KLOPFD, args, {
            timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8',
            env: env ?? process.env, maxBuffer: 4 * 1024 * 1024,
        }, (err, stdout, stderr) => {
            if (err && typeof err.code !== 'number' && !err.signal) {
                reject(new Error(`cannot run ${KLOPFD}: ${err.message}`));
                return;
            }
            resolve({
                code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
                signal: err?.signal ?? null, stdout, stderr,
            });
        });
        child.stdin.on('error', () => { /* klopfd may not read stdin */ });
        child.stdin.end(stdin);
    });
}

// `klopfd -c CONF --state-dir DIR user add NAME --office a,b` with the
// password on stdin. Throws unless it exits 0.
export async function addClerk(conf, stateDir, name, offices, password) {
    const r = await runKlopfd(['-c', conf, '--state-dir', stateDir,
        'user', 'add', name, '--office', offices.join(',')],
    { stdin: password + '\n' });
    if (r.code !== 0) {
        throw new Error(`klopfd user add ${name} exited ${r.code ?? r.signal}: `
            + `${r.stderr.trim()}`);
    }
    return r;
}

// A free loopback TCP port (for a klopfd whose log level hides the
// "listening on" line).
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

// Starts klopfd and waits (up to 10 s) for its "listening on" line. With a
// non-zero port it listens there and is also taken as ready as soon as
// GET /api/offices answers.
export function startKlopfd({ conf = ALWAYS_OPEN, stateDir, extraArgs = [],
    env, timeoutMs = 10000, port = 0, webroot = WEBROOT } = {}) {
    if (!stateDir) throw new Error('startKlopfd: stateDir is required');
    if (!fs.existsSync(KLOPFD)) {
        throw new Error(`klopfd binary not found at ${KLOPFD} (build it with make, `
            + 'or set KLOPFD)');
    }
    const args = ['-c', conf, '--state-dir', stateDir,
        '--listen', `127.0.0.1:${port}`, ...(webroot ? ['--webroot', webroot] : []),
        ...extraArgs];
    const proc = spawn(KLOPFD, args, {
        stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env,
    });
    running.add(proc);
    let stderr = '';
    let stdout = '';
    let exited = null;
    const exitPromise = new Promise((resolve) => {
        proc.on('exit', (code, signal) => {
            exited = { code, signal };
            running.delete(proc);
            resolve(exited);
        });
    });
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.setEncoding('utf8');

    const handle = {
        proc,
        pid: proc.pid,
        port: 0,
        stderrText: () => stderr,
        stdoutText: () => stdout,
        exited: () => exited,
        exitPromise,
        kill(signal = 'SIGTERM') {
            if (exited) return;
            try { process.kill(proc.pid, signal); } catch { /* gone */ }
        },
        // SIGTERM, then SIGKILL after 3 s. Resolves with {code, signal}.
        async stop() {
            if (exited) return exited;
            handle.kill('SIGTERM');
            const t = setTimeout(() => handle.kill('SIGKILL'), 3000);
            const r = await exitPromise;
            clearTimeout(t);
            return r;
        },
        url(p = '/') { return `http://127.0.0.1:${handle.port}${p}`; },
    };

    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            handle.kill('SIGKILL');
            reject(new Error(`klopfd did not log "listening on" within ${timeoutMs} ms;`
                + ` stderr:\n${stderr}`));
        }, timeoutMs);
        proc.stderr.on('data', (d) => {
            stderr += d;
            if (process.env.KLOPF_TEST_VERBOSE) process.stderr.write(d);
            if (!handle.port) {
                const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
                if (m) {
                    handle.port = Number(m[1]);
                    clearTimeout(timer);
                    resolve(handle);
                }
            }
        });
        if (port) {
            const poll = async () => {
                while (!handle.port && !exited) {
                    try {
                        const res = await fetch(`http://127.0.0.1:${port}/api/offices`);
                        await res.arrayBuffer();
                        if (!handle.port) {
                            handle.port = port;
                            clearTimeout(timer);
                            resolve(handle);
                        }
                        return;
                    } catch {
                        await sleep(100);
                    }
                }
            };
            poll();
        }
        proc.on('error', (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot start ${KLOPFD}: ${err.message}`));
        });
        exitPromise.then(({ code, signal }) => {
            if (!handle.port) {
                clearTimeout(timer);
                reject(new Error(`klopfd exited (${code ?? signal}) before listening;`
                    + ` stderr:\n${stderr}`));
            }
        });
    });
}

// ------------------------------------------------------------------- clients

function describeMsg(m) {
    const s = JSON.stringify(m);
    return s.length > 300 ? s.slice(0, 300) + '…' : s;
}

export class Client {
    constructor(ws) {
        this.ws = ws;
        this.nextId = 1;
        this.pending = new Map();     // id -> {resolve, reject, timer}
        this.pushes = [];             // unconsumed messages without a pending id
        this.waiters = [];            // {type, pred, resolve, reject, timer}
        this.all = [];                // every message received, in order
        this.welcome = null;
        this.closeCode = null;
        this.closeReason = '';
        this.closed = new Promise((resolve) => { this._resolveClosed = resolve; });
        ws.on('message', (data, isBinary) => this._onMessage(data, isBinary));
        ws.on('close', (code, reason) => {
            this.closeCode = code;
            this.closeReason = reason.toString();
            for (const [, p] of this.pending) {
                clearTimeout(p.timer);
                p.reject(new Error(`connection closed (${code}) before reply to `
                    + describeMsg(p.msg)));
            }
            this.pending.clear();
            for (const w of this.waiters) {
                clearTimeout(w.timer);
                w.reject(new Error(`connection closed (${code}) while waiting for a `
                    + `"${w.type}" push; unconsumed: ${this._unconsumed()}`));
            }
            this.waiters = [];
            this._resolveClosed(code);
        });
        ws.on('error', () => { /* surfaced through close */ });
    }

    _onMessage(data, isBinary) {
        let msg;
        try {
            msg = JSON.parse(data.toString('utf8'));
        } catch {
            msg = { type: '__unparsable__', raw: data.toString('utf8'), isBinary };
        }
        msg.__at = performance.now();
        this.all.push(msg);
        if (msg && msg.id !== undefined && this.pending.has(msg.id)) {
            const p = this.pending.get(msg.id);
            this.pending.delete(msg.id);
            clearTimeout(p.timer);
            p.resolve(msg);
            return;
        }
        for (let i = 0; i < this.waiters.length; i++) {
            const w = this.waiters[i];
            if (msg.type === w.type && w.pred(msg)) {
                this.waiters.splice(i, 1);
                clearTimeout(w.timer);
                w.resolve(msg);
                return;
            }
        }
        this.pushes.push(msg);
    }

    _unconsumed() {
        return this.pushes.map(describeMsg).join('\n  ') || '(none)';
    }

    get open() { return this.ws.readyState === WebSocket.OPEN; }

    // Sends a raw string or an object (JSON-encoded). No id is added.
    send(obj) {
        this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
    }

    // Sends obj with a fresh integer id (unless it has one) and resolves
    // with the reply or error carrying that id.
    request(obj, timeoutMs = REQUEST_TIMEOUT_MS) {
        const msg = { ...obj };
        if (msg.id === undefined) msg.id = this.nextId++;
        return new Promise((resolve, reject) => {
            if (!this.open) {
                reject(new Error(`connection not open (close code ${this.closeCode}); `
                    + `cannot send ${describeMsg(msg)}`));
                return;
            }
            const timer = setTimeout(() => {
                this.pending.delete(msg.id);
                reject(new Error(`no reply within ${timeoutMs} ms to ${describeMsg(msg)};`
                    + ` unconsumed pushes:\n  ${this._unconsumed()}`));
            }, timeoutMs);
            this.pending.set(msg.id, { resolve, reject, timer, msg });
            this.ws.send(JSON.stringify(msg));
        });
    }

    // Waits for the next (buffered or future) push of this type that
    // satisfies pred, and consumes it. Other messages stay buffered.
    next(type, pred = () => true, timeoutMs = PUSH_TIMEOUT_MS) {
        const i = this.pushes.findIndex((m) => m.type === type && pred(m));
        if (i >= 0) return Promise.resolve(this.pushes.splice(i, 1)[0]);
        return new Promise((resolve, reject) => {
            if (!this.open && this.closeCode !== null) {
                reject(new Error(`connection closed (${this.closeCode}); no "${type}" push;`
                    + ` unconsumed:\n  ${this._unconsumed()}`));
                return;
            }
            const w = { type, pred, resolve, reject, timer: null };
            w.timer = setTimeout(() => {
                this.waiters = this.waiters.filter((x) => x !== w);
                reject(new Error(`no "${type}" push matching ${pred.toString()} within `
                    + `${timeoutMs} ms; unconsumed:\n  ${this._unconsumed()}`));
            }, timeoutMs);
            this.waiters.push(w);
        });
    }

    // Resolves with the matching buffered/future push, or null if none
    // arrives within ms (consumes it if found).
    async maybe(type, pred = () => true, ms = 300) {
        try {
            return await this.next(type, pred, ms);
        } catch (e) {
            if (/^no "/.test(e.message)) return null;
            throw e;
        }
    }

    // Consumes and returns every buffered push of this type.
    drain(type) {
        const out = this.pushes.filter((m) => m.type === type);
        this.pushes = this.pushes.filter((m) => m.type !== type);
        return out;
    }

    close(code = 1000) {
        if (this.ws.readyState === WebSocket.OPEN
            || this.ws.readyState === WebSocket.CONNECTING) {
            this.ws.close(code);
        }
        return this.closed;
    }

    // Drops the TCP connection without a close handshake.
    terminate() {
        this.ws.terminate();
        return this.closed;
    }
}

// Opens /ws and resolves once the server's welcome has arrived.
export function connect(port, { timeoutMs = 5000, protocol } = {}) {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, protocol ? [protocol] : [],
            { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
        const c = new Client(ws);
        const timer = setTimeout(() => {
            ws.terminate();
            reject(new Error(`no welcome from ws://127.0.0.1:${port}/ws within ${timeoutMs} ms`));
        }, timeoutMs);
        c.next('welcome', () => true, timeoutMs).then((w) => {
            clearTimeout(timer);
            c.welcome = w;
            if (c.all[0] !== w) {
                reject(new Error(`first message was not welcome: ${describeMsg(c.all[0])}`));
                return;
            }
            resolve(c);
        }, (err) => {
            clearTimeout(timer);
            reject(err);
        });
        ws.on('error', (err) => {
            clearTimeout(timer);
            reject(new Error(`cannot connect to ws://127.0.0.1:${port}/ws: ${err.message}`));
        });
    });
}

// ------------------------------------------------------- protocol shortcuts

// Throws with a readable message if reply is not of the wanted type.
export function expectType(reply, type) {
    if (!reply || reply.type !== type) {
        throw new Error(`expected a "${type}" reply, got ${describeMsg(reply)}`);
    }
    return reply;
}

export async function login(client, user, password, presence) {
    const req = { type: 'login', user, password };
    if (presence) req.presence = presence;
    return expectType(await client.request(req), 'welcome_clerk');
}

// Connects and logs in a clerk; resolves with the client (welcome_clerk in
// .clerk).
export async function clerk(port, user, password, presence) {
    const c = await connect(port);
    c.clerk = await login(c, user, password, presence);
    return c;
}

let citizenCounter = 0;

// Connects and knocks. Resolves with the client; the knocked reply is in
// .knocked, the token in .token and the ticket in .ticket.
export async function citizen(port, office, extra = {}) {
    const c = await connect(port);
    const r = await c.request({
        type: 'knock', office, consent: true,
        name: `Bürger ${++citizenCounter}`, topic: 'Test', lang: 'de', ...extra,
    });
    expectType(r, 'knocked');
    c.knocked = r;
    c.token = r.token;
    c.ticket = r.ticket;
    return c;
}

export async function officesOverHttp(port) {
    const res = await fetch(`http://127.0.0.1:${port}/api/offices`);
    const body = await res.json();
    return { res, body };
}

export function officeById(list, id) {
    const o = list.find((x) => x.id === id);
    if (!o) throw new Error(`office ${id} missing from ${JSON.stringify(list.map((x) => x.id))}`);
    return o;
}

export const HEX32 = /^[0-9a-f]{32}$/;
export const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)$/;

// Tracks clients and daemons of one test file so `after` can clean up.
export class Scope {
    constructor() {
        this.clients = new Set();
        this.daemons = new Set();
        this.dirs = new Set();
    }

    dir() {
        const d = tempDir();
        this.dirs.add(d);
        return d;
    }

    copy(template) {
        const d = copyStateDir(template);
        this.dirs.add(d);
        return d;
    }

    async start(opts) {
        const d = await startKlopfd(opts);
        this.daemons.add(d);
        return d;
    }

    track(c) {
        this.clients.add(c);
        return c;
    }

    // Adds the end of the daemons' logs to an error, for diagnosis.
    _withLogs(err) {
        const logs = [...this.daemons].map((d) => `--- klopfd pid ${d.pid} stderr (end):\n`
            + d.stderrText().split('\n').slice(-15).join('\n')).join('\n');
        err.message += `\n${logs}`;
        return err;
    }

    async connect(port) {
        try {
            return this.track(await connect(port));
        } catch (e) {
            throw this._withLogs(e);
        }
    }

    async clerk(port, user, password, presence) {
        try {
            return this.track(await clerk(port, user, password, presence));
        } catch (e) {
            throw this._withLogs(e);
        }
    }

    async citizen(port, office, extra) {
        return this.track(await citizen(port, office, extra));
    }

    async closeClients() {
        for (const c of this.clients) c.terminate();
        this.clients.clear();
    }

    async cleanup() {
        await this.closeClients();
        for (const d of this.daemons) await d.stop();
        this.daemons.clear();
        for (const dir of this.dirs) removeDir(dir);
        this.dirs.clear();
    }
}

// ------------------------------------------------------- clerks and states

// The clerks the protocol tests use (offices of always-open.conf).
export const CLERKS = {
    anna: { offices: ['amt-a'], password: 'anna-Passwort-1' },
    bert: { offices: ['amt-b'], password: 'bert-Passwort-2' },
    carla: { offices: ['beratung'], password: 'carla-Passwort-3' },
    dora: { offices: ['amt-a', 'amt-b'], password: 'dora-Passwort-4' },
};

const templates = new Map();

// A state directory with these clerks already added, made once per
// (conf, clerks) and then copied for every fresh daemon. Never start a
// daemon on the template itself.
export async function stateTemplate(conf, clerks) {
    const key = conf + '\0' + JSON.stringify(clerks);
    if (!templates.has(key)) {
        templates.set(key, (async () => {
            const dir = tempDir('klopf-template-');
            for (const [name, c] of Object.entries(clerks)) {
                await addClerk(conf, dir, name, c.offices, c.password);
            }
            return dir;
        })());
    }
    return templates.get(key);
}
