/**
 * The small, closed word lists the name patterns need. Everything open-ended
 * (which capitalised words are names, who is a person, which first names
 * exist) is learnt from the sources themselves; these lists only say how news
 * English introduces people and organisations.
 */

function set(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/).filter(Boolean));
}

/** Words before a surname that make it a person: "Mr Blair", "Lord Hanningfield". Compared without a trailing dot. */
export const HONORIFICS = set('mr mrs ms miss dr prof professor sir dame lord lady baroness baron rev reverend father sister');

/** Honorifics that belong to the name itself (a peer is "Lord Hanningfield", not "Hanningfield"). */
export const NAME_TITLES = set('lord lady baroness baron');

/** Honorifics used with a first name in British style ("Sir Alan" for Sir Alan Budd). */
export const FIRST_NAME_HONORIFICS = set('sir dame');

/**
 * Heads of role phrases (lower case). A title before a name or an apposition
 * after it counts as a role only when its head is one of these, so "Mozambique,
 * a country where…" is not read as a role.
 */
export const ROLE_HEADS = set(`
  minister ministers secretary secretaries leader leaders president presidents chancellor premier pm mp mps mep meps msp am qc
  spokesman spokeswoman spokesperson spokesmen chairman chairwoman chair chairs co-chairman co-chair vice-chairman vice-president
  chief chiefs executive executives director directors head heads boss bosses supremo czar tsar commissioner commissioners
  correspondent correspondents editor editors journalist journalists reporter reporters columnist commentator presenter broadcaster
  analyst analysts economist economists adviser advisers advisor aide aides official officials officer officers constable inspector
  superintendent commander general colonel captain admiral marshal sergeant
  judge judges justice magistrate coroner lawyer lawyers solicitor solicitors barrister barristers attorney prosecutor
  mayor governor governors ambassador ambassadors envoy diplomat consul senator senators congressman congresswoman
  councillor councillors peer peers whip speaker deputy treasurer registrar clerk
  king queen prince princess duke duchess emperor pope bishop archbishop cardinal priest vicar imam rabbi cleric
  founder founders owner owners partner partners member members candidate candidates hopeful hopefuls nominee
  professor lecturer teacher headteacher headmaster scientist researcher researchers expert experts doctor surgeon nurse
  author writer novelist poet playwright historian biographer artist actor actress singer musician comedian star stars
  director producer designer architect engineer manager managers coach player players striker goalkeeper midfielder
  businessman businesswoman entrepreneur tycoon banker financier investor billionaire millionaire
  publisher auctioneer huntsman jockey chef nanny farmer pupil student students patient patients campaigner campaigners activist activists
  protester protesters worker workers volunteer volunteers spokesmen agent agents consultant consultants strategist pollster
  son daughter wife husband widow widower brother sister father mother grandson granddaughter friend
  character national nationals citizen citizens resident residents
  company companies firm firms group groups organisation organization charity charities union unions party
  newspaper newspapers paper magazine broadcaster channel station network agency agencies watchdog regulator body
  think-tank thinktank bank airline operator retailer maker manufacturer giant
  counterpart counterparts supremo tsar
`);

/** Role heads that make the named thing an organisation (or, for the media ones, a media outlet). */
export const ORG_ROLE_HEADS = set(
  'company companies firm firms group groups organisation organization charity charities union unions party body watchdog regulator think-tank thinktank bank airline operator retailer maker manufacturer giant agency agencies campaigners',
);
export const MEDIA_ROLE_HEADS = set('newspaper newspapers paper magazine broadcaster channel station network');

/** Post-titles: "Paul Boateng MP". */
export const POST_TITLES = set('MP MEP MSP AM QC KC');

/**
 * Lower-case words that may stand inside a role before its head ("shadow home
 * secretary", "assistant chief constable"). Adjectives ending in -al, -ic,
 * -ary, -ive, -ian, -ish, -ese are accepted by suffix (see isRoleModifier).
 */
