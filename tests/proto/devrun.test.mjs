// make run (tools/dev-run): the development setup a newcomer tries first.
// The real script with the real klopfd, its state in a temporary
// directory: the password it prints logs the demo clerk in, the
// Probeamt is open at any hour and first in the list, a citizen knocks
// there, the clerk admits and invites a guest who joins, as README's
// "consultation by hand" describes; a second start keeps the password,
// and a demo account from before an office was added serves it again.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
    KLOPFD, Scope, TESTS_DIR, connect, expectType, freePort, login,
    officeById, officesOverHttp, runKlopfd, sleep,
} from './lib/harness.mjs';

const DEV_RUN = path.resolve(TESTS_DIR, '..', 'tools', 'dev-run');

// Starts tools/dev-run; resolves once /api/offices answers, with the
// child, the port and what it printed so far.
async function devRun(state) {
    const port = await freePort();
    const child = spawn(DEV_RUN, [], {
        env: { ...process.env, KLOPFD, STATE: state, LISTEN: `127.0.0.1:${port}` },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 20000;
    for (;;) {
        try {
            const { res } = await officesOverHttp(port);
            if (res.ok) break;
        } catch { /* not up yet */ }
        if (child.exitCode !== null || Date.now() > deadline) {
            child.kill('SIGKILL');
            throw new Error(`dev-run did not come up:\n${out}`);
        }
        await sleep(100);
    }
    return {
        child, port, out: () => out,
        async stop() {
            child.kill('SIGTERM');
            await exited;
        },
    };
}

function password(out) {
    const m = /password "([0-9a-f]+)"/.exec(out);
    assert.ok(m, `no password in:\n${out}`);
    return m[1];
}

describe('make run (tools/dev-run)', () => {
    const scope = new Scope();
    const state = path.join(scope.dir(), 'var');
    after(async () => { await scope.cleanup(); });

    test('the printed password logs demo in; the Probeamt is open; a '
        + 'consultation with a guest works', async () => {
        const d = await devRun(state);
        try {
            const pw = password(d.out());
            assert.match(d.out(), /the Probeamt is always open/);
            assert.match(d.out(), new RegExp(`build/klopf --server http://127\\.0\\.0\\.1:${d.port} --user demo`));
            // the password file is the clerk's alone
            assert.equal(fs.statSync(path.join(state, 'demo-password')).mode & 0o077, 0);
            assert.equal(fs.statSync(state).mode & 0o077, 0);

            const { body } = await officesOverHttp(d.port);
            assert.equal(body.offices[0].id, 'probeamt');
            // closed until a clerk is there
            assert.equal(officeById(body.offices, 'probeamt').status, 'closed');
            // the sample offices are all there, with their real hours
            for (const id of ['hiv-beratung', 'einbuergerung', 'pflegeberatung']) {
                officeById(body.offices, id);
            }

            const clerk = scope.track(await connect(d.port));
            const w = await login(clerk, 'demo', pw);
            const theirs = w.clerk.offices;
            assert.ok(theirs.includes('probeamt'));
            assert.equal(theirs.length, body.offices.length);
            // the demo clerk is there: the Probeamt is open, at any hour
            const now = (await officesOverHttp(d.port)).body;
            assert.equal(officeById(now.offices, 'probeamt').status, 'open');

            const citizen = scope.track(await connect(d.port));
            const k = expectType(await citizen.request({
                type: 'knock', office: 'probeamt', consent: true,
                name: 'Erika Muster', topic: 'Ausprobieren', lang: 'de',
            }), 'knocked');
            const room = expectType(await clerk.request({
                type: 'admit', ticket: k.ticket.id,
            }), 'room').room.id;
            const inv = expectType(await clerk.request({ type: 'invite', room }),
                'invitation');
            assert.match(inv.path, /^\/#\/gast\/[0-9a-f]{32}$/);
            const guest = scope.track(await connect(d.port));
            const j = expectType(await guest.request({
                type: 'join', invitation: inv.token, name: 'Frau Demir',
            }), 'joined');
            assert.equal(j.room.id, room);
            assert.equal(j.room.office, 'probeamt');
        } finally {
            await d.stop();
        }
    });

    test('a second start keeps the password; an older demo account gets '
        + 'the offices added since', async () => {
        const pw = fs.readFileSync(path.join(state, 'demo-password'), 'utf8');
        const args = ['-c', path.join(state, 'klopfd.conf'), '--state-dir', state];
        // as if the demo account was made before the Probeamt existed
        assert.equal((await runKlopfd([...args, 'user', 'del', 'demo'])).code, 0);
        assert.equal((await runKlopfd([...args, 'user', 'add', 'demo', '--office',
            'einbuergerung'], { stdin: `${pw}\n` })).code, 0);

        const d = await devRun(state);
        try {
            assert.equal(password(d.out()), pw);
            const clerk = scope.track(await connect(d.port));
            const w = await login(clerk, 'demo', pw);
            assert.ok(w.clerk.offices.includes('probeamt'));
            assert.ok(w.clerk.offices.includes('hiv-beratung'));
        } finally {
            await d.stop();
        }
        // and a start with nothing to change leaves the account alone
        const before = (await runKlopfd([...args, 'user', 'list'])).stdout;
        const d2 = await devRun(state);
        await d2.stop();
        assert.equal((await runKlopfd([...args, 'user', 'list'])).stdout, before);
    });
});
