// The composition root's stack: opened in order, closed in reverse, a failed start closes what
// came before it and names the dependency.
import { describeFailure, ResourceStack, StartFailure } from '../../../webhook-service/resourceStack';

function recorder() {
  const log: string[] = [];
  return { log, closer: (name: string) => () => void log.push(`close ${name}`) };
}

test('resources close in the reverse of the order they opened', async () => {
  const { log, closer } = recorder();
  const stack = new ResourceStack();
  await stack.open('MongoDB', 'db', closer('MongoDB'), async () => log.push('start MongoDB'));
  await stack.open('Redis', 'redis', closer('Redis'));
  await stack.openMade('the HTTP port', async () => 'server', closer('the HTTP port'));
  await stack.close();
  expect(log).toEqual(['start MongoDB', 'close the HTTP port', 'close Redis', 'close MongoDB']);
});

test('when a start fails, then it and everything before it close, and the failure names it with its cause', async () => {
  const { log, closer } = recorder();
  const stack = new ResourceStack();
  await stack.open('MongoDB', 'db', closer('MongoDB'));
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:6390');
  const failure = await stack.open('Redis (session copy)', 'redis', closer('Redis'), async () => Promise.reject(refused)).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(StartFailure);
  expect(failure).toMatchObject({ dependency: 'Redis (session copy)', cause: refused });
  expect(describeFailure(failure)).toBe('could not open Redis (session copy): connect ECONNREFUSED 127.0.0.1:6390');
  expect(log).toEqual(['close Redis', 'close MongoDB']);
});

test('when a resource cannot be made, then what came before it closes', async () => {
  const { log, closer } = recorder();
  const stack = new ResourceStack();
  await stack.open('MongoDB', 'db', closer('MongoDB'));
  await expect(stack.openMade('the outbox', async () => Promise.reject(new Error('no')), closer('the outbox'))).rejects.toMatchObject({ dependency: 'the outbox' });
  expect(log).toEqual(['close MongoDB']);
});

test('a close that fails does not keep the others open, and is reported after all closed', async () => {
  const { log, closer } = recorder();
  const stack = new ResourceStack();
  await stack.open('MongoDB', 'db', closer('MongoDB'));
  await stack.open('Redis', 'redis', () => Promise.reject(new Error('socket already gone')));
  await stack.open('the worker', 'worker', closer('the worker'));
  await expect(stack.close()).rejects.toThrow('closing Redis failed: socket already gone');
  expect(log).toEqual(['close the worker', 'close MongoDB']);
});

test('closing twice closes once, and nothing opens on a closed stack', async () => {
  const { log, closer } = recorder();
  const stack = new ResourceStack();
  await stack.open('Redis', 'redis', closer('Redis'));
  await Promise.all([stack.close(), stack.close()]);
  await expect(stack.openMade('late', async () => 'late', closer('late'))).rejects.toMatchObject({ dependency: 'late' });
  expect(log).toEqual(['close Redis', 'close late']);
});
