#!/usr/bin/env node
// Signaling benchmark for klopfd: 2,000 citizens knock at 9 offices over
// ~20 s while 20 clerks admit and end consultations. The clerks start
// working 8 s after the first knock, so queues of ~100 form and drain.
// Measures
//   * knock -> clerk notified: from sending `knock` to each clerk of that
//     office receiving `queue_add` for the ticket,
//   * queue fan-out: from a clerk sending `admit` to every other waiting
//     citizen of the office receiving its moved-up `ticket` push,
//   * klopfd CPU seconds and peak RSS (VmHWM),
//   * lost messages (knock without knocked, admit without the citizen's
//     admitted push, end without done, a clerk missing a queue_add).
// Exits 1 if a target is missed, 2 if the benchmark could not run.
//
// Usage: bench/run  (raises `ulimit -n`), or KLOPFD=../build/klopfd node
// signaling.mjs [--citizens N] [--seconds S] [--hold S]

import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'package.json'));
let WebSocket;
try {
    WebSocket = require('ws');
} catch {
    console.error('bench: the npm package "ws" is missing; run `make deps` (or `cd tests && npm ci`).');
    process.exit(2);
}
const harness = await import('../tests/proto/lib/harness.mjs');
const { startKlopfd, addClerk, tempDir, removeDir, freePort, sleep } = harness;

// ------------------------------------------------------------- parameters

