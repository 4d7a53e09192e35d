/**
 * Who is calling the API. Principals live in PostgreSQL (hub/api/auth/); the authentication hook
 * puts the caller on `request.principal`, and every query of a route goes through the scope
 * functions of hub/api/scope.ts, which read it — so a new route cannot forget the jurisdiction.
 */
export const ROLES = ['commander', 'town_operator', 'liaison', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** Division-code prefix the caller may see: '' or the county's 6 digits for the county, 9 for a town. */
  jurisdiction: string;
  /** For liaisons: the department id whose tasks they see. */
  department: string | null;
  /** May unmask personal data (with a stated purpose, audited). */
  canUnmask: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
