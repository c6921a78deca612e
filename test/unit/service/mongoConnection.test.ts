// The durability every MongoDB connection asks for (see webhook-service/store/mongoConnection.ts),
// and that a URI naming its own wins.
import { durabilityOptions } from '../../../webhook-service/store/mongoConnection';

test('when the URI names nothing, then writes wait for a journaled majority and writes and reads are retried once', () => {
  expect(durabilityOptions('mongodb://db-1:27017,db-2:27017,db-3:27017/counseling?replicaSet=rs0')).toEqual({
    writeConcern: { w: 'majority', journal: true },
    retryWrites: true,
    retryReads: true,
  });
  expect(durabilityOptions('mongodb://127.0.0.1:27017/counseling')).toEqual(durabilityOptions('mongodb+srv://cluster.example.net/counseling'));
});

test('when the URI names a write concern or a retry setting, then its own wins, whatever its case', () => {
  expect(durabilityOptions('mongodb://db:27017/counseling?replicaSet=rs0&w=1')).toEqual({ retryWrites: true, retryReads: true });
  expect(durabilityOptions('mongodb://db:27017/counseling?wtimeoutMS=5000')).not.toHaveProperty('writeConcern');
  expect(durabilityOptions('mongodb://db:27017/counseling?RetryWrites=false&retryreads=false')).toEqual({ writeConcern: { w: 'majority', journal: true } });
});
