/**
 * Signed webhook requests. The pusher sends
 *   <timestamp header>: unix time of the request, in seconds (milliseconds are accepted too)
 *   <signature header>: hex HMAC-SHA256(secret, timestamp + "\n" + raw body)   ("sha256=" prefix allowed)
 * The timestamp is inside the signature, so a captured request cannot be replayed with a fresh
 * timestamp; a replay with its old timestamp is refused once it is outside the skew window, and
 * inside the window it is only a retry (idempotency ids make it harmless).
 * A pusher must sign every attempt anew: a retry re-sent with the timestamp of the first attempt
 * is refused after `maxSkewSeconds`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function webhookSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n`).update(rawBody).digest('hex');
}

/** The two headers a pusher sends (for clients, simulators and tests). */
export function signWebhookRequest(
  secret: string,
  rawBody: Buffer | string,
  opts: { now?: number; signatureHeader?: string; timestampHeader?: string } = {},
): Record<string, string> {
  const timestamp = String(Math.floor((opts.now ?? Date.now()) / 1000));
  return {
    [opts.timestampHeader ?? 'x-countyhub-timestamp']: timestamp,
    [opts.signatureHeader ?? 'x-countyhub-signature']: webhookSignature(secret, timestamp, rawBody),
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a request's signature and timestamp. Compares in constant time (timingSafeEqual over the
 * decoded digests, which always have the same length), so a forger learns nothing from timings.
 */
export function verifyWebhookSignature(args: {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  maxSkewSeconds: number;
  now: number;
  timestampHeader: string;
  signatureHeader: string;
}): SignatureCheck {
  const { timestamp, signature } = args;
  if (!timestamp) return { ok: false, reason: `missing ${args.timestampHeader} header (unix time of the request, seconds)` };
  if (!signature) return { ok: false, reason: `missing ${args.signatureHeader} header (hex HMAC-SHA256 of timestamp + "\\n" + body)` };
  if (!/^\d{9,13}$/.test(timestamp)) return { ok: false, reason: `${args.timestampHeader} must be unix time in seconds or milliseconds, got "${timestamp.slice(0, 40)}"` };
  const n = Number(timestamp);
  const ms = n >= 1e11 ? n : n * 1000;
  const skew = Math.abs(args.now - ms) / 1000;
  if (skew > args.maxSkewSeconds) {
    return { ok: false, reason: `${args.timestampHeader} is ${Math.round(skew)} s away from the server clock (allowed ${args.maxSkewSeconds} s): stale or replayed request, or a wrong clock; sign each attempt anew` };
  }
  const hex = signature.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return { ok: false, reason: `${args.signatureHeader} must be 64 hex digits (HMAC-SHA256)` };
  const expected = Buffer.from(webhookSignature(args.secret, timestamp, args.rawBody), 'hex');
  const got = Buffer.from(hex, 'hex');
  if (!timingSafeEqual(expected, got)) {
    return { ok: false, reason: `${args.signatureHeader} does not match: check the shared secret, and sign timestamp + "\\n" + the exact body bytes sent` };
  }
  return { ok: true };
}
