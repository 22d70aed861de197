/**
 * The flat rule registry. Adding a rule = one file under its category and one
 * line here; docs, schema and the README table are generated from this list.
 */
import type { Rule } from './rule';
import quoteNotFound from './quote/not-found';
import quoteMisquote from './quote/misquote';
import quoteMisattributed from './quote/misattributed';
import claimUnsourced from './claim/unsourced';
import citationUnknownSource from './citation/unknown-source';
import citationWrongSource from './citation/wrong-source';
import configInvalid from './config/invalid';
import inputSkipped from './input/skipped';
import styleAttributionVerb from './style/attribution-verb';
import styleBannedTerm from './style/banned-term';
import styleWeaselWords from './style/weasel-words';
import styleAcronymFirstUse from './style/acronym-first-use';
import styleNameVariant from './style/name-variant';

export const rules: readonly Rule[] = [quoteNotFound, quoteMisquote, quoteMisattributed, citationUnknownSource, citationWrongSource, claimUnsourced, configInvalid, inputSkipped, styleAttributionVerb, styleBannedTerm, styleWeaselWords, styleAcronymFirstUse, styleNameVariant];

export const ruleById: ReadonlyMap<string, Rule> = new Map(rules.map((rule) => [rule.id, rule]));
