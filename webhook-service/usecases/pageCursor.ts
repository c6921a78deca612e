// The one cursor of the API's pages: the position of a page's last item (an instant and an id),
// opaque to callers (base64url JSON). A cursor that does not decode is the caller's error.
import { ServiceError } from '../errors';

export interface PagePosition {
  at: Date;
  id: string;
}

export const encodeCursor = ({ at, id }: PagePosition): string => Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

export function decodeCursor(cursor: string): PagePosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { at: date, id };
  } catch (error) {
    throw new ServiceError('invalid_request', 'cursor: not a cursor this API gave', { cause: error });
  }
}
