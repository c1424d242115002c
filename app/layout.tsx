import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SiteFooter } from '@/components/ui/SiteFooter';
import { SiteHeader } from '@/components/ui/SiteHeader';
import { SkipLink } from '@/components/ui/SkipLink';
import { Container } from '@/components/ui/Container';
import { SITE_DESCRIPTION, SITE_NAME, href } from '@/lib/site';
import { THEME_SCRIPT } from '@/lib/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: SITE_NAME, template: `%s · ${SITE_NAME}` },
  description: SITE_DESCRIPTION,
  applicationName: SITE_NAME,
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets data-theme on <html> before React hydrates: not a mismatch to report.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* A constant string (lib/theme.ts), the same on every page: applies the stored theme before the first paint. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
        <link rel="search" type="application/opensearchdescription+xml" title={SITE_NAME} href={href('/opensearch.xml')} />
      </head>
      <body className="kb-site">
        <SkipLink />
        <SiteHeader />
        <main id="main" className="kb-site-main">
          <Container>{children}</Container>
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
