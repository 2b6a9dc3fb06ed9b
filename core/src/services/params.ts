/** Parameter rules shared by the core's actions (fastest-validator). */
export const id = { type: 'number', integer: true, positive: true, convert: true };
export const optionalId = { ...id, optional: true, nullable: true };
export const limit = { type: 'number', integer: true, min: 1, max: 500, convert: true, optional: true };
export const offset = { type: 'number', integer: true, min: 0, convert: true, optional: true };
export const text = (max: number, optional = false) => ({ type: 'string', max, ...(optional ? { optional: true, nullable: true } : {}) });
export const contact = {
  type: 'object', strict: true,
  props: { kind: { type: 'enum', values: ['email', 'phone', 'postal', 'fax', 'portal'] }, value: { type: 'string', min: 1, max: 400 } },
};
export const applicant = {
  type: 'object', strict: true,
  props: {
    kind: { type: 'enum', values: ['citizen', 'organisation'], optional: true },
    fullName: text(300, true),
    organisationName: text(400, true),
    contacts: { type: 'array', items: contact, max: 10, optional: true },
  },
};
