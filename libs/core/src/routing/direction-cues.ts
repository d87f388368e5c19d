import { normaliseText } from './english-words.js';

/**
 * Words and phrases that turn an item against what a target expects: a
 * denial, a stop, a lifted restriction, a cut, a lag, a return to the rival.
 * Each belongs to a family, so a cue the training data never showed still
 * borrows what its family learned. English cues are whole words in order;
 * Chinese cues are substrings (two characters or more: single characters
 * such as 不 or 无 occur inside words that mean nothing of the kind, 不断, 无人机).
 */
export type DirectionCueFamily = 'negation' | 'stop' | 'easing' | 'decline' | 'lag' | 'return';

export interface DirectionCue {
  cue: string;
  family: DirectionCueFamily;
}

const ENGLISH_CUES: Record<DirectionCueFamily, string[]> = {
  negation: [
    'not', 'no', 'never', 'none', 'nor', 'no plans', 'no longer', 'denies', 'denied', 'deny', 'rules out', 'ruled out', 'rule out',
    'rejects', 'rejected', 'dismisses', 'dismissed', 'unlikely', 'declined to', 'refuses', 'refused',
  ],
  stop: [
    'halts', 'halted', 'halt', 'suspends', 'suspended', 'suspend', 'ends', 'ended', 'scraps', 'scrapped', 'scrap', 'shelves', 'shelved',
    'cancels', 'cancelled', 'canceled', 'abandons', 'abandoned', 'abandon', 'drops', 'dropped', 'pulls', 'pulled', 'folded', 'stops',
    'stopped', 'terminates', 'terminated', 'quits', 'exits', 'withdraws', 'withdrew', 'withdrawn', 'freeze', 'freezes', 'frozen',
    'pauses', 'paused', 'delays', 'delayed', 'postpones', 'postponed', 'winds down', 'wound down',
  ],
  easing: [
    'removed from', 'removes', 'removed', 'delisted', 'delists', 'lifts', 'lifted', 'eases', 'eased', 'clears', 'cleared', 'allows',
    'allowed', 'exempts', 'exempted', 'waiver', 'relaxes', 'relaxed', 'resumes', 'resumed', 'restores', 'restored',
  ],
  decline: [
    'cut', 'cuts', 'trims', 'trimmed', 'reduces', 'reduced', 'falls', 'fell', 'declines', 'declined', 'shrinks', 'shrank', 'slows',
    'slowed', 'slump', 'slumps', 'fewer', 'lower', 'loses', 'lost', 'fails', 'failed', 'failure', 'struggles', 'struggled', 'setback',
    'shortfall', 'shortage', 'below expectations', 'runs out', 'ran out',
  ],
  lag: [
    'lags', 'lag', 'lagging', 'behind', 'trails', 'trailing', 'outperform', 'outperforms', 'outperformed', 'gap', 'inferior', 'worse',
    'falls short', 'fell short', 'far from',
  ],
  return: ['returns to', 'returned to', 'return to', 'back to', 'switches back', 'switched back', 'reverts', 'reverted', 'goes back'],
};

const CHINESE_CUES: Record<DirectionCueFamily, string[]> = {
  negation: ['不会', '不做', '不再', '否认', '暂不', '没有', '无意', '并未', '尚未', '未能', '暂无', '并非', '拒绝', '辟谣'],
  stop: ['暂停', '取消', '终止', '停止', '叫停', '放弃', '退出', '搁置', '中止', '冻结', '推迟', '延迟', '撤回', '撤销', '关停'],
  easing: ['移出', '放宽', '放行', '解除', '豁免', '允许', '恢复'],
  decline: ['削减', '下降', '减少', '收紧', '缩减', '下滑', '不足', '受阻', '失败', '低于', '减弱', '缩水'],
  lag: ['落后', '差距', '不如', '不及', '逊于'],
  return: ['迁回', '转回', '回归', '重回', '回到'],
};

interface EnglishCue extends DirectionCue {
  words: string[];
}

const ENGLISH_CUES_BY_FIRST_WORD = new Map<string, EnglishCue[]>();
for (const [family, cues] of Object.entries(ENGLISH_CUES) as [DirectionCueFamily, string[]][]) {
  for (const cue of cues) {
    const words = cue.split(' ');
    const list = ENGLISH_CUES_BY_FIRST_WORD.get(words[0]!) ?? [];
    list.push({ cue, family, words });
    ENGLISH_CUES_BY_FIRST_WORD.set(words[0]!, list);
  }
}
const CHINESE_CUE_LIST: DirectionCue[] = (Object.entries(CHINESE_CUES) as [DirectionCueFamily, string[]][]).flatMap(([family, cues]) => cues.map((cue) => ({ cue, family })));

/** Every cue the model knows, English then Chinese. */
export const DIRECTION_CUES: readonly DirectionCue[] = [
  ...[...ENGLISH_CUES_BY_FIRST_WORD.values()].flat().map(({ cue, family }) => ({ cue, family })),
  ...CHINESE_CUE_LIST,
];

const HAN = /\p{Script=Han}/u;

/** Words for cue matching: contractions opened ("won't" -> "will not", "isn't" -> "is not"). */
function cueWords(text: string): string[] {
  const words: string[] = [];
  for (const word of normaliseText(text).match(/[\p{L}\p{N}']+/gu) ?? []) {
    if (word === "won't") words.push('will', 'not');
    else if (word === "can't") words.push('can', 'not');
    else if (word.endsWith("n't")) words.push(word.slice(0, -3), 'not');
    else words.push(word.replace(/'s$/u, '').replaceAll("'", ''));
  }
  return words;
}

/** The cues in a text, each once, in the order first seen (English first). */
export function findDirectionCues(text: string): DirectionCue[] {
  const found = new Map<string, DirectionCue>();
  const words = cueWords(text);
  words.forEach((word, index) => {
    for (const cue of ENGLISH_CUES_BY_FIRST_WORD.get(word) ?? []) {
      if (found.has(cue.cue)) continue;
      if (cue.words.every((cueWord, offset) => words[index + offset] === cueWord)) found.set(cue.cue, { cue: cue.cue, family: cue.family });
    }
  });
  if (HAN.test(text)) {
    const normalised = text.normalize('NFKC');
    for (const cue of CHINESE_CUE_LIST) if (!found.has(cue.cue) && normalised.includes(cue.cue)) found.set(cue.cue, cue);
  }
  return [...found.values()];
}
