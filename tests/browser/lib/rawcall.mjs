// A participant without the web client: a chromium page that speaks the
// klopf protocol directly (join by invitation, publish, subscribe), for
// tests of klopfd's media plane itself.

import { sleep } from '../../proto/lib/harness.mjs';

// Runs in the page: joins with an invitation, publishes camera and
// microphone, subscribes and answers every offer. Keeps what the test
// reads in window.k.
export async function joinAndCall({ port, token, name, room, badFingerprint }) {
    const k = { log: [], participants: [], seen: [], answers: [] };
    // another certificate's fingerprint in place of the page's own
    const munge = (text) => text.replace(/a=fingerprint:sha-256 (\S+)/g, (all, fp) =>
        `a=fingerprint:sha-256 ${fp.split(':').map((x) => (x === 'AA' ? 'BB' : 'AA')).join(':')}`);
    window.k = k;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['klopf.v1']);
    let id = 1;
    const pending = new Map();
    const req = (m) => new Promise((res) => {
        m.id = id++;
        pending.set(m.id, res);
        ws.send(JSON.stringify(m));
    });
    const sub = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    k.sub = sub;
    ws.onmessage = async (ev) => {
        const m = JSON.parse(ev.data);
        if (m.id && pending.has(m.id)) {
            pending.get(m.id)(m);
            pending.delete(m.id);
            return;
        }
        if (m.type === 'participants') {
            k.participants = m.participants.map((p) => p.pid);
            for (const p of k.participants) if (!k.seen.includes(p)) k.seen.push(p);
        }
        if (m.type === 'subscribe_offer') {
            k.answers.push(m.sdp);
            await sub.setRemoteDescription({ type: 'offer', sdp: m.sdp });
            await sub.setLocalDescription(await sub.createAnswer());
            await req({ type: 'subscribe_answer', room, version: m.version,
                sdp: badFingerprint ? munge(sub.localDescription.sdp) : sub.localDescription.sdp });
        }
    };
    await new Promise((r) => { ws.onopen = r; });
    const j = await req({ type: 'join', invitation: token, name });
    if (j.type !== 'joined') throw new Error(JSON.stringify(j));
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pub = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    k.pub = pub;
    for (const t of stream.getTracks()) pub.addTransceiver(t, { direction: 'sendonly', streams: [stream] });
    await pub.setLocalDescription(await pub.createOffer());
    let sdp = pub.localDescription.sdp;
    if (badFingerprint) sdp = munge(sdp);
    const pa = await req({ type: 'publish', room, sdp });
    if (pa.type !== 'publish_answer') throw new Error(JSON.stringify(pa));
    k.publishAnswer = pa.sdp;
    await pub.setRemoteDescription({ type: 'answer', sdp: pa.sdp });
    const s = await req({ type: 'subscribe', room });
    if (s.type !== 'ok') throw new Error(JSON.stringify(s));
}

export async function received(page) {
    return page.evaluate(async () => {
        const out = { audio: 0, video: 0, frames: 0, pub: window.k.pub.connectionState,
            sub: window.k.sub.connectionState };
        (await window.k.sub.getStats()).forEach((s) => {
            if (s.type !== 'inbound-rtp') return;
            out[s.kind] += s.packetsReceived;
            if (s.kind === 'video') out.frames += s.framesDecoded || 0;
        });
        return out;
    });
}

export async function waitFor(what, fn, ms = 15000) {
    const end = Date.now() + ms;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(200);
    }
}


// Bytes of video the page's publish connection has sent so far.
export async function videoBytesSent(page) {
    return page.evaluate(async () => {
        let n = 0;
        (await window.k.pub.getStats()).forEach((s) => {
            if (s.type === 'outbound-rtp' && s.kind === 'video') n += s.bytesSent;
        });
        return n;
    });
}
