/**
 * Demo data for a first start: a city with okrugs and districts, the registry, knowledge-base
 * articles in Russian, a user for every role, and appeals in different states. Everything goes
 * through the domain functions, so the demo data obeys the same rules as real data.
 */
import type { CoreContext } from '../kernel/context.js';
import { systemActor, type Actor } from '../domain/actor.js';
import { saveSite } from '../domain/sites.js';
import { saveOrganisation, saveService } from '../domain/registry.js';
import { createArticle } from '../domain/kb.js';
import { saveUser } from '../domain/users.js';
import { intake } from '../domain/appeals/intake.js';
import * as T from '../domain/appeals/transitions.js';
import type { Role, Site } from '../persistence/entities/index.js';
import { DEMO_ORGANISATIONS } from './registry-data.js';
import { DEMO_ARTICLES } from './kb-data.js';

/** The password of every demo user (printed at start; change it before real use). */
export const DEMO_PASSWORD = 'okno-demo-2026';

export const DEMO_SITES = [
  { code: 'msk', name: 'Москва — городской контактный центр', kind: 'city' as const, parent: null },
  { code: 'cao', name: 'Центральный административный округ', kind: 'okrug' as const, parent: 'msk' },
  { code: 'sao', name: 'Северный административный округ', kind: 'okrug' as const, parent: 'msk' },
  { code: 'uzao', name: 'Юго-Западный административный округ', kind: 'okrug' as const, parent: 'msk' },
  { code: 'zelao', name: 'Зеленоградский административный округ', kind: 'okrug' as const, parent: 'msk' },
  { code: 'cao-arbat', name: 'Район Арбат', kind: 'district' as const, parent: 'cao' },
  { code: 'cao-tverskoy', name: 'Тверской район', kind: 'district' as const, parent: 'cao' },
  { code: 'sao-aeroport', name: 'Район Аэропорт', kind: 'district' as const, parent: 'sao' },
  { code: 'sao-begovoy', name: 'Беговой район', kind: 'district' as const, parent: 'sao' },
  { code: 'uzao-cheryomushki', name: 'Район Черёмушки', kind: 'district' as const, parent: 'uzao' },
  { code: 'uzao-yasenevo', name: 'Район Ясенево', kind: 'district' as const, parent: 'uzao' },
  { code: 'zelao-matushkino', name: 'Район Матушкино', kind: 'district' as const, parent: 'zelao' },
  { code: 'zelao-savyolki', name: 'Район Савёлки', kind: 'district' as const, parent: 'zelao' },
];

export const DEMO_USERS: { login: string; fullName: string; roles: Role[]; site: string; skills: { skill: string; proficiency: number }[] }[] = [
  { login: 'admin', fullName: 'Администратор системы', roles: ['admin'], site: 'msk', skills: [] },
  { login: 'operator', fullName: 'Анна Смирнова', roles: ['operator'], site: 'msk', skills: [{ skill: 'housing', proficiency: 4 }, { skill: 'social', proficiency: 3 }, { skill: 'email', proficiency: 5 }] },
  { login: 'operator2', fullName: 'Игорь Петров', roles: ['operator'], site: 'cao', skills: [{ skill: 'housing', proficiency: 2 }, { skill: 'bti', proficiency: 5 }, { skill: 'fax', proficiency: 3 }] },
  { login: 'supervisor', fullName: 'Елена Кузнецова', roles: ['supervisor'], site: 'msk', skills: [{ skill: 'housing', proficiency: 5 }] },
  { login: 'planner', fullName: 'Дмитрий Волков', roles: ['planner'], site: 'msk', skills: [] },
  { login: 'technician', fullName: 'Сергей Морозов', roles: ['technician'], site: 'cao', skills: [] },
];

