import t from 'tap';
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { tempDir } from '@okno/testkit';
import { FormLimitError, isMultipart, parseMultipart } from './multipart.js';

const limits = { maxFiles: 2, maxFileBytes: 1000, maxTotalBytes: 1500, maxFieldBytes: 200, maxFields: 10 };

/** A real multipart body as a browser's FormData makes it. */
async function encode(fields: Record<string, string>, files: { name: string; type: string; content: Buffer }[] = []) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  for (const f of files) fd.append('files', new Blob([new Uint8Array(f.content)], { type: f.type }), f.name);
  const res = new Response(fd);
  return { body: Readable.from(Buffer.from(await res.arrayBuffer())), type: res.headers.get('content-type')! };
}

const kindOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof FormLimitError ? e.kind : `other: ${e}`));

t.test('fields and files are read; files land in the folder', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const { body, type } = await encode({ fullName: 'Иван', text: 'привет' }, [{ name: 'акт.pdf', type: 'application/pdf', content: Buffer.alloc(1000, 1) }, { name: 'b.txt', type: 'text/plain', content: Buffer.from('b') }]);
  t.ok(isMultipart(type));
  const form = await parseMultipart(body, type, limits, dir.dir);
  t.same(form.fields, { fullName: 'Иван', text: 'привет' });
  t.same(form.files.map((f) => [f.filename, f.mime, f.size]), [['акт.pdf', 'application/pdf', 1000], ['b.txt', 'text/plain', 1]]);
  t.ok(readFileSync(form.files[0]!.path).equals(Buffer.alloc(1000, 1)));
  t.same(form.truncated, []);
});

t.test('limits stop the read with their kind', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const one = async (fields: Record<string, string>, files: { name: string; type: string; content: Buffer }[]) => {
    const { body, type } = await encode(fields, files);
    return kindOf(parseMultipart(body, type, limits, dir.dir));
  };
  t.equal(await one({}, [{ name: 'a', type: 'text/plain', content: Buffer.alloc(1001) }]), 'fileSize');
  t.equal(await one({}, [{ name: 'a', type: 'text/plain', content: Buffer.alloc(800) }, { name: 'b', type: 'text/plain', content: Buffer.alloc(800) }]), 'totalSize');
  t.equal(await one({}, [0, 1, 2].map((i) => ({ name: `f${i}`, type: 'text/plain', content: Buffer.from('x') }))), 'files');
  t.equal(await one(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])), []), 'fields');
  const { body, type } = await encode({ text: 'ж'.repeat(150) });
  const form = await parseMultipart(body, type, limits, dir.dir);
  t.same(form.truncated, ['text'], 'a field over its byte limit is marked, for a "too long" answer');
});

t.test('broken bodies are refused as malformed, never a crash', async (t) => {
  const dir = tempDir();
  t.teardown(dir.cleanup);
  const type = 'multipart/form-data; boundary=XYZ';
  t.equal(await kindOf(parseMultipart(Readable.from([Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end')]), type, limits, dir.dir)), 'malformed');
  t.equal(await kindOf(parseMultipart(Readable.from([Buffer.from('garbage')]), type, limits, dir.dir)), 'malformed');
  t.equal(await kindOf(parseMultipart(Readable.from([Buffer.from('x')]), 'multipart/form-data', limits, dir.dir)), 'malformed', 'no boundary');
  const empty = await parseMultipart(Readable.from([Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="files"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--XYZ--\r\n')]), type, limits, dir.dir);
  t.same(empty.files, [], 'an empty file input sends a nameless part: no file');
  t.notOk(isMultipart('text/plain'));
  t.notOk(isMultipart('multipart/form-data'), 'without a boundary it cannot be read');
});
