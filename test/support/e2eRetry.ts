// The e2e project drives real WebRTC between real browsers and LiveKit on a shared 2-core
// machine, where a media path can fail to come up for reasons outside the code under test (CPU
// starvation of Chromium or LiveKit). A test that fails is run once more and counts as failed
// only if it fails again: a broken behaviour fails both times, and the first error is logged.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
