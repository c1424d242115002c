/**
 * Unit tests of the parser's small transforms (dates, times, versions, hex
 * escapes, entities, links, blocks) and of renderBody.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Element, Root, RootContent } from 'hast';
import { normalizeDate, normalizeTime, parseFileTable } from '../lib/markdown/file-table';
import { parseVersions } from '../lib/markdown/versions';
import { decodeEntities, decodeHexEscapes } from '../lib/markdown/text';
import { linkify } from '../lib/markdown/links';
import { toBlocks, type Block } from '../lib/markdown/blocks';
import type { KbLine } from '../lib/markdown/lines';
import { parseArticle, renderBody } from '../lib/markdown/index';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SEED = readFileSync(path.join(HERE, 'fixtures', 'parser', 'q244717', 'input.md'), 'utf8');

/** KB lines from text written without the block's tab. */
const kb = (text: string): KbLine[] => text.split('\n').map((line, i) => ({ text: line, line: i + 1 }));
const blocks = (text: string): Block[] => toBlocks(kb(text));
const kinds = (text: string): string[] => blocks(text).map((b) => (b.type === 'heading' ? `h${b.level}` : b.type));

test('normalizeDate reads the date forms of file tables', () => {
  const cases: Array<[string, string | null]> = [
    ['10/29/99', '1999-10-29'],
    ['1/9/98', '1998-01-09'],
    ['09-25-1998', '1998-09-25'],
    ['03/14/2000', '2000-03-14'],
    ['12-Nov-2001', '2001-11-12'],
    ['29-Nov-2001', '2001-11-29'],
    ['29-JUNE-2001', '2001-06-29'],
    ['11-July-2001', '2001-07-11'],
    ['Aug-12-2000', '2000-08-12'],
    ['JUL-15-2002', '2002-07-15'],
    ['Sep-9-2001', '2001-09-09'],
    ['October 6, 2000', '2000-10-06'],
    ['29 May 2001', '2001-05-29'],
    ['21/12/00', '2000-12-21'], // day first: 21 cannot be a month
    ['1999/10/02', '1999-10-02'], // year first
    ['98/10/28', '1998-10-28'],
    ['11/03/200', '2000-11-03'], // a year cut short
    ['01/01/49', '2049-01-01'],
    ['01/01/50', '1950-01-01'],
    ['02/29/2000', '2000-02-29'],
  ];
  for (const [text, iso] of cases) assert.equal(normalizeDate(text), iso, text);
  for (const junk of ['', '10/29', '02/30/99', '13/13/99', '00/10/99', '12-Nox-2001', 'Foo-12-2000', '10/29/1', '2001', 'xx/xx/xx', '11/03/201']) {
    assert.equal(normalizeDate(junk), null, junk);
  }
});

test('normalizeTime gives 24-hour times', () => {
  const cases: Array<[string, string | null]> = [
    ['01:15a', '01:15'],
    ['01:22a', '01:22'],
    ['01:15p', '13:15'],
    ['12:30p', '12:30'],
    ['12:05a', '00:05'],
    ['12:00AM', '00:00'],
    ['12:41:42 PM', '12:41:42'],
    ['7:02:38p', '19:02:38'],
    ['1:20 P.M.', '13:20'],
    ['9:04am', '09:04'],
    ['3:36pm', '15:36'],
    ['10:38:53PM', '22:38:53'],
    ['18:00', '18:00'],
    ['9:04', '9:04'.padStart(5, '0')],
    // Localized tables write the time with a dot (Q276319, Q262563).
    ['11.31am', '11:31'],
    ['22.36', '22:36'],
  ];
  for (const [text, time] of cases) assert.equal(normalizeTime(text), time, text);
  for (const junk of ['', 'xx:xx', '25:00', '10:61', '10:30:75', '1030', '10:5', '10.5', '24.61']) {
    assert.equal(normalizeTime(junk), null, junk);
  }
});

