// The camera: start it in a <video>, take JPEG frames, and tell whether the picture is steady.

import { t } from './i18n.js';

export async function startCamera(video, { facingMode = 'user' } = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error(t('camera.unsupported'));
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
    });
  } catch (err) {
    throw new Error(t('camera.denied', { reason: err.message || err.name }));
  }
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute('playsinline', '');
  await video.play().catch(() => {});
  if (!video.videoWidth) {
    await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
  }
  return stream;
}

export function stopCamera(video) {
  const stream = video && video.srcObject;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  if (video) video.srcObject = null;
}

// One frame as a JPEG; large frames are scaled down (detection time grows with pixels).
export function captureFrame(video, { maxWidth = 960, quality = 0.9 } = {}) {
  return encodeFrame(grabFrame(video, { maxWidth }), quality);
}

// The picture now, scaled, not yet encoded: cheap, so a burst keeps its cadence on a device
// where JPEG encoding is slow.
export function grabFrame(video, { maxWidth = 960 } = {}) {
  const scale = Math.min(1, maxWidth / video.videoWidth);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

export function encodeFrame(canvas, quality = 0.9) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(t('camera.nocapture')))), 'image/jpeg', quality);
  });
}

// A 32×24 grey thumbnail; two in a row that barely differ mean nobody is moving.
const thumb = document.createElement('canvas');
thumb.width = 32;
thumb.height = 24;
const thumbContext = thumb.getContext('2d', { willReadFrequently: true });

export function frameSignature(video) {
  if (!video.videoWidth) return null;
  thumbContext.drawImage(video, 0, 0, thumb.width, thumb.height);
  const { data } = thumbContext.getImageData(0, 0, thumb.width, thumb.height);
  const grey = new Uint8Array(thumb.width * thumb.height);
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = (data[i * 4] * 3 + data[i * 4 + 1] * 6 + data[i * 4 + 2]) / 10;
  }
  return grey;
}

// Mean absolute difference per pixel, 0..255.
export function motionBetween(a, b) {
  if (!a || !b) return 255;
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

// Mean brightness spread: a blank or covered camera is flat and not worth sending.
export function contrastOf(signature) {
  if (!signature) return 0;
  let min = 255;
  let max = 0;
  for (const v of signature) { if (v < min) min = v; if (v > max) max = v; }
  return max - min;
}
