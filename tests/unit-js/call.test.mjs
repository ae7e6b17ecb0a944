// call.js with stand-ins for the WebSocket connection, getUserMedia and
// RTCPeerConnection: what it sends klopfd and when (doc/media.md).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../../webclient/js/call.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function settle(n = 20) {
    for (let i = 0; i < n; i++) await tick();
}

class FakeTrack {
    constructor(kind) {
        this.kind = kind;
        this.enabled = true;
        this.readyState = 'live';
    }

    stop() { this.readyState = 'ended'; }
}

class FakeStream {
    constructor(tracks, id = 'local') {
        this.id = id;
        this.tracks = tracks;
    }

    getTracks() { return this.tracks; }

    getAudioTracks() { return this.tracks.filter((t) => t.kind === 'audio'); }

    getVideoTracks() { return this.tracks.filter((t) => t.kind === 'video'); }
}

function fakeDevices({ video = true, audio = true } = {}) {
    const calls = [];
    return {
        calls,
        async getUserMedia(c) {
            calls.push(c);
            if (c.video && !video) throw Object.assign(new Error('no'), { name: 'NotAllowedError' });
            if (c.audio && !audio) throw Object.assign(new Error('no'), { name: 'NotAllowedError' });
            const tracks = [];
            if (c.audio) tracks.push(new FakeTrack('audio'));
            if (c.video) tracks.push(new FakeTrack('video'));
            return new FakeStream(tracks);
        },
    };
}

// Every made peer connection is kept; remote offers can be held back to
// see what happens when a newer one arrives meanwhile.
function fakePC() {
    const made = [];
    class PC {
        constructor(config) {
            this.config = config;
            this.transceivers = [];
            this.remote = [];
            this.local = null;
            this.signalingState = 'stable';
            this.connectionState = 'new';
            this.closed = false;
            this.hold = null;
            made.push(this);
        }

        addTransceiver(track, init) { this.transceivers.push({ track, init }); }

        async createOffer() { return { type: 'offer', sdp: `offer(${this.transceivers.map((t) => t.track.kind)})` }; }

        async createAnswer() { return { type: 'answer', sdp: `answer(${this.remote.at(-1).sdp})` }; }

        async setLocalDescription(d) { this.local = d; }

        get localDescription() { return this.local; }

        async setRemoteDescription(d) {
            if (this.hold) await this.hold;
            this.remote.push(d);
        }

        async getStats() { return new Map(); }

        close() { this.closed = true; this.signalingState = 'closed'; }
    }
    return { PC, made };
}

function fakeConn(replies = {}) {
    const sent = [];
    return {
        sent,
        async request(msg) {
            sent.push(msg);
            const r = replies[msg.type];
            if (typeof r === 'function') return r(msg);
            if (r instanceof Error) throw r;
            if (msg.type === 'publish') return { type: 'publish_answer', room: msg.room, sdp: 'answer-sdp' };
            return { type: 'ok' };
        },
    };
}

function makeCall({ devices = fakeDevices(), conn = fakeConn() } = {}) {
    const pcs = fakePC();
    const events = [];
    const call = new Call({ conn, room: 7, onEvent: (type, data) => events.push({ type, data }) }, {
        mediaDevices: devices, RTCPeerConnection: pcs.PC, setInterval: () => 1, clearInterval: () => {},
    });
    return { call, conn, pcs, events, devices };
}

describe('joining the room\'s media', () => {
    test('subscribe first, then publish audio and video sendonly; the answer is applied', async () => {
        const { call, conn, pcs, events } = makeCall();
        await call.start();
        assert.deepEqual(conn.sent.map((m) => m.type), ['subscribe', 'publish']);
        assert.equal(conn.sent[0].room, 7);
        assert.equal(conn.sent[1].sdp, 'offer(audio,video)');
        const [sub, pub] = pcs.made;
        assert.deepEqual(pub.transceivers.map((t) => [t.track.kind, t.init.direction]),
            [['audio', 'sendonly'], ['video', 'sendonly']]);
        assert.deepEqual(pub.remote, [{ type: 'answer', sdp: 'answer-sdp' }]);
        assert.equal(sub.config.bundlePolicy, 'max-bundle');
        assert.deepEqual(sub.config.iceServers, [], 'no ICE servers until klopfd hands some out');
        assert.equal(call.state, 'live');
        assert.deepEqual(events.find((e) => e.type === 'local').data.mode, 'av');
    });

    test('the camera refused: the microphone alone is published, and the page is told why', async () => {
        const { call, conn, events, devices } = makeCall({ devices: fakeDevices({ video: false }) });
        await call.start();
        assert.equal(devices.calls.length, 2);
        assert.deepEqual(devices.calls[1], { audio: true });
        assert.equal(conn.sent[1].sdp, 'offer(audio)');
        assert.deepEqual(events.find((e) => e.type === 'local').data,
            { stream: call.local, mode: 'audio', notice: 'call.camera.denied' });
    });

    test('the microphone refused too: nothing is published, the others can still be seen', async () => {
        const { call, conn, events } = makeCall({ devices: fakeDevices({ video: false, audio: false }) });
        await call.start();
        assert.deepEqual(conn.sent.map((m) => m.type), ['subscribe']);
        assert.equal(events.find((e) => e.type === 'local').data.notice, 'call.mic.denied');
        assert.equal(call.state, 'live');
    });

    test('klopfd refuses (not_in_room): the page says so, camera and microphone are released', async () => {
        const err = Object.assign(new Error('x'), { code: 'not_in_room' });
        const { call, events } = makeCall({ conn: fakeConn({ subscribe: err }) });
        await call.start();
        const local = events.find((e) => e.type === 'local').data.stream;
        assert.equal(call.state, 'left');
        assert.ok(local.getTracks().every((t) => t.readyState === 'ended'));
        assert.equal(events.filter((e) => e.type === 'problem').at(-1).data.key, 'call.refusal.notInRoom');
    });
});

