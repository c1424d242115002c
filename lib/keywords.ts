/**
 * Short human explanations of the KnowledgeBase's own keywords (`kbbug`,
 * `kbfix`, `kbhowto`, `kbvc600bug`, …), shown on the keyword index and on
 * keyword listings. Pure.
 *
 * Two sources: a dictionary of the common topic and type keywords, and rules
 * that read the product/version codes (`kbvc600bug` = a bug in Visual C++ 6.0,
 * `kbwinnt400sp4fix` = fixed in Windows NT 4.0 Service Pack 4). A keyword that
 * neither knows gets no explanation rather than a guess.
 */

/** Article types and states. */
const TYPES: Record<string, string> = {
  kbbug: 'Bug: the article describes a confirmed problem in the product.',
  kbfix: 'Fixed: the problem it describes was corrected in a later release, service pack or hotfix.',
  kbnofix: 'Not fixed: no correction for the problem was planned when the article was written.',
  kbpending: 'Pending: the problem was still being researched when the article was written.',
  kbprb: 'Problem: a behaviour that is not a product bug (by design, or caused by something else), with its cause and a workaround.',
  kbinfo: 'Information: background or explanation rather than a problem report.',
  kbhowto: 'How-to: step-by-step instructions for a task.',
  kbhowtomaster: 'How-to index: an article that collects other how-to articles on one subject.',
  kbfaq: 'Frequently asked questions and their answers.',
  kberrmsg: 'About an error message, usually quoted in the article.',
  kbbuglist: "Part of a product's list of known bugs.",
  kbfixlist: "Part of a product's list of fixes.",
  kbdocerr: 'Documentation error: corrects a mistake in the product documentation.',
  docerr: 'Documentation error: corrects a mistake in the product documentation.',
  kbdocfix: 'Documentation error that was corrected in a later edition of the documentation.',
  kbtshoot: 'Troubleshooting steps.',
  kbsample: 'Describes or includes a sample program.',
  kbcode: 'Contains sample code.',
  kbcodesnippet: 'Contains a short code fragment.',
  kbmacroexample: 'Contains a sample macro.',
  kbreadme: "Text from a product's README file.",
  kbref: 'Reference information.',
  kbgeninfo: 'General information.',
  kbarttypeinf: 'Article type: information.',
  kbservicepack: 'About a service pack.',
  kbpatch: 'About a patch.',
  kbsecbulletin: 'Related to a Microsoft security bulletin.',
  kbsecvulnerability: 'About a security vulnerability.',
  kbyear2000: 'Year 2000 (Y2K) issues.',
  kbupgrade: 'Upgrading from an earlier version.',
  kbother: 'Miscellaneous: no more specific topic applies.',
  kbnokeyword: 'No topic keyword was assigned to the article.',
  kbauddeveloper: 'Audience: developers.',
  enduser: 'Audience: end users rather than developers or administrators.',
  kbdsupport: 'From Microsoft developer support.',
  kb3rdparty: 'Involves a product from another company.',
  kb16bitonly: 'Applies to 16-bit programs only.',
  kb32bitonly: 'Applies to 32-bit programs only.',
  kbcpponly: 'Applies to C++ only.',
};

