// call: the media of one consultation (doc/media.md). Two
// RTCPeerConnections to klopfd: "publish" (this page offers its camera
// and microphone sendonly, klopfd answers) and "subscribe" (klopfd offers
// the others' tracks, this page answers; a newer offer version replaces
// an older one; inactive m-lines stay inactive). Remote streams are
// mapped to participants by their stream id, which klopfd sets to the
// participant's pid (a=msid:<pid> …).
//
// Owns the camera and microphone while the call runs and stops them when
// it ends. No DOM: the view (callview.js) draws what onEvent reports.
// Decisions live in callmodel.js.

import {
    offerQueue, offerArrived, offerTake, offerDone, statsSample, rawQuality, steadyQuality,
    mediaOutcome, callRefusalKey, reconnectStep,
} from './callmodel.js';

export const STATS_INTERVAL_MS = 2000;

const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

async function statsOf(pc) {
    if (!pc || pc.signalingState === 'closed') return [];
    try {
        const report = await pc.getStats();
        return [...report.values()];
    } catch {
        return [];
    }
}

export class Call {
    // conn: the page's Connection (conn.js), already bound to a role in
    // the room. room: the room id. iceServers: TURN/STUN servers klopfd
    // hands out (none yet). onEvent(type, data) with type:
    //   'local'        {stream, mode, notice}   own camera/microphone
    //   'remote'       {pid, stream}            a participant's media
    //   'participants' {participants, you}
    //   'quality'      {word}                   connecting|good|weak|down
    //   'problem'      {key}                    a message key, or null
    //   'state'        {state}                  starting|live|left|closed
    // opts: mediaDevices, RTCPeerConnection, now(), setInterval,
    // clearInterval (for tests).
    constructor({ conn, room, iceServers = [], onEvent = () => {} }, opts = {}) {
        this.conn = conn;
        this.room = room;
        this.iceServers = iceServers;
        this.onEvent = onEvent;
        this.devices = opts.mediaDevices ?? globalThis.navigator?.mediaDevices;
        this.PC = opts.RTCPeerConnection ?? globalThis.RTCPeerConnection;
        this.now = opts.now ?? (() => performance.now());
        this.setInterval = opts.setInterval ?? globalThis.setInterval.bind(globalThis);
        this.clearInterval = opts.clearInterval ?? globalThis.clearInterval.bind(globalThis);
        this.local = null;
        this.mode = 'none';
        this.pub = null;
        this.sub = null;
        this.offers = offerQueue();
        this.remote = new Map();
        this.participants = [];
        this.you = null;
        this.lastSample = null;
        this.quality = null;
        this.statsTimer = null;
        this.healing = null;
        this.state = 'idle';
        this.micOn = true;
        this.camOn = true;
    }

    _emit(type, data) {
        try {
            this.onEvent(type, data);
        } catch {
            /* the view reports its own errors */
        }
    }

    _setState(state) {
        if (this.state === state) return;
        this.state = state;
        this._emit('state', { state });
    }

    _problem(key) {
        this._emit('problem', { key });
    }

    get active() {
        return this.state === 'starting' || this.state === 'live';
    }

    // Asks for camera and microphone (falling back to the microphone
    // alone), joins the room's media. Never rejects: problems are events.
    async start() {
        if (this.active) return;
        this._setState('starting');
        this._problem(null);
        if (!this.local) await this._acquire();
        if (!this.active) return;
        await this._connect();
    }

