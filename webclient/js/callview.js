// callview: the consultation view shared by the citizen's waiting room
// (after admission) and the guest page: the others' pictures large, the
// own picture small, who is in the room, the connection in words, and
// the buttons (microphone, camera, hang up). Draws what call.js reports;
// the words and decisions come from callmodel.js.

import { h, clear, setText } from './dom.js';
import { Call } from './call.js';
import { tilesFrom, peopleFrom, participantChanges, participantLabel } from './callmodel.js';

// ctx: {t, conn, room, announce(text), iceServers}. Returns {el, start(),
// handlePush(msg), reconnected(), destroy()}; start() asks for camera and
// microphone and joins the room's media.
export function createCallView({ t, conn, room, announce = () => {}, iceServers = [] }) {
    const tiles = new Map();      // pid -> {li, video, caption, note, tile}
    let participants = [];
    let you = null;
    let mode = 'av';
    let micOn = true;
    let camOn = true;
    let destroyed = false;

    // ------------------------------------------------------------ parts

    const quality = h('p', { id: 'call-quality', class: 'quality', role: 'status',
        'data-quality': 'connecting' }, t('call.quality.connecting'));
    const notice = h('div', { id: 'call-notice', class: 'call-notice', role: 'alert' });
    const list = h('ul', { class: 'tiles', 'aria-label': t('call.othersLabel') });
    const alone = h('p', { class: 'alone' }, t('call.alone'));
    const selfVideo = h('video', { muted: true, playsinline: true, autoplay: true,
        'aria-label': t('call.selfVideo') });
    selfVideo.muted = true;
    const selfCaption = h('figcaption', { id: 'call-self-state' }, t('call.you'));
    const self = h('figure', { id: 'call-self', class: 'tile self no-video' }, selfVideo, selfCaption);
    const stage = h('div', { class: 'stage' }, list, alone, self);

    const mic = h('button', { type: 'button', id: 'call-mic', class: 'secondary toggle',
        'aria-pressed': 'false' }, t('call.mute'));
    const cam = h('button', { type: 'button', id: 'call-cam', class: 'secondary toggle',
        'aria-pressed': 'false' }, t('call.cameraOff'));
    const sound = h('button', { type: 'button', id: 'call-sound', class: 'primary', hidden: true },
        t('call.soundOn'));
    const retryMedia = h('button', { type: 'button', id: 'call-retry-media', class: 'secondary',
        hidden: true }, t('call.retryMedia'));
    const reconnect = h('button', { type: 'button', id: 'call-reconnect', class: 'secondary',
        hidden: true }, t('call.reconnect'));
    const hangup = h('button', { type: 'button', id: 'call-hangup', class: 'danger' },
        t('call.hangup'));
    const controls = h('div', { class: 'controls buttons', role: 'group',
        'aria-label': t('call.controlsLabel') }, mic, cam, sound, retryMedia, reconnect, hangup);

    const rejoin = h('button', { type: 'button', id: 'call-rejoin', class: 'primary' },
        t('call.rejoin'));
    const leftBox = h('div', { class: 'left-box', hidden: true },
        h('p', { id: 'call-left-text' }, t('call.leftText')), h('p', {}, rejoin));

    const people = h('ul', { id: 'call-people', class: 'people',
        'aria-labelledby': 'people-heading' });
    const el = h('section', { id: 'call', class: 'call', 'aria-labelledby': 'call-heading' },
        h('h2', { id: 'call-heading' }, t('call.heading')),
        quality, notice, stage, controls, leftBox,
        h('h3', { id: 'people-heading' }, t('call.peopleHeading')),
        people);

    // ------------------------------------------------------------ media

    function play(video) {
        const p = video.play();
        if (!p) return;
        p.catch((err) => {
            // no sound without a gesture on this page: picture now, sound
            // after one click
            if (err?.name === 'NotAllowedError' && !video.muted) {
                video.muted = true;
                sound.hidden = false;
                video.play().catch(() => {});
            }
        });
    }

    function hasLiveVideo(stream) {
        return !!stream && stream.getVideoTracks().some((tr) => tr.readyState === 'live');
    }

    function attach(pid) {
        const tile = tiles.get(pid);
        if (!tile) return;
        const stream = call.remote.get(pid) ?? null;
        if (tile.video.srcObject !== stream) {
            tile.video.srcObject = stream;
            if (stream) play(tile.video);
        }
        tile.li.classList.toggle('no-video', !(tile.tile.video && hasLiveVideo(stream)));
    }

    // ------------------------------------------------------------ tiles

    function drawTiles() {
        const shown = tilesFrom(participants, you, t);
        const keep = new Set(shown.map((x) => x.pid));
        for (const [pid, tile] of tiles) {
            if (!keep.has(pid)) {
                tile.video.srcObject = null;
                tile.li.remove();
                tiles.delete(pid);
            }
        }
        shown.forEach((x, i) => {
            let tile = tiles.get(x.pid);
            if (!tile) {
                const video = h('video', { playsinline: true, autoplay: true });
                const caption = h('span', { class: 'who' });
                const note = h('span', { class: 'note-media' });
                const li = h('li', { class: 'tile', 'data-pid': x.pid }, video,
                    h('p', { class: 'caption' }, caption, note));
                // while the sound waits for a click, new pictures start muted too
                if (!sound.hidden) video.muted = true;
                tile = { li, video, caption, note, tile: x };
                tiles.set(x.pid, tile);
            }
            tile.tile = x;
            tile.video.setAttribute('aria-label', t('call.videoOf', { who: x.label }));
            setText(tile.caption, x.label);
            setText(tile.note, x.note ? ` – ${x.note}` : '');
            tile.li.dataset.role = x.role;
            tile.li.classList.toggle('main', x.main);
            if (list.children[i] !== tile.li) list.insertBefore(tile.li, list.children[i] ?? null);
            attach(x.pid);
        });
        alone.hidden = shown.length > 0;
        list.hidden = shown.length === 0;
        stage.dataset.count = String(shown.length);
        clear(people);
        for (const p of peopleFrom(participants, you, t)) {
            people.append(h('li', { 'data-pid': p.pid, class: p.you ? 'you' : null },
                p.label, p.note ? ` – ${p.note}` : ''));
        }
    }

    function drawSelf() {
        const stream = call.local;
        const video = stream?.getVideoTracks().length > 0;
        if (selfVideo.srcObject !== stream) {
            selfVideo.srcObject = video ? stream : null;
            if (video) selfVideo.play().catch(() => {});
        }
        self.classList.toggle('no-video', !video || !camOn);
        const state = [];
        if (mode === 'none') state.push(t('call.selfNothing'));
        else {
            if (!micOn) state.push(t('call.selfMuted'));
            if (mode === 'audio') state.push(t('call.audioOnly'));
            else if (!camOn) state.push(t('call.selfCameraOff'));
        }
        setText(selfCaption, state.length ? `${t('call.you')} – ${state.join(', ')}` : t('call.you'));
        mic.hidden = mode === 'none';
        cam.hidden = mode !== 'av';
        retryMedia.hidden = mode === 'av';
    }

    let localNotice = null;
    let problem = null;
    function drawNotice() {
        const keys = [problem, localNotice].filter(Boolean);
        clear(notice);
        for (const k of keys) notice.append(h('p', {}, t(k)));
    }

    function setQuality(word) {
        quality.dataset.quality = word;
        setText(quality, t(`call.quality.${word}`));
        reconnect.hidden = word !== 'down';
    }

    function setLeft(left) {
        stage.hidden = left;
        controls.hidden = left;
        leftBox.hidden = !left;
        quality.hidden = left;
    }

    // ------------------------------------------------------------ events

    const call = new Call({
        conn, room, iceServers,
        onEvent(type, data) {
            if (destroyed) return;
            switch (type) {
            case 'local':
                mode = data.mode;
                localNotice = data.notice;
                drawNotice();
                drawSelf();
                break;
            case 'remote':
                attach(data.pid);
                break;
            case 'participants': {
                const change = participantChanges(participants, data.participants, data.you);
                participants = data.participants;
                you = data.you;
                drawTiles();
                const said = [
                    ...change.joined.map((p) => t('call.joined', { who: participantLabel(p, t) })),
                    ...change.left.map((p) => t('call.left', { who: participantLabel(p, t) })),
                ];
                if (said.length) announce(said.join(' '));
                break;
            }
            case 'quality':
                setQuality(data.word);
                break;
            case 'problem':
                problem = data.key;
                drawNotice();
                break;
            case 'state':
                if (data.state === 'left') {
                    setLeft(true);
                    participants = [];
                    drawTiles();
                    drawSelf();
                } else if (data.state === 'starting') {
                    setLeft(false);
                    setQuality('connecting');
                }
                break;
            default:
                break;
            }
        },
    });

    mic.addEventListener('click', () => {
        micOn = !micOn;
        call.setMic(micOn);
        mic.setAttribute('aria-pressed', String(!micOn));
        drawSelf();
        announce(t(micOn ? 'call.micIsOn' : 'call.micIsOff'));
    });
    cam.addEventListener('click', () => {
        camOn = !camOn;
        call.setCamera(camOn);
        cam.setAttribute('aria-pressed', String(!camOn));
        drawSelf();
        announce(t(camOn ? 'call.camIsOn' : 'call.camIsOff'));
    });
    sound.addEventListener('click', () => {
        sound.hidden = true;
        for (const tile of tiles.values()) {
            tile.video.muted = false;
            play(tile.video);
        }
    });
    retryMedia.addEventListener('click', () => { call.retryMedia(); });
    reconnect.addEventListener('click', () => { call.reconnect(); });
    hangup.addEventListener('click', async () => {
        await call.leave();
        announce(t('call.leftText'));
        rejoin.focus();
    });
    rejoin.addEventListener('click', async () => {
        await call.start();
        hangup.focus();
    });

    drawTiles();
    drawSelf();
    drawNotice();

    return {
        el,
        call,
        start() { return call.start(); },
        handlePush(msg) { call.handlePush(msg); },
        // the WebSocket came back: klopfd may have dropped this member
        reconnected() {
            if (call.active) call.reconnect();
        },
        destroy() {
            destroyed = true;
            call.close();
            for (const tile of tiles.values()) tile.video.srcObject = null;
            selfVideo.srcObject = null;
        },
    };
}
