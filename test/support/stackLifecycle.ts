// Starts the local stack at most once per jest process and stops it at the end. jest calls each
// project's globalSetup in the same (main) process, so the stack lives on `globalThis`, and its
// env goes into process.env, which the test workers inherit.
import { stackEnv, startStack, type Stack } from '../../scripts/stack';

interface StackHolder {
  __counselingStack?: Promise<Stack>;
}

const holder = globalThis as typeof globalThis & StackHolder;

export function ensureStack(): Promise<Stack> {
  if (holder.__counselingStack) return holder.__counselingStack;
  const starting = startStack().then((stack) => {
    Object.assign(process.env, stackEnv(stack));
    return stack;
  });
  holder.__counselingStack = starting;
  // A failed start is not cached: the next caller gets a fresh attempt and its own error.
  starting.catch(() => {
    if (holder.__counselingStack === starting) holder.__counselingStack = undefined;
  });
  return starting;
}

export async function stopStackIfStarted(): Promise<void> {
  const starting = holder.__counselingStack;
  if (!starting) return;
  holder.__counselingStack = undefined;
  const stack = await starting.catch(() => undefined);
  await stack?.stop();
}
