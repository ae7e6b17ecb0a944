// Helpers for the klopf-video tests: an Xvfb of our own, klopf-video
// started with its secret on an inherited descriptor (fd 3), its --stats
// lines, and screenshots of the X screen (xwd + imagemagick).
//
// Every process started here is remembered and killed by its pid when the
// test process exits; nothing is killed by name.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TESTS_DIR, sleep, tempDir } from '../../proto/lib/harness.mjs';

export const KLOPF_VIDEO = path.resolve(TESTS_DIR,
    process.env.KLOPF_VIDEO || path.join('..', 'build', 'klopf-video'));
export const ARTIFACTS = path.join(TESTS_DIR, 'artifacts', 'video');

const started = new Set();
process.on('exit', () => {
    for (const p of started) {
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    }
});

// Starts `Xvfb -displayfd` on a display it picks itself (unix socket only).
// Resolves {display: ':N', stop()}.
export function startXvfb() {
    return new Promise((resolve, reject) => {
        const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x768x24',
            '-nolisten', 'tcp'],
        { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
        started.add(x);
        let out = '';
        let err = '';
        x.stderr.on('data', (d) => { err += d; });
        x.stdio[3].on('data', (d) => {
            out += d;
            const m = /^(\d+)\n/.exec(out);
            if (m) {
                resolve({
                    display: `:${m[1]}`,
                    proc: x,
                    stop: () => { try { process.kill(x.pid, 'SIGTERM'); } catch { /* gone */ } },
                });
            }
        });
        x.on('error', (e) => reject(new Error(`cannot start Xvfb: ${e.message}`)));
        x.on('exit', (code) => {
            started.delete(x);
            if (!/^\d+\n/.test(out)) reject(new Error(`Xvfb exited ${code}: ${err}`));
        });
    });
}

// Starts klopf-video with args; secret (an object) is written as JSON to
// its descriptor 3 and the pipe closed. Resolves a handle with the
// process, its stderr so far, exit and kill.
export function startVideo(args, { secret, display, env } = {}) {
    const proc = spawn(KLOPF_VIDEO, args, {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...(display ? { DISPLAY: display } : {}), ...env },
    });
    started.add(proc);
    let stderr = '';
    let exited = null;
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
        stderr += d;
        if (process.env.KLOPF_TEST_VERBOSE) process.stderr.write(d);
    });
    const exit = new Promise((resolve) => {
        proc.on('exit', (code, signal) => {
            exited = { code, signal };
            started.delete(proc);
            resolve(exited);
        });
    });
    proc.stdio[3].on('error', () => { /* it may exit before reading */ });
    if (secret !== undefined) {
        proc.stdio[3].end(typeof secret === 'string' ? secret : JSON.stringify(secret));
    } else {
        proc.stdio[3].end();
    }
    const handle = {
        proc,
        pid: proc.pid,
        exit,
        exited: () => exited,
        stderr: () => stderr,
        kill: (sig = 'SIGTERM') => { try { process.kill(proc.pid, sig); } catch { /* gone */ } },
        // resolves {code, signal}, or throws after ms
        async waitExit(ms = 10000) {
            let t;
            const r = await Promise.race([exit, new Promise((_, rej) => {
                t = setTimeout(() => rej(new Error(`klopf-video did not exit within ${ms} ms;`
                    + ` stderr:\n${stderr}`)), ms);
            })]);
            clearTimeout(t);
            return r;
        },
    };
    all.push(handle);
    return handle;
}

// Every klopf-video started by this test process.
const all = [];

// Sanitizer reports (check-video-san) in any klopf-video's output.
export function sanitizerReports() {
    return all.flatMap((h) => h.stderr().split('\n'))
        .filter((l) => /Sanitizer|runtime error:/.test(l));
}

// The last --stats line for each pid: {pid: {role, present, video_frames,
// audio_buffers}}.
export function readStats(file) {
    const out = {};
    let text = '';
    try { text = fs.readFileSync(file, 'utf8'); } catch { return out; }
    for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        const x = JSON.parse(line);
        out[x.pid] = x;
    }
    return out;
}