test('parseVersions reads the Version(s) header, junk included', () => {
  assert.deepEqual(parseVersions('winnt:4.0 SP4,4.0 SP5'), [
    { platform: 'winnt', version: '4.0 SP4' },
    { platform: 'winnt', version: '4.0 SP5' },
  ]);
  assert.deepEqual(parseVersions('WINDOWS:7.0; Win95:7.0'), [
    { platform: 'WINDOWS', version: '7.0' },
    { platform: 'Win95', version: '7.0' },
  ]);
  assert.deepEqual(parseVersions('4.00 4.00b 4.50'), [
    { platform: null, version: '4.00' },
    { platform: null, version: '4.00b' },
    { platform: null, version: '4.50' },
  ]);
  assert.deepEqual(parseVersions('WINDOWS:2.0,2.0,2.1'), [
    { platform: 'WINDOWS', version: '2.0' },
    { platform: 'WINDOWS', version: '2.1' },
  ]);
  assert.deepEqual(parseVersions(':3.1'), [{ platform: null, version: '3.1' }]);
  for (const junk of ['; winnt:', 'WINDOWS:; :', ';', ':', ' ', '', null]) {
    assert.deepEqual(parseVersions(junk), [], String(junk));
  }
});

test('decodeHexEscapes turns <XX> escapes into Windows-1252 characters', () => {
  assert.equal(decodeHexEscapes('it<92>s'), 'it\u2019s');
  assert.equal(decodeHexEscapes('<93>Smart<94> quotes'), '\u201cSmart\u201d quotes');
  assert.equal(decodeHexEscapes('NOTE: <A0>For'), 'NOTE: \u00a0For');
  assert.equal(decodeHexEscapes('Microsoft<AE> <A7>2 <B7>'), 'Microsoft\u00ae \u00a72 \u00b7');
  assert.equal(decodeHexEscapes('<80>5 <85>'), '\u20ac5 \u2026');
  assert.equal(decodeHexEscapes('<81>'), '\ufffd'); // undefined in Windows-1252
  // Not escapes: ASCII bytes, lowercase hex, longer or shorter, ordinary angle brackets.
  for (const text of ['<7F>', '<41>', '<a0>', '<A00>', '<A>', '<computer_name>', 'IF <condition> THEN', 'a < b > c']) {
    assert.equal(decodeHexEscapes(text), text);
  }
});

test('decodeEntities decodes HTML character references in titles', () => {
  assert.equal(decodeEntities('DHCP Scope Marked &quot;Bad&quot;'), 'DHCP Scope Marked "Bad"');
  assert.equal(decodeEntities('Mail &amp; Schedule+'), 'Mail & Schedule+');
  assert.equal(decodeEntities('%%&#91;Error&#93;%% IPC&#36; &#42;'), '%%[Error]%% IPC$ *');
  assert.equal(decodeEntities('&#x24;&#X2A;'), '$*');
  assert.equal(decodeEntities('&lt;Tab&gt;'), '<Tab>');
  assert.equal(decodeEntities('it&#146;s'), 'it\u2019s'); // C1 numbers are Windows-1252 bytes
  for (const text of ['AT&T', '&bogus;', '&#0;', '&#xD800;', '&#99999999;', '& amp;', 'a & b']) {
    assert.equal(decodeEntities(text), text);
  }
});

