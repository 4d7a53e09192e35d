/** JSON-schema fragments for parameters several routes share, so they are validated alike. */

/** A department id of schemas/catalogues/departments.json, or `town:<9-digit code>` for a town government. */
export const DEPARTMENT_ID = { type: 'string', pattern: '^[a-z0-9_:-]{1,64}$' } as const;

/** A point in time, ISO 8601. */
export const TIMESTAMP = { type: 'string', format: 'date-time', maxLength: 40 } as const;

/** A hub row id (matters, subjects, tasks): decimal, at most 18 digits. */
export const ROW_ID = { type: 'string', pattern: '^[0-9]{1,18}$' } as const;

/**
 * A county category code or a prefix of one (schemas/catalogues/categories.json): a family and a
 * category joined by a dot, both of which may hold an underscore (`construction.site_safety`,
 * `food_drug`). The code is matched as a prefix with LIKE, so `_` and `%` are escaped there.
 */
export const CATEGORY_CODE = { type: 'string', pattern: '^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$' } as const;
