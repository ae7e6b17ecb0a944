// The console and its video window together, from the clerk's seat: the
// real klopf in tmux (tests/console/lib/term.mjs) admits a chromium
// citizen and starts the real klopf-video by itself (video = "auto" in
// its klopf.conf, with GStreamer's test sources, under our own Xvfb, in
// the network namespace tests/video/run makes). Media is proven where it
// arrives: chromium's getStats() for the clerk, klopf-video's --stats
// lines and a screenshot of the X screen for the citizen. Then the window
// is killed (the console says so, the consultation stays), reopened with
// v, closed with q in the window (closed, not died); i shows a guest
// invitation, whose link, read off the console's screen, brings a second
// chromium into the consultation (seen and heard by all, the window
// included; the link works once); and the window is ended with the
// consultation.
//
//   tests/video/run video/console.test.mjs

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scope, stateTemplate, CLERKS, sleep } from '../proto/lib/harness.mjs';
import {
    launch, newPage, onlyLoopback, knockViaForm, waitText,
} from '../browser/lib/browser.mjs';
import { pidOf, assertRising, tilePids, joinAsGuest } from '../browser/lib/call.mjs';
import { Term } from '../console/lib/term.mjs';
import {
    startXvfb, readStats, statsFile, screenshot, waitFor, pressKey, KLOPF_VIDEO,
} from './lib/video.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONF = path.join(here, 'conf', 'video.conf');
const CLERK_LABEL = /Sachbearbeitung\)?$/;
const HEX32 = /[0-9a-f]{32}/i;

// The klopf-video processes whose command line names file (the --stats
// file of this test, so no other process matches), alive or zombie.
function windowPids(file) {
    const out = [];
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
            if (cmd[0] === KLOPF_VIDEO && cmd.includes(file)) out.push(Number(d));
        } catch { /* gone meanwhile */ }
    }
    return out;
}

// Running, i.e. neither gone nor a zombie waiting to be reaped.
function alive(pid) {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
        return false;
    }
}

