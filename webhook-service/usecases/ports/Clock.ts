// The clock port: use cases read time through it, so a test can pin "now".
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}
