// chime: the tone that tells a waiting citizen the clerk has let them in,
// made with WebAudio (no audio file). Browsers start sound only after the
// person has used the page (a click, a key), so the audio context is
// created on the first such gesture and kept.

let ctx = null;

function context() {
    const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!AC) return null;
    if (!ctx) ctx = new AC();
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    return ctx;
}

// Call from a click or key handler: lets later tones play.
export function unlockAudio() {
    context();
}

// Unlocks audio on the first click or key press anywhere on the page.
export function unlockOnFirstGesture(doc = document) {
    const once = () => {
        unlockAudio();
        doc.removeEventListener('pointerdown', once, true);
        doc.removeEventListener('keydown', once, true);
    };
    doc.addEventListener('pointerdown', once, true);
    doc.addEventListener('keydown', once, true);
}

// Two rising tones, twice: about 1.2 s. Returns false when the browser
// has no WebAudio.
export function playChime() {
    const ac = context();
    if (!ac) return false;
    const start = ac.currentTime + 0.05;
    const notes = [659.25, 880, 659.25, 880];
    notes.forEach((freq, i) => {
        const at = start + i * 0.3;
        const osc = ac.createOscillator();
        const gain = ac.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.28);
        osc.connect(gain).connect(ac.destination);
        osc.start(at);
        osc.stop(at + 0.3);
    });
    return true;
}
