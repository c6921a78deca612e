// One helper turns an adapter's backend failures into the service's code (errors.ts failingAs).
import { queueCall, ServiceError, storeCall } from '../../../webhook-service/errors';

test('when the backend answers, then its answer comes back unchanged', async () => {
  await expect(storeCall(async () => 42)).resolves.toBe(42);
});

test('when the backend fails, then the caller sees the code of the backend kind, with the failure as its cause', async () => {
  const failure = new Error('connection reset');
  await expect(storeCall(() => Promise.reject(failure))).rejects.toMatchObject({ code: 'store_unavailable', cause: failure });
  await expect(queueCall(() => Promise.reject(failure))).rejects.toMatchObject({ code: 'queue_unavailable', cause: failure });
});

test('when the call already failed in the service terms, then that error goes through as it is', async () => {
  const refused = ServiceError.notFound('ses_1');
  await expect(storeCall(() => Promise.reject(refused))).rejects.toBe(refused);
});
