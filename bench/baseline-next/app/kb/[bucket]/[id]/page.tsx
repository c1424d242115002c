import { readFileSync } from 'node:fs';

export const dynamicParams = false;

export function generateStaticParams(): Array<{ bucket: string; id: string }> {
  const ids = JSON.parse(readFileSync(process.env.BASELINE_IDS!, 'utf8')) as string[];
  return ids.map((id) => ({
    bucket: String(Number(id.slice(1)))
      .padStart(6, '0')
      .slice(0, 3),
    id,
  }));
}

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <h1>{id}</h1>;
}
