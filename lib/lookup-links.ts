/**
 * Where to look for an article that is not in the archive: the Internet
 * Archive's captures of the addresses Microsoft published it under, and the
 * last of those addresses itself (support.microsoft.com has retired most of
 * them; some still redirect). Pure; the number is digits only, so it is safe
 * in a URL.
 */
export interface LookupLink {
  href: string;
  label: string;
  note: string;
}

export function lookupLinks(number: number): LookupLink[] {
  if (!Number.isSafeInteger(number) || number <= 0) return [];
  const id = `Q${number}`;
  const links: LookupLink[] = [
    {
      href: `https://web.archive.org/web/*/support.microsoft.com/kb/${number}`,
      label: `support.microsoft.com/kb/${number}`,
      note: 'Internet Archive captures of the short address (2003 on)',
    },
  ];
  if (number >= 1000) {
    // 1999–2002 addresses: Q238171 → /support/kb/articles/Q238/1/71.ASP
    const path = `Q${Math.floor(number / 1000)}/${Math.floor(number / 100) % 10}/${String(number % 100).padStart(2, '0')}.ASP`;
    links.push({
      href: `https://web.archive.org/web/*/support.microsoft.com/support/kb/articles/${path}`,
      label: `support.microsoft.com/support/kb/articles/${path}`,
      note: 'Internet Archive captures of the 1999–2002 address',
    });
  }
  links.push({
    href: `http://support.microsoft.com/default.aspx?scid=kb;EN-US;${id}`,
    label: `support.microsoft.com/default.aspx?scid=kb;EN-US;${id}`,
    note: 'the address Microsoft used until about 2010 (may no longer answer)',
  });
  return links;
}
