// The HTTP side of klopfd: static files with the right types and caching,
// the security headers on every response, no way out of the webroot,
// GET only, and HSTS once TLS is on.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import https from 'node:https';
import { spawnSync } from 'node:child_process';

import { spawn } from 'node:child_process';
import WebSocket from 'ws';

import { ALWAYS_OPEN, KLOPFD, Scope, connect } from './lib/harness.mjs';

// Sends a raw request (fetch would normalise "..") and returns
// {status, headers, body}.
function rawGet(port, target, method = 'GET') {
    return new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => {
            s.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        });
        let data = '';
        s.setEncoding('latin1');
        s.on('data', (d) => { data += d; });
        s.on('error', reject);
        s.on('close', () => {
            const [head, ...rest] = data.split('\r\n\r\n');
            const lines = head.split('\r\n');
            const status = Number((lines[0] || '').split(' ')[1]);
            const headers = {};
            for (const l of lines.slice(1)) {
                const i = l.indexOf(':');
                if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
            }
            resolve({ status, headers, body: rest.join('\r\n\r\n') });
        });
        s.setTimeout(5000, () => s.destroy(new Error(`no answer to ${target}`)));
    });
}

function assertSecurityHeaders(h, what) {
    const csp = h['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'self'/, `${what}: CSP`);
    assert.match(csp, /script-src 'self'(;|$)/, `${what}: no inline script`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/, `${what}: no loopholes`);
    assert.match(csp, /frame-ancestors 'none'/, `${what}: no framing`);
    assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    assert.equal(h['referrer-policy'], 'no-referrer', `${what}: referrer`);
}

describe('static files and headers over plain HTTP', () => {
    const scope = new Scope();
    let port;
    let webroot;

    before(async () => {
        // a webroot of our own, with a secret next to it and a dot file in it
        const top = scope.dir();
        webroot = path.join(top, 'web');
        fs.mkdirSync(path.join(webroot, 'css'), { recursive: true });
        fs.writeFileSync(path.join(webroot, 'index.html'), '<!doctype html><title>Start</title>');
        fs.writeFileSync(path.join(webroot, 'datenschutz.html'), '<!doctype html><title>DS</title>');
        fs.writeFileSync(path.join(webroot, 'css', 'site.css'), 'body{}');
        fs.writeFileSync(path.join(webroot, 'app.js'), 'export {};');
        fs.writeFileSync(path.join(webroot, '.hidden'), 'dot file');
        fs.writeFileSync(path.join(webroot, 'notes.unknownext'), 'x');
        fs.writeFileSync(path.join(top, 'secret.txt'), 'SECRET-OUTSIDE');
        fs.symlinkSync(path.join(top, 'secret.txt'), path.join(webroot, 'link.txt'));
        const d = await scope.start({ conf: ALWAYS_OPEN, stateDir: scope.dir(), webroot });
        port = d.port;
    });
    after(async () => { await scope.cleanup(); });

    test('/ serves index.html as UTF-8 HTML, revalidated, with the security headers', async () => {
        const r = await rawGet(port, '/');
        assert.equal(r.status, 200);
        assert.match(r.body, /<title>Start<\/title>/);
        assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
        assert.equal(r.headers['cache-control'], 'no-cache');
        assertSecurityHeaders(r.headers, '/');
        assert.equal(r.headers['strict-transport-security'], undefined, 'no HSTS without TLS');
    });

    test('a page name without .html finds the page (/datenschutz)', async () => {
        const r = await rawGet(port, '/datenschutz');
        assert.equal(r.status, 200);
        assert.match(r.body, /<title>DS<\/title>/);
    });

    test('CSS and JavaScript get their types and may be cached', async () => {
        const css = await rawGet(port, '/css/site.css');
        assert.equal(css.status, 200);
        assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
        assert.match(css.headers['cache-control'], /max-age=\d+/);
        const js = await rawGet(port, '/app.js');
        assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
        assertSecurityHeaders(js.headers, '/app.js');
    });

    test('nothing outside the webroot or hidden can be read', async () => {
        for (const target of ['/../secret.txt', '/css/../../secret.txt', '/%2e%2e/secret.txt',
            '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/link.txt', '/.hidden',
            '/css/.', '//etc/passwd', '/..\\secret.txt', '/notes.unknownext', '/nope']) {
            const r = await rawGet(port, target);
            assert.ok(r.status === 404 || r.status === 400 || r.status === 403,
                `${target} answered ${r.status}`);
            assert.ok(!r.body.includes('SECRET-OUTSIDE') && !r.body.includes('dot file')
                && !r.body.includes('root:'), `${target} leaked a file`);
        }
    });

    test('an error page also carries the security headers and is not cached', async () => {
        const r = await rawGet(port, '/nope');
        assert.equal(r.status, 404);
        assertSecurityHeaders(r.headers, '404');
        assert.equal(r.headers['cache-control'], 'no-store');
    });

    test('only GET is served', async () => {
        const r = await rawGet(port, '/', 'DELETE');
        assert.ok(r.status >= 400 && r.status < 500, `DELETE answered ${r.status}`);
        const p = await rawGet(port, '/api/offices', 'PUT');
        assert.ok(p.status >= 400 && p.status < 500, `PUT answered ${p.status}`);
        // and the server still serves afterwards
        assert.equal((await rawGet(port, '/')).status, 200);
    });

    test('/api/offices carries the security headers too', async () => {
        const r = await rawGet(port, '/api/offices');
        assert.equal(r.status, 200);
        assertSecurityHeaders(r.headers, '/api/offices');
        assert.equal(r.headers['access-control-allow-origin'], '*');
        assert.ok(Array.isArray(JSON.parse(r.body).offices));
    });

    test('a WebSocket on another path than /ws is refused', async () => {
        const outcome = await new Promise((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
            ws.on('open', () => { ws.terminate(); resolve('open'); });
            ws.on('error', () => resolve('refused'));
            ws.on('unexpected-response', () => resolve('refused'));
        });
        assert.equal(outcome, 'refused');
        const good = scope.track(await connect(port));
        assert.equal(good.welcome.type, 'welcome');
    });
});

describe('with TLS', () => {
    const scope = new Scope();
    let port;
    let proc;

    before(async () => {
        const dir = scope.dir();
        const cert = path.join(dir, 'cert.pem');
        const key = path.join(dir, 'key.pem');
        const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
            'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
            '-keyout', key, '-out', cert], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const conf = path.join(dir, 'tls.conf');
        fs.writeFileSync(conf, fs.readFileSync(ALWAYS_OPEN, 'utf8')
            .replace('webroot = "../../../webclient";',
                `webroot = "${path.resolve('..', 'webclient')}";\n`
                + `tls_cert = "${cert}";\ntls_key = "${key}";`));
        // the harness waits for http://; start this one by hand
        proc = spawn(KLOPFD, ['-c', conf, '--state-dir', scope.dir()],
            { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        port = await new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`no https listener: ${err}`)), 10000);
            proc.stderr.on('data', (d) => {
                err += d;
                const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
                if (m) { clearTimeout(t); resolve(Number(m[1])); }
            });
            proc.on('exit', (code) => reject(new Error(`klopfd exited ${code}: ${err}`)));
        });
    });
    after(async () => {
        if (proc && proc.exitCode === null) {
            const gone = new Promise((r) => proc.on('exit', r));
            proc.kill('SIGTERM');
            await gone;
        }
        await scope.cleanup();
    });

    test('HTTPS answers with HSTS and the security headers', async () => {
        const res = await new Promise((resolve, reject) => {
            https.get({ host: '127.0.0.1', port, path: '/api/offices', rejectUnauthorized: false },
                (r) => {
                    let body = '';
                    r.on('data', (d) => { body += d; });
                    r.on('end', () => resolve({ headers: r.headers, status: r.statusCode, body }));
                }).on('error', reject);
        });
        assert.equal(res.status, 200);
        assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/);
        assertSecurityHeaders(res.headers, 'https');
        assert.ok(Array.isArray(JSON.parse(res.body).offices));
    });
});

