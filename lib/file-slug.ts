/**
 * URL slugs of file names from the archive's file-attribute tables
 * (`Rassrv.exe` → `rassrv.exe`, page `/files/rassrv.exe/`). Pure: no imports.
 *
 * File names are untrusted text: a slug holds only `[a-z0-9.-]`, never starts
 * or ends with `.` or `-` (so never `.` or `..`), and is at most 100 characters.
 * Two names that give one slug share one page.
 */

export const MAX_FILE_SLUG = 100;

export function fileSlug(name: string): string | null {
  let out = '';
  let dash = false;
  for (const ch of name.slice(0, 4 * MAX_FILE_SLUG).toLowerCase()) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '.') {
      if (dash && out.length > 0) out += '-';
      dash = false;
      out += ch;
    } else {
      dash = true;
    }
    if (out.length >= MAX_FILE_SLUG) break;
  }
  out = out
    .slice(0, MAX_FILE_SLUG)
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '');
  return out.length > 0 ? out : null;
}
