import type { Principal } from '../ports/types.ts';

export type { Principal };

export type AppEnv = {
  Variables: {
    principal: Principal;
    ip: string;
    requestId: string;
    /** The body limit of this route, bytes (set by the body-limit middleware). */
    maxBody: number;
  };
};