test('linkify links URLs without their trailing punctuation', () => {
  const links = (text: string) => linkify(text).flatMap((n) => (n.type === 'link' ? [n.url] : []));
  const text = (value: string) =>
    linkify(value)
      .map((n) => (n.type === 'text' ? n.value : `[${(n as { children: Array<{ value: string }> }).children[0]!.value}]`))
      .join('');
  assert.deepEqual(links('go to http://support.microsoft.com/default.aspx?scid=fh;EN-US;CNTACTMS.'), [
    'http://support.microsoft.com/default.aspx?scid=fh;EN-US;CNTACTMS',
  ]);
  assert.equal(
    text('see http://example.com/a, then https://example.com/b; or ftp://ftp.example.com/x!'),
    'see [http://example.com/a], then [https://example.com/b]; or [ftp://ftp.example.com/x]!',
  );
  assert.equal(text('(at http://example.com/page).'), '(at [http://example.com/page]).');
  // A `)` that closes a `(` inside the URL belongs to it.
  assert.deepEqual(links('(see http://example.com/a_(b)), ok'), ['http://example.com/a_(b)']);
  assert.deepEqual(links('the www.microsoft.com/kb/ site.'), ['http://www.microsoft.com/kb/']);
  assert.deepEqual(links('"http://example.com/q"'), ['http://example.com/q']);
});

test('linkify links article numbers to their permalinks', () => {
  const links = (text: string, prefix?: string) =>
    linkify(text, prefix === undefined ? {} : { linkPrefix: prefix }).flatMap((n) => (n.type === 'link' ? [n.url] : []));
  assert.deepEqual(links('see Q238171.'), ['/kb/238/Q238171/']);
  assert.deepEqual(links('Q50552 and Q050552'), ['/kb/050/Q50552/', '/kb/050/Q50552/']);
  assert.deepEqual(links('Q99001'), ['/kb/099/Q99001/']);
  assert.deepEqual(links('Q238171', '/base'), ['/base/kb/238/Q238171/']);
  // Not references: lowercase q, four or seven digits, digits glued to letters.
  assert.deepEqual(links('q238171 Q1234 Q2381712 XQ238171 Q238171x'), []);
  // The text of a link is the number as written; escapes around it are decoded.
  const nodes = linkify('it<92>s Q244717');
  assert.deepEqual(nodes, [
    { type: 'text', value: 'it\u2019s ' },
    { type: 'link', url: '/kb/244/Q244717/', children: [{ type: 'text', value: 'Q244717' }] },
  ]);
});

test('old KB URLs count as citations, as `Q…` numbers do: every number the body links to is a reference', () => {
  const text = SEED.replace(
    'unavailable.\n',
    'unavailable. See http://support.microsoft.com/kb/123456, http://support.microsoft.com/support/kb/articles/q234/5/67.asp and\n\thttp://support.microsoft.com/default.aspx?scid=kb;EN-US;Q345678. Also Q244717 itself, http://support.microsoft.com/kb/244717 and http://example.org/kb/111111.\n',
  );
  const { article, body } = parseArticle(text, 'Q244717.md');
  assert.ok(article);
  for (const id of ['Q123456', 'Q234567', 'Q345678']) assert.ok(article.references.includes(id), `${id} in ${article.references.join(' ')}`);
  assert.ok(!article.references.includes('Q244717'), 'its own number is no citation');
  assert.ok(!article.references.includes('Q111111'), 'a URL of another site is no KB link');
  // Every link to an article page in the rendered body is a reference (so it has a page and a backlink).
  const linked = new Set<string>();
  const stack: Array<Root | RootContent> = [renderBody(body)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'element' && typeof node.properties?.['href'] === 'string') {
      const m = /^\/kb\/\d{3}\/(Q\d+)\/$/.exec(node.properties['href']);
      if (m) linked.add(m[1]!);
    }
    if ('children' in node) for (const child of node.children) stack.push(child);
  }
  linked.delete('Q244717');
  assert.deepEqual(
    [...linked].filter((id) => !article.references.includes(id)),
    [],
  );
  assert.ok(linked.has('Q345678'));
});

