/**
 * A worker thread of the search index's whole build (./build.ts `invertInWorkers`, `resultChunksInWorkers`):
 * tokenizes runs of documents, or writes their result chunks. Texts are read from the parse cache's text file
 * where the job says (lib/content/text-at.ts), or come with the job.
 */
import { TextReader } from '../content/text-at';
import { serveJobs, workerInput } from '../worker-pool';
import {
  eachJsonLine,
  searchJobLabel,
  tokenizeDocs,
  workText,
  writeChunkFiles,
  type RecordsSetup,
  type SearchJob,
  type SearchJobResult,
  type TokenArticle,
} from './build';

const setup = workerInput<RecordsSetup | null>();
const reader = new TextReader();
const read = reader.read.bind(reader);

function run(job: SearchJob): SearchJobResult {
  if (job.kind === 'tokenize') {
    const articles = [...eachJsonLine<TokenArticle>(job.articles)];
    const run = tokenizeDocs(articles.map((article, i) => ({ article, text: () => workText(job.texts, i, read) })));
    // Trimmed copies: the lists' buffers have room to spare, and the whole buffer of a view would be sent.
    return { kind: 'tokenize', from: job.from, run: { ...run, terms: run.terms.slice(), packed: run.packed.slice() } };
  }
  if (!setup) throw new Error('a result chunk job in a tokenizing pool');
  return { kind: 'records', from: job.from, files: writeChunkFiles(job, setup, read) };
}

serveJobs(run, searchJobLabel);
