// Whether the kiosk's camera shows something the server has not judged yet.
//
// Browsers have no portable face detector, so presence is told cheaply by frame differencing on
// tiny grey thumbnails (camera.js). A frame is worth sending when the picture is steady, not
// blank, and differs from both the scene last answered for (the person just clocked in, who
// may linger) and the empty scene (learnt from the last "no face" answer). So a kiosk facing an
// empty hall uploads nothing, and someone standing in view is sent once, not every few seconds.

import { contrastOf, motionBetween } from './camera.js';

const MOTION_LIMIT = 8; // mean grey difference between two samples: still moving
const CHANGE_LIMIT = 12; // mean grey difference from a judged scene: something new is in view
const MIN_CONTRAST = 24; // a covered or blank camera is flat
const STEADY_MS = 600;

export class PresenceGate {
  constructor() {
    this.previous = null;
    this.steadySince = 0;
    this.answered = null; // the scene of the last answer
    this.empty = null; // the scene of the last "no face" answer
  }

  // One thumbnail per sample; true when this frame should go to the server now.
  observe(signature, now) {
    const moving = motionBetween(signature, this.previous) > MOTION_LIMIT;
    this.previous = signature;
    if (moving || contrastOf(signature) < MIN_CONTRAST) {
      this.steadySince = 0;
      return false;
    }
    if (!this.steadySince) this.steadySince = now;
    if (now - this.steadySince < STEADY_MS) return false;
    return this.isNew(signature);
  }

  isNew(signature) {
    const seen = (scene) => scene && motionBetween(signature, scene) <= CHANGE_LIMIT;
    return !seen(this.answered) && !seen(this.empty);
  }

  // The server answered for this scene; `nobody` when it found no face in it.
  judged(signature, { nobody = false } = {}) {
    this.answered = signature;
    if (nobody) this.empty = signature;
    this.steadySince = 0;
  }

  // The answer said nothing about the scene (an error): the next steady frame goes again.
  retry() {
    this.steadySince = 0;
  }

  // Something besides the picture changed (a person claimed their name): send the view again.
  rearm() {
    this.answered = null;
    this.steadySince = 0;
  }
}
