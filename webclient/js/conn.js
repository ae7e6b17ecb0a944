// conn: the one WebSocket of a tab to klopfd's /ws (doc/protocol.md).
// Requests get an id and resolve with the reply of the same id (an
// "error" reply rejects with an Error carrying .code and the reply's
// fields); messages without an id are handed to onPush. A lost connection
// is opened again with growing pauses; after each welcome onOpen runs
// (the page then watches offices and resumes its ticket).
//
// No DOM: the WebSocket class and the timer functions can be passed in,
// so node --test drives this module with a fake socket.

export const RETRY_MS = [500, 1000, 2000, 4000, 8000];
export const MAX_RETRY_MS = 10000;
export const REQUEST_TIMEOUT_MS = 15000;

export class ProtocolError extends Error {
    constructor(reply) {
        super(reply?.message || reply?.code || 'error');
        this.code = reply?.code ?? 'internal';
        this.reply = reply ?? null;
        this.retry_after = reply?.retry_after;
        this.field = reply?.field;
    }
}

export class Connection {
    // url: ws://host/ws. handlers: onOpen(conn) (may return a promise),
    // onPush(msg), onStatus(status) with status "connecting", "open",
    // "lost". opts: WebSocket, setTimeout, clearTimeout for tests.
    constructor(url, handlers = {}, opts = {}) {
        this.url = url;
        this.handlers = handlers;
        this.WS = opts.WebSocket ?? globalThis.WebSocket;
        this.setTimeout = opts.setTimeout ?? globalThis.setTimeout.bind(globalThis);
        this.clearTimeout = opts.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
        this.ws = null;
        this.status = 'idle';
        this.nextId = 1;
        this.pending = new Map();
        this.attempt = 0;
        this.retryTimer = null;
        this.stopped = false;
        this.readyWaiters = [];
        this.welcome = null;    // the server's last welcome (ice_servers, …)
    }

    _setStatus(status) {
        if (this.status === status) return;
        this.status = status;
        this.handlers.onStatus?.(status);
    }

    start() {
        this.stopped = false;
        if (this.ws) return;
        this._open();
    }

    _open() {
        this.retryTimer = null;
        this._setStatus(this.attempt === 0 ? 'connecting' : 'lost');
        let ws;
        try {
            ws = new this.WS(this.url);
        } catch {
            this._scheduleRetry();
            return;
        }
        this.ws = ws;
        ws.onmessage = (ev) => this._onMessage(ws, ev.data);
        ws.onclose = () => this._onClose(ws);
        ws.onerror = () => { /* followed by close */ };
    }

    _onMessage(ws, data) {
        if (ws !== this.ws) return;
        let msg;
        try {
            msg = JSON.parse(data);
        } catch {
            return;
        }
        if (!msg || typeof msg !== 'object') return;
        if (msg.type === 'welcome' && msg.id === undefined) {
            this.welcome = msg;
            this.attempt = 0;
            this._ready();
            return;
        }
        if (msg.id !== undefined && this.pending.has(msg.id)) {
            const p = this.pending.get(msg.id);
            this.pending.delete(msg.id);
            this.clearTimeout(p.timer);
            if (msg.type === 'error') p.reject(new ProtocolError(msg));
            else p.resolve(msg);
            return;
        }
        this.handlers.onPush?.(msg);
    }

    async _ready() {
        try {
            await this.handlers.onOpen?.(this);
        } catch {
            /* the page reports its own errors */
        }
        this._setStatus('open');
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const w of waiters) w();
    }

    _failPending(code) {
        for (const [, p] of this.pending) {
            this.clearTimeout(p.timer);
            p.reject(new ProtocolError({ code, message: 'connection closed' }));
        }
        this.pending.clear();
    }

    _onClose(ws) {
        if (ws !== this.ws) return;
        this.ws = null;
        this._failPending('network');
        if (this.stopped) {
            this._setStatus('idle');
            return;
        }
        this._setStatus('lost');
        this._scheduleRetry();
    }

    _scheduleRetry() {
        if (this.stopped || this.retryTimer) return;
        const delay = this.attempt < RETRY_MS.length ? RETRY_MS[this.attempt] : MAX_RETRY_MS;
        this.attempt++;
        this.retryTimer = this.setTimeout(() => this._open(), delay);
    }

    // Try now (e.g. the browser says it is online again).
    retryNow() {
        if (this.stopped || this.ws) return;
        if (this.retryTimer) this.clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this._open();
    }

    // Resolves once the connection is open and onOpen has run.
    ready() {
        if (this.status === 'open') return Promise.resolve();
        return new Promise((resolve) => this.readyWaiters.push(resolve));
    }

    // Sends msg with a fresh id; resolves with the reply, rejects with a
    // ProtocolError (code "network" when not connected or closed before
    // the reply).
    request(msg, timeoutMs = REQUEST_TIMEOUT_MS) {
        return new Promise((resolve, reject) => {
            if (!this.ws || this.ws.readyState !== 1) {
                reject(new ProtocolError({ code: 'network', message: 'not connected' }));
                return;
            }
            const id = this.nextId++;
            const timer = this.setTimeout(() => {
                this.pending.delete(id);
                reject(new ProtocolError({ code: 'network', message: 'no reply' }));
            }, timeoutMs);
            this.pending.set(id, { resolve, reject, timer });
            this.ws.send(JSON.stringify({ ...msg, id }));
        });
    }

    // A new connection (a citizen's connection stays bound to its ticket;
    // knocking again needs a fresh one). Resolves when it is ready.
    restart() {
        const old = this.ws;
        this.ws = null;
        this._failPending('network');
        if (old) {
            old.onclose = null;
            old.onmessage = null;
            try { old.close(1000); } catch { /* already closed */ }
        }
        if (this.retryTimer) this.clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this.attempt = 0;
        this.status = 'idle';
        this.stopped = false;
        const ready = this.ready();
        this._open();
        return ready;
    }

    stop() {
        this.stopped = true;
        if (this.retryTimer) this.clearTimeout(this.retryTimer);
        this.retryTimer = null;
        if (this.ws) this.ws.close(1000);
    }
}
