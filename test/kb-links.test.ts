/**
 * The old-link recognizer (lib/kb-links.ts): a fixture table of the URL shapes
 * found in the archive and in the wild, and of look-alikes that must not match.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kbNumberOf, recognizeKbLink, MAX_LINK_LENGTH, wordsOfPath } from '../lib/kb-links';
import { articleNumberOf } from '../lib/search/tokenize';

/** [text, number, kind] */
const RECOGNIZED: Array<[string, number, string]> = [
  ['Q244717', 244717, 'id'],
  ['q244717', 244717, 'id'],
  ['244717', 244717, 'id'],
  [' Q244717 ', 244717, 'id'],
  ['KB244717', 244717, 'id'],
  ['kb 244717', 244717, 'id'],
  ['MSKB 244717', 244717, 'id'],
  ['KB Q244717', 244717, 'id'],
  ['KB:244717', 244717, 'id'],
  ['q 244717', 244717, 'id'],
  ['Q050552', 50552, 'id'],
  ['support.microsoft.com/kb/244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/kb/244717', 244717, 'microsoft'],
  ['https://support.microsoft.com/kb/244717/', 244717, 'microsoft'],
  ['HTTPS://SUPPORT.MICROSOFT.COM/KB/244717', 244717, 'microsoft'],
  ['https://support.microsoft.com/kb/244717/en-us', 244717, 'microsoft'],
  ['http://support.microsoft.com/kb/244717/EN-US/', 244717, 'microsoft'],
  ['https://support.microsoft.com/en-us/kb/244717', 244717, 'microsoft'],
  ['https://support.microsoft.com/kb/Q244717', 244717, 'microsoft'],
  ['https://support.microsoft.com/help/244717', 244717, 'microsoft'],
  ['https://support.microsoft.com/en-us/help/244717', 244717, 'microsoft'],
  ['https://support.microsoft.com/en-us/help/244717/ras-port-becomes-unavailable-in-windows-nt-4-0', 244717, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?scid=kb;en-us;Q244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?scid=kb;EN-US;q154512', 154512, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?scid=kb;en-us;244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?scid=kb%3Ben-us%3BQ244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?scid=KB%3BEN-US%3B244717&x=1', 244717, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?scid=kb;Q244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/default.aspx?kbid=244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/?kbid=244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/?id=244717', 244717, 'microsoft'],
  ['http://support.microsoft.com/support/kb/articles/q238/1/71.asp', 238171, 'microsoft'],
  ['HTTP://SUPPORT.MICROSOFT.COM/SUPPORT/KB/ARTICLES/Q244/7/17.ASP', 244717, 'microsoft'],
  ['http://support.microsoft.com/support/kb/articles/Q244/7/17.asp', 244717, 'microsoft'],
  ['http://support.microsoft.com/support/kb/articles/q12/3/45.asp', 12345, 'microsoft'],
  ['http://support.microsoft.com/support/kb/articles/q178/6/65.asp?FinishURL=%2Fdownloads%2Frelease.asp', 178665, 'microsoft'],
  ['http://support2.microsoft.com/kb/244717', 244717, 'microsoft'],
  ['https://support2.microsoft.com/default.aspx?scid=kb;en-us;Q244717', 244717, 'microsoft'],
  ['support.microsoft.com:80/kb/244717', 244717, 'microsoft'],
  ['//support.microsoft.com/kb/244717', 244717, 'microsoft'],
  ['<http://support.microsoft.com/kb/244717>', 244717, 'microsoft'],
  ['http://support.microsoft.com/kb/244717.', 244717, 'microsoft'],
  ['https://support.microsoft.com/kb/244717#symptoms', 244717, 'microsoft'],
  ['https://jeffpar.github.io/kbarchive/kb/244/Q244717/', 244717, 'mirror'],
  ['https://www.pcjs.org/pubs/pc/reference/microsoft/kb/Q244717/', 244717, 'mirror'],
  ['pcjs.org/pubs/pc/reference/microsoft/kb/Q244717', 244717, 'mirror'],
  ['/kb/244717/', 244717, 'site'],
  ['/Q244717', 244717, 'site'],
  ['/kb/Q244717/', 244717, 'site'],
  ['/kb/244/Q244717/', 244717, 'site'],
  ['/kb/244/Q244717/index.html', 244717, 'site'],
  ['/default.aspx?scid=kb;en-us;Q244717', 244717, 'site'],
  ['/support/kb/articles/Q244/7/17.asp', 244717, 'site'],
  ['/kbarchive/kb/244/Q244717/', 244717, 'site'],
  ['/pubs/pc/reference/microsoft/kb/Q244717/', 244717, 'site'],
  ['/en-us/help/244717', 244717, 'site'],
  ['/KB244717', 244717, 'site'],
];

/** Texts that must not give a number. */
const LOOK_ALIKES: string[] = [
  '',
  'Q',
  'Q0',
  'Q00000',
  'Q1234567',
  '12345678',
  '4.0',
  'rassrv',
  'Q244717 ras',
  'see Q244717',
  'kb/244717',
  'KBQ',
  'http://support.microsoft.com/default.aspx?scid=fh;EN-US;CNTACTMS',
  'support.microsoft.com/kb/c.asp',
  'http://support.microsoft.com/support/kb/articles/qxxx/x/xx.asp',
  'http://support.microsoft.com/support/kb/articles/q2444/7/17.asp',
  'http://support.microsoft.com/support/kb/articles/q244/77/17.asp',
  'http://support.microsoft.com/support/downloads/dp2383.asp',
  'http://support.microsoft.com/servicedesks/fileversion/dllinfo.asp',
  'http://support.microsoft.com/kb/0',
  'http://support.microsoft.com/kb/1234567',
  'http://support.microsoft.com/kb/244717/some/more',
  'http://support.microsoft.com/default.aspx?scid=kb;en-us;',
  'http://support.microsoft.com/default.aspx?scid=fh;en-us;244717',
  'http://support.microsoft.com/kb/',
  'http://support.microsoft.com/244717',
  'https://evil.example/kb/244717',
  'https://support.microsoft.com.evil.example/kb/244717',
  'https://support.microsoft.com@evil.example/kb/244717',
  'https://evil.example/support.microsoft.com/kb/244717',
  'https://support.microsoft.com\\@evil.example/kb/244717',
  '//evil.example/kb/244717',
  'https://notsupport.microsoft.com/kb/244717',
  'https://evil.example/kbarchive/kb/244/Q244717/',
  'https://evil.example/pubs/pc/reference/microsoft/kb/Q244717/',
  'https://www.microsoft.com/kb/244717',
  'javascript:alert(1)//support.microsoft.com/kb/244717',
  'JavaScript:location="//support.microsoft.com/kb/244717"',
  'javascript:244717',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD4=/kb/244717',
  'vbscript:msgbox(244717)',
  'ftp://support.microsoft.com/kb/244717',
  'file:///kb/244717',
  'https:/support.microsoft.com/kb/244717',
  'https://jeffpar.github.io/kbarchive/kb/24/Q244717/',
  '/products/windows-nt/',
  '/kb/244/',
  '/2002/',
  '/kb/244/Q244717/extra/',
];

test('every recognized form gives its number and kind', () => {
  for (const [text, number, kind] of RECOGNIZED) {
    assert.deepEqual(recognizeKbLink(text), { number, kind }, text);
  }
});

test('look-alikes give no number', () => {
  for (const text of LOOK_ALIKES) assert.equal(kbNumberOf(text), null, text);
});

test('our own host: its URLs read like paths, under the base path', () => {
  const own = { ownHost: 'kb.example.org:8080', basePath: '/kb-archive' };
  assert.equal(kbNumberOf('https://kb.example.org:8080/kb-archive/kb/244717/', own), 244717);
  assert.equal(kbNumberOf('https://kb.example.org:8080/kb-archive/kb/244/Q244717/', own), 244717);
  assert.equal(kbNumberOf('/kb-archive/Q244717', own), 244717);
  assert.equal(kbNumberOf('/kb-archive/default.aspx?scid=kb;en-us;Q244717', own), 244717);
  // Another port is another host.
  assert.equal(kbNumberOf('https://kb.example.org/kb-archive/kb/244717/', own), null);
  assert.equal(kbNumberOf('https://kb.example.org:8080/kb-archive/products/', own), null);
});

test('articleNumberOf (every search box) delegates to the recognizer', () => {
  for (const [text, number] of RECOGNIZED) assert.equal(articleNumberOf(text), number, text);
  for (const text of LOOK_ALIKES) assert.equal(articleNumberOf(text), null, text);
});

test('long pastes: refused past the limit, and linear below it', () => {
  assert.equal(kbNumberOf(`https://support.microsoft.com/kb/244717${' '.repeat(10_000)}`), null);
  assert.equal(kbNumberOf('Q'.repeat(10_000)), null);
  // Worst shapes near the limit (runs of separators, digits, dots) are refused; their time is in bench/links.ts.
  const shapes = [
    `https://support.microsoft.com/${'/'.repeat(MAX_LINK_LENGTH - 40)}`,
    `https://support.microsoft.com/default.aspx?${'scid=kb;'.repeat(200)}`,
    `https://${'a.'.repeat(900)}com/kb/1`,
    `${'1'.repeat(MAX_LINK_LENGTH)}`,
    `KB${' '.repeat(MAX_LINK_LENGTH - 10)}1`,
  ];
  for (const text of shapes) assert.equal(kbNumberOf(text.slice(0, MAX_LINK_LENGTH)), null, text.slice(0, 60));
});

test('wordsOfPath: the 404 search box gets the words of an unknown path, file names whole', () => {
  const cases: [string, string][] = [
    ['/kb/rassrv.exe', 'rassrv.exe'],
    ['/windows-nt/rassrv.exe.html', 'windows nt rassrv.exe'],
    ['/kb/en-us/Ntoskrnl.exe', 'Ntoskrnl.exe'],
    ['/downloads/setup%20guide.htm', 'downloads setup guide'],
    ['/archive/default.aspx', 'archive'],
    ['/a/b/c/d/e/f/g/h/i/j/k/l/m/n', 'a b c d e f g h i j k l'],
    ['/%E0%A4%A/x', 'E0 A4 A x'],
    ['/v1.2/readme', 'v1 2 readme'],
  ];
  for (const [path, words] of cases) assert.equal(wordsOfPath(path, ''), words, path);
  assert.equal(wordsOfPath('/archive/kb/rassrv.exe', '/archive'), 'rassrv.exe');
  // Linear on a long hostile path (its time is in bench/links.ts's scale); at most 2,000 characters are read.
  assert.equal(wordsOfPath(`/${'a.'.repeat(50_000)}`, '').split(' ').length, 12);
});
