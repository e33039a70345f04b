import { UAParser } from 'ua-parser-js';

export interface DeviceInfo {
  deviceType: 'mobile' | 'tablet' | 'desktop' | 'smarttv' | 'console' | 'wearable' | 'bot' | 'unknown';
  /** A human label, e.g. "iPhone · Mobile Safari 17.0" */
  deviceName: string;
  browser: string;
  os: string;
}

const BOT = /bot|crawler|spider|curl\/|wget\/|python-requests|postman/i;

/**
 * A hall of kiosks sends one User-Agent a thousand times: parsing it (a few hundred regexes) once
 * per distinct string is enough. A small LRU (a Map keeps insertion order: a hit moves to the end,
 * the first key is the least recently used), so a stream of one-off strings cannot push out the
 * kiosks' own.
 */
const cache = new Map<string, DeviceInfo>();
const CACHE_LIMIT = 500;
/** Longer strings are parsed each time (the stored User-Agent is cut at 1,000 characters anyway). */
const CACHE_MAX_KEY = 1_000;

/** Device facts from a User-Agent with a real parser (not substring checks). */
export function parseDevice(userAgent: string): DeviceInfo {
  const hit = cache.get(userAgent);
  if (hit) {
    cache.delete(userAgent);
    cache.set(userAgent, hit);
    return { ...hit };
  }
  const info = parse(userAgent);
  if (userAgent.length <= CACHE_MAX_KEY) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(userAgent, info);
  }
  return { ...info };
}

function parse(userAgent: string): DeviceInfo {
  if (!userAgent) return { deviceType: 'unknown', deviceName: 'Unknown device', browser: '', os: '' };
  const r = new UAParser(userAgent).getResult();
  const browser = [r.browser.name, r.browser.version?.split('.').slice(0, 2).join('.')].filter(Boolean).join(' ');
  const os = [r.os.name, r.os.version].filter(Boolean).join(' ');
  let deviceType: DeviceInfo['deviceType'];
  if (BOT.test(userAgent)) deviceType = 'bot';
  else if (r.device.type === 'mobile' || r.device.type === 'tablet' || r.device.type === 'smarttv' || r.device.type === 'console' || r.device.type === 'wearable') deviceType = r.device.type;
  else if (r.os.name && /windows|mac os|linux|ubuntu|debian|fedora|chrom(e|ium) os/i.test(r.os.name)) deviceType = 'desktop';
  else if (r.engine.name || r.browser.name) deviceType = 'desktop';
  else deviceType = 'unknown';
  const model = r.device.model ?? (deviceType === 'desktop' ? r.os.name : undefined) ?? 'Unknown device';
  const deviceName = [model, browser].filter(Boolean).join(' · ');
  return { deviceType, deviceName, browser, os };
}
