/** Department category codes → county catalogue (schemas/catalogues), for MappingContext.mapCategory. */
import type { Catalogue } from '../../core/catalogue.js';

export function categoryMapper(catalogue: Catalogue | undefined, department: string): (sourceCode: string | null) => string | null {
  const known = catalogue?.departments.has(department) ?? false;
  return (code) => (code && known ? (catalogue!.mapDepartmentCategory(department, code) ?? null) : null);
}
