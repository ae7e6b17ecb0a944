// A terminal for the console tests: one tmux server on its own socket
// (tmux -L NAME) per Term, one session in it running a command, the
// screen read with capture-pane. Only this Term's tmux server is ever
// killed (kill-server on its own socket).
//
// The command runs inside `sh -c` between two `stty -g` snapshots, so a
// test can check that the program gave the terminal back exactly as it
// found it, and its exit status is written to a file.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sleep, tempDir } from '../../proto/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const KLOPF = path.resolve(here, '..', '..',
    process.env.KLOPF || path.join('..', 'build', 'klopf'));

let counter = 0;
const live = new Set();

// A test that dies still leaves no tmux server behind.
process.on('exit', () => {
    for (const t of live) t.kill();
});

function shellQuote(s) {
    return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

// The environment of every tmux command: UTF-8, no user configuration.
function tmuxEnv(extra = {}) {
    return {
        ...process.env,
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        TERM: 'xterm-256color',
        ...extra,
    };
}

export class Term {
    // args: arguments of klopf; env: extra environment inside the pane.
    constructor(args, { cols = 80, rows = 24, env = {} } = {}) {
        this.socket = `klopf-test-${process.pid}-${++counter}`;
        this.dir = tempDir('klopf-term-');
        this.cols = cols;
        this.rows = rows;
        this.env = env;
        this.args = args;
        this.started = false;
    }

    tmux(...args) {
        return execFileSync('tmux', ['-u', '-L', this.socket, '-f', '/dev/null', ...args], {
            encoding: 'utf8', env: tmuxEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'],
        });
    }

    start() {
        const inner = [
            // Ctrl-C is for klopf; the shell carries on after it.
            'trap true INT',
            `stty -g > ${shellQuote(path.join(this.dir, 'stty-before'))}`,
            `${[KLOPF, ...this.args].map(shellQuote).join(' ')}`
                + ` 2> ${shellQuote(path.join(this.dir, 'stderr'))}`,
            'rc=$?',
            `stty -g > ${shellQuote(path.join(this.dir, 'stty-after'))}`,
            // rc appears whole and last: exited() waits for it.
            `echo $rc > ${shellQuote(path.join(this.dir, 'rc.tmp'))}`,
            `mv ${shellQuote(path.join(this.dir, 'rc.tmp'))} ${shellQuote(path.join(this.dir, 'rc'))}`,
            'echo KLOPF-EXITED',
            'sleep 600',
        ].join('; ');
        const envArgs = Object.entries({ LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...this.env })
            .map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
        this.tmux('new-session', '-d', '-s', 'main', '-x', String(this.cols),
            '-y', String(this.rows), `env ${envArgs} sh -c ${shellQuote(inner)}`);
        this.started = true;
        live.add(this);
        return this;
    }

    // The screen as text, one line per row, trailing blanks kept off.
    screen() {
        return this.tmux('capture-pane', '-p', '-t', 'main');
    }

    lines() {
        return screenLines(this.screen());
    }

    // A tmux format of the pane, e.g. "#{alternate_on}".
    format(f) {
        return this.tmux('display-message', '-p', '-t', 'main', f).trim();
    }

    // Sends tmux key names (Enter, Tab, Down, C-c, ...).
    keys(...names) {
        this.tmux('send-keys', '-t', 'main', ...names);
    }

    // Types text literally.
    type(text) {
        this.tmux('send-keys', '-t', 'main', '-l', text);
    }

    resize(cols, rows) {
        this.cols = cols;
        this.rows = rows;
        this.tmux('resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows));
    }

    // Waits until pred(screenText) is true (a RegExp or a string also
    // works); returns the screen. Throws with the last screen otherwise.
    async waitFor(pred, { timeoutMs = 8000, what } = {}) {
        const test = typeof pred === 'function' ? pred
            : pred instanceof RegExp ? (s) => pred.test(s) : (s) => s.includes(pred);
        const end = Date.now() + timeoutMs;
        let s = '';
        for (;;) {
            s = this.screen();
            if (test(s)) return s;
            if (Date.now() > end) break;
            await sleep(50);
        }
        throw new Error(`screen did not show ${what ?? pred} within ${timeoutMs} ms; `
            + `screen:\n${s}\nklopf stderr: ${this.stderr()}`);
    }

    async waitGone(pred, opts = {}) {
        const test = pred instanceof RegExp ? (s) => pred.test(s) : (s) => s.includes(pred);
        return this.waitFor((s) => !test(s), { what: `no ${pred}`, ...opts });
    }

    // Resolves with klopf's exit status once it has exited.
    async exited(timeoutMs = 8000) {
        const rc = path.join(this.dir, 'rc');
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
            if (fs.existsSync(rc)) {
                return Number(fs.readFileSync(rc, 'utf8').trim());
            }
            await sleep(50);
        }
        throw new Error(`klopf did not exit within ${timeoutMs} ms; screen:\n${this.screen()}`);
    }

    sttyBefore() {
        return fs.readFileSync(path.join(this.dir, 'stty-before'), 'utf8').trim();
    }

    sttyAfter() {
        return fs.readFileSync(path.join(this.dir, 'stty-after'), 'utf8').trim();
    }

    stderr() {
        try {
            return fs.readFileSync(path.join(this.dir, 'stderr'), 'utf8');
        } catch {
            return '';
        }
    }

    // Ends this Term's tmux server and removes its socket file (tmux
    // leaves it behind).
    kill() {
        if (!this.started) return;
        this.started = false;
        live.delete(this);
        let socketPath = '';
        try {
            socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
        } catch { /* server already gone */ }
        try { this.tmux('kill-server'); } catch { /* already gone */ }
        if (socketPath.endsWith(`/${this.socket}`)) fs.rmSync(socketPath, { force: true });
    }
}

// The rows of a captured screen (capture-pane ends with a newline).
export function screenLines(s) {
    return s.replace(/\n$/, '').split('\n');
}

// Display columns of a string as the console lays it out, for the scripts
// the tests use (no wide or combining characters among them).
export function columns(s) {
    return [...s].length;
}
