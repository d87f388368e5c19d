import { isHttpUrl, signalContentHash } from './signal-identity.js';

describe('signalContentHash', () => {
  it('ignores case and whitespace differences', () => {
    expect(signalContentHash({ title: 'Huawei  Ascend\nwins', summary: 'A B' })).toBe(
      signalContentHash({ title: 'huawei ascend wins', summary: ' a b ' }),
    );
  });

  it('tells different summaries apart, and an absent summary equals an empty one', () => {
    expect(signalContentHash({ title: 't', summary: 'x' })).not.toBe(signalContentHash({ title: 't', summary: 'y' }));
    expect(signalContentHash({ title: 't' })).toBe(signalContentHash({ title: 't', summary: '' }));
  });

  it('does not let the title and summary boundary move', () => {
    expect(signalContentHash({ title: 'a b', summary: 'c' })).not.toBe(signalContentHash({ title: 'a', summary: 'b c' }));
  });
});

describe('isHttpUrl', () => {
  it.each([
    ['https://example.com/a', true],
    ['HTTP://127.0.0.1:8080/x?y=1', true],
    ['ftp://example.com/x', false],
    ['https://exa mple.com', false],
    ['/relative', false],
    ['', false],
  ])('%s -> %s', (url, expected) => {
    expect(isHttpUrl(url)).toBe(expected);
  });
});
