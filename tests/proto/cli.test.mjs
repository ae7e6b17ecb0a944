// klopfd's command line: configuration checks (-t) with FILE:LINE
// messages, and clerk account management (user add/list/del/passwd).

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
    ALWAYS_OPEN, PROTO_CONF_DIR, Scope, runKlopfd, connect,
} from './lib/harness.mjs';

const conf = (name) => path.join(PROTO_CONF_DIR, name);

// The stderr lines that start with FILE:LINE: for this file (by base name,
// whether klopfd prints the path as given or resolved).
function problemLines(stderr, file) {
    const base = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?:^|/)${base}:(\\d+):\\s*(.*)$`);
    return stderr.split('\n').map((l) => re.exec(l.trim())).filter(Boolean)
        .map((m) => ({ line: Number(m[1]), text: m[2] }));
}

async function checkBroken(file, wantLine, keyword) {
    const r = await runKlopfd(['-t', '-c', file]);
    assert.notEqual(r.code, 0, `klopfd -t accepted ${path.basename(file)}; stderr:\n${r.stderr}`);
    assert.equal(r.signal, null, 'klopfd must not crash on a broken file');
    const lines = problemLines(r.stderr, file);
    assert.ok(lines.length > 0, `no FILE:LINE: line on stderr:\n${r.stderr}`);
    const at = lines.filter((l) => l.line === wantLine);
    assert.ok(at.length > 0, `no problem reported at line ${wantLine}; got:\n${r.stderr}`);
    assert.ok(at.some((l) => keyword.test(l.text)),
        `line ${wantLine} problem does not mention ${keyword}: ${JSON.stringify(at)}`);
    return r;
}

describe('klopfd -t (configuration check)', () => {
    test('klopfd -t accepts the always-open test configuration', async () => {
        const r = await runKlopfd(['-t', '-c', ALWAYS_OPEN]);
        assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
    });

    test('klopfd -t accepts the protocol tests\' own configurations', async () => {
        for (const f of ['queue2.conf', 'rate2.conf']) {
            const r = await runKlopfd(['-t', '-c', conf(f)]);
            assert.equal(r.code, 0, `${f}: exit ${r.code}; stderr:\n${r.stderr}`);
        }
    });

    test('an unknown setting is reported at its line with its name', async () => {
        await checkBroken(conf('bad-unknown-key.conf'), 3, /colour/);
    });

    test('a duplicate office id is reported at the second office with the id', async () => {
        await checkBroken(conf('bad-duplicate-office.conf'), 5, /amt-a/);
    });

    test('a time range that ends before it starts is reported at its line', async () => {
        await checkBroken(conf('bad-time-range.conf'), 6, /12:00-09:00|12:00|09:00|range|end|before/i);
    });

    test('a setting of the wrong type is reported at its line with its name', async () => {
        await checkBroken(conf('bad-type.conf'), 5, /max_queue/);
    });

    test('a missing required office name is reported at the office', async () => {
        await checkBroken(conf('bad-missing-name.conf'), 4, /name/);
    });

    test('a libconfig syntax error is reported at its line', async () => {
        await checkBroken(conf('bad-syntax.conf'), 4, /syntax|parse|error|unexpected/i);
    });

    test('every problem of a file is reported, not just the first', async () => {
        const r = await checkBroken(conf('bad-two-mistakes.conf'), 4, /max_quueue/);
        const lines = problemLines(r.stderr, conf('bad-two-mistakes.conf'));
        assert.ok(lines.some((l) => l.line === 8 && /id|Amt B/.test(l.text)),
            `the bad office id on line 8 is not reported:\n${r.stderr}`);
    });

    test('a missing configuration file fails with its name on stderr', async () => {
        const missing = path.join(PROTO_CONF_DIR, 'does-not-exist.conf');
        const r = await runKlopfd(['-t', '-c', missing]);
        assert.notEqual(r.code, 0);
        assert.equal(r.signal, null);
        assert.match(r.stderr, /does-not-exist\.conf/);
    });

    test('klopfd refuses to start on a broken file', async () => {
        const scope = new Scope();
        try {
            const r = await runKlopfd(['-c', conf('bad-unknown-key.conf'), '--state-dir', scope.dir(),
                '--listen', '127.0.0.1:0'], { timeoutMs: 5000 });
            assert.equal(r.signal, null, 'klopfd kept running on a broken configuration');
            assert.notEqual(r.code, 0);
            assert.ok(problemLines(r.stderr, conf('bad-unknown-key.conf')).length > 0, r.stderr);
        } finally {
            await scope.cleanup();
        }
    });
});

describe('klopfd user ...', () => {
    const scope = new Scope();
    const dir = scope.dir();
    after(async () => { await scope.cleanup(); });
    const user = (args, stdin) => runKlopfd(['-c', ALWAYS_OPEN, '--state-dir', dir, 'user', ...args],
        { stdin });

    test('user add reads the password from stdin and user list shows name and offices, not the hash', async () => {
        const add = await user(['add', 'anna', '--office', 'amt-a,amt-b'], 'geheim-Passwort-1\n');
        assert.equal(add.code, 0, `user add: ${add.stderr}`);
        const add2 = await user(['add', 'bert', '--office', 'beratung'], 'geheim-Passwort-2\n');
        assert.equal(add2.code, 0, `user add: ${add2.stderr}`);
        const list = await user(['list']);
        assert.equal(list.code, 0, list.stderr);
        const annaLine = list.stdout.split('\n').find((l) => /\banna\b/.test(l));
        assert.ok(annaLine, `anna missing from user list:\n${list.stdout}`);
        assert.match(annaLine, /amt-a/);
        assert.match(annaLine, /amt-b/);
        const bertLine = list.stdout.split('\n').find((l) => /\bbert\b/.test(l));
        assert.ok(bertLine, `bert missing from user list:\n${list.stdout}`);
        assert.match(bertLine, /beratung/);
        const all = list.stdout + list.stderr + add.stdout + add.stderr;
        assert.doesNotMatch(all, /\$(argon2|scrypt|2[aby]|5|6|7|pbkdf2)/i, 'a password hash is printed');
        assert.doesNotMatch(all, /geheim-Passwort/, 'the password is printed');
    });

    test('user add of an existing name fails with a clear message', async () => {
        const r = await user(['add', 'anna', '--office', 'amt-a'], 'anderes-Passwort\n');
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /anna/);
        assert.match(r.stderr, /exist|taken|already/i);
    });

    test('user add with an unknown office fails and names the office', async () => {
        const r = await user(['add', 'carla', '--office', 'amt-a,gibt-es-nicht'], 'carla-Passwort\n');
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /gibt-es-nicht/);
        const list = await user(['list']);
        assert.doesNotMatch(list.stdout, /\bcarla\b/, 'the refused user was created anyway');
    });

    test('user add with an empty password fails', async () => {
        const r = await user(['add', 'dora', '--office', 'amt-a'], '\n');
        assert.notEqual(r.code, 0, 'an empty password was accepted');
        const list = await user(['list']);
        assert.doesNotMatch(list.stdout, /\bdora\b/);
    });

    test('user del removes the clerk; deleting an unknown one fails', async () => {
        const r = await user(['del', 'bert']);
        assert.equal(r.code, 0, r.stderr);
        const list = await user(['list']);
        assert.doesNotMatch(list.stdout, /\bbert\b/);
        assert.match(list.stdout, /\banna\b/);
        const again = await user(['del', 'bert']);
        assert.notEqual(again.code, 0, 'deleting a missing clerk succeeded');
        assert.match(again.stderr, /bert/);
    });

    test('user passwd sets a new password from stdin: the old one no longer logs in, the new one does', async () => {
        const r = await user(['passwd', 'anna'], 'neues-Passwort-9\n');
        assert.equal(r.code, 0, r.stderr);
        const miss = await user(['passwd', 'niemand'], 'x-Passwort-123\n');
        assert.notEqual(miss.code, 0, 'passwd for a missing clerk succeeded');
        const d = await scope.start({ conf: ALWAYS_OPEN, stateDir: dir });
        const c = scope.track(await connect(d.port));
        const old = await c.request({ type: 'login', user: 'anna', password: 'geheim-Passwort-1' });
        assert.equal(old.code, 'bad_credentials', `old password: ${JSON.stringify(old)}`);
        const ok = await c.request({ type: 'login', user: 'anna', password: 'neues-Passwort-9' });
        assert.equal(ok.type, 'welcome_clerk', `new password: ${JSON.stringify(ok)}`);
        assert.deepEqual(ok.clerk.offices.slice().sort(), ['amt-a', 'amt-b']);
    });

    test('user add works while klopfd is running, and the new clerk can log in at once', async () => {
        const [d] = scope.daemons;
        assert.ok(d, 'needs the daemon of the previous test');
        const r = await user(['add', 'emil', '--office', 'amt-b'], 'emil-Passwort-5\n');
        assert.equal(r.code, 0, r.stderr);
        const c = scope.track(await connect(d.port));
        const ok = await c.request({ type: 'login', user: 'emil', password: 'emil-Passwort-5' });
        assert.equal(ok.type, 'welcome_clerk', JSON.stringify(ok));
    });
});

// A consultation of two takes about ten descriptors: klopfd raises its
// soft limit of open files to the hard limit, whatever it inherits.
describe('klopfd and the open file limit', () => {
    const scope = new Scope();
    after(() => scope.cleanup());

    test('started with a soft limit of 256, klopfd runs with the hard limit', async () => {
        const limits = (pid) => {
            const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m
                .exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
            return { soft: m[1], hard: m[2] };
        };
        const mine = limits(process.pid);
        if (mine.hard !== 'unlimited' && Number(mine.hard) <= 256) {
            assert.fail(`the hard limit here is ${mine.hard}: nothing to raise`);
        }
        // children inherit the soft limit of this process: lower it
        execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=256:${mine.hard}`]);
        let d;
        try {
            d = await scope.start({ stateDir: scope.dir() });
        } finally {
            execFileSync('prlimit', ['--pid', String(process.pid),
                `--nofile=${mine.soft}:${mine.hard}`]);
        }
        assert.deepEqual(limits(d.pid), { soft: mine.hard, hard: mine.hard });
    });
});
