/**
 * The embeddable page at /portal/: plain HTML, CSS and JavaScript shipped in the package's assets/
 * folder, served with a strict Content-Security-Policy (scripts and styles only from this origin, no
 * inline code, frames only in the configured sites). /portal/embed.js puts the page in an <iframe>
 * on another site.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ASSET_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'portal.js': 'text/javascript; charset=utf-8',
  'portal.css': 'text/css; charset=utf-8',
  'embed.js': 'text/javascript; charset=utf-8',
};

export interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

export const ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

export function loadAssets(dir = ASSETS_DIR): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) {
    const body = readFileSync(`${dir}/${name}`);
    out.set(name, { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return out;
}

export function contentSecurityPolicy(frameAncestors: string[]): string {
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "form-action 'self'", "base-uri 'none'", `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/** Headers for an asset: the page gets the CSP; every file nosniff and no referrer. */
export function assetHeaders(name: string, asset: Asset, frameAncestors: string[]): Record<string, string> {
  return {
    'Content-Type': asset.type,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ETag: asset.etag,
    'Cache-Control': name === 'index.html' ? 'no-cache' : 'public, max-age=300',
    ...(name === 'index.html' ? { 'Content-Security-Policy': contentSecurityPolicy(frameAncestors) } : {}),
    // embed.js runs on other sites' pages; everything else stays on this origin.
    ...(name === 'embed.js' ? { 'Cross-Origin-Resource-Policy': 'cross-origin' } : { 'Cross-Origin-Resource-Policy': 'same-origin' }),
  };
}
