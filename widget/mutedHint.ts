// "You are muted": shown in the call while the user talks with the microphone off, and for a
// little after, announced once per stretch of muted talking. Pure apart from its memory of when
// the user last spoke; the element feeds it the microphone level ten times a second.

/** About -36 dBFS RMS on the level meter's scale: speech, not room noise. */
export const SPEECH_LEVEL = 0.08;

/** How long the hint stays after the user last spoke while muted. */
export const HINT_MS = 4000;

export interface MutedHintReading {
  shown: boolean;
  /** Say it in the live region now (the first time it shows while muted). */
  announce: boolean;
}

export class MutedHint {
  /** When the user last spoke while muted (epoch ms). */
  private spokeMutedAt = Number.NEGATIVE_INFINITY;
  private announced = false;

  /** `mutedInCall`: the call shows and the microphone is off; `level` 0 to 1; `now` epoch ms. */
  update(mutedInCall: boolean, level: number, now: number): MutedHintReading {
    if (mutedInCall && level > SPEECH_LEVEL) this.spokeMutedAt = now;
    const shown = mutedInCall && now - this.spokeMutedAt < HINT_MS;
    const announce = shown && !this.announced;
    // Said once while muted: not again each time the user pauses, only after the microphone was on.
    this.announced = shown || (mutedInCall && this.announced);
    return { shown, announce };
  }
}
