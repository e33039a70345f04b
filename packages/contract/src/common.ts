import { z } from 'zod';

/** ISO-8601 UTC timestamp string, e.g. 2026-11-22T10:00:00.000Z */
export const IsoDateTime = z.iso.datetime({ offset: false });

/** Any opaque id we hand out or accept in a path (UUIDs, candidate numbers...). */
export const Id = z.string().trim().min(1).max(200);

/** Ids chosen by admins (question ids, candidate ids): short, printable, no spaces. */
export const Slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'only letters, digits and _ . : @ -');

/** base64url without padding. */
export const Base64Url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding');

/** Ed25519 public key: 32 raw bytes, base64url (no padding) = 43 characters. */
export const DevicePublicKey = Base64Url.length(43);

/** Ed25519 signature: 64 raw bytes, base64url (no padding) = 86 characters. */
export const DeviceSignature = Base64Url.length(86);

/** Opaque bearer secret we issued (login token, recovery token, resume code). */
export const Secret = z.string().min(16).max(200);
