import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnrolResponse, PrivacyNotice } from '@fedrec/core/protocol';
import type { Logger } from 'pino';
import type { PublicStatus, ServerStatus } from '../status/server-status.js';
import type { EnrolLimits } from './enrol-limits.js';

export const MODEL_VERSION_HEADER = 'x-fedrec-model-version';
/** The catalogue version (content hash) whose first products are the model's rows; absent without a catalogue. */
export const CATALOGUE_VERSION_HEADER = 'x-fedrec-catalogue-version';

export interface HttpRouteDeps {
  /** The operator's view, for requests with the operator key. */
  status(): ServerStatus;
  /** What anyone may see. */
  publicStatus(): PublicStatus;
  /** Bearer key that unlocks `status()` on `GET /status`; without one, only the public view is served. */
  readonly operatorKey?: string | undefined;
  /** The current model file, its version, and the version of the catalogue naming its rows (null without one). */
  model(): { readonly bytes: Uint8Array; readonly version: number; readonly catalogueVersion?: string | null };
  /** The catalogue's JSON and its version (content hash), where the server has one. */
  readonly catalogue?: ServedCatalogue | undefined;
  /** The privacy notice generated from the configuration (`privacyNoticeFor`); fixed for the process's life. */
  readonly privacyNotice?: PrivacyNotice | undefined;
  /** Issues a token for a fresh client id. */
  enrol(): EnrolResponse;
  readonly enrolment: 'open' | 'key' | 'off';
  readonly enrolmentKey?: string | undefined;
  readonly logger: Logger;
  /** Per-source limits on `POST /enrol` (none: unlimited). */
  readonly enrolLimits?: EnrolLimits;
  /** Browser origins allowed to read these routes (`corsOrigins`, as socket.io is given it); none: no CORS headers. */
  readonly corsOrigins?: readonly string[];
}

/** Headers a cross-origin page may read: the model's version and the catalogue's and notice's content hashes. */
const EXPOSED_HEADERS = [MODEL_VERSION_HEADER, CATALOGUE_VERSION_HEADER, 'etag'].join(', ');
/** What a page may send to `POST /enrol`: the enrolment key. */
const ALLOWED_HEADERS = 'authorization, content-type';

/**
 * The CORS headers of a response to `origin`, or none when it is not one of
 * `allowed` (exact match, as socket.io matches it): the same origin policy for
 * the plain routes as for the socket, so a shop's page on another origin can
 * fetch the model, the catalogue and a token.
 */
function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (origin === undefined || !allowed.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'Origin' };
}

/** The catalogue as served: encoded once, with its content-hash version for the ETag. */
export interface ServedCatalogue {
  readonly json: Buffer;
  readonly version: string;
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, statusCode: number, code: string, message: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, statusCode, { error: code, message });
}