describe('the console opens, reports and ends the video window', () => {
    const scope = new Scope();
    const env = {};
    // a failure says what the console and klopf-video logged
    const said = (e) => {
        let log = '';
        try { log = fs.readFileSync(env.log, 'utf8'); } catch { /* none yet */ }
        e.message += `\n--stats: ${JSON.stringify(readStats(env.stats))}`
            + `\nscreen:\n${env.term?.screen() ?? ''}\nlog (klopf, klopf-video):\n${log}`;
        throw e;
    };
    const citizen = () => Object.values(readStats(env.stats))
        .find((s) => s.role === 'citizen' && s.present);
    // frames and audio buffers from the citizen rising in --stats
    const citizenRising = async () => {
        const a = await waitFor('frames and audio from the citizen in --stats', () => {
            const s = citizen();
            return s && s.video_frames > 0 && s.audio_buffers > 0 ? s : null;
        }, 20000);
        await sleep(2500);
        const b = citizen();
        assert.ok(b.video_frames > a.video_frames, `frames not rising: ${JSON.stringify([a, b])}`);
        assert.ok(b.audio_buffers > a.audio_buffers, `audio not rising: ${JSON.stringify([a, b])}`);
    };
    // the clerk's picture and sound rising in chromium; on a loaded
    // machine one reading a second apart may show no new audio packet, so
    // up to three tries, each of which must rise throughout
    const clerkRising = async () => {
        const clerkPid = await pidOf(env.page.page, CLERK_LABEL, 20000);
        for (let i = 0; ; i++) {
            try {
                return await assertRising(env.page.page, 'citizen',
                    { [clerkPid]: { video: true } }, { timeout: 20000 });
            } catch (e) {
                if (i === 2) throw e;
            }
        }
    };
    // the one window of this test that runs
    const runningWindow = (what) => waitFor(what, () => {
        const live = windowPids(env.stats).filter(alive);
        return live.length === 1 ? live[0] : null;
    }, 15000);

    before(async () => {
        assert.ok(onlyLoopback(), 'run inside tests/video/run (a network namespace)');
        assert.ok(fs.existsSync(KLOPF_VIDEO), `${KLOPF_VIDEO} missing: make`);
        const template = await stateTemplate(CONF, CLERKS);
        env.daemon = await scope.start({ conf: CONF, stateDir: scope.copy(template) });
        env.origin = `http://127.0.0.1:${env.daemon.port}`;
        env.x = await startXvfb();
        env.browser = await launch();
        env.stats = statsFile();
        env.log = path.join(path.dirname(env.stats), 'klopf.log');
        env.conf = path.join(path.dirname(env.stats), 'klopf.conf');
        fs.writeFileSync(env.conf, [
            'bell = false;',
            'video = "auto";',
            `video_program = "${KLOPF_VIDEO}";`,
            'video_source = "test";',
            'audio_source = "test";',
            'video_sink = "ximagesink";',
            'audio_sink = "fakesink";',
            // -v: what the window did is in the log a failure shows
            `video_args = [ "--ice-address=127.0.0.1", "--stats", "${env.stats}", ${
                process.env.KLOPF_TEST_VERBOSE ? '"-vv"' : '"-v"'} ];`,
            '',
        ].join('\n'));
    });
    after(async () => {
        // the console ends its window when it quits; whatever is left goes
        for (const pid of windowPids(env.stats ?? '-')) {
            try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        }
        if (env.term) env.term.kill();
        if (env.page) await env.page.context.close().catch(() => {});
        if (env.guest) await env.guest.context.close().catch(() => {});
        if (env.browser) await env.browser.close().catch(() => {});
        if (env.x) env.x.stop();
        await scope.cleanup();
    });

    test('a admits the citizen and the window opens by itself, with picture and sound both ways',
        async () => {
            env.term = new Term(['-c', env.conf, '--server', env.origin, '--user', 'anna'], {
                cols: 120, rows: 40,
                env: { DISPLAY: env.x.display, KLOPF_DEBUG_LOG: env.log },
            }).start();
            const t = env.term;
            await t.waitFor('Passwort für anna');
            t.type(CLERKS.anna.password);
            t.keys('Enter');
            await t.waitFor('● verbunden');
            env.page = await newPage(env.browser, env.origin);
            await knockViaForm(env.page.page, env.origin, 'amt-a', { name: 'Aylin' });
            await t.waitFor(/│.*Aylin/, { timeoutMs: 10000 });
            // no window before the consultation
            assert.deepEqual(windowPids(env.stats), []);
            t.keys('a');
            await t.waitFor('Im Gespräch: Aylin', { timeoutMs: 10000 });
            await env.page.page.locator('#call').waitFor({ timeout: 10000 });
            const pid = await runningWindow('klopf-video started by the console').catch(said);
            env.pid = pid;
            await t.waitFor(/Im Gespräch: Aylin.*Video: läuft/).catch(said);

            // the credential is on neither its command line nor in its
            // environment; descriptor 3 (the secret's pipe) was read and
            // closed; the terminal is not its standard error
            const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
            assert.deepEqual(cmdline.split('\0').slice(-3), ['--secret-fd', '3', '']);
            assert.doesNotMatch(cmdline, HEX32, 'a token in /proc/PID/cmdline');
            assert.doesNotMatch(environ, HEX32, 'a token in /proc/PID/environ');
            assert.equal(fs.readlinkSync(`/proc/${pid}/fd/0`), '/dev/null');
            assert.equal(fs.readlinkSync(`/proc/${pid}/fd/1`), '/dev/null');
            assert.equal(fs.readlinkSync(`/proc/${pid}/fd/2`), env.log);
            await waitFor('descriptor 3 read and closed', () => {
                try {
                    return !fs.readlinkSync(`/proc/${pid}/fd/3`).startsWith('pipe:');
                } catch {
                    return true;
                }
            }, 10000).catch(said);

            // chromium decodes the clerk's picture and receives the sound
            await clerkRising().catch(said);
            // the window decodes the citizen's
            await citizenRising().catch(said);
            // and shows it: the citizen's tile fills the window (960x540
            // at 0,0), chromium's green fake camera with a moving wedge
            const shot = screenshot(env.x.display, 'console-window', '600x300+160+100');
            assert.ok(shot.sd > 0.005, `the citizen's area of the window is uniform (sd ${shot.sd})`);
            assert.ok(shot.mean.g > 0.2 && shot.mean.g > 4 * (shot.mean.r + shot.mean.b),
                `the citizen's area does not show chromium's green camera: ${JSON.stringify(shot)}`);
            assert.ok(alive(pid));
        });

    test('killing the window: the console says it died, the consultation stays open', async () => {
        assert.ok(env.pid, 'needs the test before');
        const t = env.term;
        const clerkPid = await pidOf(env.page.page, CLERK_LABEL);
        process.kill(env.pid, 'SIGKILL');
        await t.waitFor('Das Videofenster wurde unerwartet beendet (Signal 9 (SIGKILL)). '
            + 'v öffnet es neu.').catch(said);
        let s = await t.waitFor(/Im Gespräch: Aylin.*Video: geschlossen/).catch(said);
        assert.doesNotMatch(s, /Video: läuft/);
        // reaped: no zombie left
        await waitFor('the killed window reaped', () => !fs.existsSync(`/proc/${env.pid}`), 5000);
        // the clerk's tile leaves the citizen's page; the citizen stays in the call
        await waitFor('the clerk tile to go', async () =>
            !(await tilePids(env.page.page)).includes(clerkPid), 15000);
        await sleep(1000);
        assert.ok(await env.page.page.locator('#call').isVisible(), 'the citizen left the call');
        s = t.screen();
        assert.match(s, /Im Gespräch: Aylin/);
        assert.doesNotMatch(s, /Gespräch beendet/);
        assert.deepEqual(windowPids(env.stats).filter(alive), []);
    });

    test('v opens the window again and media flows again', async () => {
        assert.ok(env.pid, 'needs the test before');
        const t = env.term;
        t.keys('v');
        const pid = await runningWindow('a new klopf-video after v').catch(said);
        assert.notEqual(pid, env.pid);
        env.pid = pid;
        await t.waitFor(/Im Gespräch: Aylin.*Video: läuft/).catch(said);
        await clerkRising().catch(said);
        await citizenRising().catch(said);
        // v while it runs starts no second one
        t.keys('v');
        await t.waitFor('Das Videofenster ist schon offen.');
        await sleep(500);
        assert.deepEqual(windowPids(env.stats).filter(alive), [pid]);
    });

    test('q in the window closes it: shown as closed, not as died', async () => {
        assert.ok(env.pid, 'needs the test before');
        const t = env.term;
        pressKey(env.x.display, 'q');
        await waitFor('the window to exit', () => !alive(env.pid), 10000).catch(said);
        const s = await t.waitFor('Videofenster geschlossen – das Gespräch läuft weiter')
            .catch(said);
        assert.match(s, /Im Gespräch: Aylin.*Video: geschlossen/);
        assert.doesNotMatch(s, /unerwartet/);
        t.keys('v');
        env.pid = await runningWindow('klopf-video after v again').catch(said);
        await t.waitFor(/Video: läuft/).catch(said);
        await pidOf(env.page.page, CLERK_LABEL, 20000).catch(said);
    });

    test('i shows a link; a guest opens it in a second browser and sees and hears '
        + 'both, and the window receives the guest', async () => {
        assert.ok(env.pid, 'needs the test before');
        const t = env.term;
        t.keys('i');
        const base = `${env.origin}/#/gast/`;
        const s = await t.waitFor((x) => x.includes(base), { what: 'the link' }).catch(said);
        const line = s.split('\n').find((l) => l.includes(base));
        const link = line.slice(line.indexOf(base)).trim();
        assert.match(link, /\/#\/gast\/[0-9a-f]{32}$/);
        t.keys('x');    // any key closes it
        await t.waitFor((x) => !x.includes('/#/gast/') && /Im Gespräch: Aylin/.test(x),
            { what: 'the link gone' }).catch(said);

        // what a person does with it: open it in another browser
        env.guest = await newPage(env.browser, env.origin);
        await joinAsGuest(env.guest.page, env.origin,
            { path: link.slice(env.origin.length) }, 'Frau Demir');
        const citizenPid = await pidOf(env.guest.page, /^Aylin \(Bürgerin oder Bürger\)$/, 20000);
        const clerkPid = await pidOf(env.guest.page, CLERK_LABEL, 20000);
        for (let i = 0; ; i++) {
            try {
                await assertRising(env.guest.page, 'guest', {
                    [citizenPid]: { video: true }, [clerkPid]: { video: true },
                }, { timeout: 20000 });
                break;
            } catch (e) {
                if (i === 2) said(e);
            }
        }
        // the citizen sees the guest, and the clerk's window decodes it
        await pidOf(env.page.page, /^Frau Demir \(Gast\)$/, 20000);
        const guestStats = () => Object.values(readStats(env.stats))
            .find((x) => x.role === 'guest' && x.present);
        const a = await waitFor('frames and audio from the guest in --stats', () => {
            const g = guestStats();
            return g && g.video_frames > 0 && g.audio_buffers > 0 ? g : null;
        }, 20000).catch(said);
        await sleep(2500);
        const b = guestStats();
        assert.ok(b.video_frames > a.video_frames, `frames not rising: ${JSON.stringify([a, b])}`);
        // a second person with the same link is refused
        const other = await newPage(env.browser, env.origin);
        await other.page.goto(link);
        await other.page.locator('#guest-name').waitFor();
        await other.page.fill('#guest-name', 'Mallory');
        await other.page.check('#guest-consent');
        await other.page.click('#guest-join');
        await waitText(other.page, '#guest-result', /Diese Einladung gilt nicht mehr/);
        assert.equal(await other.page.locator('#call').count(), 0);
        await other.context.close();
    });

    test('ending the consultation in the console ends the window', async () => {
        assert.ok(env.pid, 'needs the test before');
        const t = env.term;
        const pid = env.pid;
        t.keys('e');
        await waitFor('the window to exit', () => !alive(pid), 10000).catch(said);
        const s = await t.waitFor('Gespräch beendet, Videofenster geschlossen.').catch(said);
        assert.match(s, /Kein Gespräch offen\./);
        assert.doesNotMatch(s, /Video: (läuft|wird geschlossen)/);
        await waitFor('the window reaped', () => !fs.existsSync(`/proc/${pid}`), 5000);
        assert.deepEqual(windowPids(env.stats), []);
        // it left by itself (SIGTERM, or room_closed): no SIGKILL was needed
        const log = fs.readFileSync(env.log, 'utf8');
        assert.match(log, new RegExp(`klopf-video ${pid} for room \\d+ ended: exit 0`), log);
        // the console quits cleanly afterwards
        t.keys('q');
        assert.equal(await t.exited(), 0);
    });
});
