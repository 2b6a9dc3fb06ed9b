/**
 * Exports of the reports to CSV and XLSX (exceljs writes both), with Russian column headers.
 * A report is a list of sheets; the XLSX has one worksheet per sheet, the CSV (UTF-8 with a BOM so
 * spreadsheet programs read Cyrillic, comma-separated, RFC 4180 quoting) has the sheets one after
 * another, each under its title line and separated by an empty line. A report of one sheet is a plain
 * table: one header line, then the rows.
 */
import ExcelJS from 'exceljs';
import type { ContactFigures } from './counters.js';
import type { Labels } from './labels.js';
import type { Compliance, ComplianceRow, DailySummary, IntervalRow } from './queries.js';
import type { CityTime } from './zone.js';

export type CellKind = 'text' | 'int' | 'share' | 'seconds' | 'hours';

export interface SheetColumn {
  header: string;
  key: string;
  kind: CellKind;
}

export interface Sheet {
  name: string;
  columns: SheetColumn[];
  rows: Record<string, unknown>[];
}

export interface Report {
  /** File name without extension. */
  filename: string;
  sheets: Sheet[];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

const FORMATS: Record<CellKind, string | undefined> = { text: undefined, int: '0', share: '0.0%', seconds: '0.0', hours: '0.00' };

const col = (header: string, key: string, kind: CellKind = 'int'): SheetColumn => ({ header, key, kind });

/** Contact figure columns (after the group columns). */
function contactColumns(slSeconds: number): SheetColumn[] {
  return [
    col('Поступило', 'offered'), col('Отвечено', 'answered'), col('Потеряно', 'abandoned'), col('Короткие потерянные', 'shortAbandoned'),
    col('Переполнение', 'overflowed'), col('Обработано', 'handled'),
    col(`Уровень обслуживания (${slSeconds} с)`, 'serviceLevel', 'share'), col('Доступность', 'availability', 'share'),
    col('Доля потерянных', 'abandonRate', 'share'), col('Среднее время ответа (ASA), с', 'asaSeconds', 'seconds'),
    col('Среднее время обработки (AHT), с', 'ahtSeconds', 'seconds'), col('Макс. ожидание, с', 'maxWaitSeconds', 'seconds'),
    col('Занятость операторов', 'occupancy', 'share'),
  ];
}

/** Appeal figure columns (after the group column). */
const APPEAL_COLUMNS: SheetColumn[] = [
  col('Поступило', 'received'), col('Зарегистрировано', 'registered'), col('Зарегистрировано с нарушением срока (3 дня)', 'registeredLate'),
  col('Доля зарегистрированных в срок', 'registeredOnTimeShare', 'share'), col('Дан ответ', 'answered'), col('Ответ в срок (30 дней)', 'answeredOnTime'),
  col('Доля ответов в срок', 'answeredOnTimeShare', 'share'), col('Перенаправлено', 'redirected'), col('Перенаправлено в срок (7 дней)', 'redirectedOnTime'),
  col('Продлено', 'extended'), col('Закрыто', 'closed'), col('Просрочено сейчас', 'overdueNow'),
  col('Не зарегистрировано в срок сейчас', 'registrationOverdueNow'),
];

const GROUP_HEADERS: Record<string, string> = {
  all: 'Всего', queue: 'Очередь', site: 'Площадка', channel: 'Канал', service: 'Услуга', topic: 'Тема', organisation: 'Организация',
};

export function intervalsReport(p: { rows: IntervalRow[]; groupBy: string; size: number; from: string; to: string; slSeconds: number; labels: Labels; time: CityTime }): Report {
  const columns = [
    col('Начало', 'start', 'text'), col('Конец', 'end', 'text'),
    ...(p.groupBy === 'all' ? [] : [col(GROUP_HEADERS[p.groupBy] ?? 'Группа', 'group', 'text')]),
    ...contactColumns(p.slSeconds),
  ];
  const rows = p.rows.map((r) => ({ ...r, start: p.time.format(Date.parse(r.start)), end: p.time.format(Date.parse(r.end)), group: p.labels.of(p.groupBy, r.key) }));
  return { filename: `okno-intervals-${p.size}min-${p.from}-${p.to}`, sheets: [{ name: `Интервалы ${p.size} мин`, columns, rows }] };
}

function complianceSheet(name: string, dim: string, rows: ComplianceRow[], labels: Labels): Sheet {
  return { name, columns: [col(GROUP_HEADERS[dim] ?? 'Группа', 'group', 'text'), ...APPEAL_COLUMNS], rows: rows.map((r) => ({ ...r, group: labels.of(dim, r.key) })) };
}

function redirectionsSheet(redirections: Compliance['redirections'], labels: Labels): Sheet {
  return {
    name: 'Перенаправления',
    columns: [col('Из организации', 'from', 'text'), col('В организацию', 'to', 'text'), col('Перенаправлено', 'redirected'), col('В срок (7 дней)', 'redirectedOnTime'), col('Доля в срок', 'redirectedOnTimeShare', 'share')],
    rows: redirections.map((r) => ({ ...r, from: labels.of('organisation', r.fromOrganisationId), to: labels.of('organisation', r.toOrganisationId) })),
  };
}

export function complianceReport(c: Compliance, labels: Labels): Report {
  return {
    filename: `okno-compliance-${c.groupBy}-${c.from}-${c.to}`,
    sheets: [complianceSheet('Сроки 59-ФЗ', c.groupBy, [{ ...c.total, key: '' }, ...c.rows], labels), redirectionsSheet(c.redirections, labels)],
  };
}

function contactsSheet(name: string, dim: string, rows: { key: string; figures: ContactFigures }[], slSeconds: number, labels: Labels): Sheet {
  return {
    name,
    columns: [col(GROUP_HEADERS[dim] ?? 'Группа', 'group', 'text'), ...contactColumns(slSeconds)],
    rows: rows.map((r) => ({ ...r.figures, group: labels.of(dim, r.key) })),
  };
}

export function dailySummaryReport(s: DailySummary, labels: Labels): Report {
  const a = s.appeals.total;
  const c = s.contacts.total;
  const summary: [string, unknown, CellKind][] = [
    ['Дата', s.date, 'text'], ['Часовой пояс', s.timeZone, 'text'], ['Сформировано', s.at, 'text'],
    ['Обращений поступило', a.received, 'int'], ['Обращений зарегистрировано', a.registered, 'int'],
    ['Зарегистрировано с нарушением срока', a.registeredLate, 'int'], ['Дан ответ', a.answered, 'int'],
    ['Доля ответов в срок', a.answeredOnTimeShare, 'share'], ['Перенаправлено', a.redirected, 'int'],
    ['Продлено', a.extended, 'int'], ['Просрочено сейчас', a.overdueNow, 'int'],
    ['Контактов поступило', c.offered, 'int'], ['Контактов отвечено', c.answered, 'int'], ['Контактов потеряно', c.abandoned, 'int'],
    [`Уровень обслуживания (${s.serviceLevelSeconds} с)`, c.serviceLevel, 'share'], ['Среднее время ответа (ASA), с', c.asaSeconds, 'seconds'],
    ['Среднее время обработки (AHT), с', c.ahtSeconds, 'seconds'],
  ];
  return {
    filename: `okno-daily-${s.date}`,
    sheets: [
      {
        name: 'Сводка',
        columns: [col('Показатель', 'name', 'text'), col('Значение', 'value', 'text')],
        rows: summary.map(([name, value, kind]) => ({ name, value, kind })),
      },
      complianceSheet('По темам', 'topic', s.appeals.byTopic, labels),
      complianceSheet('По услугам', 'service', s.appeals.byService, labels),
      complianceSheet('По каналам', 'channel', s.appeals.byChannel, labels),
      complianceSheet('По площадкам', 'site', s.appeals.bySite, labels),
      redirectionsSheet(s.appeals.redirections, labels),
      contactsSheet('Контакты по каналам', 'channel', s.contacts.byChannel, s.serviceLevelSeconds, labels),
      contactsSheet('Контакты по площадкам', 'site', s.contacts.bySite, s.serviceLevelSeconds, labels),
      contactsSheet('Контакты по очередям', 'queue', s.contacts.byQueue, s.serviceLevelSeconds, labels),
    ],
  };
}

/** A cell's value: numbers stay numbers (rounded sensibly), missing ones are empty. */
function cell(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
  return v;
}

/** A sheet name Excel accepts: at most 31 characters, none of : \ / ? * [ ]. */
const sheetName = (name: string) => name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);

