import { isUuid } from './uuid.js';

describe('isUuid', () => {
  it.each(['01a227d8-055b-7513-9c5c-851666576bc1', '01A227D8-055B-7513-9C5C-851666576BC1', '00000000-0000-0000-0000-000000000000'])('takes %s for a UUID', (text) => {
    expect(isUuid(text)).toBe(true);
  });

  it.each(['deepseek-blacklisted-12m', '01a227d8-055b-7513-9c5c-851666576bc', '01a227d8055b75139c5c851666576bc1', ' 01a227d8-055b-7513-9c5c-851666576bc1', 'g1a227d8-055b-7513-9c5c-851666576bc1', ''])(
    'takes %p for a slug',
    (text) => {
      expect(isUuid(text)).toBe(false);
    },
  );
});
