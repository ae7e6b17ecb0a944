// mediacheck: the waiting room's camera and microphone check. The picture
// and the sound level are shown on this page only: nothing is sent
// anywhere (no RTCPeerConnection exists before admission). The check
// stops when the citizen ends it or leaves the waiting room.

import { h, setText } from './dom.js';

const SPEECH_LEVEL = 0.02;

function errorKey(err) {
    switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
        return 'check.denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
        return 'check.notFound';
    case 'NotReadableError':
    case 'AbortError':
        return 'check.busy';
    default:
        return 'check.failed';
    }
}

// Returns {el, stop()}.
export function createMediaCheck(t) {
    let stream = null;
    let audio = null;
    let frame = 0;
    let heard = false;

    const video = h('video', {
        class: 'preview-video', muted: true, playsinline: true, autoplay: true,
        'aria-label': t('check.previewLabel'),
    });
    video.muted = true;
    const meter = h('meter', {
        id: 'mic-level', min: '0', max: '1', low: '0.02', high: '0.5', optimum: '0.3',
        value: '0',
    });
    const camState = h('li', { id: 'cam-state' }, t('check.camWaiting'));
    const micState = h('li', { id: 'mic-state' }, t('check.micWaiting'));
    const results = h('ul', { class: 'check-results', role: 'status' }, camState, micState);
    const problem = h('p', { class: 'problem', role: 'alert' });
    const preview = h('div', { class: 'preview', hidden: true },
        video,
        h('div', { class: 'level' }, h('label', { for: 'mic-level' }, t('check.level')), meter),
        results);
    const button = h('button', { type: 'button', class: 'secondary', id: 'check-toggle' },
        t('check.start'));
    const el = h('section', { class: 'card check', 'aria-labelledby': 'check-heading' },
        h('h2', { id: 'check-heading' }, t('check.heading')),
        h('p', {}, t('check.intro')),
        button, problem, preview);

    function measure(analyser, buf) {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        const rms = Math.sqrt(sum / buf.length);
        meter.value = Math.min(1, rms * 4);
        if (!heard && rms > SPEECH_LEVEL) {
            heard = true;
            setText(micState, t('check.micOk'));
            micState.classList.add('ok');
        }
        frame = requestAnimationFrame(() => measure(analyser, buf));
    }

    function stop() {
        cancelAnimationFrame(frame);
        frame = 0;
        if (stream) for (const track of stream.getTracks()) track.stop();
        stream = null;
        video.srcObject = null;
        if (audio) audio.close().catch(() => {});
        audio = null;
        preview.hidden = true;
        setText(button, t('check.start'));
    }

    async function start() {
        setText(problem, '');
        if (!navigator.mediaDevices?.getUserMedia) {
            setText(problem, t('check.unsupported'));
            return;
        }
        button.disabled = true;
        try {
            stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        } catch (err) {
            button.disabled = false;
            setText(problem, t(errorKey(err)));
            return;
        }
        button.disabled = false;
        heard = false;
        setText(camState, t('check.camWaiting'));
        setText(micState, t('check.micWaiting'));
        camState.classList.remove('ok');
        micState.classList.remove('ok');
        video.srcObject = stream;
        video.addEventListener('loadeddata', () => {
            if (video.videoWidth > 0) {
                setText(camState, t('check.camOk'));
                camState.classList.add('ok');
            }
        }, { once: true });
        video.play().catch(() => {});
        const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
        if (AC && stream.getAudioTracks().length) {
            audio = new AC();
            const analyser = audio.createAnalyser();
            analyser.fftSize = 1024;
            audio.createMediaStreamSource(stream).connect(analyser);
            measure(analyser, new Float32Array(analyser.fftSize));
        }
        preview.hidden = false;
        setText(button, t('check.stop'));
    }

    button.addEventListener('click', () => (stream ? stop() : start()));
    return { el, stop };
}