export async function toXlsx(report: Report): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Okno';
  for (const s of report.sheets) {
    const ws = wb.addWorksheet(sheetName(s.name));
    ws.columns = s.columns.map((c) => ({ header: c.header, key: c.key, width: Math.min(40, Math.max(10, c.header.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const r of s.rows) {
      const row = ws.addRow(Object.fromEntries(s.columns.map((c) => [c.key, cell(r[c.key])])));
      s.columns.forEach((c, i) => {
        const kind = c.key === 'value' && typeof r.kind === 'string' ? (r.kind as CellKind) : c.kind;
        const fmt = FORMATS[kind];
        if (fmt) row.getCell(i + 1).numFmt = fmt;
      });
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function toCsv(report: Report): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('csv');
  const single = report.sheets.length === 1;
  report.sheets.forEach((s, i) => {
    if (!single) {
      if (i > 0) ws.addRow([]);
      ws.addRow([s.name]);
    }
    ws.addRow(s.columns.map((c) => c.header));
    for (const r of s.rows) ws.addRow(s.columns.map((c) => cell(r[c.key])));
  });
  return Buffer.from(await wb.csv.writeBuffer({ formatterOptions: { delimiter: ',', writeBOM: true } }));
}

/** Content-Disposition for a download (an ASCII name and the UTF-8 one). */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
