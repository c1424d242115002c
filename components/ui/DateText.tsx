import { formatDate } from '@/lib/site';

/** A date from the archive: `<time dateTime="2002-05-08">8 May 2002</time>`, or the raw text. */
export function DateText({ value }: { value: string }) {
  const { iso, text } = formatDate(value);
  return iso === null ? <span>{text}</span> : <time dateTime={iso}>{text}</time>;
}
