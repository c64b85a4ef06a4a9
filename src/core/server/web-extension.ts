import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerExtension } from './station-server.js';

/**
 * Pages may load scripts, styles and data from this server only: no inline script, no other origin, no
 * framing. The WebSocket is same-origin ('self' covers ws: and wss: to this host).
 */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** Paths that belong to the API and its neighbours: never answered with the web UI's page. */
const NOT_PAGES = /^\/(api|ws|mcp|metrics|health|ready)(\/|$)/;

/**
 * The web UI at / : its files are public (they hold no data; every call they make needs a key). Hashed
 * assets are cached for a year; any other path is the app's page (deep links such as /runs/42 work on
 * reload) and is revalidated each time.
 */
export function webExtension(webDir: string): ServerExtension {
  return {
    page: (req, res, pathname) => {
      if (NOT_PAGES.test(pathname)) return false;
      const index = join(webDir, 'index.html');
      if (pathname.startsWith('/assets/')) {
        const file = normalize(join(webDir, pathname));
        if (!file.startsWith(join(webDir, 'assets') + sep) || !isFile(file)) return false;
        sendFile(req, res, file, 'public, max-age=31536000, immutable');
        return true;
      }
      if (!isFile(index)) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': WEB_CSP });
        res.end('The web UI is not built here: run `npm run build` (the API is at /api/v1).\n');
        return true;
      }
      sendFile(req, res, index, 'no-cache');
      return true;
    },
  };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(statSync(file).size),
    'Cache-Control': cacheControl,
    'Content-Security-Policy': WEB_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
