// The Prometheus endpoint: GET /metrics on its own listener
// (media.metrics_listen) answers parseable exposition text; anything else
// is refused; an oversized or slow client neither stops the listener nor
// the WebSocket side; without metrics_listen nothing listens; a broken
// metrics_listen fails `klopfd -t` at its line, a taken port fails the
// start with a clear sentence.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import {
    ALWAYS_OPEN, PROTO_CONF_DIR, WEBROOT, Scope, runKlopfd, sleep, tempDir,
} from './lib/harness.mjs';

const METRICS_CONF = path.join(PROTO_CONF_DIR, 'metrics.conf');
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const METRICS_TIMEOUT_MS = 5000;   // METRICS_TIMEOUT_MS in mediad/metrics.h

// The metrics port from klopfd's "klopfd: metrics at http://…/metrics"
// line (printed right after "listening on").
async function metricsPort(d) {
    for (let i = 0; i < 50; i++) {
        const m = /klopfd: metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/
            .exec(d.stderrText());
        if (m) return Number(m[1]);
        await sleep(20);
    }
    throw new Error(`no "metrics at" line; stderr:\n${d.stderrText()}`);
}

// Sends raw bytes and resolves {status, headers, body, raw} once the
// server closes the connection.
function raw(port, request, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(request));
        let data = '';
        s.setEncoding('latin1');
        s.on('data', (d) => { data += d; });
        s.on('error', (e) => {
            // A reset after the whole answer arrived still counts.
            if (data.includes('\r\n\r\n')) s.emit('close'); else reject(e);
        });
        s.once('close', () => {
            const i = data.indexOf('\r\n\r\n');
            const head = i >= 0 ? data.slice(0, i) : data;
            const lines = head.split('\r\n');
            const headers = {};
            for (const l of lines.slice(1)) {
                const j = l.indexOf(':');
                if (j > 0) headers[l.slice(0, j).toLowerCase()] = l.slice(j + 1).trim();
            }
            resolve({
                status: Number((lines[0] || '').split(' ')[1]), headers,
                body: i >= 0 ? data.slice(i + 4) : '', raw: data,
            });
        });
        s.setTimeout(timeoutMs, () => s.destroy(new Error('no answer')));
    });
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? `
    + '(NaN|[+-]Inf|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)$');
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

// Parses exposition text 0.0.4 strictly enough to catch what Prometheus
// would reject: every line a comment or "name{labels} value"; one TYPE per
// family, before its samples, HELP before TYPE; a family's samples
// together. Returns Map name -> [{labels, value}] and the types.
function parseExposition(text) {
    assert.ok(text.endsWith('\n'), 'the body ends with a newline');
    const samples = new Map();
    const types = new Map();
    const helped = new Set();
    const closed = new Set();
    let current = null;
    const lines = text.slice(0, -1).split('\n');
    for (const [n, line] of lines.entries()) {
        const where = `line ${n + 1}: ${JSON.stringify(line)}`;
        let m;
        if ((m = /^# HELP (\S+) (.*)$/.exec(line))) {
            assert.match(m[1], new RegExp(`^${NAME}$`), where);
            assert.ok(!helped.has(m[1]) && !types.has(m[1]), `HELP once, before TYPE: ${where}`);
            helped.add(m[1]);
            continue;
        }
        if ((m = /^# TYPE (\S+) (\S+)$/.exec(line))) {
            assert.ok(TYPES.has(m[2]), `known type: ${where}`);
            assert.ok(!types.has(m[1]), `one TYPE per family: ${where}`);
            assert.ok(!samples.has(m[1]), `TYPE before samples: ${where}`);
            types.set(m[1], m[2]);
            continue;
        }
        assert.ok(!line.startsWith('#'), `only HELP and TYPE comments: ${where}`);
        m = SAMPLE.exec(line);
        assert.ok(m, `a sample line "name{labels} value": ${where}`);
        const [, name, labels = '', value] = m;
        let family = name;
        for (const suffix of ['_bucket', '_sum', '_count']) {
            const base = name.slice(0, -suffix.length);
            if (name.endsWith(suffix) && types.get(base) === 'histogram') family = base;
        }
        assert.ok(types.has(family), `TYPE declared before ${where}`);
        if (family !== current) {
            assert.ok(!closed.has(family), `samples of ${family} together: ${where}`);
            if (current) closed.add(current);
            current = family;
        }
        if (!samples.has(name)) samples.set(name, []);
        samples.get(name).push({ labels, value: Number(value.replace('Inf', 'Infinity')) });
    }
    return { samples, types };
}

// The TCP ports that process pid listens on (its sockets in LISTEN state,
// from /proc: the test runs in klopfd's network namespace).
function listeningPorts(pid) {
    const inodes = new Set();
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
            const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
            if (m) inodes.add(m[1]);
        } catch { /* closed meanwhile */ }
    }
    const ports = new Set();
    for (const f of ['tcp', 'tcp6']) {
        let text = '';
        try { text = fs.readFileSync(`/proc/${pid}/net/${f}`, 'utf8'); } catch { continue; }
        for (const line of text.split('\n').slice(1)) {
            const c = line.trim().split(/\s+/);
            if (c.length > 9 && c[3] === '0A' && inodes.has(c[9])) {
                ports.add(parseInt(c[1].split(':')[1], 16));
            }
        }
    }
    return [...ports].sort((a, b) => a - b);
}

describe('GET /metrics', () => {
    const scope = new Scope();
    let d;
    let port;

    before(async () => {
        d = await scope.start({ conf: METRICS_CONF, stateDir: scope.dir() });
        port = await metricsPort(d);
    });
    after(() => scope.cleanup());

    test('answers 200 with the exposition content type and parseable text', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), CONTENT_TYPE);
        const { samples, types } = parseExposition(await res.text());

        const build = samples.get('klopf_build_info');
        assert.equal(types.get('klopf_build_info'), 'gauge');
        assert.equal(build.length, 1);
        assert.match(build[0].labels, /^version="\d+\.\d+\.\d+[^"]*"$/);
        assert.equal(build[0].value, 1);

        const start = samples.get('process_start_time_seconds')[0].value;
        const now = Date.now() / 1000;
        assert.ok(start > now - 600 && start <= now + 1,
            `process_start_time_seconds ${start} is about now (${now})`);
        assert.equal(types.get('process_cpu_seconds_total'), 'counter');
        assert.ok(samples.get('process_resident_memory_bytes')[0].value > 0);
        assert.ok(samples.get('process_open_fds')[0].value > 0);
    });

    test('a query string is ignored and HTTP/1.0 is answered', async () => {
        const r = await raw(port, 'GET /metrics?name[]=x HTTP/1.0\r\n\r\n');
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-type'], CONTENT_TYPE);
        assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body, 'latin1'));
        parseExposition(r.body);
    });

    test('any other path is 404, on either listener', async () => {
        for (const p of ['/', '/metrics/', '/metricsx', '/api/offices', '/index.html']) {
            const res = await fetch(`http://127.0.0.1:${port}${p}`);
            assert.equal(res.status, 404, p);
            await res.arrayBuffer();
        }
        // and the web listener does not serve the numbers
        const res = await fetch(d.url('/metrics'));
        const body = await res.text();
        assert.doesNotMatch(body, /klopf_build_info/);
    });

    test('a method other than GET is 405 with Allow: GET', async () => {
        for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
            const r = await raw(port, `${method} /metrics HTTP/1.1\r\nHost: x\r\n`
                + 'Content-Length: 11\r\n\r\nhello=world');
            assert.equal(r.status, 405, method);
            assert.equal(r.headers.allow, 'GET', method);
        }
    });

    test('a malformed request line is 400', async () => {
        for (const req of ['GET /metrics\r\n\r\n', 'GET /metrics HTTP/9.9\r\n\r\n',
            'hello\r\n\r\n']) {
            const r = await raw(port, req);
            assert.equal(r.status, 400, JSON.stringify(req));
        }
    });

    test('an oversized request is refused and klopfd keeps serving', async () => {
        const big = `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(16384)}\r\n\r\n`;
        const r = await raw(port, big);
        assert.equal(r.status, 431);
        assert.equal(r.headers.connection, 'close');

        const c = await scope.connect(d.port);
        assert.equal(c.welcome.type, 'welcome');
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        parseExposition(await res.text());
        c.close();
    });

    test('a slow client blocks neither /metrics nor /ws and is cut off', async () => {
        const slow = net.connect(port, '127.0.0.1');
        await new Promise((resolve, reject) => {
            slow.once('connect', resolve);
            slow.once('error', reject);
        });
        slow.on('error', () => { /* a reset is fine */ });
        const closedAt = new Promise((resolve) => slow.once('close', () => resolve(Date.now())));
        const t0 = Date.now();
        slow.write('GET /met');          // and never the rest

        const c = await scope.connect(d.port);
        assert.equal(c.welcome.type, 'welcome');
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        await res.text();
        assert.ok(Date.now() - t0 < 3000, 'answers while the slow client waits');
        c.close();

        const t1 = await Promise.race([closedAt, sleep(METRICS_TIMEOUT_MS + 3000).then(() => null)]);
        assert.ok(t1 !== null, 'klopfd closes a client that never finishes its request');
        assert.ok(t1 - t0 >= METRICS_TIMEOUT_MS - 500, `closed after ${t1 - t0} ms, not before the timeout`);
    });

    test('klopfd listens on its web port and the metrics port, nothing else', () => {
        assert.deepEqual(listeningPorts(d.pid), [d.port, port].sort((a, b) => a - b));
    });

    test('a port already taken fails the start with the reason', async () => {
        const dir = tempDir();
        const conf = path.join(dir, 'taken.conf');
        fs.writeFileSync(conf, fs.readFileSync(METRICS_CONF, 'utf8')
            .replace('metrics_listen = "127.0.0.1:0"', `metrics_listen = "127.0.0.1:${port}"`));
        const r = await runKlopfd(['-c', conf, '--state-dir', dir,
            '--listen', '127.0.0.1:0', '--webroot', WEBROOT], { timeoutMs: 10000 });
        assert.notEqual(r.code, 0, `klopfd started on a taken port; stderr:\n${r.stderr}`);
        assert.equal(r.signal, null);
        assert.match(r.stderr,
            new RegExp(`^klopfd: metrics_listen 127\\.0\\.0\\.1:${port}: Address already in use$`, 'm'));
        assert.doesNotMatch(r.stderr, /listening on/);
        // the first klopfd is unharmed
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        await res.text();
    });

    test('SIGTERM with a scrape connection open exits cleanly', async () => {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => { /* reset at exit is fine */ });
        await new Promise((resolve) => s.once('connect', resolve));
        s.write('GET /metrics HTTP/1.1\r\n');   // head not finished
        await sleep(100);
        // Under ASan (make check-proto-san) a leak would make this 99.
        assert.deepEqual(await d.stop(), { code: 0, signal: null },
            `stderr:\n${d.stderrText()}`);
        s.destroy();
    });
});

