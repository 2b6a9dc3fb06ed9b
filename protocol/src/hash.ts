/** SHA-256 (hex) in pure JS, usable in browsers; Node callers may inject node:crypto's (see ./node). */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export type Sha256 = (data: Uint8Array) => string;

export const sha256Hex: Sha256 = (data) => bytesToHex(sha256(data));
