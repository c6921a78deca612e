// jest globalSetup of the integration project: the real local stack, once per run.
import { ensureStack } from './stackLifecycle';

export default async function globalSetup(): Promise<void> {
  await ensureStack();
}