describe('without metrics_listen', () => {
    const scope = new Scope();
    after(() => scope.cleanup());

    test('nothing but the web port listens', async () => {
        const d = await scope.start({ stateDir: scope.dir() });  // always-open.conf
        await sleep(100);
        assert.doesNotMatch(d.stderrText(), /metrics/);
        assert.deepEqual(listeningPorts(d.pid), [d.port]);
    });
});

describe('klopfd -t and metrics_listen', () => {
    const conf = (name) => path.join(PROTO_CONF_DIR, name);

    test('accepts the metrics test configuration', async () => {
        const r = await runKlopfd(['-t', '-c', METRICS_CONF]);
        assert.equal(r.code, 0, r.stderr);
        const r2 = await runKlopfd(['-t', '-c', ALWAYS_OPEN]);
        assert.equal(r2.code, 0, r2.stderr);
    });

    for (const [file, line, re] of [
        ['metrics-bad-port.conf', 5, /"metrics_listen".*99999.*port/],
        ['metrics-bad-type.conf', 6, /"metrics_listen" must be a string/],
    ]) {
        test(`${file}: reported at line ${line}`, async () => {
            const r = await runKlopfd(['-t', '-c', conf(file)]);
            assert.notEqual(r.code, 0, `accepted; stderr:\n${r.stderr}`);
            assert.equal(r.signal, null);
            const m = new RegExp(`(?:^|/)${file.replace('.', '\\.')}:(\\d+): (.*)$`, 'm')
                .exec(r.stderr);
            assert.ok(m, `no FILE:LINE: message:\n${r.stderr}`);
            assert.equal(Number(m[1]), line, r.stderr);
            assert.match(m[2], re);
        });
    }
});
