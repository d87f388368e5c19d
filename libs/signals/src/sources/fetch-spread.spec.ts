import fc from 'fast-check';

import { spreadByHost } from './fetch-spread.js';

describe('spreadByHost', () => {
  it('takes turns between hosts, keeping each host\'s own order', () => {
    const sources = ['a/1', 'a/2', 'a/3', 'b/1', 'c/1', 'b/2'].map((path) => ({ url: `http://${path.replace('/', '.example/')}` }));
    expect(spreadByHost(sources).map((source) => source.url)).toEqual([
      'http://a.example/1',
      'http://b.example/1',
      'http://c.example/1',
      'http://a.example/2',
      'http://b.example/2',
      'http://a.example/3',
    ]);
  });

  it('is a permutation, and no host appears twice in a row while another host still has sources left', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 })), { maxLength: 60 }), (pairs) => {
        const sources = pairs.map(([host, path], index) => ({ url: `http://h${host}.example:81/${path}`, index }));
        const spread = spreadByHost(sources);
        expect([...spread].sort((x, y) => x.index - y.index)).toEqual(sources);
        const host = (url: string): string => new URL(url).host;
        for (let index = 1; index < spread.length; index += 1) {
          if (host(spread[index]!.url) !== host(spread[index - 1]!.url)) continue;
          // A repeat is only allowed once every other host has run out.
          const rest = new Set(spread.slice(index).map((source) => host(source.url)));
          expect(rest.size).toBe(1);
        }
      }),
    );
  });
});
