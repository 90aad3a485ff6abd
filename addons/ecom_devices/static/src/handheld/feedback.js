/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

// Sound and vibration of a scan's outcome, where the browser allows them: a short high beep for a
// good scan, a long low one for an error (WebAudio); a vibration only after the user has touched the
// page (browsers refuse it before, with a console intervention).

let audio = null;

export function beep(ok) {
    const AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext) {
        return;
    }
    try {
        audio = audio || new AudioContext();
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = ok ? "sine" : "square";
        oscillator.frequency.value = ok ? 1046 : 220;
        gain.gain.value = 0.15;
        oscillator.connect(gain);
        gain.connect(audio.destination);
        oscillator.start();
        oscillator.stop(audio.currentTime + (ok ? 0.08 : 0.35));
    } catch {
        // no sound on this browser: the message and its colour remain
    }
}

export function vibrate(ok) {
    if (navigator.vibrate && navigator.userActivation && navigator.userActivation.hasBeenActive) {
        navigator.vibrate(ok ? 40 : [120, 60, 120]);
    }
}

export function signal(ok) {
    beep(ok);
    vibrate(ok);
}