export const ROLE_MODIFIERS = set(`
  former ex acting interim deputy vice assistant associate senior junior chief principal general managing executive
  shadow foreign home prime first second third defence defense health education culture media sport trade industry
  treasury finance justice interior transport environment energy housing employment work pensions welfare immigration
  affairs development business transport science technology agriculture fisheries
  election campaign party opposition government state security intelligence police army military armed naval
  joint co chair vice lead top new outgoing incoming caretaker elected appointed
  rock pop film movie jazz folk tv television radio news sports football cricket rugby tennis golf
  money child children health care social human rights civil liberties legal polling research
  anti-war anti-noise pro-hunting local regional national royal close old personal special key long-time
  press communications information policy campaign
  chief executive
`);

const ADJECTIVE_SUFFIX = /(?:al|ic|ary|ive|ian|ish|ese|ant|ent|ior|ory)$/;
const VERB_LIKE = set('give live receive arrive drive derive deprive survive thrive strive forgive revive dive want went sent meant spent lent bent rent present event');

/** True for a lower-case word that can modify a role head. */
export function isRoleModifier(lower: string): boolean {
  if (ROLE_MODIFIERS.has(lower) || ROLE_HEADS.has(lower)) return true;
  if (lower.includes('-')) return /^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(lower) && !/^\d+-year-old$/.test(lower);
  if (lower.length < 5 || VERB_LIKE.has(lower) || FUNCTION_WORDS.has(lower)) return false;
  return ADJECTIVE_SUFFIX.test(lower);
}

/** Words that end a role phrase going left: determiners and possessive pronouns (dropped from the role). */
export const DETERMINERS = set('the a an his her its their our my your this that these those');

/** Function words: never part of a name, a role modifier or a sentence-initial name. */
export const FUNCTION_WORDS = set(`
  a an the and or but nor so yet for of in on at to from by with without within into onto upon about above below over under
  after before since until while during through across against among between behind beyond despite except inside outside
  near off out up down than then as if when where which who whom whose what why how that this these those there here
  he she it they we you i me him her us them his hers its their theirs our ours your yours my mine
  is are was were be been being am do does did done have has had having will would shall should can could may might must
  not no yes all any some each every both either neither many much more most few less least other another such own same
  also only just even still again already ever never now once soon too very well however although though because unless
  whether meanwhile instead indeed perhaps
`);

/** Capitalised words that are never names on their own (calendar words, sentence adverbs). */
export const NEVER_NAMES = set(`
  monday tuesday wednesday thursday friday saturday sunday
  january february march april may june july august september october november december
  i we you he she it they
`);

/**
 * Words that make a capitalised phrase an organisation. A phrase whose last
 * word (or any word, for the "of" kinds) is one of these is an organisation.
 */
export const ORG_WORDS = set(`
  party parties union unions council councils authority authorities commission committee committees association associations
  ministry ministries department departments office offices bank banks fund funds organisation organization agency agencies
  institute institution society fellowship alliance federation league group company companies corporation corp inc ltd plc llc
  court courts parliament commons lords assembly government cabinet police army navy force forces service services trust foundation
  university college school hospital church front movement watch campaign coalition confederation congress senate board
  bureau executive tribunal inquiry club exchange airways airlines airport council brigade regiment command chamber
  commonwealth house
`);

/** Words that make a capitalised phrase a media outlet. */
export const MEDIA_WORDS = set(`
  tv television radio news times post guardian telegraph independent chronicle herald mail mirror sun express standard observer
  journal gazette tribune economist newsnight today programme channel broadcasting press reuters bloomberg
  magazine review weekly daily online courier echo argus advertiser sentinel bulletin inquirer examiner dispatch despatch globe
`);

/** Media outlets known by an acronym or one word. */
export const MEDIA_NAMES = set('bbc itv cnn sky reuters bloomberg afp ap abc nbc cbs rte ria tass interfax');

/** Words that make a capitalised phrase a place. */
export const PLACE_WORDS = set(
  'street road square city town county island isle islands valley river lake mountain mountains province state region district bay gulf sea ocean',
);

/**
 * Countries, continents and a few regions: a place gazetteer for the names that
 * sources use without any cue. Lower case.
 */
