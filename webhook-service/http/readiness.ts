// Readiness from cached dependency checks: one check at a time, its result reused for `cacheMs`,
// so a storm of probes (or many load balancers) costs MongoDB, Redis and LiveKit one check per
// interval, not one per probe. A draining process is unready whatever its dependencies say.

/** A dependency check: resolves when the dependency answers. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ReadinessResult {
  status: 'ready' | 'unready' | 'draining';
  checks: Record<string, 'ok' | 'failed'>;
  failed: string[];
  /** What an operator should look at while the service still serves (an outbox backlog): never makes it unready. */
  warnings: string[];
}

export interface ReadinessOptions {
  checks: Readonly<Record<string, ReadinessCheck>>;
  /** How long a result is reused, in ms (READINESS_CACHE_MS). */
  cacheMs: number;
  /** How long one check may take before it counts as failed, in ms. @defaultValue 2000 */
  timeoutMs?: number;
  /** Warnings read with the checks (a failure to read them is no warning: the checks say what is down). */
  warnings?: () => Promise<string[]>;
  /** True once the process drains (SIGTERM): then unready, so load balancers stop sending while in-flight work finishes. */
  isDraining?: () => boolean;
  /** Told each fresh check's result (for the readiness metrics). */
  onChecked?: (result: ReadinessResult) => void;
  now?: () => number;
}

export interface Readiness {
  current(): Promise<ReadinessResult>;
}

async function within(check: ReadinessCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 2000;
  let cached: { at: number; result: Promise<ReadinessResult> } | null = null;

  const check = async (): Promise<ReadinessResult> => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => within(options.checks[name] as ReadinessCheck, timeoutMs)));
    const failed = names.filter((_, index) => !results[index]);
    const warnings = options.warnings ? await options.warnings().catch(() => []) : [];
    return { status: failed.length === 0 ? 'ready' : 'unready', checks: Object.fromEntries(names.map((name, index) => [name, results[index] ? 'ok' : 'failed'])), failed, warnings };
  };

  return {
    async current() {
      // A check in flight is shared too: concurrent probes wait for the same one.
      if (!cached || now() - cached.at >= options.cacheMs) {
        const result = check().then((fresh) => {
          options.onChecked?.(options.isDraining?.() ? { ...fresh, status: 'draining' } : fresh);
          return fresh;
        });
        cached = { at: now(), result };
      }
      const result = await cached.result;
      return options.isDraining?.() ? { ...result, status: 'draining' } : result;
    },
  };
}