/** Topics. */
const TOPICS: Record<string, string> = {
  kbnetwork: 'Networking.',
  kbsetup: 'Setup and installation.',
  kbappsetup: 'Setting up applications.',
  kbusage: 'Using a feature of the product.',
  kbenv: 'The environment a product runs in: operating system, configuration, other software.',
  kbtool: 'Tools and utilities.',
  kbinterop: 'Interoperation with other products or systems.',
  kbui: 'The user interface.',
  kbuidesign: 'Designing user interfaces.',
  kbfile: 'Files and file handling.',
  kbfileio: 'File input and output.',
  kbprint: 'Printing.',
  kbprinting: 'Printing.',
  kbdatabase: 'Databases.',
  kbhw: 'Hardware.',
  kbhardware: 'Hardware.',
  kbhwmac: 'Macintosh hardware.',
  kbdisplay: 'Displays and video.',
  kbgraphic: 'Graphics.',
  kbctrl: 'Controls (user-interface components).',
  kbctrlcreate: 'Creating controls.',
  kbprogramming: 'Programming.',
  kbcompiler: 'Compilers.',
  kbide: 'The integrated development environment (IDE).',
  kbdebug: 'Debugging.',
  kbactivex: 'ActiveX.',
  kbole: 'OLE (Object Linking and Embedding).',
  kbautomation: 'OLE Automation.',
  kbodbc: 'ODBC (Open Database Connectivity).',
  kbapi: 'Windows API functions.',
  kbmfc: 'The Microsoft Foundation Class Library (MFC).',
  kbatl: 'The Active Template Library (ATL).',
  kbstl: 'The C++ Standard Template Library (STL).',
  kbcrt: 'The C run-time library.',
  kbwizard: 'Wizards.',
  kbmm: 'Multimedia.',
  kbsound: 'Sound and audio.',
  kbconfig: 'Configuration.',
  kbsecurity: 'Security.',
  kbregistry: 'The Windows registry.',
  kbdriver: 'Device drivers.',
  kbclient: 'Client computers.',
  kbserver: 'Servers.',
  kbinternet: 'The Internet.',
  kbwinsock: 'Windows Sockets (Winsock).',
  kbdll: 'Dynamic-link libraries (DLLs).',
  kbthread: 'Threads and multithreading.',
  kbgdi: 'The Graphics Device Interface (GDI).',
  kbmacro: 'Macros.',
  kbvba: 'Visual Basic for Applications (VBA).',
  kbfont: 'Fonts.',
  kbdirectx: 'DirectX.',
  kbdcom: 'Distributed COM (DCOM).',
  kbrpc: 'Remote procedure calls (RPC).',
  kbsnmp: 'SNMP (Simple Network Management Protocol).',
  kbdialup: 'Dial-up networking.',
  kbmdac: 'Microsoft Data Access Components (MDAC).',
  kbjet: 'The Microsoft Jet database engine.',
  kboledb: 'OLE DB.',
  kbasp: 'Active Server Pages (ASP).',
  kbmmc: 'The Microsoft Management Console (MMC).',
  kbddk: 'The Device Driver Kit (DDK).',
  kbmsn: 'The Microsoft Network (MSN).',
  kbdlg: 'Dialog boxes.',
  kbmenu: 'Menus.',
  kbtoolbar: 'Toolbars.',
  kblistbox: 'List boxes.',
  kblistview: 'List view controls.',
  kbbitmap: 'Bitmaps.',
  kbstring: 'Strings.',
  kbhook: 'Windows hooks.',
  kbmdi: 'The multiple-document interface (MDI).',
  kbwndw: 'Windows (the on-screen kind) and their management.',
  kbwndwmsg: 'Window messages.',
  kbpolicy: 'System policies.',
  kbdeployment: 'Deploying applications.',
  kbtemplate: 'Templates.',
  kbfield: 'Fields.',
  kbtable: 'Tables.',
  kbquery: 'Queries.',
  kbconversion: 'Converting files or data between formats.',
  kbmerge: 'Mail merge.',
  kbenvelope: 'Envelopes.',
  kbaddin: 'Add-ins.',
  kbresource: 'Resources (in programs).',
  kbdiskmemory: 'Disks and memory.',
  kbremote: 'Remote access and remote administration.',
  kbclientserver: 'Client/server applications.',
  kbinventory: 'Hardware and software inventory.',
  kbsoftwaredist: 'Software distribution.',
  kbscheduler: 'Schedulers.',
  kbsql: 'SQL.',
  kbsqlserv: 'Microsoft SQL Server.',
  kboracle: 'Oracle databases.',
  kbintldev: 'Developing international (localized) software.',
  kbdatabinding: 'Data binding.',
  kbcollections: 'Collections.',
  kbpropsheet: 'Property sheets.',
  kbcmnctrls: 'Common controls.',
  kbcmndlg: 'Common dialog boxes.',
  kbdocview: 'The document/view architecture.',
  kbinprocsvr: 'In-process servers.',
  kblocalsvr: 'Local (out-of-process) servers.',
  kbcontainer: 'OLE containers.',
  kbhtmlhelp: 'HTML Help.',
  kbadsi: 'Active Directory Service Interfaces (ADSI).',
  kbwbem: 'Web-Based Enterprise Management (WBEM).',
  kburl: 'URLs.',
  kbdevstudio: 'Developer Studio.',
  kbclasswizard: 'ClassWizard.',
  kbcodegen: 'Code generation.',
  kbarchitecture: 'Architecture.',
  kbaccess: 'Microsoft Access.',
  kbexchange: 'Microsoft Exchange.',
  kbiis: 'Internet Information Server (IIS).',
  kbvc: 'Visual C++.',
  kbvbp: 'Visual Basic.',
  kbvfp: 'Visual FoxPro.',
  kbsms: 'Systems Management Server (SMS).',
  kbssafe: 'Visual SourceSafe.',
  kbmsdn: 'The Microsoft Developer Network (MSDN).',
  kblangc: 'The C language.',
  kblangcpp: 'The C++ language.',
  kblangfortran: 'The Fortran language.',
  kbtophit: 'One of the most often read articles.',
};

