import { z } from 'zod';

/** Who may do what, in increasing power: each role can do everything the ones before it can. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** The person or system a token belongs to; its name is what the journal records as the actor. */
export interface Identity {
  name: string;
  role: Role;
}

export function hasRole(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
