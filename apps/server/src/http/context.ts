import type { Role } from '@invigil/contract';

/** Who is calling, once their bearer token checked out. */
export interface Principal {
  sessionId: string;
  role: Role;
  /** staff_users.id or registrations.id */
  userId: string;
  username?: string;
  examId?: string | null;
  candidateId?: string | null;
  /** Proctors: the centers/rooms they are assigned to. */
  assignments?: { centerId: string; roomId: string | null }[];
}

export type AppEnv = {
  Variables: {
    principal: Principal;
    ip: string;
    requestId: string;
    /** The body limit of this route, bytes (set by the body-limit middleware). */
    maxBody: number;
  };
};
