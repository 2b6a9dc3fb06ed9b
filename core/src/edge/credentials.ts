/**
 * MQTT credentials.
 * - Agents: a generated password, stored only as a Mosquitto `$7$` hash (PBKDF2-HMAC-SHA512, 12-byte
 *   salt, 64-byte key), so one stored hash serves the embedded broker and a production Mosquitto
 *   `password_file`. The iteration count is part of the hash and Mosquitto honours it; we use more
 *   than mosquitto_passwd's 101. Verification runs off the event loop (libuv's thread pool).
 * - The core itself: user `okno-core`, with the password from the broker URL's user info when it
 *   has one (several nodes on one Mosquitto), else generated once into `<dataDir>/mqtt-core-password`
 *   (mode 0600).
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mosquittoPasswordHash } from '@okno/protocol/node';
import type { OknoConfig } from '../config/config.js';

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 iterations of agent password hashes (mosquitto_passwd writes 101). */
export const EDGE_PBKDF2_ITERATIONS = 10_000;
export const CORE_MQTT_USERNAME = 'okno-core';
export const CORE_PASSWORD_FILE = 'mqtt-core-password';

/** A new random password (32 characters of base64url, 192 bits). */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export function hashPassword(password: string): string {
  return mosquittoPasswordHash(password, { iterations: EDGE_PBKDF2_ITERATIONS });
}

const HASH_RE = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;
// Checked against when the user is unknown, so that unknown and known users take the same time.
const DUMMY_HASH = hashPassword(newPassword());

/** Checks a password against a `$7$` hash without blocking the event loop. */
export async function verifyPassword(password: string | Buffer | undefined, hash: string | undefined): Promise<boolean> {
  const m = HASH_RE.exec(hash ?? DUMMY_HASH) ?? HASH_RE.exec(DUMMY_HASH)!;
  const want = Buffer.from(m[3]!, 'base64');
  const got = await pbkdf2Async(typeof password === 'string' ? Buffer.from(password, 'utf8') : (password ?? Buffer.alloc(0)), Buffer.from(m[2]!, 'base64'), Number(m[1]), want.length, 'sha512');
  return hash !== undefined && password !== undefined && got.length === want.length && timingSafeEqual(got, want);
}

export interface CoreMqttCredentials {
  username: string;
  password: string;
}

/** The core's MQTT user name and password (see the module comment). */
export function coreMqttCredentials(config: Pick<OknoConfig, 'dataDir' | 'mqtt'>): CoreMqttCredentials {
  if (config.mqtt.url) {
    const u = new URL(config.mqtt.url);
    if (u.password) return { username: decodeURIComponent(u.username) || CORE_MQTT_USERNAME, password: decodeURIComponent(u.password) };
  }
  const file = join(config.dataDir, CORE_PASSWORD_FILE);
  if (existsSync(file)) return { username: CORE_MQTT_USERNAME, password: readFileSync(file, 'utf8').trim() };
  mkdirSync(config.dataDir, { recursive: true });
  const password = newPassword();
  try {
    writeFileSync(file, password + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // another process of the same data folder made it first
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { username: CORE_MQTT_USERNAME, password: readFileSync(file, 'utf8').trim() };
    throw err;
  }
  return { username: CORE_MQTT_USERNAME, password };
}

/** The broker URL without user info (for logs and for the agents' configuration). */
export function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}
