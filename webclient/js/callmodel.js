// callmodel: the decisions of the consultation view, without WebRTC and
// without DOM (doc/media.md, "Messages"): which subscribe offer to answer,
// who is in the room and how they are named, what the numbers of
// getStats() mean in words, what to do when the camera or microphone is
// refused, and the guest's join form. call.js and callview.js feed it;
// node --test imports this very file.

import { FORBIDDEN, NAME_MAX_BYTES, utf8Bytes } from './model.js';

// ------------------------------------------------------- subscribe offers

// The subscribe leg's offers, in version order: klopfd may push a newer
// offer while the page still answers an older one; only the newest
// pending one is worth answering, and nothing older than what was already
// answered. Pure state: every function returns a new state.
//
//   state = {applied, pending, busy}
//   applied: the newest version answered (0: none)
//   pending: {version, sdp} not yet taken, or null
//   busy:    the version being answered now, or 0
export function offerQueue() {
    return { applied: 0, pending: null, busy: 0 };
}

// A subscribe_offer arrived. Returns {state, accepted}; an offer not
// newer than everything seen is dropped.
export function offerArrived(state, offer) {
    const version = Number(offer?.version);
    if (!Number.isSafeInteger(version) || version < 1 || typeof offer.sdp !== 'string') {
        return { state, accepted: false };
    }
    const newest = Math.max(state.applied, state.busy, state.pending?.version ?? 0);
    if (version <= newest) return { state, accepted: false };
    return { state: { ...state, pending: { version, sdp: offer.sdp } }, accepted: true };
}

// The next offer to answer, if the page is not answering one already.
// Returns {state, offer} (offer null: nothing to do now).
export function offerTake(state) {
    if (state.busy || !state.pending) return { state, offer: null };
    const offer = state.pending;
    return { state: { ...state, pending: null, busy: offer.version }, offer };
}

// The offer being answered is done (answered, or failed: it is not tried
// again either way).
export function offerDone(state, version) {
    if (state.busy !== version) return state;
    return { ...state, busy: 0, applied: Math.max(state.applied, version) };
}

// ------------------------------------------------------------ participants

const ROLE_ORDER = { clerk: 0, citizen: 1, guest: 2 };

function validParticipant(p) {
    return p && typeof p === 'object' && typeof p.pid === 'string' && p.pid.length > 0;
}

function roleOf(p) {
    return Object.hasOwn(ROLE_ORDER, p.role) ? p.role : 'guest';
}

// "Anna Beispiel (Sachbearbeitung)", or the role alone when there is no
// name (a citizen at an anonymous office).
export function participantLabel(p, t) {
    const role = t(`call.role.${roleOf(p)}`);
    const name = typeof p.name === 'string' ? p.name.trim() : '';
    return name ? t('call.nameRole', { name, role }) : role;
}

// What the participant sends, in words ('' for audio and video).
function mediaNote(p, t) {
    if (p.audio && p.video) return '';
    if (p.audio) return t('call.audioOnly');
    if (p.video) return t('call.videoOnly');
    return t('call.noMedia');
}

// The others of a participants push as tiles, in a stable order: the
// clerk first (shown largest), then the citizen, then guests in the
// order klopfd lists them. you: the own pid. Returns
// [{pid, role, label, note, audio, video, main}] where main marks the
// tile to show large.
export function tilesFrom(participants, you, t) {
    const list = (Array.isArray(participants) ? participants : [])
        .filter(validParticipant)
        .filter((p) => p.pid !== you);
    const tiles = list.map((p, i) => ({
        pid: p.pid, role: roleOf(p), label: participantLabel(p, t), note: mediaNote(p, t),
        audio: !!p.audio, video: !!p.video, main: false, order: i,
    }));
    tiles.sort((a, b) => (ROLE_ORDER[a.role] - ROLE_ORDER[b.role]) || (a.order - b.order));
    if (tiles.length) tiles[0].main = true;
    return tiles.map(({ order, ...rest }) => rest);
}

// Everyone, the own entry marked, for the list of people in the room:
// [{pid, label, note, you}].
export function peopleFrom(participants, you, t) {
    const list = (Array.isArray(participants) ? participants : []).filter(validParticipant);
    const mine = list.filter((p) => p.pid === you);
    const others = tilesFrom(list, you, t);
    return [
        ...others.map((x) => ({ pid: x.pid, label: x.label, note: x.note, you: false })),
        ...mine.map((p) => ({
            pid: p.pid, label: t('call.youLabel', { who: participantLabel(p, t) }),
            note: mediaNote(p, t), you: true,
        })),
    ];
}