describe('subscribe offers', () => {
    test('each offer is answered with its version; one arriving meanwhile waits its turn', async () => {
        const { call, conn, pcs } = makeCall();
        await call.start();
        const sub = pcs.made[0];
        let release;
        sub.hold = new Promise((resolve) => { release = resolve; });
        call.handlePush({ type: 'subscribe_offer', room: 7, version: 1, sdp: 'o1' });
        call.handlePush({ type: 'subscribe_offer', room: 7, version: 2, sdp: 'o2' });
        call.handlePush({ type: 'subscribe_offer', room: 7, version: 3, sdp: 'o3' });
        call.handlePush({ type: 'subscribe_offer', room: 8, version: 9, sdp: 'other room' });
        await settle();
        sub.hold = null;
        release();
        await settle();
        const answers = conn.sent.filter((m) => m.type === 'subscribe_answer');
        assert.deepEqual(answers.map((m) => [m.version, m.sdp, m.room]),
            [[1, 'answer(o1)', 7], [3, 'answer(o3)', 7]], 'version 2 was overtaken by 3');
        assert.deepEqual(sub.remote.map((d) => d.sdp), ['o1', 'o3']);
        // an old one arriving late is ignored
        call.handlePush({ type: 'subscribe_offer', room: 7, version: 2, sdp: 'o2' });
        await settle();
        assert.equal(conn.sent.filter((m) => m.type === 'subscribe_answer').length, 2);
    });

    test('remote streams are the participants\' by stream id; a participant who left is dropped',
        async () => {
            const { call, pcs, events } = makeCall();
            await call.start();
            const sub = pcs.made[0];
            const stream = new FakeStream([new FakeTrack('audio')], 'p3');
            sub.ontrack({ track: stream.tracks[0], streams: [stream] });
            assert.equal(call.remote.get('p3'), stream);
            assert.deepEqual(events.filter((e) => e.type === 'remote').at(-1).data, { pid: 'p3', stream });
            call.handlePush({ type: 'participants', room: 7, you: 'p2', participants: [
                { pid: 'p2', role: 'citizen', audio: true, video: true },
                { pid: 'p3', role: 'guest', name: 'G', audio: true, video: false }] });
            assert.equal(call.you, 'p2');
            assert.equal(call.remote.has('p3'), true);
            call.handlePush({ type: 'participants', room: 7, you: 'p2', participants: [
                { pid: 'p2', role: 'citizen', audio: true, video: true }] });
            assert.equal(call.remote.has('p3'), false);
            call.handlePush({ type: 'participants', room: 8, you: 'p9', participants: [] });
            assert.equal(call.you, 'p2', 'another room\'s push is not ours');
        });
});

describe('controls', () => {
    test('mute and camera off disable the local tracks (and stay so after a new publish)', async () => {
        const { call } = makeCall();
        await call.start();
        call.setMic(false);
        call.setCamera(false);
        assert.equal(call.local.getAudioTracks()[0].enabled, false);
        assert.equal(call.local.getVideoTracks()[0].enabled, false);
        await call.retryMedia();
        assert.equal(call.local.getAudioTracks()[0].enabled, false);
        call.setMic(true);
        assert.equal(call.local.getAudioTracks()[0].enabled, true);
    });

    test('hang up sends leave, closes both legs and releases the devices; start joins again',
        async () => {
            const { call, conn, pcs } = makeCall();
            await call.start();
            const tracks = call.local.getTracks();
            await call.leave();
            assert.equal(conn.sent.at(-1).type, 'leave');
            assert.equal(conn.sent.at(-1).room, 7);
            assert.ok(pcs.made.every((pc) => pc.closed));
            assert.ok(tracks.every((t) => t.readyState === 'ended'));
            assert.equal(call.state, 'left');
            await call.start();
            assert.equal(call.state, 'live');
            assert.deepEqual(conn.sent.slice(-2).map((m) => m.type), ['subscribe', 'publish']);
        });

    test('close sends nothing and stops everything', async () => {
        const { call, conn, pcs } = makeCall();
        await call.start();
        const n = conn.sent.length;
        const tracks = call.local.getTracks();
        call.close();
        assert.equal(conn.sent.length, n);
        assert.ok(pcs.made.every((pc) => pc.closed));
        assert.ok(tracks.every((t) => t.readyState === 'ended'));
        call.handlePush({ type: 'subscribe_offer', room: 7, version: 1, sdp: 'late' });
        await settle();
        assert.equal(conn.sent.length, n, 'a late offer is not answered');
    });
});
