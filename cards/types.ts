/**
 * View models for the card builders, and a minimal typing of Lark card JSON 2.0.
 * Types only: nothing here exists at run time.
 *
 * Card JSON 2.0 rejects unknown properties (see shared/reference/lark-platform.md §5.2),
 * so the card types below list only documented properties that the builders use.
 */

export type Language = 'zh' | 'en';

/** What a card button or chat command asks for. */
export type IssueAction = 'ack' | 'resolve' | 'reopen';

export interface CardActor {
  name: string;
  /** Unix seconds. */
  at: number;
  /** `source`: the alert's monitor, Sentry…, said by the source itself (recovery, resolved in Sentry). */
  via: 'lark' | 'guance' | 'source';
}

export interface IssueCardModel {
  uuid: string;
  title: string;
  /** `null` (or an empty name) when the level is unknown. */
  level: { name: string; color?: string /* hex from Guance, e.g. "#E94444" */ } | null;
  /** Guance workflow status: 10 Open, 15 Working, 20 Resolved, 25 Closed, 30 Pending. */
  statusType: number;
  /** Resource / source name, `''` for manually created issues. */
  source: string;
  /** Unix seconds (may be a float). */
  createdAt: number;
  /** IANA zone of the workspace, e.g. `Asia/Shanghai`; times are rendered in it. */
  timeZone: string;
  /** Display names or e-mails. */
  assignees: string[];
  /** Raw description: HTML from the Guance editor, markdown, or plain text. */
  description: string;
  /** Full "Open in Guance" link. */
  consoleUrl: string;
  /** Who did what last. */
  lastChange?: { action: IssueAction | 'status'; statusType: number; by: CardActor };
  /** Optional one-line note shown on the card (e.g. "could not resolve: …"). */
  notice?: string;
  /** Where the card came from; absent means a Guance issue. Other sources show their own fields and links. */
  sourceKind?: CardSourceKind;
  fields?: { name: string; value: string }[];
  links?: { kind: CardLinkKind; url: string }[];
  /** Occurrences this card stands for, and when the last arrived (unix seconds); shown when more than one. */
  count?: number;
  lastSeenAt?: number;
  /** People shown in the assignees field: @mentioned when Lark knows them (open_id), else by name. */
  mentions?: { name: string; openId: string | null }[];
  /** The last escalation (Lark urgent) of this card. */
  escalated?: { step: number; kind: string; at: number; names: string[] };
  /** Snoozed until (unix seconds) by whom. */
  snoozed?: { until: number; by: string };
  /** The card's extra controls: snooze presets (minutes), the assignee picker and comment box (Guance issues), war room. */
  controls?: { snoozeMinutes: number[]; assign: boolean; comment: boolean; warRoom: boolean };
}

export type CardSourceKind = 'guance-issue' | 'guance-alert' | 'sentry' | 'error-api';
export type CardLinkKind = 'sentry' | 'guance-alert' | 'report';

/** Who did what last, as the card shows it. */
export type LastChange = NonNullable<IssueCardModel['lastChange']>;

export interface IssueListItem {
  uuid: string;
  title: string;
  levelName: string | null;
  statusType: number;
  createdAt: number;
  consoleUrl: string;
}

/** The card controls besides the status buttons: snooze presets, un-snooze, assignee picker, comment box, war room. */
export type CardControl = 'snooze' | 'unsnooze' | 'assign' | 'comment' | 'warroom';

/** Value carried by a callback button: only what the click needs. */
export interface IssueButtonValue {
  action: IssueAction | CardControl;
  issue: string;
}

// ---------------------------------------------------------------------------
// Lark card JSON 2.0 (subset)
// ---------------------------------------------------------------------------

/** `header.template` colours (JSON 2.0 adds `default`). */
export type HeaderTemplate =
  | 'blue'
  | 'wathet'
  | 'turquoise'
  | 'green'
  | 'yellow'
  | 'orange'
  | 'red'
  | 'carmine'
  | 'violet'
  | 'purple'
  | 'indigo'
  | 'grey'
  | 'default';

export type TextSize = 'heading' | 'normal' | 'notation';
export type TextColor = 'default' | 'grey' | 'red' | 'orange' | 'green' | 'blue';

export interface PlainText {
  tag: 'plain_text';
  content: string;
  text_size?: TextSize;
  text_color?: TextColor;
}

export interface DivElement {
  tag: 'div';
  element_id?: string;
  margin?: string;
  text: PlainText;
}

export interface MarkdownElement {
  tag: 'markdown';
  element_id?: string;
  margin?: string;
  text_size?: TextSize;
  content: string;
}

export interface HrElement {
  tag: 'hr';
  element_id?: string;
  margin?: string;
}

export type ButtonType =
  | 'default'
  | 'primary'
  | 'danger'
  | 'text'
  | 'primary_text'
  | 'danger_text'
  | 'primary_filled'
  | 'danger_filled'
  | 'laser';

export type ButtonBehavior =
  | { type: 'callback'; value: IssueButtonValue }
  | { type: 'open_url'; default_url: string };

export interface ButtonElement {
  tag: 'button';
  element_id?: string;
  type?: ButtonType;
  size?: 'tiny' | 'small' | 'medium' | 'large';
  text: PlainText;
  behaviors: ButtonBehavior[];
}

export interface ColumnElement {
  tag: 'column';
  element_id?: string;
  /** `auto`, `weighted`, or a pixel width such as `100px`. */
  width?: string;
  /** 1–5, used when `width` is `weighted`. */
  weight?: number;
  vertical_align?: 'top' | 'center' | 'bottom';
  elements: CardElement[];
}

export interface ColumnSetElement {
  tag: 'column_set';
  element_id?: string;
  margin?: string;
  flex_mode?: 'none' | 'stretch' | 'flow' | 'bisect' | 'trisect';
  horizontal_spacing?: string;
  columns: ColumnElement[];
}

export interface SelectOption {
  text: PlainText;
  value: string;
}

/** A single select (snooze presets); its choice comes back as the callback's `option`. */
export interface SelectStaticElement {
  tag: 'select_static';
  element_id?: string;
  placeholder: PlainText;
  options: SelectOption[];
  behaviors: ButtonBehavior[];
}

/** A person picker; no options = anyone in the chat. The chosen open_id comes back as `option`. */
export interface SelectPersonElement {
  tag: 'select_person';
  element_id?: string;
  placeholder: PlainText;
  behaviors: ButtonBehavior[];
}

export interface InputElement {
  tag: 'input';
  element_id?: string;
  name: string;
  placeholder: PlainText;
  max_length?: number;
}

/** A form: its submit button's callback carries every field as `form_value`. */
export interface FormElement {
  tag: 'form';
  element_id?: string;
  name: string;
  elements: (InputElement | (ButtonElement & { name: string; form_action_type: 'submit' }))[];
}

export type CardElement =
  | DivElement
  | MarkdownElement
  | HrElement
  | ButtonElement
  | ColumnSetElement
  | SelectStaticElement
  | SelectPersonElement
  | FormElement;

export interface CardHeader {
  title: PlainText;
  subtitle?: PlainText;
  template?: HeaderTemplate;
}

/** A Lark card in JSON 2.0 form, ready for `JSON.stringify` as message content or a callback answer. */
export interface LarkCard {
  schema: '2.0';
  config: {
    /** JSON 2.0 cards are always shared; `true` is also what PATCH requires. */
    update_multi: true;
    summary?: { content: string };
  };
  header?: CardHeader;
  body: { elements: CardElement[] };
}
