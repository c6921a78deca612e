// Floor (a) of the ingest benchmark: a bare express endpoint that only reads the raw body and
// verifies LiveKit's signature, run as its own process like the service. Nothing the service
// does beyond this can be faster than it.
import express from 'express';
import { WebhookReceiver } from 'livekit-server-sdk';

const apiKey = process.env.LIVEKIT_API_KEY ?? '';
const apiSecret = process.env.LIVEKIT_API_SECRET ?? '';
const receiver = new WebhookReceiver(apiKey, apiSecret);
const app = express();

app.post('/livekit/webhook', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
  try {
    const event = await receiver.receive((req.body as Buffer).toString('utf8'), req.get('authorization'));
    res.json({ ok: true, id: event.id });
  } catch {
    res.status(401).json({ error: { code: 'invalid_signature' } });
  }
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