export async function seedDemo(core: CoreContext): Promise<{ sites: number; organisations: number; services: number; articles: number; users: number; appeals: number }> {
  const actor = systemActor('demo');
  const sites = new Map<string, Site>();
  for (const s of DEMO_SITES) {
    sites.set(s.code, await saveSite(core.db, actor, { code: s.code, name: s.name, kind: s.kind, parentId: s.parent ? sites.get(s.parent)!.id : null }));
  }
  const serviceIds = new Map<string, number>();
  const orgIds = new Map<string, number>();
  for (const o of DEMO_ORGANISATIONS) {
    const org = await saveOrganisation(core.db, actor, { code: o.code, name: o.name, shortName: o.shortName, email: o.email });
    orgIds.set(o.code, org.id);
    for (const s of o.services) {
      const svc = await saveService(core.db, actor, { code: s.code, organisationId: org.id, name: s.name, procedure: s.procedure, requiredDocuments: s.documents, timeLimits: s.timeLimits, place: s.place, topic: s.topic });
      serviceIds.set(s.code, svc.id);
    }
  }
  for (const a of DEMO_ARTICLES) {
    await createArticle(core.db, actor, { title: a.title, body: a.body, serviceId: a.serviceCode ? serviceIds.get(a.serviceCode)! : null });
  }
  const users = new Map<string, number>();
  for (const u of DEMO_USERS) {
    const saved = await saveUser(core.db, actor, { login: u.login, fullName: u.fullName, password: DEMO_PASSWORD, roles: u.roles, siteId: sites.get(u.site)!.id, skills: u.skills });
    users.set(u.login, saved.id);
  }
  const appeals = await seedAppeals(core, actor, { sites, serviceIds, orgIds, users });
  return { sites: sites.size, organisations: orgIds.size, services: serviceIds.size, articles: DEMO_ARTICLES.length, users: users.size, appeals };
}

