/**
 * English verb inflection, enough for attribution verbs: a team lists the base
 * form ("claim") and the rule finds "claims", "claimed", "claiming"; its
 * neutral suggestion ("say") is put in the same form ("says", "said", "saying").
 * Regular spelling rules plus the irregular reporting verbs; for matching, a
 * doubtful doubled consonant is generated both ways (a misspelt extra form is
 * harmless), for suggestions only the likely one.
 */

export type VerbForm = 'base' | 'third' | 'past' | 'participle' | 'gerund';

interface Irregular {
  third?: string;
  past: string;
  participle: string;
  gerund?: string;
}

const IRREGULAR: Record<string, Irregular> = {
  say: { third: 'says', past: 'said', participle: 'said' },
  tell: { past: 'told', participle: 'told' },
  write: { past: 'wrote', participle: 'written' },
  speak: { past: 'spoke', participle: 'spoken' },
  swear: { past: 'swore', participle: 'sworn' },
  hold: { past: 'held', participle: 'held' },
  think: { past: 'thought', participle: 'thought' },
  lie: { past: 'lied', participle: 'lied', gerund: 'lying' },
  bet: { past: 'bet', participle: 'bet' },
  mean: { past: 'meant', participle: 'meant' },
  spin: { past: 'spun', participle: 'spun' },
  let: { past: 'let', participle: 'let' },
  go: { third: 'goes', past: 'went', participle: 'gone' },
};

/** Polysyllabic verbs stressed on the last syllable: they double the final consonant (admitted, referred). */
const DOUBLES = /(?:admit|commit|submit|omit|permit|emit|remit|acquit|regret|refer|prefer|confer|infer|defer|occur|recur|incur|rebut|abet|compel|propel|repel|expel|control|patrol|equip|forbid|begin|deter|upset)$/;

const VOWEL = /[aeiou]/;

function isConsonant(ch: string | undefined): boolean {
  return ch !== undefined && /[a-z]/.test(ch) && !VOWEL.test(ch);
}

function syllables(word: string): number {
  return (word.match(/[aeiouy]+/g) ?? []).length;
}

/** Ends consonant–single vowel–consonant (not w, x, y): the shape that may double. */
function endsCvc(word: string): boolean {
  const n = word.length;
  if (n < 3) return false;
  const [a, b, c] = [word[n - 3], word[n - 2], word[n - 1]];
  return isConsonant(a) && VOWEL.test(b) && isConsonant(c) && !/[wxy]/.test(c) && !(a === 'q' && b === 'u');
}

function shouldDouble(word: string): boolean {
  return endsCvc(word) && (syllables(word) === 1 || DOUBLES.test(word));
}

function third(word: string): string {
  if (/(?:s|x|z|ch|sh|o)$/.test(word)) return word + 'es';
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + 'ies';
  return word + 's';
}

function past(word: string, double: boolean): string {
  if (word.endsWith('e')) return word + 'd';
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + 'ied';
  return double ? word + word[word.length - 1] + 'ed' : word + 'ed';
}

function gerund(word: string, double: boolean): string {
  if (word.endsWith('ie')) return word.slice(0, -2) + 'ying';
  if (/[^eoy]e$/.test(word)) return word.slice(0, -1) + 'ing';
  return double ? word + word[word.length - 1] + 'ing' : word + 'ing';
}

/** Splits "lash out" into the verb and the rest, which stays as written. */
function splitLemma(lemma: string): [string, string] {
  const trimmed = lemma.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space)];
}

/** The likely form of a verb (for suggestions): inflect('say', 'past') → 'said'. */
export function inflect(lemma: string, form: VerbForm): string {
  const [verb, rest] = splitLemma(lemma);
  const word = verb.toLowerCase();
  const irregular = IRREGULAR[word];
  let result: string;
  switch (form) {
    case 'base':
      result = word;
      break;
    case 'third':
      result = irregular?.third ?? third(word);
      break;
    case 'past':
      result = irregular?.past ?? past(word, shouldDouble(word));
      break;
    case 'participle':
      result = irregular?.participle ?? past(word, shouldDouble(word));
      break;
    case 'gerund':
      result = irregular?.gerund ?? gerund(word, shouldDouble(word));
      break;
  }
  return result + rest;
}

/**
 * Every spelling that may be a form of the verb, with the form it is. Past
 * and participle coincide for regular verbs; such a word is reported as 'past'.
 */
export function verbForms(lemma: string): Map<string, VerbForm> {
  const [verb, rest] = splitLemma(lemma);
  const word = verb.toLowerCase();
  const forms = new Map<string, VerbForm>();
  const add = (spelling: string, form: VerbForm) => {
    if (!forms.has(spelling + rest)) forms.set(spelling + rest, form);
  };
  add(word, 'base');
  const irregular = IRREGULAR[word];
  add(irregular?.third ?? third(word), 'third');
  if (irregular) {
    add(irregular.past, 'past');
    add(irregular.participle, 'participle');
    add(irregular.gerund ?? gerund(word, false), 'gerund');
  } else {
    const doubtful = endsCvc(word);
    add(past(word, shouldDouble(word)), 'past');
    add(gerund(word, shouldDouble(word)), 'gerund');
    if (doubtful) {
      add(past(word, !shouldDouble(word)), 'past');
      add(gerund(word, !shouldDouble(word)), 'gerund');
    }
  }
  return forms;
}