/** Constant-time comparison of a presented bearer key with the configured one (hashed first, so lengths match). */
function keyMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The plain-HTTP routes beside socket.io (which intercepts `/socket.io/`
 * before this handler runs):
 *
 * - `GET /status`: the public status (PublicStatus: round-level figures,
 *   updated only when a round closes); with `Authorization: Bearer
 *   <operatorKey>`, the operator's live counters and timings (ServerStatus).
 * - `GET /model`: the current model file, its version in `X-FedRec-Model-Version`
 *   and, with a catalogue, the catalogue version naming its rows in
 *   `X-FedRec-Catalogue-Version` (row i is that catalogue's product i).
 * - `GET /catalogue`: the shop's public catalogue (JSON), its content hash as ETag
 *   (`If-None-Match` gets 304); 404 `NO_CATALOGUE` without one.
 * - `GET /privacy-notice`: what the server collects and promises (JSON, `PrivacyNotice`), generated from its
 *   configuration; its version (a content hash) as ETag, `If-None-Match` gets 304.
 * - `POST /enrol`: a token for a fresh client id (when enrolment is not `off`).
 */
export function createRequestHandler(deps: HttpRouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const routes: Record<string, { method: string; handle(req: IncomingMessage, res: ServerResponse): void }> = {
    '/status': {
      method: 'GET',
      handle: (req, res) => {
        const header = req.headers.authorization;
        if (header === undefined) return sendJson(res, 200, deps.publicStatus());
        const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
        if (deps.operatorKey === undefined || !keyMatches(presented, deps.operatorKey)) {
          return sendError(res, 401, 'BAD_OPERATOR_KEY', 'wrong operator key (leave out Authorization for the public status)', { 'www-authenticate': 'Bearer' });
        }
        sendJson(res, 200, deps.status());
      },
    },
    '/model': {
      method: 'GET',
      handle: (_req, res) => {
        const { bytes, version, catalogueVersion } = deps.model();
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': bytes.byteLength,
          'cache-control': 'no-store',
          [MODEL_VERSION_HEADER]: String(version),
          ...(catalogueVersion !== null && catalogueVersion !== undefined ? { [CATALOGUE_VERSION_HEADER]: catalogueVersion } : {}),
        });
        res.end(bytes);
      },
    },
    '/catalogue': {
      method: 'GET',
      handle: (req, res) => {
        const { catalogue } = deps;
        if (catalogue === undefined) return sendError(res, 404, 'NO_CATALOGUE', 'this server has no catalogue (catalogueFile)');
        // Public and changed only by a restart with another file: caches keep it and revalidate by its content hash.
        const etag = `"${catalogue.version}"`;
        const headers = { etag, 'cache-control': 'public, no-cache' };
        if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) {
          res.writeHead(304, headers);
          return res.end();
        }
        res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': catalogue.json.byteLength });
        res.end(catalogue.json);
      },
    },
    '/privacy-notice': {
      method: 'GET',
      handle: (req, res) => {
        const notice = deps.privacyNotice;
        if (notice === undefined) return sendError(res, 404, 'NO_PRIVACY_NOTICE', 'this server publishes no privacy notice');
        // Changed only by a restart with another configuration: revalidated by its version, like the catalogue.
        const etag = `"${notice.version}"`;
        const headers = { etag, 'cache-control': 'public, no-cache' };
        if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) {
          res.writeHead(304, headers);
          return res.end();
        }
        const text = JSON.stringify(notice);
        res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      },
    },
    '/enrol': {
      method: 'POST',
      handle: (req, res) => {
        if (deps.enrolment === 'off') return sendError(res, 404, 'ENROLMENT_OFF', 'this server does not enrol clients');
        const refusal = deps.enrolLimits?.admit(req);
        if (refusal) return sendError(res, 429, refusal.code, refusal.message, { 'retry-after': String(refusal.retryAfterSeconds) });
        if (deps.enrolment === 'key') {
          const header = req.headers.authorization ?? '';
          const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
          if (!keyMatches(presented, deps.enrolmentKey ?? '')) {
            deps.enrolLimits?.keyFailed(req);
            return sendError(res, 401, 'BAD_ENROLMENT_KEY', 'missing or wrong enrolment key', { 'www-authenticate': 'Bearer' });
          }
        }
        sendJson(res, 200, deps.enrol());
      },
    },
  };

  return (req, res) => {
    try {
      // No route reads a body; drain it so the connection can be reused.
      req.resume();
      const path = pathOf(req.url);
      if (path === null) {
        // The client's mistake (or probe), not a server failure: warn, and answer 400 rather than 500.
        deps.logger.warn({ method: req.method }, 'malformed request target refused');
        return sendError(res, 400, 'BAD_REQUEST', 'malformed request target');
      }
      const cors = corsHeaders(req.headers.origin, deps.corsOrigins ?? []);
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      const route = routes[path];
      if (route === undefined) return sendError(res, 404, 'NOT_FOUND', 'no such route');
      if (req.method === 'OPTIONS' && cors['access-control-allow-origin'] !== undefined) {
        // The preflight a browser sends before `POST /enrol` with a key: allow the route's method and the key's header.
        res.writeHead(204, { 'access-control-allow-methods': route.method, 'access-control-allow-headers': ALLOWED_HEADERS, 'access-control-max-age': '600' });
        return res.end();
      }
      if (req.method !== route.method) return sendError(res, 405, 'METHOD_NOT_ALLOWED', `use ${route.method}`, { allow: route.method });
      route.handle(req, res);
    } catch (error) {
      deps.logger.error({ err: error }, 'HTTP handler failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'server error');
      else res.destroy();
    }
  };
}

/** The path of a request target, or null if it does not parse (`GET //[ HTTP/1.1` reaches the handler: Node only checks the characters). */
function pathOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}
