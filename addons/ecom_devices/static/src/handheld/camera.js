/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

// The phone camera as a scanner, through the browser's own BarcodeDetector (Chrome on Android,
// Safari 17+ ...): no library. Where the browser has none, the screen hides the camera button.

const FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "data_matrix", "qr_code"];

export function cameraAvailable() {
    return Boolean(
        window.BarcodeDetector && navigator.mediaDevices && navigator.mediaDevices.getUserMedia
    );
}

export class CameraScanner {
    constructor(video, onCode) {
        this.video = video;
        this.onCode = onCode;
        this.stream = null;
        this.timer = null;
    }

    async start() {
        const supported = await window.BarcodeDetector.getSupportedFormats();
        const formats = FORMATS.filter((format) => supported.includes(format));
        this.detector = new window.BarcodeDetector(formats.length ? { formats } : undefined);
        this.stream = await navigator.mediaDevices.getUserMedia({
            video: { facingMode: "environment" },
            audio: false,
        });
        this.video.srcObject = this.stream;
        await this.video.play();
        this.timer = setInterval(() => this.detect(), 250);
    }

    async detect() {
        if (!this.stream || this.video.readyState < 2) {
            return;
        }
        const codes = await this.detector.detect(this.video);
        if (codes.length && this.stream) {
            const code = codes[0].rawValue;
            this.stop();
            this.onCode(code);
        }
    }

    stop() {
        clearInterval(this.timer);
        this.timer = null;
        if (this.stream) {
            for (const track of this.stream.getTracks()) {
                track.stop();
            }
        }
        this.stream = null;
    }
}