test('blocks: section headings and sub-headings', () => {
  assert.deepEqual(blocks('SYMPTOMS\n========\n\nText.'), [
    { type: 'heading', level: 2, text: 'SYMPTOMS', line: 1 },
    { type: 'paragraph', text: 'Text.', line: 4 },
  ]);
  assert.deepEqual(kinds('MORE INFORMATION\n================\n\nSteps to Reproduce Behavior\n---------------------------\n\nText.'), ['h2', 'h3', 'paragraph']);
  // A section underline may be short; a sub-heading underline must be half the title or more.
  assert.deepEqual(kinds('STATUS\n===\n\nText.'), ['h2', 'paragraph']);
  assert.deepEqual(kinds('Known Problems\n--\n\nText.'), ['paragraph', 'paragraph']);
  // Indented more than two spaces: an example, not a heading.
  assert.deepEqual(kinds('     Steps to Reproduce\n     ------------------'), ['pre']);
  // Column headers over a rule are no heading.
  assert.deepEqual(kinds('  Option         Default       Other Values\n  -------------------------------------------\n  /A             on            off'), [
    'pre',
  ]);
  // A heading right under prose, without a blank line, still starts a section.
  assert.deepEqual(kinds('Some text here.\nCAUSE\n=====\nMore text.'), ['paragraph', 'h2', 'paragraph']);
});

test('blocks: prose is reflowed, indented code is kept', () => {
  assert.deepEqual(blocks('When a RAS client disconnects from a RAS connection, some RAS ports may become\nunavailable.'), [
    { type: 'paragraph', text: 'When a RAS client disconnects from a RAS connection, some RAS ports may become unavailable.', line: 1 },
  ]);
  assert.deepEqual(blocks('The following is a code example:\n\n   IF x=0 GOTO label\n      PRINT "x"\n\nEnd.'), [
    { type: 'paragraph', text: 'The following is a code example:', line: 1 },
    { type: 'pre', text: 'IF x=0 GOTO label\n   PRINT "x"', line: 3 },
    { type: 'paragraph', text: 'End.', line: 6 },
  ]);
  // Prose followed directly by an indented example is split there.
  assert.deepEqual(kinds('You can load them as follows:\n     #import "ssapi.dll"\n     #import "old.dll"'), ['paragraph', 'pre']);
  // Evenly indented long lines without code punctuation are a quoted paragraph.
  assert.deepEqual(
    blocks('  This version of Exchange Setup can only upgrade servers that are version 4.0a\n  or later. Upgrade the server and then run Setup again.'),
    [
      {
        type: 'paragraph',
        text: 'This version of Exchange Setup can only upgrade servers that are version 4.0a or later. Upgrade the server and then run Setup again.',
        line: 1,
      },
    ],
  );
  // Columns aligned with runs of spaces at the margin stay preformatted.
  assert.deepEqual(kinds('Name      Value\nTimeout   30'), ['pre']);
  // A long rule is a thematic break.
  assert.deepEqual(kinds('Text.\n\n----------------------\n\nMore.'), ['paragraph', 'rule', 'paragraph']);
});

test('blocks: lists are reflowed and merged across blank lines', () => {
  assert.deepEqual(blocks('- First item that is long enough to wrap onto the next\n  line of the list.\n\n- Second item.'), [
    { type: 'list', ordered: false, items: ['First item that is long enough to wrap onto the next line of the list.', 'Second item.'], line: 1 },
  ]);
  assert.deepEqual(blocks('1. Set up a server and a client. Install Visual FoxPro 6.0 on\n  the client.\n\n2. Build the project.'), [
    { type: 'list', ordered: true, items: ['Set up a server and a client. Install Visual FoxPro 6.0 on the client.', 'Build the project.'], line: 1 },
  ]);
  // An unordered list after an ordered one stays a list of its own.
  assert.deepEqual(kinds('1. one\n2. two\n\n- a\n- b'), ['list', 'list']);
});