// Who came and who went between two participants pushes (the own entry
// left out). Returns {joined: [participant], left: [participant]}.
export function participantChanges(prev, next, you) {
    const before = new Map((prev || []).filter(validParticipant).map((p) => [p.pid, p]));
    const after = new Map((next || []).filter(validParticipant).map((p) => [p.pid, p]));
    const joined = [...after.values()].filter((p) => p.pid !== you && !before.has(p.pid));
    const left = [...before.values()].filter((p) => p.pid !== you && !after.has(p.pid));
    return { joined, left };
}

// ----------------------------------------------------------------- quality

// One reading of both PeerConnections' getStats(), reduced to the numbers
// the quality rules need. pub and sub: arrays of stats objects (the
// values of an RTCStatsReport; either may be empty). at: milliseconds.
// Counters are totals since the leg started.
export function statsSample({ at, pub = [], sub = [], pubState = 'new', subState = 'new' }) {
    const s = {
        at, pubState, subState,
        audioPackets: 0, audioLost: 0, videoPackets: 0, videoLost: 0, framesDecoded: 0,
        inbound: 0, rtt: null, sentPackets: 0, remoteLoss: null,
    };
    const rtts = [];
    for (const r of sub) {
        if (r.type === 'inbound-rtp') {
            s.inbound++;
            const kind = r.kind ?? r.mediaType;
            const lost = Math.max(0, Number(r.packetsLost) || 0);
            if (kind === 'audio') {
                s.audioPackets += Number(r.packetsReceived) || 0;
                s.audioLost += lost;
            } else if (kind === 'video') {
                s.videoPackets += Number(r.packetsReceived) || 0;
                s.videoLost += lost;
                s.framesDecoded += Number(r.framesDecoded) || 0;
            }
        }
    }
    for (const r of [...pub, ...sub]) {
        if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded'
            && typeof r.currentRoundTripTime === 'number') {
            rtts.push(r.currentRoundTripTime);
        }
    }
    for (const r of pub) {
        if (r.type === 'outbound-rtp') s.sentPackets += Number(r.packetsSent) || 0;
        if (r.type === 'remote-inbound-rtp') {
            if (typeof r.roundTripTime === 'number') rtts.push(r.roundTripTime);
            if (typeof r.fractionLost === 'number') {
                s.remoteLoss = Math.max(s.remoteLoss ?? 0, r.fractionLost);
            }
        }
    }
    if (rtts.length) s.rtt = Math.max(...rtts);
    return s;
}

export const QUALITY = {
    WEAK_LOSS: 0.05,      // fraction of packets lost in one interval
    WEAK_RTT: 0.4,        // seconds
    WEAK_FPS: 8,          // decoded video frames per second
    CHANGE_AFTER: 2,      // equal readings before good and weak swap
};

const BAD_STATES = new Set(['failed', 'disconnected']);
const UP = 'connected';

// The connection in one word for one interval between two samples:
// 'connecting', 'good', 'weak' or 'down'. expect: {audio, video} —
// whether others send audio or video that should be arriving.
// publishing: whether this page sends anything.
export function rawQuality(prev, cur, { expect = {}, publishing = true } = {}) {
    if (BAD_STATES.has(cur.pubState) || BAD_STATES.has(cur.subState)) return 'down';
    const receiving = !!(expect.audio || expect.video);
    const pubUp = !publishing || cur.pubState === UP;
    const subUp = !receiving || cur.subState === UP;
    if (!pubUp || !subUp) return 'connecting';
    let weak = false;
    if (typeof cur.rtt === 'number' && cur.rtt > QUALITY.WEAK_RTT) weak = true;
    if (typeof cur.remoteLoss === 'number' && cur.remoteLoss > QUALITY.WEAK_LOSS) weak = true;
    if (receiving) {
        if (!prev || cur.at <= prev.at) return weak ? 'weak' : 'good';
        const got = (cur.audioPackets - prev.audioPackets) + (cur.videoPackets - prev.videoPackets);
        const lost = Math.max(0, (cur.audioLost - prev.audioLost) + (cur.videoLost - prev.videoLost));
        if (got <= 0) return 'down';
        if (lost / (lost + got) > QUALITY.WEAK_LOSS) weak = true;
        if (expect.video) {
            const fps = ((cur.framesDecoded - prev.framesDecoded) * 1000) / (cur.at - prev.at);
            if (fps < QUALITY.WEAK_FPS) weak = true;
        }
    }
    return weak ? 'weak' : 'good';
}

