import { config } from 'zod';

/**
 * Imported first (main.tsx), before any schema is built: zod's JIT compiles parsers with
 * `new Function`, which the console's Content-Security-Policy forbids (no 'unsafe-eval'). Zod would
 * fall back by itself, but its probe is reported as a CSP violation; jitless never probes.
 */
config({ jitless: true });