test('blocks: file-attribute tables', () => {
  const seed =
    '  Date      Time                 Size    File name     Platform\n  -------------------------------------------------------------\n  10/29/99  01:15a                69,904 Rassrv.exe    x86';
  const [table] = blocks(`The file attributes:\n\n${seed}`).filter((b) => b.type === 'fileTable');
  assert.ok(table && table.type === 'fileTable');
  assert.deepEqual(table.table.columns, ['Date', 'Time', 'Size', 'File name', 'Platform']);
  assert.deepEqual(table.table.cells, [['10/29/99', '01:15a', '69,904', 'Rassrv.exe', 'x86']]);
  assert.deepEqual(table.table.rows, [{ date: '1999-10-29', time: '01:15', size: 69904, name: 'Rassrv.exe', platform: 'x86' }]);
  // Rows after a blank line; text right under the rows ends the table.
  assert.deepEqual(
    kinds(
      '  Date     Time    Size     File name\n  ------------------------------------\n\n  1/9/98   7:00pm  376,912  Base3.dll\nNOTE: Restart the computer.',
    ),
    ['fileTable', 'paragraph'],
  );
  // A table drawn with borders.
  const bordered = blocks(
    '  +-----------------------------------------+\n  | Date     | Time   | Size   | File Name  |\n  +-----------------------------------------+\n  | 03/12/98 | 05:39p | 51,376 | Ftpsvc.dll |\n  +-----------------------------------------+',
  );
  assert.equal(bordered.length, 1);
  assert.ok(bordered[0]!.type === 'fileTable');
  assert.deepEqual(bordered[0]!.table.rows, [{ date: '1998-03-12', time: '17:39', size: 51376, name: 'Ftpsvc.dll' }]);
  // Labels above groups of rows make one table per group.
  assert.deepEqual(
    kinds(
      '  Date      Time    Size    File name\n  -----------------------------------\n  Pan-Chinese\n  03/18/99  05:08p  69,136  Ftpsvc2.dll\n\n  Korean\n  03/18/99  05:08p  64,272  Ftpsvc2.dll',
    ),
    ['pre', 'fileTable', 'pre', 'fileTable'],
  );
  // A header without rows stays text.
  assert.deepEqual(kinds('  Date      Time    Size    File name\n  -----------------------------------\n\nNo files.'), ['pre', 'paragraph']);
});

test('parseFileTable reads sizes with units, labels and Version columns', () => {
  const table = parseFileTable('         Date      Time   Version      Size   File name   Platform', [
    'MDAC 2.0  02/02/99         02.573.3802  136KB  Msorcl32.dll',
    '  09/15/98  08:26p  786  20 KB  C1xx.dll  (x86)',
    '  09/15/98  08:26p  12.00.8257.0  144,896 bytes  C2.dll  x86',
  ]);
  assert.ok(table);
  assert.deepEqual(table.columns, ['', 'Date', 'Time', 'Version', 'Size', 'File name', 'Platform']);
  // `extra` is a null-prototype object (its keys are the table's own column names): compared as JSON.
  assert.equal(Object.getPrototypeOf(table.rows[0]!.extra), null);
  assert.deepEqual(JSON.parse(JSON.stringify(table.rows)), [
    { date: '1999-02-02', time: null, size: 139264, name: 'Msorcl32.dll', version: '02.573.3802', extra: { label: 'MDAC 2.0' } },
    { date: '1998-09-15', time: '20:26', size: 20480, name: 'C1xx.dll', version: '786', platform: '(x86)' },
    { date: '1998-09-15', time: '20:26', size: 144896, name: 'C2.dll', version: '12.00.8257.0', platform: 'x86' },
  ]);
  assert.equal(parseFileTable('Date Time Size File name', ['no rows here']), null);
});