/** Product codes in version keywords (`kbvc600bug`, `kbwinnt400sp4fix`), longest first where they overlap. */
const PRODUCTS: Array<[string, string]> = [
  ['winntw', 'Windows NT Workstation'],
  ['winnts', 'Windows NT Server'],
  ['winnt', 'Windows NT'],
  ['win', 'Windows'],
  ['exchange', 'Exchange Server'],
  ['vbp', 'Visual Basic'],
  ['vfp', 'Visual FoxPro'],
  ['vc', 'Visual C++'],
  ['vs', 'Visual Studio'],
  ['sms', 'Systems Management Server'],
  ['sna', 'SNA Server'],
  ['ssafe', 'Visual SourceSafe'],
  ['mdac', 'Microsoft Data Access Components'],
  ['ado', 'ActiveX Data Objects'],
  ['atl', 'the Active Template Library'],
  ['iis', 'Internet Information Server'],
  ['his', 'Host Integration Server'],
  ['word', 'Word'],
  ['visid', 'Visual InterDev'],
];

/** `600` → `6.0`, `420` → `4.2`, `151` → `1.51`, `97` → `97`, `2000` → `2000`, with a letter kept (`500a` → `5.0a`). */
function versionText(digits: string, letter: string): string {
  let text: string;
  if (digits.length === 3) {
    const minor = digits.slice(1).replace(/0$/, '');
    text = `${digits[0]}.${minor || '0'}`;
  } else if (digits.length === 1) {
    text = `${digits}.0`;
  } else {
    text = digits;
  }
  return text + letter;
}

/** Windows versions in `kbos…` keywords. */
const OS: Record<string, string> = {
  win95: 'Windows 95',
  win98: 'Windows 98',
  winme: 'Windows Millennium Edition',
  win2000: 'Windows 2000',
  win300: 'Windows 3.0',
  win310: 'Windows 3.1',
  winnt: 'Windows NT',
  winnt350: 'Windows NT 3.5',
  winnt351: 'Windows NT 3.51',
  winnt400: 'Windows NT 4.0',
  wince100: 'Windows CE 1.0',
  novell: 'Novell NetWare',
};

export const VERSION_RULE = new RegExp(`^kb(${PRODUCTS.map(([code]) => code).join('|')})(\\d{1,4})(.*)$`);