// What the page shows, steadied: 'down' and the first reading show at
// once; good and weak swap only after CHANGE_AFTER equal readings, so the
// words (a live region) do not flicker. state: {shown, candidate, count}
// or null. Returns the new state.
export function steadyQuality(state, raw) {
    if (!state || state.shown === 'connecting' || state.shown === 'down'
        || raw === 'down' || raw === 'connecting') {
        return { shown: raw, candidate: null, count: 0 };
    }
    if (raw === state.shown) return { ...state, candidate: null, count: 0 };
    const count = state.candidate === raw ? state.count + 1 : 1;
    if (count >= QUALITY.CHANGE_AFTER) return { shown: raw, candidate: null, count: 0 };
    return { ...state, candidate: raw, count };
}

// When to join anew by itself: klopfd drops a member whose transport
// failed or went silent and says nothing to it, so a leg that failed, or
// stayed disconnected for RECONNECT.AFTER_MS, is built again — at most
// once per RECONNECT.EVERY_MS. state: {badSince, lastAt} (null at first).
// Returns {state, reconnect}.
export const RECONNECT = { AFTER_MS: 4000, EVERY_MS: 15000 };

export function reconnectStep(state, { pubState, subState, now }) {
    const s = state ?? { badSince: null, lastAt: -Infinity };
    const failed = pubState === 'failed' || subState === 'failed';
    const lost = failed || pubState === 'disconnected' || subState === 'disconnected';
    if (!lost) return { state: { ...s, badSince: null }, reconnect: false };
    const badSince = s.badSince ?? now;
    const due = failed || now - badSince >= RECONNECT.AFTER_MS;
    if (due && now - s.lastAt >= RECONNECT.EVERY_MS) {
        return { state: { badSince: null, lastAt: now }, reconnect: true };
    }
    return { state: { ...s, badSince }, reconnect: false };
}

// ------------------------------------------------- camera and microphone

// Why getUserMedia failed, by the error's name.
export function deviceProblem(err) {
    switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
        return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
        return 'missing';
    case 'NotReadableError':
    case 'AbortError':
        return 'busy';
    default:
        return 'failed';
    }
}

// What the page sends and says after asking for camera and microphone:
// avError: the error of asking for both (null: both granted); audioError:
// the error of then asking for the microphone alone. Returns {mode,
// notice}: mode 'av' (both), 'audio' (microphone only) or 'none'
// (nothing: the page can still see and hear the others); notice: the
// message key, or null.
const CAMERA_NOTICE = {
    denied: 'call.camera.denied', missing: 'call.camera.missing',
    busy: 'call.camera.busy', failed: 'call.camera.failed',
};
const MIC_NOTICE = {
    denied: 'call.mic.denied', missing: 'call.mic.missing',
    busy: 'call.mic.busy', failed: 'call.mic.failed',
};

export function mediaOutcome(avError, audioError) {
    if (!avError) return { mode: 'av', notice: null };
    if (!audioError) return { mode: 'audio', notice: CAMERA_NOTICE[deviceProblem(avError)] };
    return { mode: 'none', notice: MIC_NOTICE[deviceProblem(audioError)] };
}

// --------------------------------------------------------------- guests

// The guest's join form, by the protocol's rules (a name of 1 to 64
// bytes without control characters, and the privacy notice accepted).
// Returns {errors: [{field, key}], request} with the join message
// (without id) when there are no errors.
export function validateJoin({ invitation, name = '', consent = false, lang = 'de' }) {
    const errors = [];
    const n = String(name).trim();
    if (!n) errors.push({ field: 'name', key: 'guest.error.nameMissing' });
    else if (FORBIDDEN.test(n)) errors.push({ field: 'name', key: 'form.error.nameChars' });
    else if (utf8Bytes(n) > NAME_MAX_BYTES) errors.push({ field: 'name', key: 'form.error.nameLong' });
    if (consent !== true) errors.push({ field: 'consent', key: 'guest.error.consent' });
    if (errors.length) return { errors, request: null };
    return { errors, request: { type: 'join', invitation, name: n, lang } };
}

// An invitation token as it appears in the guest link: 32 hex digits
// (klopfd's tokens); anything else is not worth sending.
export const INVITATION = /^[0-9a-f]{32}$/;

// A refused join or media request in words (the key of the message).
export function callRefusalKey(err) {
    switch (err?.code) {
    case 'invitation_invalid':
        return 'guest.refusal.invalid';
    case 'not_in_room':
        return 'call.refusal.notInRoom';
    case 'media_unavailable':
    case 'bad_sdp':
        return 'call.refusal.media';
    case 'network':
        return 'refusal.network';
    case 'bad_message':
        return err.field === 'name' ? 'refusal.bad_name' : 'refusal.internal';
    default:
        return 'refusal.internal';
    }
}
