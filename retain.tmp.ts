import { streamCompletion } from './src/core/stream';
const gc = (globalThis as any).gc as () => void;
async function main() {
  const backend: any = { id: 'b1', kind: 'local', baseUrl: process.argv[3], model: 'fixture-model', pricing: { type: 'free' } };
  const results: any[] = [];
  const run = async (n: number) => { for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: 16 }, () => streamCompletion({ backend, messages: [{ role: 'user', content: 'Say hello.' }], params: { maxTokens: 1000 } as any }).then((r) => results.push(r)))); };
  await run(32);
  results.length = 0;
  gc(); const h0 = process.memoryUsage().heapUsed;
  await run(Number(process.env.N ?? 320));
  gc(); const h1 = process.memoryUsage().heapUsed;
  console.log('per result bytes', ((h1 - h0) / results.length).toFixed(0), 'text length', results[0].text.length, results[0].status);
  const mode = process.argv[2];
  for (const r of results) {
    if (mode === 'flat') { JSON.stringify(r.text); }
    if (mode === 'notiming') { r.timing = null; }
  }
  gc(); const h2 = process.memoryUsage().heapUsed;
  console.log(mode, 'saved per result', ((h1 - h2) / results.length).toFixed(0));
}
main();
