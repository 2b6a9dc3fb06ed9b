// End to end in real Chromium, as a technician: an edge agent (the core's own simulated agent,
// speaking the real protocol over MQTT to the embedded broker) shows online with its modem and
// headset; the technician sends a test fax and rings the headset and sees the agent's answers; an
// agent that answers with an error shows the error; the page follows the agent going offline.
// The administrator registers an agent and sees its one-time password.
import t from 'tap';
import { SimEdgeAgent } from '@okno/core/testing';
import { needsTools, waitFor } from '@okno/testkit';
import { openBrowser } from './support/browser.js';
import { signIn, textOf } from './support/ui.js';
import { checkView } from './support/views.js';

const skip = needsTools('chromium');

t.test('technician end to end', { skip }, async (t) => {
  t.setTimeout(120_000);
  const { startConsoleApp } = await import('./support/app.js');
  const env = await startConsoleApp();
  t.teardown(() => env.stop());
  const broker = env.app.app.broker;
  const info = await broker.call('edge.brokerInfo');
  const reg = await broker.call('edge.register', { site: 'cao', agent: 'pc-01', label: 'ЦАО, приёмная' });
  const faxTests = [];
  const sim = new SimEdgeAgent({
    url: info.agentUrl ?? info.url, site: 'cao', agent: 'pc-01', password: reg.password,
    handlers: {
      'fax.test': async (cmd) => {
        faxTests.push(cmd.args);
        return cmd.args.mode === 'loopback' ? { error: 'busy', message: 'ttyUSB0 is receiving a fax' } : { ok: true, checks: [{ name: 'AT', ok: true }, { name: 'FCLASS=2.0', ok: true }] };
      },
      'headset.ring': async (cmd) => ({ offHook: false, muted: false, ringing: cmd.args.on }),
    },
  });
  t.teardown(() => sim.stop().catch(() => undefined));
  await sim.connect();
  await sim.telemetry({ callsIn: 3, spoolDepth: 2 });

  const browser = await openBrowser();
  t.teardown(browser.close);
  const { page } = browser;

  t.test('the technician lands on the fleet and sees the agent online', async (t) => {
    await signIn(page, env.url, 'technician', '/fleet');
    const row = page.locator('[data-testid=fleet-agents] tr[data-agent="cao.pc-01"]');
    await row.locator('[data-status=online]').waitFor({ timeout: 15_000 });
    t.match(await row.textContent(), /ЦАО, приёмная/);
    t.match(await textOf(page, '[data-testid=fleet-sites] tr[data-site=cao]'), /cao\s*1\s*1\s*0/, 'the site counts one agent, online');
    await checkView(t, page, 'fleet');
  });

  t.test('the agent page shows devices and telemetry, and a test fax returns the agent\'s result', async (t) => {
    // the headset rings for an operator of the site (bound by the technician over the API)
    const tech = await env.app.token('technician');
    const users = (await env.app.req('GET', '/api/users', { token: await env.app.token('admin') })).body;
    const operator2 = users.find((u) => u.login === 'operator2').id;
    const bound = await env.app.req('PUT', `/api/edge/headset-bindings/${operator2}`, { token: tech, body: { agentRowId: reg.agent.id, headsetId: 'hidraw0' } });
    t.equal(bound.status, 200, JSON.stringify(bound.body));
    await page.click('[data-testid="agent-link-cao.pc-01"]');
    await page.waitForSelector('[data-testid=agent-modems] tr[data-modem=ttyUSB0]');
    t.match(await textOf(page, '[data-testid=agent-modems] tr[data-modem=ttyUSB0]'), /USRobotics 5637.*свободен\s*3/s, 'modem, state and calls in');
    t.match(await textOf(page, '[data-testid=agent-modems] tr[data-headset=hidraw0]'), /Jabra EVOLVE 30/);
    t.equal(await textOf(page, '[data-testid=bound-hidraw0]'), 'Игорь Петров', 'the headset names the operator it rings for');
    t.match(await textOf(page, '[data-testid=agent-spool]'), /^2 сообщ\./);
    await page.click('[data-testid=cmd-fax-test]');
    await page.waitForSelector('[data-testid=cmd-result] [data-outcome=ok]', { timeout: 15_000 });
    t.match(await textOf(page, '[data-testid=cmd-result]'), /выполнено.*fax\.test.*checks/s);
    t.same(faxTests, [{ mode: 'probe' }], 'the agent got fax.test in probe mode, no modem named');
    await page.waitForSelector('[data-testid=agent-commands] tr[data-command="fax.test"][data-status=ok]');
    await checkView(t, page, 'fleet-agent');

    await page.click('[data-testid=agent-actions] [role=radio]:has-text("шлейф")');
    await page.click('[data-testid=cmd-fax-test]');
    await page.waitForSelector('[data-testid=cmd-result] [data-outcome=error]', { timeout: 15_000 });
    t.match(await textOf(page, '[data-testid=cmd-result]'), /busy: ttyUSB0 is receiving a fax/, 'the agent\'s error, as it said it');

    await page.click('[data-testid=cmd-ring-on]');
    await page.waitForSelector('[data-testid=cmd-result] [data-outcome=ok]', { timeout: 15_000 });
    t.match(await textOf(page, '[data-testid=cmd-result]'), /headset\.ring.*ringing: true/s);
  });

  t.test('the page follows the agent going offline', async (t) => {
    await sim.stop();
    await page.waitForSelector('[data-testid=agent-status][data-status=offline]', { timeout: 15_000 });
    t.pass('offline without a reload');
    t.ok(await page.locator('[data-testid=agent-actions] [role=note]').isVisible(), 'commands are said not to reach it');
  });

  t.test('a supervisor reads the fleet without the actions', async (t) => {
    await page.click('[data-testid=sign-out]');
    await signIn(page, env.url, 'supervisor', '/live');
    await page.goto(`${env.url}/#/fleet/agents/${reg.agent.id}`);
    await page.waitForSelector('[data-testid=agent-modems]');
    t.equal(await page.locator('[data-testid=agent-actions]').count(), 0, 'no actions for a supervisor');
    await page.click('[data-testid=sign-out]');
  });

  t.test('the administrator registers an agent and sees its password once', async (t) => {
    await signIn(page, env.url, 'admin', '/admin');
    await page.goto(`${env.url}/#/fleet`);
    await page.click('[data-testid=fleet-register]');
    await page.fill('[data-testid=register-form] input[data-field=site]', 'sao');
    await page.fill('[data-testid=register-form] input[data-field=agent]', 'fax-02');
    await page.click('[data-testid=register-submit]');
    await page.waitForSelector('[data-testid=registration]');
    const password = await textOf(page, '[data-testid=agent-password]');
    t.ok(password.length >= 16, 'a password is shown');
    t.match(await textOf(page, '[data-testid=agent-config]'), /sao/);
    await checkView(t, page, 'fleet-register');
    await page.click('[data-testid=registration-close]');
    await page.waitForSelector('[data-testid=fleet-agents] tr[data-agent="sao.fax-02"] [data-status=never]');
    // The password shown works: a simulated agent connects with it.
    const second = new SimEdgeAgent({ url: info.agentUrl ?? info.url, site: 'sao', agent: 'fax-02', password });
    t.teardown(() => second.stop().catch(() => undefined));
    await second.connect();
    await page.waitForSelector('[data-testid=fleet-agents] tr[data-agent="sao.fax-02"] [data-status=online]', { timeout: 15_000 });
  });

  t.test('the administrator disables an agent and gives it a new password', async (t) => {
    await page.goto(`${env.url}/#/fleet/agents/${reg.agent.id}`);
    await page.waitForSelector('[data-testid=agent-status]');
    await page.click('[data-testid=agent-toggle]');
    await page.waitForSelector('[data-testid=agent-status][data-status=disabled]');
    t.equal((await env.app.req('GET', `/api/edge/agents/${reg.agent.id}`, { token: await env.app.token('admin') })).body.enabled, false, 'disabled in the API');
    await page.click('[data-testid=agent-toggle]');
    await page.waitForSelector('[data-testid=agent-status]:not([data-status=disabled])');
    await page.click('[data-testid=agent-password-new]');
    await page.click('[data-testid=confirm-yes]');
    await page.waitForSelector('[data-testid=registration] [data-testid=agent-password]');
    const fresh = await textOf(page, '[data-testid=agent-password]');
    t.not(fresh, reg.password, 'a new password, shown once');
    await page.click('[data-testid=registration-close]');
    await page.waitForSelector('[data-testid=registration]', { state: 'detached' });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await checkView(t, page, 'fleet-agent-wide');
    await page.setViewportSize({ width: 1366, height: 768 });
    await waitFor('no page errors', () => browser.errors.length === 0, 1000).catch(() => undefined);
    t.same(browser.errors, [], 'no uncaught errors in the page');
  });
});