async function seedAppeals(core: CoreContext, actor: Actor, refs: { sites: Map<string, Site>; serviceIds: Map<string, number>; orgIds: Map<string, number>; users: Map<string, number> }): Promise<number> {
  const now = core.clock();
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const at = (when: Date) => ({ db: core.db, deadlines: core.deadlines, now: () => when });
  const operator: Actor = { userId: refs.users.get('operator')!, login: 'operator', roles: ['operator'], siteId: refs.sites.get('msk')!.id };
  const mk = (when: Date, n: number, extra: Partial<Parameters<typeof intake>[1]>) =>
    intake(at(when), {
      channel: 'email', messageId: `<demo-${n}@okno.example>`, receivedAt: when, applicant: { fullName: 'Заявитель', contacts: [] }, body: '', ...extra,
    } as Parameters<typeof intake>[1]);

  const a1 = await mk(daysAgo(0.1), 1, {
    applicant: { fullName: 'Ольга Иванова', contacts: [{ kind: 'email', value: 'olga.ivanova@example.ru' }] }, replyTo: { channel: 'email', address: 'olga.ivanova@example.ru' },
    subject: 'Субсидия на оплату ЖКУ', body: 'Здравствуйте! Подскажите, какие документы нужны для оформления субсидии на оплату коммунальных услуг? Пенсионерка, живу одна.',
    serviceId: refs.serviceIds.get('subsidy-housing'), siteCode: 'msk',
  });
  const a2 = await mk(daysAgo(2), 2, {
    channel: 'portal', messageId: 'portal-demo-2', applicant: { fullName: 'Павел Соколов', contacts: [{ kind: 'email', value: 'p.sokolov@example.ru' }, { kind: 'phone', value: '+7 915 123-45-67' }] },
    replyTo: { channel: 'email', address: 'p.sokolov@example.ru' }, type: 'electronic_document', subject: 'Технический паспорт', body: 'Прошу сообщить срок изготовления технического паспорта на квартиру по адресу ул. Арбат, 10.',
    serviceId: refs.serviceIds.get('bti-techpassport'), siteCode: 'cao-arbat',
  });
  await T.assignAppeal(at(daysAgo(1.9)), operator, a2.appealId, operator.userId!);
  const a3 = await mk(daysAgo(5), 3, {
    applicant: { fullName: 'Мария Лебедева', contacts: [{ kind: 'email', value: 'm.lebedeva@example.ru' }] }, replyTo: { channel: 'email', address: 'm.lebedeva@example.ru' },
    subject: 'ЕЖД', body: 'Где можно получить единый жилищный документ?', serviceId: refs.serviceIds.get('ezhd'), siteCode: 'sao',
  });
  await T.assignAppeal(at(daysAgo(4.9)), operator, a3.appealId, operator.userId!);
  await T.replyToAppeal(at(daysAgo(4.8)), operator, a3.appealId, { body: 'Единый жилищный документ выдают в любом центре госуслуг в день обращения, а также на портале mos.ru в электронном виде.', final: true });
  const a4 = await mk(daysAgo(6), 4, {
    applicant: { fullName: 'Николай Орлов', contacts: [{ kind: 'email', value: 'orlov.n@example.ru' }] }, replyTo: { channel: 'email', address: 'orlov.n@example.ru' },
    subject: 'Регистрация права собственности', body: 'Как зарегистрировать право собственности на квартиру, полученную по наследству?', siteCode: 'uzao',
  });
  await T.redirectAppeal(at(daysAgo(5)), operator, a4.appealId, { organisationId: refs.orgIds.get('rosreestr')!, reason: 'Регистрация прав на недвижимость относится к компетенции Росреестра' });
  const a5 = await mk(daysAgo(25), 5, {
    applicant: { fullName: 'Татьяна Фёдорова', contacts: [{ kind: 'email', value: 'fedorova.t@example.ru' }] }, replyTo: { channel: 'email', address: 'fedorova.t@example.ru' },
    subject: 'Ремонт подъезда', body: 'В подъезде дома 5 по ул. Профсоюзной третий год не делают ремонт. Прошу включить в план.', serviceId: refs.serviceIds.get('entrance-repair'), siteCode: 'uzao-cheryomushki',
  });
  await T.assignAppeal(at(daysAgo(24)), operator, a5.appealId, operator.userId!);
  await T.extendAppeal(at(daysAgo(20)), operator, a5.appealId, { days: 30, reason: 'Требуется обследование дома управляющей организацией' });
  const a6 = await mk(daysAgo(1), 6, {
    channel: 'phone', messageId: 'call-demo-6', applicant: { fullName: 'Виктор Громов', contacts: [{ kind: 'phone', value: '8 (916) 555-12-34' }] }, replyTo: { channel: 'phone', address: '+79165551234' },
    subject: 'Перерасчёт льготы на проезд', body: 'Звонок: заявитель просит проверить, почему не работает льготный проезд по социальной карте. Требуется проверка в ДТСЗН.',
    serviceId: refs.serviceIds.get('transport-benefit'), siteCode: 'sao-aeroport',
  });
  await T.deferAppeal(at(daysAgo(0.95)), operator, a6.appealId, 'Нужна проверка данных социальной карты на второй линии');
  await mk(daysAgo(1.5), 7, {
    channel: 'fax', messageId: 'fax-demo-7', kind: 'fax', applicant: { contacts: [{ kind: 'fax', value: '+7 495 111-22-33' }] }, subject: 'Факс: 2 страницы',
    body: 'Входящий факс от +7 495 111-22-33 (2 страницы). Требуется регистрация оператором.', register: false, siteCode: 'cao',
  });
  await mk(daysAgo(33), 8, {
    applicant: { fullName: 'Алексей Никитин', contacts: [{ kind: 'email', value: 'nikitin.a@example.ru' }] }, replyTo: { channel: 'email', address: 'nikitin.a@example.ru' },
    subject: 'Благоустройство двора', body: 'Прошу установить детскую площадку во дворе дома 12 по Беговой улице.', serviceId: refs.serviceIds.get('yard-improvement'), siteCode: 'sao-begovoy',
  });
  await mk(daysAgo(28), 9, {
    applicant: { fullName: 'Ирина Белова', contacts: [{ kind: 'email', value: 'belova.i@example.ru' }] }, replyTo: { channel: 'email', address: 'belova.i@example.ru' },
    subject: 'Запись в детский сад', body: 'Подала заявление в детский сад полгода назад, места до сих пор не предложили. Что делать?', serviceId: refs.serviceIds.get('kindergarten'), siteCode: 'zelao',
  });
  void a1;
  return 9;
}