export function statsFile() {
    return path.join(tempDir('klopf-video-'), 'stats.jsonl');
}

// Captures the X root window to tests/artifacts/video/NAME.png; with crop
// ("WxH+X+Y") also NAME-crop.png. Returns {file, sd, mean: {r, g, b}} of
// the (cropped) picture: sd is 0 for a uniform area; channels 0..1.
export function screenshot(display, name, crop) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const png = path.join(ARTIFACTS, `${name}.png`);
    const xwd = execFileSync('xwd', ['-root', '-display', display, '-silent'],
        { maxBuffer: 64 * 1024 * 1024 });
    // one convert: it is slow to start on a busy machine
    const args = ['xwd:-', '-write', png];
    if (crop) args.push('-crop', crop, '+repage', '-write', path.join(ARTIFACTS, `${name}-crop.png`));
    args.push('-format', '%[fx:standard_deviation] %[fx:mean.r] %[fx:mean.g] %[fx:mean.b]', 'info:');
    const [sd, r, g, b] = execFileSync('convert', args, { input: xwd, encoding: 'utf8' })
        .trim().split(' ').map(Number);
    return { file: png, sd, mean: { r, g, b } };
}

// Presses a key in the window: the pointer over it (no window manager:
// the focus follows the pointer), then the key through XTEST.
export function pressKey(display, key, x = 300, y = 300) {
    execFileSync('xdotool', ['mousemove', String(x), String(y), 'key', key],
        { env: { ...process.env, DISPLAY: display } });
}

// The names of the X windows whose name matches re (a string for xdotool).
export function windowNames(display, re) {
    try {
        return execFileSync('xdotool', ['search', '--name', re, 'getwindowname', '%@'],
            { env: { ...process.env, DISPLAY: display }, encoding: 'utf8' })
            .split('\n').filter(Boolean);
    } catch {
        return [];      /* xdotool exits 1 when nothing matches */
    }
}

// Where the first window whose name matches re is: {x, y, width, height}
// (xdotool getwindowgeometry), or null.
export function windowGeometry(display, re) {
    try {
        const out = execFileSync('xdotool', ['search', '--name', re,
            'getwindowgeometry', '--shell', '%1'],
        { env: { ...process.env, DISPLAY: display }, encoding: 'utf8' });
        const g = Object.fromEntries(out.split('\n').filter((l) => l.includes('='))
            .map((l) => l.split('=')));
        return { x: Number(g.X), y: Number(g.Y), width: Number(g.WIDTH),
            height: Number(g.HEIGHT) };
    } catch {
        return null;
    }
}

// What a page shows and hears of one participant's tile: the mean
// brightness (0..255) of its video element's current picture and the
// audio level (0..1) of its audio track, from the page's getStats().
export function tileSenses(page, pid) {
    return page.evaluate(async (p) => {
        const video = document.querySelector(`#call li.tile[data-pid="${p}"] video`);
        if (!video || !video.srcObject || !video.videoWidth) return null;
        const c = document.createElement('canvas');
        c.width = 64;
        c.height = 48;
        const g = c.getContext('2d');
        g.drawImage(video, 0, 0, c.width, c.height);
        const px = g.getImageData(0, 0, c.width, c.height).data;
        let sum = 0;
        for (let i = 0; i < px.length; i += 4) sum += (px[i] + px[i + 1] + px[i + 2]) / 3;
        const audio = video.srcObject.getAudioTracks()[0];
        let level = null;
        for (const pc of window.__klopfTest.pcs) {
            if (pc.signalingState === 'closed') continue;
            (await pc.getStats()).forEach((s) => {
                if (s.type === 'inbound-rtp' && s.kind === 'audio' && audio
                    && s.trackIdentifier === audio.id) level = s.audioLevel ?? null;
            });
        }
        return { brightness: sum / (px.length / 4), level };
    }, pid);
}

export async function waitFor(what, fn, ms = 15000) {
    const end = Date.now() + ms;
    let last;
    for (;;) {
        last = await fn();
        if (last) return last;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(250);
    }
}