    async _acquire() {
        let avError = null;
        let audioError = null;
        let stream = null;
        if (!this.devices?.getUserMedia) {
            avError = { name: 'NotSupportedError' };
            audioError = avError;
        } else {
            try {
                stream = await this.devices.getUserMedia({ audio: true, video: { width: { ideal: 640 },
                    height: { ideal: 480 } } });
            } catch (err) {
                avError = err;
                try {
                    stream = await this.devices.getUserMedia({ audio: true });
                } catch (err2) {
                    audioError = err2;
                }
            }
        }
        if (!this.active) {
            if (stream) for (const tr of stream.getTracks()) tr.stop();
            return;
        }
        const outcome = mediaOutcome(avError, audioError);
        this.local = stream;
        this.mode = outcome.mode;
        for (const tr of stream?.getAudioTracks() ?? []) tr.enabled = this.micOn;
        for (const tr of stream?.getVideoTracks() ?? []) tr.enabled = this.camOn;
        this._emit('local', { stream, mode: outcome.mode, notice: outcome.notice });
    }

    async _connect() {
        this._makeSubscribe();
        try {
            await this.conn.request({ type: 'subscribe', room: this.room });
        } catch (err) {
            this._fail(err);
            return;
        }
        if (!this.active) return;
        if (this.local && this.local.getTracks().length) {
            await this._publish();
            if (!this.active) return;
        }
        this._setState('live');
        this._startStats();
    }

    _fail(err) {
        if (!this.active) return;
        this._problem(callRefusalKey(err));
        this._closePeers();
        this._stopLocal();
        this._setState('left');
    }

    _makeSubscribe() {
        const pc = new this.PC({ ...PC_CONFIG, iceServers: this.iceServers });
        this.sub = pc;
        this.offers = offerQueue();
        pc.ontrack = (ev) => {
            if (this.sub !== pc) return;
            const stream = ev.streams?.[0];
            if (!stream) return;
            const pid = stream.id;
            this.remote.set(pid, stream);
            const changed = () => {
                if (this.sub === pc) this._emit('remote', { pid, stream });
            };
            stream.onaddtrack = changed;
            stream.onremovetrack = changed;
            changed();
        };
        pc.onconnectionstatechange = () => this._measureSoon();
    }

    async _publish() {
        if (this.pub) this.pub.close();
        const pc = new this.PC({ ...PC_CONFIG, iceServers: this.iceServers });
        this.pub = pc;
        pc.onconnectionstatechange = () => this._measureSoon();
        try {
            for (const track of this.local.getTracks()) {
                pc.addTransceiver(track, { direction: 'sendonly', streams: [this.local] });
            }
            const offer = await pc.createOffer();
            await pc.setLocalDescription(offer);
            // klopfd is ICE-lite: it learns this page's address from the
            // connectivity checks, so the offer goes without waiting for
            // candidates and none are trickled.
            const r = await this.conn.request({ type: 'publish', room: this.room,
                sdp: pc.localDescription.sdp });
            if (this.pub !== pc) return;
            await pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
        } catch (err) {
            if (this.pub === pc) this._fail(err);
        }
    }

    // A push from klopfd for this room: subscribe_offer or participants.
    handlePush(msg) {
        if (!msg || msg.room !== this.room) return;
        if (msg.type === 'participants') {
            this.participants = Array.isArray(msg.participants) ? msg.participants : [];
            this.you = typeof msg.you === 'string' ? msg.you : this.you;
            const pids = new Set(this.participants.map((p) => p?.pid));
            for (const pid of [...this.remote.keys()]) if (!pids.has(pid)) this.remote.delete(pid);
            this._emit('participants', { participants: this.participants, you: this.you });
        } else if (msg.type === 'subscribe_offer') {
            if (!this.sub || !this.active) return;
            const r = offerArrived(this.offers, msg);
            this.offers = r.state;
            if (r.accepted) this._answerOffers();
        }
    }

    async _answerOffers() {
        const pc = this.sub;
        for (;;) {
            const taken = offerTake(this.offers);
            if (!taken.offer) return;
            this.offers = taken.state;
            const { version, sdp } = taken.offer;
            try {
                await pc.setRemoteDescription({ type: 'offer', sdp });
                const answer = await pc.createAnswer();
                await pc.setLocalDescription(answer);
                if (this.sub !== pc) return;
                await this.conn.request({ type: 'subscribe_answer', room: this.room, version,
                    sdp: pc.localDescription.sdp });
            } catch (err) {
                if (this.sub !== pc) return;
                if (err?.code) this._problem(callRefusalKey(err));
                else this._problem('call.refusal.media');
            }
            if (this.sub !== pc) return;
            this.offers = offerDone(this.offers, version);
        }
    }