function arg(name, dflt) {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N_CITIZENS = arg('citizens', 2000);
const KNOCK_SECONDS = arg('seconds', 20);
// Clerks hold off this long after the first knock, so that queues form
// (a morning rush) and every admit moves many waiting citizens up.
const HOLD_SECONDS = arg('hold', 8);
const N_CLERKS = 20;
const DEADLINE_S = 120;
const CONSULT_MIN_MS = 50;
const CONSULT_MAX_MS = 200;
const CONF = path.join(here, 'bench.conf');
const TARGETS = { knockP99: 50, fanoutP99: 50, rssMB: 100, lost: 0 };

// ----------------------------------------------------------- file limits

function openFileLimit() {
    try {
        const m = /^Max open files\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
        return m[1] === 'unlimited' ? Infinity : Number(m[1]);
    } catch {
        return Infinity;
    }
}
const needFds = N_CITIZENS + N_CLERKS + 500;
if (openFileLimit() < Math.max(4096, needFds)) {
    console.error(`bench: ulimit -n is ${openFileLimit()}, need at least ${Math.max(4096, needFds)} `
        + 'for the WebSocket connections. Run bench/run, which raises it, or `ulimit -n 8192` first.');
    process.exit(2);
}

// ------------------------------------------------------------- helpers

let CLK_TCK = 100;
try {
    CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch { /* keep 100 */ }

// {user, sys, total} CPU seconds of a process from /proc/PID/stat.
function cpuTimes(pid) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": f[0] is state (field 3); utime is field 14, stime 15
    const user = Number(f[11]) / CLK_TCK;
    const sys = Number(f[12]) / CLK_TCK;
    return { user, sys, total: user + sys };
}
const cpuSeconds = (pid) => cpuTimes(pid).total;

function statusKB(pid, key) {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')
        .exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
}

function pct(arr, p) {
    if (arr.length === 0) return NaN;
    const s = Float64Array.from(arr).sort();
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

const now = () => performance.now();

function wsOpen(port) {
    return new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
}

// ---------------------------------------------------------------- state

const offices = [];         // office ids from bench.conf, in order
const clerks = [];
const claimed = new Set();  // ticket ids some clerk is admitting
const knockSentAt = new Map();      // ticket id -> knock send time (once known)
const earlyQueueAdds = new Map();   // ticket id -> [receive times] before knocked
const fanoutWaiting = new Map();    // ticket id -> [admit send times], oldest first
const lastPosition = new Map();     // ticket id -> last position seen by its citizen
const admittedTickets = new Set();  // room replies (tickets the clerks admitted)
const endedTickets = new Set();     // end replies ok
const citizenAdmitted = new Set();  // citizens that saw state admitted
const citizenDone = new Set();      // citizens that saw state done
const queueAddSeen = new Map();     // ticket id -> number of clerks notified
const ticketOffice = new Map();     // ticket id -> office id

const lat = { knock: [], fanout: [], knockHold: [], knockWork: [] };
function knockSample(ms) {
    lat.knock.push(ms);
    (working ? lat.knockWork : lat.knockHold).push(ms);
}
const counts = {
    knocksSent: 0, knocked: 0, knockErrors: 0, clerkErrors: 0, connectErrors: 0,
    admitRetries: 0, unexpectedClose: 0,
};
const errorSamples = [];
let running = true;
let working = false;     // clerks admit only after HOLD_SECONDS

function noteError(where, msg) {
    if (errorSamples.length < 10) errorSamples.push(`${where}: ${JSON.stringify(msg)}`);
}

function recordQueueAdd(ticketId, at) {
    queueAddSeen.set(ticketId, (queueAddSeen.get(ticketId) ?? 0) + 1);
    const sent = knockSentAt.get(ticketId);
    if (sent !== undefined) {
        knockSample(at - sent);
    } else {
        const l = earlyQueueAdds.get(ticketId);
        if (l) l.push(at); else earlyQueueAdds.set(ticketId, [at]);
    }
}

// ---------------------------------------------------------------- clerks

class ClerkBot {
    constructor(name, office, password) {
        Object.assign(this, { name, office, password });
        this.queue = [];        // ticket ids, in klopfd's order
        this.busy = false;      // an admit or a room is under way
        this.nextId = 1;
        this.pending = new Map();
        this.rooms = 0;
    }

    start(port) {
        return new Promise((resolve, reject) => {
            this.ws = wsOpen(port);
            this.ready = { resolve, reject };
            this.ws.on('message', (d) => this.onMessage(JSON.parse(d.toString()), now()));
            this.ws.on('error', (e) => reject(e));
            this.ws.on('close', (code) => {
                if (running) { counts.unexpectedClose++; noteError(`clerk ${this.name} closed`, code); }
            });
        });
    }

    // Sends obj with a fresh id; local (not sent) is kept for the reply.
    send(obj, local = {}) {
        obj.id = this.nextId++;
        this.pending.set(obj.id, { ...obj, ...local });
        this.ws.send(JSON.stringify(obj));
    }

    onMessage(m, at) {
        switch (m.type) {
        case 'welcome':
            this.send({ type: 'login', user: this.name, password: this.password });
            return;
        case 'queue_add':
            if (m.office !== this.office) return;
            recordQueueAdd(m.ticket.id, at);
            this.queue.splice(m.position - 1, 0, m.ticket.id);
            this.work();
            return;
        case 'queue_remove':
            if (m.office !== this.office) return;
            this.queue = this.queue.filter((id) => id !== m.ticket);
            return;
        case 'queue':
            if (m.office === this.office) this.queue = m.tickets.map((t) => t.id);
            this.work();
            return;
        default:
            break;
        }
        if (m.id === undefined) return; // other pushes (offices, presence)
        const req = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!req) return;
        if (req.type === 'login') {
            if (m.type === 'welcome_clerk') this.ready.resolve();
            else this.ready.reject(new Error(`login ${this.name}: ${JSON.stringify(m)}`));
        } else if (req.type === 'admit') {
            if (m.type === 'room') {
                admittedTickets.add(req.ticket);
                this.rooms++;
                const ms = CONSULT_MIN_MS + Math.random() * (CONSULT_MAX_MS - CONSULT_MIN_MS);
                setTimeout(() => this.send({ type: 'end', room: m.room.id }, { ticket: req.ticket }), ms);
            } else {
                // e.g. wrong_state: forget this attempt's fan-out expectations
                counts.admitRetries++;
                noteError(`admit by ${this.name}`, m);
                for (const id of req.behind) fanoutWaiting.get(id)?.pop();
                claimed.delete(req.ticket);
                this.busy = false;
                setTimeout(() => this.work(), 5);
            }
        } else if (req.type === 'end') {
            if (m.type === 'ok') endedTickets.add(req.ticket);
            else { counts.clerkErrors++; noteError(`end by ${this.name}`, m); }
            claimed.delete(req.ticket);
            this.busy = false;
            this.work();
        }
    }

    work() {
        if (this.busy || !running || !working) return;
        const i = this.queue.findIndex((id) => !claimed.has(id));
        if (i < 0) return;
        const ticket = this.queue[i];
        claimed.add(ticket);
        this.busy = true;
        const t0 = now();
        const behind = this.queue.slice(i + 1).filter((id) => !claimed.has(id));
        for (const id of behind) {
            const l = fanoutWaiting.get(id);
            if (l) l.push(t0); else fanoutWaiting.set(id, [t0]);
        }
        this.send({ type: 'admit', ticket }, { behind });
    }
}

// -------------------------------------------------------------- citizens

function startCitizen(port, n) {
    const office = offices[n % offices.length];
    const ws = wsOpen(port);
    let ticketId = 0;
    let sentAt = 0;
    ws.on('error', () => { counts.connectErrors++; });
    ws.on('close', () => {
        if (running && !citizenDone.has(ticketId)) {
            counts.unexpectedClose++;
            noteError(`citizen ${n} closed`, ticketId);
        }
    });
    ws.on('message', (d) => {
        const at = now();
        const m = JSON.parse(d.toString());
        if (m.type === 'welcome') {
            const knock = { type: 'knock', id: 1, office, consent: true, lang: 'de', topic: 'Benchmark' };
            if (office !== 'beratung') knock.name = `Bürger ${n}`;
            sentAt = now();
            counts.knocksSent++;
            ws.send(JSON.stringify(knock));
        } else if (m.type === 'knocked' && m.id === 1) {
            counts.knocked++;
            ticketId = m.ticket.id;
            knockSentAt.set(ticketId, sentAt);
            ticketOffice.set(ticketId, office);
            for (const t of earlyQueueAdds.get(ticketId) ?? []) knockSample(t - sentAt);
            earlyQueueAdds.delete(ticketId);
            if (!lastPosition.has(ticketId)) lastPosition.set(ticketId, m.ticket.position);
        } else if (m.type === 'error' && m.id === 1) {
            counts.knockErrors++;
            noteError(`knock ${n}`, m);
            ws.close();
        } else if (m.type === 'ticket' && m.id === undefined) {
            const t = m.ticket;
            if (t.state === 'waiting') {
                const last = lastPosition.get(t.id);
                lastPosition.set(t.id, t.position);
                if (last !== undefined && t.position < last) {
                    const l = fanoutWaiting.get(t.id);
                    for (let k = last - t.position; k > 0 && l && l.length; k--) {
                        lat.fanout.push(at - l.shift());
                    }
                }
            } else if (t.state === 'admitted') {
                citizenAdmitted.add(t.id);
                fanoutWaiting.delete(t.id);
            } else if (t.state === 'done') {
                citizenDone.add(t.id);
                ws.close();
            }
        }
    });
    return ws;
}

// ------------------------------------------------------------------ main

function officeIds(conf) {
    return [...fs.readFileSync(conf, 'utf8').matchAll(/\bid\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
}

async function main() {
    offices.push(...officeIds(CONF));
    const stateDir = tempDir('klopf-bench-');
    let d;
    const citizenSockets = [];
    try {
        // 20 clerks, 2-3 per office
        const t0 = now();
        const accounts = [];
        for (let i = 0; i < N_CLERKS; i++) {
            accounts.push({ name: `clerk${String(i).padStart(2, '0')}`, office: offices[i % offices.length],
                password: `bench-Passwort-${i}` });
        }
        await addClerk(CONF, stateDir, accounts[0].name, [accounts[0].office], accounts[0].password);
        for (let i = 1; i < accounts.length; i += 4) {
            await Promise.all(accounts.slice(i, i + 4).map((a) => addClerk(CONF, stateDir, a.name,
                [a.office], a.password)));
        }
        console.log(`bench: ${N_CLERKS} clerks added in ${((now() - t0) / 1000).toFixed(1)} s`);

        d = await startKlopfd({ conf: CONF, stateDir, port: await freePort() });
        for (const a of accounts) clerks.push(new ClerkBot(a.name, a.office, a.password));
        await Promise.all(clerks.map((c) => c.start(d.port)));
        console.log(`bench: klopfd pid ${d.pid} on port ${d.port}, ${clerks.length} clerks logged in`);

        const hwm0KB = statusKB(d.pid, 'VmHWM');
        const rss0KB = statusKB(d.pid, 'VmRSS');
        const cpu0 = cpuTimes(d.pid);
        const node0 = process.cpuUsage();
        let cpuHold = null;
        const loop = monitorEventLoopDelay({ resolution: 5 });
        loop.enable();
        const start = now();
        const deadline = start + DEADLINE_S * 1000;
        const interval = (KNOCK_SECONDS * 1000) / N_CITIZENS;
        let launched = 0;
        let maxQueue = 0;
        setTimeout(() => {
            if (!d.exited()) cpuHold = cpuTimes(d.pid);
            working = true;
            for (const c of clerks) maxQueue = Math.max(maxQueue, c.queue.length);
            for (const c of clerks) c.work();
        }, HOLD_SECONDS * 1000);
        await new Promise((resolve) => {
            const timer = setInterval(() => {
                const due = Math.min(N_CITIZENS, Math.floor((now() - start) / interval) + 1);
                while (launched < due) citizenSockets.push(startCitizen(d.port, launched++));
                const settled = counts.knocked + counts.knockErrors;
                const finished = launched === N_CITIZENS && settled >= N_CITIZENS
                    && citizenDone.size >= counts.knocked;
                if (finished || now() > deadline || d.exited()) {
                    clearInterval(timer);
                    resolve();
                }
            }, 5);
        });
        const elapsed = (now() - start) / 1000;
        loop.disable();
        running = false;
        const alive = !d.exited();
        const cpuT = alive ? cpuTimes(d.pid) : { user: NaN, sys: NaN, total: NaN };
        const cpu = cpuT.total;
        const nodeCpu = process.cpuUsage(node0);
        const holdS = Math.min(HOLD_SECONDS, elapsed);
        const hwmKB = alive ? statusKB(d.pid, 'VmHWM') : NaN;
        const rssEndKB = alive ? statusKB(d.pid, 'VmRSS') : NaN;

        // ---------------------------------------------------------- results
        const lostKnocks = counts.knocksSent - counts.knocked - counts.knockErrors;
        const lostAdmitted = [...admittedTickets].filter((id) => !citizenAdmitted.has(id)).length;
        const lostDone = [...endedTickets].filter((id) => !citizenDone.has(id)).length;
        const notDone = counts.knocked - citizenDone.size;
        const missingQueueAdds = missingQueueAddCount();
        const lost = lostKnocks + lostAdmitted + lostDone + missingQueueAdds;

        const knockP99 = pct(lat.knock, 0.99);
        const fanP99 = pct(lat.fanout, 0.99);
        const rssMB = hwmKB / 1024;
        const rows = [
            ['citizens knocked', `${counts.knocked} / ${N_CITIZENS}`, '', ''],
            ['longest queue when clerks start', String(maxQueue), '', ''],
            ['tickets done', `${citizenDone.size}`, `${counts.knocked}`, notDone === 0 ? 'ok' : 'MISSED'],
            ['run time (s)', elapsed.toFixed(1), `< ${DEADLINE_S}`, elapsed < DEADLINE_S ? 'ok' : 'MISSED'],
            ['knock -> clerk p50 (ms)', pct(lat.knock, 0.5).toFixed(2), '', ''],
            ['knock -> clerk p99 (ms)', knockP99.toFixed(2), `< ${TARGETS.knockP99}`,
                knockP99 < TARGETS.knockP99 ? 'ok' : 'MISSED'],
            ['knock -> clerk max (ms)', pct(lat.knock, 1).toFixed(2), '', ''],
            ['  p99 while queues fill', pct(lat.knockHold, 0.99).toFixed(2), '', ''],
            ['  p99 while clerks work', pct(lat.knockWork, 0.99).toFixed(2), '', ''],
            ['  samples', String(lat.knock.length), '', ''],
            ['fan-out p50 (ms)', pct(lat.fanout, 0.5).toFixed(2), '', ''],
            ['fan-out p99 (ms)', fanP99.toFixed(2), `< ${TARGETS.fanoutP99}`,
                // no samples: no queue ever formed (e.g. --hold 0), nothing to judge
                Number.isNaN(fanP99) ? 'n/a' : fanP99 < TARGETS.fanoutP99 ? 'ok' : 'MISSED'],
            ['fan-out max (ms)', pct(lat.fanout, 1).toFixed(2), '', ''],
            ['  samples', String(lat.fanout.length), '', ''],
            ['klopfd CPU (s, load phase)', (cpu - cpu0.total).toFixed(2), '', ''],
            ['  user / sys', `${(cpuT.user - cpu0.user).toFixed(2)} / ${(cpuT.sys - cpu0.sys).toFixed(2)}`, '', ''],
            ['  while queues fill (s)', cpuHold ? (cpuHold.total - cpu0.total).toFixed(2) : 'n/a',
                `in ${holdS.toFixed(1)} s`, ''],
            ['  while clerks work (s)', cpuHold ? (cpu - cpuHold.total).toFixed(2) : 'n/a',
                `in ${(elapsed - holdS).toFixed(1)} s`, ''],
            ['klopfd CPU (s, total)', cpu.toFixed(2), '', ''],
            ['klopfd peak RSS (MB)', rssMB.toFixed(1), `< ${TARGETS.rssMB}`,
                rssMB < TARGETS.rssMB ? 'ok' : 'MISSED'],
            ['  peak before citizens (MB)', (hwm0KB / 1024).toFixed(1), 'clerk logins (scrypt)', ''],
            ['  RSS before / after load (MB)', `${(rss0KB / 1024).toFixed(1)} / ${(rssEndKB / 1024).toFixed(1)}`, '', ''],
            ['lost messages', String(lost), `= ${TARGETS.lost}`, lost === TARGETS.lost ? 'ok' : 'MISSED'],
            ['  knocks unanswered', String(lostKnocks), '', ''],
            ['  admitted pushes missing', String(lostAdmitted), '', ''],
            ['  done pushes missing', String(lostDone), '', ''],
            ['  clerk queue_add missing', String(missingQueueAdds), '', ''],
            ['errors (knock / clerk)', `${counts.knockErrors} / ${counts.clerkErrors}`, '= 0',
                counts.knockErrors + counts.clerkErrors === 0 ? 'ok' : 'MISSED'],
            ['admit retries', String(counts.admitRetries), '', ''],
            ['unexpected closes', String(counts.unexpectedClose + counts.connectErrors), '= 0',
                counts.unexpectedClose + counts.connectErrors === 0 ? 'ok' : 'MISSED'],
            ['node event loop delay p99 (ms)', (loop.percentile(99) / 1e6).toFixed(2), '', ''],
            ['node driver CPU (s, load phase)', ((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(2), '', ''],
        ];
        const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
        console.log('');
        console.log(`klopfd signaling benchmark: ${N_CITIZENS} citizens over ${KNOCK_SECONDS} s, `
            + `${N_CLERKS} clerks (start after ${HOLD_SECONDS} s), ${offices.length} offices, `
            + `consultations ${CONSULT_MIN_MS}-${CONSULT_MAX_MS} ms`);
        for (const r of rows) {
            console.log(`  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`);
        }
        if (errorSamples.length) console.log(`\nfirst errors:\n  ${errorSamples.join('\n  ')}`);
        if (!alive) console.log(`\nklopfd exited: ${JSON.stringify(d.exited())}\n${d.stderrText().slice(-3000)}`);
        const missed = rows.filter((r) => r[3] === 'MISSED').map((r) => r[0].trim());
        if (loop.percentile(99) / 1e6 > 20) {
            console.log('\nnote: the node driver\'s own event loop was delayed by more than 20 ms at p99; '
                + 'latencies above include that delay.');
        }
        console.log(missed.length ? `\nbench: MISSED ${missed.join(', ')}` : '\nbench: all targets met');
        return missed.length ? 1 : 0;
    } finally {
        running = false;
        for (const ws of citizenSockets) ws.terminate();
        for (const c of clerks) c.ws?.terminate();
        if (d) await d.stop();
        removeDir(stateDir);
    }

    // Every knocked ticket should have reached every clerk of its office.
    function missingQueueAddCount() {
        const perOffice = new Map();
        for (const c of clerks) perOffice.set(c.office, (perOffice.get(c.office) ?? 0) + 1);
        let missing = 0;
        for (const [id, office] of ticketOffice) {
            missing += Math.max(0, perOffice.get(office) - (queueAddSeen.get(id) ?? 0));
        }
        return missing;
    }
}

main().then((code) => process.exit(code), (err) => {
    console.error(`bench: ${err.stack || err}`);
    process.exit(2);
});