describe('the administration\'s own privacy notice (privacy_file)', () => {
    const scope = new Scope();
    let port;
    let dir;

    before(async () => {
        dir = scope.dir();
        fs.writeFileSync(path.join(dir, 'hinweis.txt'), 'Landkreis Musterstadt: Datenschutzhinweis ÄÖÜ\n');
        const conf = path.join(dir, 'privacy.conf');
        fs.writeFileSync(conf, fs.readFileSync(ALWAYS_OPEN, 'utf8')
            .replace('webroot = "../../../webclient";',
                `webroot = "${path.resolve('..', 'webclient')}";\nprivacy_file = "hinweis.txt";`));
        const d = await scope.start({ conf, stateDir: scope.dir() });
        port = d.port;
    });
    after(async () => { await scope.cleanup(); });

    test('/datenschutz.txt serves the configured file, as UTF-8 text with the security headers', async () => {
        const r = await rawGet(port, '/datenschutz.txt');
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
        assert.match(Buffer.from(r.body, 'latin1').toString('utf8'), /Landkreis Musterstadt: Datenschutzhinweis ÄÖÜ/);
        assertSecurityHeaders(r.headers, 'privacy notice');
    });

    test('a translation is the file beside it with the language code; a missing one is 404', async () => {
        assert.equal((await rawGet(port, '/datenschutz.en.txt')).status, 404,
            'the sample English text must not stand in for the administration\'s own');
        fs.writeFileSync(path.join(dir, 'hinweis.en.txt'), 'County of Musterstadt: privacy notice\n');
        const r = await rawGet(port, '/datenschutz.en.txt');
        assert.equal(r.status, 200);
        assert.match(r.body, /County of Musterstadt/);
        assert.equal((await rawGet(port, '/datenschutz.x..txt')).status, 404);
        assert.equal((await rawGet(port, '/datenschutz.%2e%2e.txt')).status, 404);
    });

    test('klopfd refuses a configuration whose privacy_file cannot be read', async () => {
        const conf = path.join(dir, 'missing.conf');
        fs.writeFileSync(conf, fs.readFileSync(ALWAYS_OPEN, 'utf8')
            .replace('webroot = "../../../webclient";', 'privacy_file = "fehlt.txt";'));
        const r = spawnSync(KLOPFD, ['-t', '-c', conf], { encoding: 'utf8' });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /fehlt\.txt/);
    });
});
