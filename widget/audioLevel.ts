// How loud the local microphone is, for the waiting room's level meter and the "you are muted"
// hint. It listens to a clone of the microphone track: muting sets `enabled = false` on the
// published track (silence goes out), while the clone still hears whether the user is talking.
// Nothing leaves the page.

export class AudioLevel {
  private readonly clone: MediaStreamTrack;
  private readonly context: AudioContext;
  private readonly analyser: AnalyserNode;
  private readonly samples: Float32Array<ArrayBuffer>;

  constructor(readonly source: MediaStreamTrack) {
    this.clone = source.clone();
    this.clone.enabled = true;
    this.context = new AudioContext();
    this.analyser = this.context.createAnalyser();
    // About 170 ms at 48 kHz, longer than the element's 100 ms between reads: a short sound
    // between two reads is never missed (a 21 ms window read every 100 ms kept missing a syllable).
    this.analyser.fftSize = 8192;
    this.samples = new Float32Array(this.analyser.fftSize);
    this.context.createMediaStreamSource(new MediaStream([this.clone])).connect(this.analyser);
  }

  /** 0 (silence) to 1 (loud): the RMS of the last ~170 ms, scaled so speech sits mid-range. */
  level(): number {
    // A context created before any user gesture may start suspended; the capture lets it resume.
    if (this.context.state === 'suspended') void this.context.resume();
    this.analyser.getFloatTimeDomainData(this.samples);
    let sum = 0;
    for (const sample of this.samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / this.samples.length) * 5);
  }

  close(): void {
    this.clone.stop();
    void this.context.close();
  }
}