function versionExplanation(keyword: string): string | null {
  const match = VERSION_RULE.exec(keyword);
  if (!match) return null;
  const [, code, digits, rest] = match as unknown as [string, string, string, string];
  const product = PRODUCTS.find(([c]) => c === code)![1];
  // A release letter may follow the digits (`kbvfp300bbug`: 3.0b, bug), but `kbvc600bug` is 6.0, bug.
  return (
    versionTail(`${product} ${versionText(digits, '')}`, rest) ??
    (/^[a-c]/.test(rest) ? versionTail(`${product} ${versionText(digits, rest[0]!)}`, rest.slice(1)) : null)
  );
}

function versionTail(name: string, rest: string): string | null {
  if (rest === '') return `${name}.`;
  if (rest === 'bug') return `A bug in ${name}.`;
  if (rest === 'fix') return `A problem in ${name} that was fixed.`;
  if (rest === 'faq') return `Frequently asked questions about ${name}.`;
  let sp = /^sp(\d+)$/.exec(rest);
  if (sp) return `${name} Service Pack ${sp[1]}.`;
  sp = /^sp(\d+)fix$/.exec(rest);
  if (sp) return `Fixed in ${name} Service Pack ${sp[1]}.`;
  sp = /^sp(\d+)fea$/.exec(rest);
  if (sp) return `A feature added in ${name} Service Pack ${sp[1]}.`;
  sp = /^presp(\d+)fix$/.exec(rest);
  if (sp) return `Fixed in ${name} by a hotfix released before Service Pack ${sp[1]}.`;
  sp = /^presp(\d+)$/.exec(rest);
  if (sp) return `${name}, before Service Pack ${sp[1]}.`;
  if (rest === 'nospfix') return `Fixed in ${name} by a hotfix that is in no service pack.`;
  return null;
}

/** Microsoft developer-support groups (`kbgrpds…`). */
const GROUPS: Record<string, string> = {
  vb: 'Visual Basic',
  vbdb: 'Visual Basic database programming',
  mfcatl: 'MFC and ATL',
  fox: 'FoxPro',
  tools: 'developer tools',
  mdac: 'data access (MDAC)',
  vcdb: 'Visual C++ database programming',
  user: 'Windows user interface programming',
  net: 'networking programming',
  ssafe: 'Visual SourceSafe',
  asp: 'Active Server Pages',
  odbc: 'ODBC',
  vc: 'Visual C++',
  vccompiler: 'the Visual C++ compiler',
  msg: 'messaging programming',
  platform: 'platform SDK programming',
};

/** A short explanation of a KB keyword (any case), or null when there is none. */
export function explainKeyword(keyword: string): string | null {
  if (typeof keyword !== 'string') return null;
  const k = keyword.trim().toLowerCase();
  // Keywords are untrusted: own entries only (`__proto__`, `constructor` and `toString` are no keys of these tables).
  const known = own(TYPES, k) ?? own(TOPICS, k);
  if (known) return known;
  const group = /^kbgrpds(\w+)$/.exec(k);
  if (group) {
    const name = own(GROUPS, group[1]!);
    return name ? `Written by the Microsoft developer support group for ${name}.` : null;
  }
  const os = /^kbos(\w+)$/.exec(k);
  if (os) {
    const name = own(OS, os[1]!);
    return name ? `Applies to ${name}.` : null;
  }
  return versionExplanation(k);
}

/** `table[key]` when `key` is one of the table's own entries (never an inherited property), else null. */
function own(table: Readonly<Record<string, string>>, key: string): string | null {
  return Object.hasOwn(table, key) ? table[key]! : null;
}

/** The three examples and the other article types, in the order the keyword index explains them first. */
export const ARTICLE_TYPE_KEYWORDS: readonly string[] = [
  'kbbug',
  'kbfix',
  'kbhowto',
  'kbprb',
  'kbinfo',
  'kbpending',
  'kbnofix',
  'kberrmsg',
  'kbfaq',
  'kbdocerr',
];
