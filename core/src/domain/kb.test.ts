import t from 'tap';
import { databaseMatrix, openCoreDb } from '../test-support/databases.js';
import { createArticle, reviseArticle, searchArticles, getArticle, archiveArticle } from './kb.js';
import { systemActor } from './actor.js';

const actor = systemActor('test');

for (const m of await databaseMatrix()) {
  t.test(`knowledge base on ${m.name}`, { skip: m.skip }, async (t) => {
    const tdb = await m.make();
    t.teardown(tdb.dispose);
    const db = await openCoreDb(tdb.url);
    t.teardown(() => db.close());
    const passport = await createArticle(db, actor, { title: 'Как получить технический паспорт квартиры', body: 'Технический паспорт выдаёт БТИ. Нужны правоустанавливающие документы на жилое помещение.' });
    const subsidy = await createArticle(db, actor, { title: 'Субсидия на оплату жилья', body: 'Субсидию назначают семьям с невысоким доходом. Заявление подают в центр госуслуг.' });
    await createArticle(db, actor, { title: 'Запись в детский сад', body: 'Заявление о записи ребёнка подают на портале.' });

    t.test('finds Russian words in other forms', async (t) => {
      const ids = async (q: string) => (await searchArticles(db, q)).map((h) => h.articleId).sort();
      t.same(await ids('паспорта'), [passport.id], 'паспорта -> паспорт');
      t.same(await ids('технических паспортах'), [passport.id], 'plural, prepositional case');
      t.same(await ids('документов'), [passport.id], 'документов -> документы');
      t.same(await ids('субсидии'), [subsidy.id], 'субсидии -> субсидия');
      t.same(await ids('жильё'), [passport.id, subsidy.id].sort(), 'жильё -> жилья and жилое');
      t.same(await ids('ребенка'), [(await searchArticles(db, 'детский сад'))[0]!.articleId], 'ё and е are the same letter: ребенка finds ребёнка');
      t.same(await ids('заявлением'), [subsidy.id, (await searchArticles(db, 'детский сад'))[0]!.articleId].sort(), 'заявлением -> заявление in two articles');
      t.same(await ids('паспорт субсидия'), [], 'all words must match');
      t.same(await ids('кошка'), [], 'no false hits');
      t.same(await ids('я'), [], 'too-short words find nothing rather than everything');
    });

    t.test('search hits carry a snippet around the match and the version', async (t) => {
      const [hit] = await searchArticles(db, 'доходом');
      t.equal(hit?.articleId, subsidy.id);
      t.match(hit?.snippet, /доход/);
      t.equal(hit?.version, 1);
    });

    t.test('new versions replace what is found; old versions stay readable', async (t) => {
      await reviseArticle(db, actor, passport.id, { title: 'Технический паспорт и поэтажный план', body: 'Поэтажный план заказывают в филиале бюро.', note: 'добавлен план' });
      t.same((await searchArticles(db, 'поэтажного плана')).map((h) => h.articleId), [passport.id], 'the new text is found');
      t.same((await searchArticles(db, 'правоустанавливающих')).map((h) => h.articleId), [], 'the old text is not');
      const v1 = await getArticle(db, passport.id, 1);
      t.match(v1.body, /правоустанавливающие/);
      const current = await getArticle(db, passport.id);
      t.equal(current.currentVersion, 2);
      t.same(current.versions.map((v) => v.version), [2, 1]);
    });

    t.test('archived articles are not found', async (t) => {
      await archiveArticle(db, actor, subsidy.id);
      t.same(await searchArticles(db, 'субсидия'), []);
    });
  });
}
