// A small client of the service's clinic API for the benchmarks: create sessions, mint tokens.
export interface ClinicApi {
  createSession(roomName: string, studentIdentity: string, counselorIdentity: string): Promise<{ id: string }>;
  joinToken(sessionId: string, identity: string): Promise<{ token: string; url: string }>;
}

export function clinicApi(serviceUrl: string, clinicToken: string): ClinicApi {
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(new URL(path, serviceUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${clinicToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    createSession: (roomName, studentIdentity, counselorIdentity) =>
      call('/v1/sessions', { roomName, studentIdentity, counselorIdentity }),
    joinToken: (sessionId, identity) => call(`/v1/sessions/${sessionId}/token`, { identity }),
  };
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function inBatches<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
