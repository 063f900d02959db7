import type { ConsentLevel } from '../consent/consent-level.js';

/**
 * Every word `<fedrec-consent>` and `<fedrec-privacy>` show, for one locale.
 * Counts and figures come in as arguments, so each language words them its
 * own way (plurals, digit order). Add a locale with `addFedRecLocale`.
 */
export interface FedRecStrings {
  /** The locale's writing direction: the components lay themselves out with it. */
  readonly dir: 'ltr' | 'rtl';
  readonly consent: {
    readonly title: string;
    readonly intro: string;
    /** Shown when the server's privacy notice changed since the shopper chose. */
    readonly renew: string;
    readonly levels: Readonly<Record<ConsentLevel, { readonly label: string; readonly description: string }>>;
    readonly saved: Readonly<Record<ConsentLevel, string>>;
    readonly failed: (reason: string) => string;
  };
  readonly privacy: {
    readonly title: string;
    readonly choice: string;
    readonly levels: Readonly<Record<ConsentLevel, string>>;
    readonly renew: string;
    readonly storedTitle: string;
    readonly facts: {
      readonly consent: string;
      readonly activity: string;
      readonly oldest: string;
      readonly newest: string;
      readonly profile: string;
      readonly keptFor: string;
    };
    readonly consentWords: Readonly<Record<ConsentLevel, string>>;
    readonly notChosen: string;
    readonly activity: (events: number, views: number, carts: number, purchases: number) => string;
    readonly none: string;
    readonly profileStored: string;
    readonly keptFor: (maxEvents: number, maxAgeDays: number) => string;
    readonly updatesTitle: string;
    readonly updatesCaption: string;
    readonly columns: { readonly round: string; readonly time: string; readonly size: string; readonly clip: string; readonly noise: string; readonly epsilon: string };
    readonly notSent: (round: string) => string;
    readonly noneSent: string;
    readonly training: { readonly off: string; readonly participating: string; readonly waiting: string; readonly connecting: string; readonly paused: string };
    readonly spentTitle: string;
    readonly spentNone: (budget: string) => string;
    readonly spent: (epsilon: string, budget: string, delta: string, rounds: number) => string;
    readonly noticeTitle: string;
    readonly deleteTitle: string;
    readonly deleteStatement: string;
    readonly deleteButton: string;
    readonly deleteConfirm: string;
    readonly deleteCancel: string;
    readonly deleted: string;
    readonly failed: (reason: string) => string;
  };
  readonly notice: {
    readonly summary: (version: string) => string;
    readonly unavailable: string;
    readonly rawEvents: string;
    readonly sentUpdates: string;
    readonly sentNothing: string;
    readonly promise: (epsilon: string, delta: string, accountant: string) => string;
    readonly noPromise: string;
    readonly sampling: (kind: 'poisson' | 'fixed', value: string) => string;
    readonly noise: (placement: 'local' | 'distributed') => string;
    readonly secureAggregation: (on: boolean) => string;
    readonly retention: (checkpoints: number) => string;
    readonly contact: (who: string) => string;
    readonly consentedUnder: (version: string) => string;
  };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Left-to-right text (a formula, a version, an address) inside right-to-left text, isolated so the bidi algorithm keeps it whole. */
const ltr = (text: string): string => `\u2066${text}\u2069`;

const en: FedRecStrings = {
  dir: 'ltr',
  consent: {
    title: 'How may this shop use what you do here?',
    intro: 'What you look at and buy stays in this browser. Recommendations are worked out here, on your device. You choose how far that goes — and can change it at any time under “Your data & privacy”.',
    renew: 'The privacy notice has changed since you chose. Please choose again: until you do, this device sends nothing.',
    levels: {
      off: { label: 'Don’t keep anything', description: 'Nothing is stored. You see popular items.' },
      local: { label: 'Personalise on this device', description: 'Your activity is stored in this browser to personalise recommendations. Nothing is sent anywhere.' },
      contribute: {
        label: 'Personalise and help improve',
        description: 'As above, and this device also helps train the shared model: it sends only model updates with random noise added, never your activity, up to a fixed privacy limit.',
      },
    },
    saved: {
      off: 'Saved: nothing will be kept.',
      local: 'Saved: personalising on this device only.',
      contribute: 'Saved: personalising here and helping train, within your privacy limit.',
    },
    failed: (reason) => `Could not save your choice: ${reason}`,
  },
  privacy: {
    title: 'Your data & privacy',
    choice: 'Your choice',
    levels: { off: 'Keep nothing', local: 'Personalise on this device', contribute: 'Personalise and help improve' },
    renew: 'The privacy notice has changed since you chose “Personalise and help improve”: this device sends nothing until you choose again.',
    storedTitle: 'Stored on this device',
    facts: { consent: 'Consent', activity: 'Activity', oldest: 'Oldest', newest: 'Newest', profile: 'Taste profile', keptFor: 'Kept for' },
    consentWords: { off: 'Nothing new is stored.', local: 'Stored here, used only here.', contribute: 'Stored here; this device also helps train the shared model.' },
    notChosen: 'Not chosen yet: nothing is stored.',
    activity: (events, views, carts, purchases) =>
      events === 0 ? 'none' : `${plural(events, 'event', 'events')} (${plural(views, 'view', 'views')}, ${plural(carts, 'cart add', 'cart adds')}, ${plural(purchases, 'purchase', 'purchases')})`,
    none: 'none',
    profileStored: 'stored (a short list of numbers, never sent)',
    keptFor: (maxEvents, maxAgeDays) => `the last ${maxEvents} events, at most ${maxAgeDays} days`,
    updatesTitle: 'Updates sent',
    updatesCaption: 'Model updates this device sent',
    columns: { round: 'Round', time: 'Time', size: 'Size', clip: 'Clip C', noise: 'Noise z', epsilon: 'ε' },
    notSent: (round) => `${round} (not sent)`,
    noneSent: 'None sent.',
    training: {
      off: 'Not taking part in training.',
      participating: 'Connected: this device takes part in training rounds while it has budget left.',
      waiting: 'Another tab of this shop takes part for this device; this one takes over if it closes.',
      connecting: 'Connecting to take part in training…',
      paused: 'Paused: waiting for you to choose again under the new privacy notice.',
    },
    spentTitle: 'Privacy spent',
    spentNone: (budget) => `ε = 0 of your limit of ${budget}: this device has sent nothing.`,
    spent: (epsilon, budget, delta, rounds) =>
      `ε = ${epsilon} of your limit of ${budget} (δ = ${delta}) over ${plural(rounds, 'round', 'rounds')}. Rounds that would go over the limit are declined.`,
    noticeTitle: 'Privacy notice',
    deleteTitle: 'Delete my data',
    deleteStatement:
      'This deletes everything this shop stored in this browser — your activity, your taste profile and the record of updates — and stops taking part in training. Updates already sent cannot be taken back: they were combined, with random noise, into the shared model. They never contained your activity itself.',
    deleteButton: 'Delete my data',
    deleteConfirm: 'Yes, delete everything',
    deleteCancel: 'Cancel',
    deleted: 'Deleted. Nothing about you is stored in this browser now.',
    failed: (reason) => `That did not work: ${reason}`,
  },
  notice: {
    summary: (version) => `What the server receives (privacy notice ${version})`,
    unavailable: 'The privacy notice could not be loaded; this device sends nothing without it.',
    rawEvents: 'Your activity (what you view, add to the cart or buy) never leaves this device.',
    sentUpdates: 'With “help improve” only: clipped model updates with random noise added, of the shared model’s numbers only.',
    sentNothing: 'Nothing: this server runs no private training.',
    promise: (epsilon, delta, accountant) => `Privacy promise to each shopper: ε = ${epsilon} at δ = ${delta}, over all training (accounted with ${accountant}).`,
    noPromise: 'No differential-privacy promise: this device takes part in no training rounds.',
    sampling: (kind, value) => (kind === 'poisson' ? `Each round asks a random ${value} of devices.` : `Each round asks ${value} randomly chosen devices.`),
    noise: (placement) => (placement === 'local' ? 'Each device adds all the noise itself, so the server never sees an un-noised update.' : 'Each device adds a share of the noise; only the combined sum carries it all.'),
    secureAggregation: (on) => (on ? 'Secure aggregation is on: the server learns only the sum of a round’s updates.' : 'Secure aggregation is off: the server sees each noised update.'),
    retention: (checkpoints) =>
      `Updates are summed in memory and discarded when their round closes; ${checkpoints === 0 ? 'no model checkpoint is kept' : `the last ${plural(checkpoints, 'checkpoint', 'checkpoints')} of the shared model are kept`}.`,
    contact: (who) => `Questions: ${who}`,
    consentedUnder: (version) => `You chose under notice ${version}.`,
  },
};

const ar: FedRecStrings = {
  dir: 'rtl',
  consent: {
    title: 'كيف يمكن لهذا المتجر استخدام ما تفعله هنا؟',
    intro: 'ما تشاهده وتشتريه يبقى في هذا المتصفح. تُحسب التوصيات هنا، على جهازك. أنت تختار إلى أي حد يصل ذلك، ويمكنك تغييره في أي وقت من «بياناتك وخصوصيتك».',
    renew: 'تغيّر إشعار الخصوصية منذ اختيارك. يُرجى الاختيار مرة أخرى: لن يرسل هذا الجهاز شيئًا حتى تفعل.',
    levels: {
      off: { label: 'لا تحتفظ بأي شيء', description: 'لا يُخزَّن شيء. ترى المنتجات الشائعة.' },
      local: { label: 'خصّص على هذا الجهاز', description: 'يُخزَّن نشاطك في هذا المتصفح لتخصيص التوصيات. لا يُرسَل أي شيء إلى أي مكان.' },
      contribute: {
        label: 'خصّص وساعد في التحسين',
        description: 'كما سبق، ويساعد هذا الجهاز أيضًا في تدريب النموذج المشترك: يرسل فقط تحديثات للنموذج مضافًا إليها ضجيج عشوائي، ولا يرسل نشاطك أبدًا، وذلك ضمن حدّ ثابت للخصوصية.',
      },
    },
    saved: {
      off: 'تم الحفظ: لن يُحتفظ بأي شيء.',
      local: 'تم الحفظ: التخصيص على هذا الجهاز فقط.',
      contribute: 'تم الحفظ: التخصيص هنا والمساعدة في التدريب ضمن حدّ خصوصيتك.',
    },
    failed: (reason) => `تعذّر حفظ اختيارك: ${reason}`,
  },
  privacy: {
    title: 'بياناتك وخصوصيتك',
    choice: 'اختيارك',
    levels: { off: 'لا تحتفظ بشيء', local: 'خصّص على هذا الجهاز', contribute: 'خصّص وساعد في التحسين' },
    renew: 'تغيّر إشعار الخصوصية منذ اخترت «خصّص وساعد في التحسين»: لن يرسل هذا الجهاز شيئًا حتى تختار مرة أخرى.',
    storedTitle: 'المخزَّن على هذا الجهاز',
    facts: { consent: 'الموافقة', activity: 'النشاط', oldest: 'الأقدم', newest: 'الأحدث', profile: 'ملف الذوق', keptFor: 'مدة الاحتفاظ' },
    consentWords: { off: 'لا يُخزَّن شيء جديد.', local: 'مخزَّن هنا ويُستخدم هنا فقط.', contribute: 'مخزَّن هنا؛ ويساعد هذا الجهاز أيضًا في تدريب النموذج المشترك.' },
    notChosen: 'لم تختر بعد: لا يُخزَّن شيء.',
    activity: (events, views, carts, purchases) => (events === 0 ? 'لا شيء' : `الأحداث: ${events} (مشاهدات: ${views}، إضافات إلى السلة: ${carts}، مشتريات: ${purchases})`),
    none: 'لا شيء',
    profileStored: 'مخزَّن (قائمة قصيرة من الأرقام، لا تُرسَل أبدًا)',
    keptFor: (maxEvents, maxAgeDays) => `آخر ${maxEvents} حدثًا، ولمدة أقصاها ${maxAgeDays} يومًا`,
    updatesTitle: 'التحديثات المرسلة',
    updatesCaption: 'تحديثات النموذج التي أرسلها هذا الجهاز',
    columns: { round: 'الجولة', time: 'الوقت', size: 'الحجم', clip: 'حد القص C', noise: 'الضجيج z', epsilon: 'ε' },
    notSent: (round) => `${round} (لم يُرسَل)`,
    noneSent: 'لم يُرسَل شيء.',
    training: {
      off: 'لا يشارك في التدريب.',
      participating: 'متصل: يشارك هذا الجهاز في جولات التدريب ما دام لديه رصيد.',
      waiting: 'تشارك علامة تبويب أخرى من هذا المتجر نيابةً عن هذا الجهاز؛ وتتولى هذه العلامة الأمر إذا أُغلقت تلك.',
      connecting: 'جارٍ الاتصال للمشاركة في التدريب…',
      paused: 'متوقف مؤقتًا: بانتظار اختيارك من جديد وفق إشعار الخصوصية الجديد.',
    },
    spentTitle: 'الخصوصية المستهلكة',
    spentNone: (budget) => `${ltr('ε = 0')} من حدّك البالغ ${budget}: لم يرسل هذا الجهاز شيئًا.`,
    spent: (epsilon, budget, delta, rounds) => `${ltr(`ε = ${epsilon}`)} من حدّك البالغ ${budget} (${ltr(`δ = ${delta}`)}) عبر ${rounds} جولة. تُرفض الجولات التي قد تتجاوز الحد.`,
    noticeTitle: 'إشعار الخصوصية',
    deleteTitle: 'احذف بياناتي',
    deleteStatement:
      'يحذف هذا كل ما خزّنه هذا المتجر في هذا المتصفح — نشاطك وملف ذوقك وسجل التحديثات — ويوقف المشاركة في التدريب. لا يمكن استرجاع التحديثات المرسلة سابقًا: فقد دُمجت، مع ضجيج عشوائي، في النموذج المشترك. ولم تتضمن نشاطك نفسه قط.',
    deleteButton: 'احذف بياناتي',
    deleteConfirm: 'نعم، احذف كل شيء',
    deleteCancel: 'إلغاء',
    deleted: 'تم الحذف. لا يُخزَّن أي شيء عنك في هذا المتصفح الآن.',
    failed: (reason) => `لم ينجح ذلك: ${reason}`,
  },
  notice: {
    summary: (version) => `ما يتلقاه الخادم (إشعار الخصوصية ${ltr(version)})`,
    unavailable: 'تعذّر تحميل إشعار الخصوصية؛ لا يرسل هذا الجهاز شيئًا من دونه.',
    rawEvents: 'نشاطك (ما تشاهده أو تضيفه إلى السلة أو تشتريه) لا يغادر هذا الجهاز أبدًا.',
    sentUpdates: 'مع «المساعدة في التحسين» فقط: تحديثات مقصوصة للنموذج مضافًا إليها ضجيج عشوائي، لأرقام النموذج المشترك فقط.',
    sentNothing: 'لا شيء: لا يجري هذا الخادم أي تدريب خاص.',
    promise: (epsilon, delta, accountant) => `وعد الخصوصية لكل متسوق: ${ltr(`ε = ${epsilon}`)} عند ${ltr(`δ = ${delta}`)}، على كامل التدريب (محسوبًا بطريقة ${ltr(accountant)}).`,
    noPromise: 'لا يوجد وعد بالخصوصية التفاضلية: لا يشارك هذا الجهاز في أي جولة تدريب.',
    sampling: (kind, value) => (kind === 'poisson' ? `تطلب كل جولة نسبة عشوائية قدرها ${value} من الأجهزة.` : `تطلب كل جولة ${value} من الأجهزة المختارة عشوائيًا.`),
    noise: (placement) => (placement === 'local' ? 'يضيف كل جهاز الضجيج كله بنفسه، فلا يرى الخادم أي تحديث بلا ضجيج.' : 'يضيف كل جهاز حصة من الضجيج؛ ولا يحمله كله إلا المجموع.'),
    secureAggregation: (on) => (on ? 'التجميع الآمن مفعّل: لا يعرف الخادم إلا مجموع تحديثات الجولة.' : 'التجميع الآمن غير مفعّل: يرى الخادم كل تحديث مضاف إليه الضجيج.'),
    retention: (checkpoints) =>
      `تُجمع التحديثات في الذاكرة وتُحذف عند انتهاء جولتها؛ ${checkpoints === 0 ? 'ولا تُحفظ أي نسخة من النموذج' : `وتُحفظ آخر ${checkpoints} نسخ من النموذج المشترك`}.`,
    contact: (who) => `للاستفسارات: ${ltr(who)}`,
    consentedUnder: (version) => `اخترت وفق الإشعار ${ltr(version)}.`,
  },
};

const locales = new Map<string, FedRecStrings>([
  ['en', en],
  ['ar', ar],
]);

/**
 * Adds (or replaces) the strings of a locale, by its primary language
 * subtag (`fr`, `de`…). Elements already on the page re-render when their
 * `lang` next changes; set it before they connect.
 *
 * @example
 * addFedRecLocale('fr', { ...fedRecStrings('en'), consent: { ...fedRecStrings('en').consent, title: 'Comment cette boutique peut-elle utiliser ce que vous faites ici ?' } });
 */
export function addFedRecLocale(lang: string, strings: FedRecStrings): void {
  if (typeof lang !== 'string' || !/^[a-z]{2,8}$/i.test(lang)) throw new RangeError(`expected a primary language subtag like 'fr', got '${String(lang)}'`);
  locales.set(lang.toLowerCase(), strings);
}

/** The strings for a BCP 47 tag (`ar-EG` uses `ar`), English where the locale has none. */
export function fedRecStrings(lang: string | null | undefined): FedRecStrings {
  const primary = (lang ?? '').split('-')[0]!.toLowerCase();
  return locales.get(primary) ?? en;
}

/** The locale tag a component shows, for number formatting: the one given when there are strings for it, else `en`. */
export function resolvedLocale(lang: string | null | undefined): string {
  const primary = (lang ?? '').split('-')[0]!.toLowerCase();
  return locales.has(primary) ? (lang ?? 'en') : 'en';
}