    // ---------------------------------------------------------- controls

    setMic(on) {
        this.micOn = !!on;
        for (const tr of this.local?.getAudioTracks() ?? []) tr.enabled = this.micOn;
    }

    setCamera(on) {
        this.camOn = !!on;
        for (const tr of this.local?.getVideoTracks() ?? []) tr.enabled = this.camOn;
    }

    // Asks for camera and microphone again (after the person allowed them)
    // and publishes anew: a second publish replaces the first.
    async retryMedia() {
        if (!this.active) return;
        this._stopLocal();
        await this._acquire();
        if (!this.active || !this.local || !this.local.getTracks().length) return;
        if (this.state === 'live' || this.sub) await this._publish();
    }

    // Both legs anew, e.g. after the WebSocket came back (klopfd may have
    // dropped this member meanwhile) or after the connection failed.
    async reconnect() {
        if (this.state === 'closed') return;
        this._closePeers();
        this._setState('idle');
        await this.start();
    }

    // Hang up: klopfd closes both legs and tells the others; the camera and
    // microphone are released. start() joins again.
    async leave() {
        if (!this.active) return;
        const wasLive = this.pub || this.sub;
        this._closePeers();
        this._stopLocal();
        this._setState('left');
        if (wasLive) {
            try {
                await this.conn.request({ type: 'leave', room: this.room });
            } catch {
                /* klopfd drops a silent member anyway */
            }
        }
    }

    // The end: everything stops, nothing is sent.
    close() {
        this._closePeers();
        this._stopLocal();
        this._setState('closed');
    }

    _stopLocal() {
        if (this.local) for (const tr of this.local.getTracks()) tr.stop();
        this.local = null;
    }

    _closePeers() {
        if (this.statsTimer) this.clearInterval(this.statsTimer);
        this.statsTimer = null;
        for (const pc of [this.pub, this.sub]) {
            if (pc) {
                pc.ontrack = null;
                pc.onconnectionstatechange = null;
                try { pc.close(); } catch { /* closed */ }
            }
        }
        this.pub = null;
        this.sub = null;
        this.remote.clear();
        this.offers = offerQueue();
        this.lastSample = null;
        this.quality = null;
    }

    // ------------------------------------------------------------- quality

    _startStats() {
        if (this.statsTimer) return;
        this.statsTimer = this.setInterval(() => this._measure(), STATS_INTERVAL_MS);
        this._measure();
    }

    _measureSoon() {
        if (this.statsTimer) this._measure();
    }

    // What the others send that should be arriving here.
    _expect() {
        const others = this.participants.filter((p) => p && p.pid !== this.you);
        return { audio: others.some((p) => p.audio), video: others.some((p) => p.video) };
    }

    async _measure() {
        const pub = this.pub;
        const sub = this.sub;
        if (!sub) return;
        const [pubStats, subStats] = await Promise.all([statsOf(pub), statsOf(sub)]);
        if (this.sub !== sub) return;
        const sample = statsSample({
            at: this.now(), pub: pubStats, sub: subStats,
            pubState: pub?.connectionState ?? 'new', subState: sub.connectionState,
        });
        const raw = rawQuality(this.lastSample, sample, {
            expect: this._expect(), publishing: !!pub,
        });
        this.lastSample = sample;
        const before = this.quality?.shown;
        this.quality = steadyQuality(this.quality, raw);
        if (this.quality.shown !== before) this._emit('quality', { word: this.quality.shown });
        const heal = reconnectStep(this.healing, { pubState: sample.pubState,
            subState: sample.subState, now: sample.at });
        this.healing = heal.state;
        if (heal.reconnect && this.state === 'live') this.reconnect();
    }
}
