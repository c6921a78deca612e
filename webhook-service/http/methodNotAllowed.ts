// The app's last word before "no such route": a path some route serves, asked with a method none
// of them takes, answers 405 with `Allow` (RFC 9110 §15.5.6). The methods are read from the app's
// own routers, so a new route needs nothing here. OPTIONS is answered with the same `Allow` by
// Express's routers themselves (200), and here (204) for the routes mounted on the app directly.
import type { Express, RequestHandler } from 'express';
import { errorBody } from './errorStatus';

/** What this file reads of Express 5's router layers (the `router` package). */
interface Layer {
  route?: { _methods(): string[] };
  handle?: { stack?: unknown };
  match(path: string): false | { path: string };
}

function methodsServing(stack: readonly Layer[], path: string, into: Set<string>): void {
  for (const layer of stack) {
    let matched: false | { path: string };
    try {
      matched = layer.match(path);
    } catch {
      // A path the router cannot decode is refused elsewhere (400); no method serves it.
      continue;
    }
    if (!matched) continue;
    if (layer.route) {
      for (const method of layer.route._methods()) into.add(method);
    } else if (Array.isArray(layer.handle?.stack)) {
      // A mounted router: the rest of the path below its mount point.
      methodsServing(layer.handle.stack as Layer[], path.slice(matched.path.length) || '/', into);
    }
  }
}

/** The methods some route of `app` takes at `path`, sorted; empty when no route serves it. */
export function allowedMethods(app: Express, path: string): string[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const methods = new Set<string>();
  methodsServing(stack, path, methods);
  return [...methods].sort();
}

/** Mount after every route and before the 404: it reads the routes mounted by then. */
export function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const allowed = allowedMethods(app, req.path);
    if (allowed.length > 0 && req.method === 'OPTIONS') {
      res.set('Allow', allowed.join(', ')).status(204).end();
      return;
    }
    // No route here, or one that takes this method and let it pass: not a question of method.
    if (allowed.length === 0 || allowed.includes(req.method)) {
      next();
      return;
    }
    res.set('Allow', allowed.join(', '));
    res.status(405).json(errorBody('method_not_allowed', `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`));
  };
}
