import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

t.test('the math imports nothing outside its folder and no Node built-ins (the console runs it in the browser)', async (t) => {
  const files = readdirSync(here).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'));
  t.ok(files.length >= 10, `${files.length} modules`);
  for (const file of files) {
    const code = readFileSync(join(here, file), 'utf8');
    const specifiers = [...code.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
    for (const s of specifiers) t.match(s, /^\.\/[\w-]+\.js$/, `${file} imports ${s}`);
    t.notMatch(code, /\b(process|Buffer|require|__dirname)\b/, `${file} uses no Node globals`);
  }
});

t.test('@okno/planning/math exports the calculators by name', async (t) => {
  const math = await import('@okno/planning/math');
  for (const name of [
    'erlangB', 'linesForBlocking', 'trafficLoad', 'erlangC', 'erlangCMetrics', 'erlangCAgents', 'erlangAMetrics', 'erlangAAgents',
    'staffWithShrinkage', 'backlogPlan', 'fitForecast', 'forecastDays', 'holdoutAccuracy', 'accuracy', 'staffingPlan', 'whatIf',
  ]) {
    t.type((math as Record<string, unknown>)[name], 'function', name);
  }
  t.equal(math.linesForBlocking(10, 0.02).lines, 17);
});
