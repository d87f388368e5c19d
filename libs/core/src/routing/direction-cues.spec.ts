import { DIRECTION_CUES, findDirectionCues } from './direction-cues.js';

const cues = (text: string): string[] => findDirectionCues(text).map((cue) => cue.cue);

describe('findDirectionCues', () => {
  it('finds English cues as whole words and phrases', () => {
    expect(cues('US official says there are no plans to blacklist DeepSeek')).toEqual(['no', 'no plans']);
    expect(cues('Start-up abandons Huawei chips and returned to Nvidia')).toEqual(['abandons', 'returned to']);
  });

  it('opens contractions', () => {
    expect(cues("DeepSeek won't build chips")).toEqual(['not']);
    expect(cues("The lab isn't hiring")).toEqual(['not']);
  });

  it('does not find a cue inside a longer word', () => {
    expect(cues('Notable cutting-edge endorsement for behindthescenes chips')).toEqual([]);
  });

  it('finds Chinese cues as substrings of two characters or more', () => {
    expect(cues('杭州暂停算力券申报')).toEqual(['暂停']);
    expect(cues('深度求索否认自研芯片 美方暂不制裁')).toEqual(['否认', '暂不']);
  });

  it('finds nothing in Chinese words that merely contain a negating character', () => {
    expect(cues('华为昇腾生态不断扩大 无人机厂商完成适配')).toEqual([]);
  });

  it('names each cue once, with its family', () => {
    expect(findDirectionCues('Cuts, cuts and more cuts')).toEqual([{ cue: 'cuts', family: 'decline' }]);
    expect(new Set(DIRECTION_CUES.map((cue) => cue.cue)).size).toBe(DIRECTION_CUES.length);
  });
});
