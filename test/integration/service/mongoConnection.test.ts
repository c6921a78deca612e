// The durability options (majority write concern, retryable writes and reads) on the database the
// tests run on: FerretDB here, which must accept them and store as before; a real MongoDB when
// MONGODB_URI names one (README, "Run on your own infrastructure").
import { connectMongo } from '../../../webhook-service/store/mongoConnection';
import { mongoUriFor, uniqueName } from '../../support/isolation';

test('when a connection asks for majority writes and retries, then the database takes unique inserts, refuses a duplicate with 11000 and updates as before', async () => {
  const connection = await connectMongo(mongoUriFor(uniqueName('durability').replaceAll('-', '_')), { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    const options = connection.getClient().options;
    expect(options.writeConcern).toMatchObject({ w: 'majority', journal: true });
    expect(options).toMatchObject({ retryWrites: true, retryReads: true });
    const events = connection.collection<{ _id: string; at: Date; seen?: number }>('durability_probe');
    await events.insertOne({ _id: 'EV_1', at: new Date() });
    await expect(events.insertOne({ _id: 'EV_1', at: new Date() })).rejects.toMatchObject({ code: 11000 });
    await events.updateOne({ _id: 'EV_1' }, { $set: { seen: 2 } });
    expect(await events.findOne({ _id: 'EV_1' })).toMatchObject({ seen: 2 });
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
});