export const PLACES = set(`
  afghanistan albania algeria angola argentina armenia australia austria azerbaijan bahrain bangladesh belarus belgium bolivia
  bosnia botswana brazil britain bulgaria burma cambodia cameroon canada chad chile china colombia congo croatia cuba cyprus
  czechia denmark ecuador egypt england eritrea estonia ethiopia europe finland france gaza georgia germany ghana greece
  guatemala haiti honduras hungary iceland india indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan
  kenya korea kosovo kuwait kyrgyzstan laos latvia lebanon liberia libya liechtenstein lithuania luxembourg macedonia
  madagascar malawi malaysia mali malta mexico moldova monaco mongolia montenegro morocco mozambique namibia nepal
  netherlands holland nicaragua niger nigeria norway oman pakistan palestine panama paraguay peru philippines poland portugal
  qatar romania russia rwanda scotland senegal serbia sierra singapore slovakia slovenia somalia spain sudan sweden
  switzerland syria taiwan tajikistan tanzania thailand tibet togo tunisia turkey turkmenistan uganda ukraine uruguay
  uzbekistan venezuela vietnam wales yemen zambia zimbabwe africa asia america antarctica oceania caucasus balkans
  london paris berlin moscow washington beijing tokyo brussels rome madrid dublin edinburgh cardiff belfast jerusalem
  baghdad kabul tehran damascus cairo kiev kyiv delhi mumbai sydney toronto geneva vienna
`);

/**
 * Acronyms readers know without an expansion; the default exemption list of
 * style/acronym-first-use (configurable there).
 */
export const WELL_KNOWN_ACRONYMS = [
  'UK', 'US', 'USA', 'UN', 'EU', 'BBC', 'TV', 'MP', 'MPs', 'MEP', 'PM', 'AM', 'OK', 'CEO', 'GDP', 'NHS', 'NATO', 'Nato',
  'CIA', 'FBI', 'ID', 'IT', 'PC', 'CD', 'DVD', 'DNA', 'HIV', 'AIDS', 'Aids', 'AD', 'BC', 'VAT', 'HQ', 'PR', 'ITV', 'CNN',
  'FIFA', 'Uefa', 'UEFA', 'NASA', 'USSR', 'UAE', 'IRA', 'QC', 'PhD', 'CV', 'SMS', 'GMT', 'BST', 'UTC',
];

/** Verbs of saying, for "who said what" (lower case, all the forms news uses). */
export const SPEECH_VERBS = set(`
  said says say told tells tell added adds argued argues warned warns insisted insists claimed claims denied denies
  stated states explained explains acknowledged acknowledges admitted admits urged urges replied replies suggested suggests
  accused accuses criticised criticises criticized criticizes expressed expresses underscored underscores emphasised emphasises
  emphasized highlighted highlights stressed stresses noted notes announced announces declared declares dismissed dismisses
  rejected rejects called calls described describes pledged pledges promised promises vowed vows conceded concedes
  questioned questions confirmed confirms predicted predicts believes believed wrote writes asked asks commented comments
  maintained maintains contended contends recalled recalls revealed reveals reiterated reiterates
`);

/** Portfolio words inside capitalised titles: "Minister of Foreign Affairs", "Secretary of State". Never part of a name. */
export const PORTFOLIO_WORDS = set(`
  affairs state defence defense health education culture media sport trade industry treasury finance justice interior
  transport environment energy housing employment work pensions welfare immigration development business science technology
  agriculture fisheries foreign home internal external economy economic security intelligence information communications
  general exchequer commonwealth
`);

/** Titles written capitalised in front of a name ("Foreign Secretary Jack Straw", "President Bush", "Tory MP Michael Mates"). */
const CAPITALISED_TITLES = set(`
  minister secretary president vice-president chancellor premier pm mp mep msp speaker leader chairman chairwoman governor mayor
  ambassador envoy general colonel captain commander admiral marshal sergeant inspector superintendent constable chief judge justice
  commissioner director secretary-general king queen prince princess duke duchess emperor pope bishop archbishop cardinal senator
  congressman congresswoman deputy professor sheikh ayatollah imam rabbi reverend correspondent editor spokesman spokeswoman
`);

export function isCapitalisedRoleHead(word: string): boolean {
  return CAPITALISED_TITLES.has(word.toLowerCase());
}