test('parseFileTable: a value an earlier column could not read never becomes the file name', () => {
  // Rows as the archive writes them (Q244614, Q282015, Q299276, Q276319, Q262563, Q273877).
  const rows = (header: string, ...lines: string[]) => parseFileTable(header, lines)?.rows;
  assert.deepEqual(
    rows(
      '  Date      Time          Size    File name     Platform',
      '  10/25/99  17:06    1.135.104    Ntoskrnl.exe  Alpha',
      '  10/25/99  17:02      810.176    Ntoskrnl.exe  Intel',
    ),
    [
      { date: '1999-10-25', time: '17:06', size: 1135104, name: 'Ntoskrnl.exe', platform: 'Alpha' },
      { date: '1999-10-25', time: '17:02', size: null, name: 'Ntoskrnl.exe', platform: 'Intel' },
    ],
  );
  assert.deepEqual(rows('  Date         Time    Size    File name      Platform', '  22-FEB-2001  11:31   118.0   Pstores.exe    i386'), [
    { date: '2001-02-22', time: '11:31', size: null, name: 'Pstores.exe', platform: 'i386' },
  ]);
  assert.deepEqual(rows('  Date   Time   Version   Size   File name   Platform', '  23-May-2001  14:25  5.2000.328.19  15,66 KB  Nis2ad.exe   ix86'), [
    { date: '2001-05-23', time: '14:25', size: 16036, name: 'Nis2ad.exe', version: '5.2000.328.19', platform: 'ix86' },
  ]);
  assert.deepEqual(rows('  Date   Time   Size   File name   Platform', '  01/10/2001  11.31am   28,851  Iiscnfg.h     Intel'), [
    { date: '2001-01-10', time: '11:31', size: 28851, name: 'Iiscnfg.h', platform: 'Intel' },
  ]);
  const table = parseFileTable('  Date   Time   Version   Size   File name   Platform', ['  09/12/2000  19:37  5.0:2195.2194  357,136  W3svc.dll  x86']);
  assert.deepEqual(table?.rows, [{ date: '2000-09-12', time: '19:37', size: 357136, name: 'W3svc.dll', platform: 'x86' }]);
  // The unread version is kept in its cell, not dropped.
  assert.deepEqual(table?.cells, [['09/12/2000', '19:37', '5.0:2195.2194', '357,136', 'W3svc.dll', 'x86']]);
});

/** Every element of a hast tree, depth first. */
function elements(node: Root | RootContent): Element[] {
  const out: Element[] = [];
  if (node.type === 'element') out.push(node);
  if ('children' in node) for (const child of node.children) out.push(...elements(child as RootContent));
  return out;
}

test('renderBody renders the seed with a file table and article links', () => {
  const { body } = parseArticle(SEED, 'Q244717.md');
  const tree = renderBody(body);
  const all = elements(tree);
  const table = all.find((e) => e.tagName === 'table');
  assert.ok(table, 'a table element');
  const cells = elements(table).filter((e) => e.tagName === 'td' || e.tagName === 'th');
  assert.equal(cells.length, 15); // header + 2 rows, 5 columns
  const hrefs = all.filter((e) => e.tagName === 'a').map((e) => e.properties['href']);
  assert.ok(hrefs.includes('/kb/238/Q238171/'), `links: ${hrefs.join(' ')}`);
  assert.ok(hrefs.includes('http://support.microsoft.com/default.aspx?scid=fh;EN-US;CNTACTMS'));
  const ids = all.filter((e) => e.tagName === 'h2').map((e) => e.properties['id']);
  assert.deepEqual(ids, ['symptoms', 'cause', 'resolution', 'status', 'more-information']);

  const prefixed = elements(renderBody(body, { linkPrefix: '/base' }))
    .filter((e) => e.tagName === 'a')
    .map((e) => e.properties['href']);
  assert.ok(prefixed.includes('/base/kb/238/Q238171/'), `links: ${prefixed.join(' ')}`);
  assert.ok(!prefixed.includes('/kb/238/Q238171/'));
  // External links are not prefixed.
  assert.ok(prefixed.includes('http://support.microsoft.com/default.aspx?scid=fh;EN-US;CNTACTMS'));
});

test('renderBody never turns KB text into HTML', () => {
  const text = SEED.replace('unavailable.\n', 'unavailable. <script>alert(1)</script> <b onclick="x()">bold</b>\n');
  const all = elements(renderBody(parseArticle(text, 'Q244717.md').body));
  assert.ok(!all.some((e) => e.tagName === 'script' || e.tagName === 'b'));
});
