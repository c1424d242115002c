/**
 * The typed shape of a parsed KB article, validated with zod.
 *
 * This file is pure (no fs, no Next, no React) so that the parser, the CLI,
 * the loader and the tests share one definition.
 */
import { z } from 'zod';

export const versionSchema = z.object({
  /** Platform prefix from the `Version(s)` header (`winnt`, `WINDOWS`), or null when none is given. */
  platform: z.string().nullable(),
  version: z.string(),
});

export const fileAttributeSchema = z.object({
  /** ISO date `YYYY-MM-DD`, or the text as written when it cannot be read as a date. */
  date: z.string(),
  /** 24-hour `HH:MM` (or `HH:MM:SS` when the table gives seconds), null when the table has no time. */
  time: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  name: z.string(),
  version: z.string().nullable().optional(),
  platform: z.string().nullable().optional(),
  /** Any other column (Language, Locale, Operating system…) keyed by its header. */
  extra: z.record(z.string(), z.string()).optional(),
});

export const sectionSchema = z.object({
  id: z.string(),
  title: z.string(),
  level: z.union([z.literal(2), z.literal(3)]),
});

export const referenceTitleSchema = z.object({
  id: z.string(),
  /** The title the referring article gives next to the number, if any. */
  title: z.string(),
});

export const articleSchema = z.object({
  id: z.string().regex(/^Q\d+$/),
  number: z.number().int().positive(),
  title: z.string().min(1),
  permalink: z.string().regex(/^\/kb\/\d{3}\/Q\d+\/$/),
  product: z.string().nullable(),
  versions: z.array(versionSchema),
  versionsRaw: z.string(),
  operatingSystems: z.array(z.string()),
  keywords: z.array(z.string()),
  technology: z.array(z.string()),
  hardware: z.array(z.string()),
  issueType: z.array(z.string()),
  solutionType: z.array(z.string()),
  /** The `Additional query words:` line, split on spaces. */
  queryWords: z.array(z.string()),
  lastModified: z.string().nullable(),
  appliesTo: z.array(z.string()),
  sections: z.array(sectionSchema),
  fileAttributes: z.array(fileAttributeSchema),
  references: z.array(z.string()),
  /** Titles cited next to referenced numbers (`Q238171 RAS Port Becomes…`). */
  referenceTitles: z.array(referenceTitleSchema),
  /** Path of the source file relative to the content directory, with `/` separators. */
  source: z.string(),
});

export type Version = z.infer<typeof versionSchema>;
export type FileAttribute = z.infer<typeof fileAttributeSchema>;
export type Section = z.infer<typeof sectionSchema>;
export type ReferenceTitle = z.infer<typeof referenceTitleSchema>;
export type Article = z.infer<typeof articleSchema>;

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable kind, e.g. `missing-title`, `bad-permalink`, `unterminated-raw`. */
  kind: string;
  message: string;
  /** Path as given to the parser (`source`). */
  file: string;
  /** 1-based line in the file, when it makes sense. */
  line?: number;
}
