// A step or API name with its first letter upper-cased: construct ids (`Backup`, `ApplyStep`)
// and IAM action names (`rds:CreateDBSnapshot`) are written that way.
export function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
