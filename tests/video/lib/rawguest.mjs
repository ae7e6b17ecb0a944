// A guest without the web client, for klopf-video's tests: a chromium
// page that joins by invitation, publishes, subscribes, and can publish a
// second time from the same connection (klopfd replaces the first
// PeerConnection: new SSRCs, new mids in everyone's subscribe offer).
// Runs in the page (page.evaluate); keeps its state in window.g.

export async function joinRaw({ port, token, name, room }) {
    const g = { pubs: [] };
    window.g = g;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['klopf.v1']);
    let id = 1;
    const pending = new Map();
    g.req = (m) => new Promise((res) => {
        m.id = id++;
        pending.set(m.id, res);
        ws.send(JSON.stringify(m));
    });
    const sub = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    ws.onmessage = async (ev) => {
        const m = JSON.parse(ev.data);
        if (m.id && pending.has(m.id)) {
            pending.get(m.id)(m);
            pending.delete(m.id);
            return;
        }
        if (m.type === 'subscribe_offer') {
            await sub.setRemoteDescription({ type: 'offer', sdp: m.sdp });
            await sub.setLocalDescription(await sub.createAnswer());
            await g.req({ type: 'subscribe_answer', room, version: m.version,
                sdp: sub.localDescription.sdp });
        }
    };
    await new Promise((r) => { ws.onopen = r; });
    const j = await g.req({ type: 'join', invitation: token, name });
    if (j.type !== 'joined') throw new Error(JSON.stringify(j));
    g.publish = async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
        const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
        for (const t of stream.getTracks()) {
            pc.addTransceiver(t, { direction: 'sendonly', streams: [stream] });
        }
        await pc.setLocalDescription(await pc.createOffer());
        const a = await g.req({ type: 'publish', room, sdp: pc.localDescription.sdp });
        if (a.type !== 'publish_answer') throw new Error(JSON.stringify(a));
        await pc.setRemoteDescription({ type: 'answer', sdp: a.sdp });
        for (const old of g.pubs) old.close();
        g.pubs.push(pc);
    };
    await g.publish();
    const s = await g.req({ type: 'subscribe', room });
    if (s.type !== 'ok') throw new Error(JSON.stringify(s));
}
